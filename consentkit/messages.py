"""Every text a visitor sees, by key: the catalogue that config checks and the renderer share.

The English strings are gettext message ids (extracted with ``make messages``);
nb, nn, sv, da and fi live in ``locales/*/LC_MESSAGES/consentkit.po``. A site overrides any
key per locale under ``[texts.<locale>]`` in its config; overrides may use the
same ``%(name)s`` placeholders as the default.
"""

from __future__ import annotations

import re
from typing import Final

#: Every language consentkit writes: Norwegian bokmål and nynorsk, Swedish, Danish, Finnish, English.
SUPPORTED_LOCALES: Final = ("nb", "nn", "sv", "da", "fi", "en")
#: What a site offers when its config names no ``locales``.
DEFAULT_LOCALES: Final = ("nb", "sv", "en")


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated where it is used."""
    return message


def N_plural(singular: str, plural: str) -> tuple[str, str]:
    """Mark a singular and plural pair for extraction (``ngettext`` at use)."""
    return singular, plural


MESSAGES: Final[dict[str, str]] = {
    # The banner (first layer). docs/compliance.md item 11: purposes, withdrawal, link to the notice.
    "banner_label": N_("Cookie consent"),
    "banner_title": N_("May we use cookies?"),
    "banner_necessary": N_("Some cookies are necessary for the website to work, and they are always on."),
    "banner_purposes": N_("With your consent, we also use cookies to %(purposes)s."),
    "banner_withdraw": N_(
        "You can change or withdraw your consent at any time via the “%(settings)s” link, which you find on every page."
    ),
    "banner_notice_link": N_("Read more about our cookies"),
    "accept_all": N_("Accept all"),
    "reject_all": N_("Reject all"),
    "customise": N_("Customise"),
    "customise_intro": N_("Choose which cookies we may use. You can change your mind later."),
    "save_choices": N_("Save choices"),
    "settings_link": N_("Cookie settings"),
    "always_on": N_("always on"),
    "close": N_("Close"),
    "dialog_intro": N_("Here you can change or withdraw your consent at any time."),
    "placeholder_text": N_("This content is from %(host)s, which sets cookies for %(category)s."),
    "placeholder_button": N_("Allow %(category)s and show it"),
    "placeholder_service_text": N_("This content is from %(service)s (%(host)s), which uses its own cookies."),
    "placeholder_service_button": N_("Allow %(service)s and show it"),
    # Purposes as they complete the sentence in banner_purposes.
    "purpose_functional": N_("remember your settings"),
    "purpose_analytics": N_("measure how the website is used"),
    "purpose_marketing": N_("show you personalised ads"),
    # Category names and what each category is for.
    "category_necessary": N_("Necessary"),
    "category_functional": N_("Functional"),
    "category_analytics": N_("Analytics"),
    "category_marketing": N_("Marketing"),
    "about_necessary": N_(
        "Needed for the website to work securely, for example to keep you signed in and to remember the choice "
        "you make here."
    ),
    "about_functional": N_("Remembers your settings, such as language, so that you do not have to choose again."),
    "about_analytics": N_("Helps us understand how the website is used, so that we can improve it."),
    "about_marketing": N_(
        "Lets us and our partners show you personalised ads and measure how well they work, also on other websites."
    ),
    # The notice page.
    "notice_title": N_("About cookies"),
    "notice_intro": N_(
        "Here you can read which cookies %(controller)s stores on your device, what they are for, "
        "and how you choose which ones we may use."
    ),
    "notice_privacy_policy": N_("Read our full privacy policy"),
    "notice_what_heading": N_("What are cookies?"),
    "notice_what_cookies": N_(
        "Cookies are small text files that a website stores in your browser. The same rules apply to similar "
        "technology, such as local storage in the browser and tracking pixels. On this page we call all of it "
        "cookies."
    ),
    "notice_what_lifetime": N_(
        "Some cookies are deleted when you close the browser. Others stay for the time shown in the tables "
        "below, unless you delete them first."
    ),
    "notice_what_parties": N_(
        "First-party cookies are stored by us, under this website's own address. Third-party cookies are stored "
        "by other companies whose services we use, and those companies can also read them on other websites."
    ),
    "notice_what_consent": N_(
        "Only strictly necessary cookies are used without asking you. For all others we need your consent, "
        "which you can withdraw at any time."
    ),
    "notice_your_choice": N_("What have you chosen?"),
    "notice_undecided": N_("You have not made a choice yet. Until you do, we only use necessary cookies."),
    "notice_decided": N_("Your choice was saved on %(date)s. Consent ID: %(consent_id)s."),
    # A moment as the visitor reads it: "5. mars 2026 kl. 15.07" (no seconds, no time zone).
    "date_at_time": N_("%(date)s at %(time)s"),
    "notice_granted": N_("You allowed: %(categories)s."),
    "notice_denied": N_("You refused: %(categories)s."),
    "notice_nothing": N_("nothing"),
    "notice_gpc": N_("Your browser sent a Global Privacy Control signal, which we take as a no."),
    "notice_record_use": N_("Quote the consent ID if you ask us what we have registered about your choice."),
    "notice_static_choice": N_(
        "You can see and change your choice via the “%(settings)s” link, which you find on every page."
    ),
    "notice_cookies_heading": N_("Which cookies do we use?"),
    "notice_services_heading": N_("Which services from other companies do we use?"),
    "notice_services_intro": N_(
        "These companies store and read cookies through our website if you allow the category they belong to."
    ),
    "notice_service_data": N_("Data collected: %(data)s."),
    "notice_service_transfer": N_("Data is transferred to %(countries)s, outside the EU/EEA."),
    "notice_service_safeguard": N_("Safeguard for the transfer: %(safeguard)s."),
    "notice_service_policy": N_("Privacy policy of %(provider)s"),
    # The legal basis (ekomloven § 3-15 / LEK 9 kap. 28 §, GDPR Art. 6(1)(a)) and transfers (GDPR chapter V).
    "notice_basis_heading": N_("What is the legal basis?"),
    "notice_basis_consent": N_(
        "We store and read cookies that are not strictly necessary only with your consent, as %(law)s requires. "
        "The personal data these cookies collect is processed on the basis of the same consent "
        "(GDPR Art. 6(1)(a))."
    ),
    "notice_basis_necessary": N_(
        "Strictly necessary cookies need no consent: the law makes an exception for what is needed to provide "
        "the service you have asked for, such as a website that works."
    ),
    "law_NO": N_("section 3-15 of the Norwegian Electronic Communications Act (ekomloven)"),
    "law_SE": N_("chapter 9, section 28 of the Swedish Electronic Communications Act (LEK)"),
    "law_DK": N_("the Danish Executive Order on cookies (cookiebekendtgørelsen, no. 1148 of 9 December 2011)"),
    "law_FI": N_("section 205 of the Finnish Act on Electronic Communications Services (917/2014)"),
    "law_other": N_("the national law based on Art. 5(3) of the ePrivacy Directive (2002/58/EC)"),
    "notice_transfers": N_(
        "Some data is transferred to countries outside the EU/EEA. The tables and the list of services above "
        "name the safeguard for each transfer:"
    ),
    "safeguard_dpf": N_("EU–US Data Privacy Framework"),
    "safeguard_scc": N_("standard contractual clauses"),
    "safeguard_adequacy": N_("adequacy decision"),
    "safeguard_about_dpf": N_(
        "The EU–US Data Privacy Framework is a decision of the European Commission that US companies certified "
        "under it protect personal data adequately (GDPR Art. 45)."
    ),
    "safeguard_about_scc": N_(
        "Standard contractual clauses are contract terms adopted by the European Commission that bind the "
        "recipient to protect the data (GDPR Art. 46(2)(c))."
    ),
    "safeguard_about_adequacy": N_(
        "An adequacy decision is a decision of the European Commission that a country outside the EU/EEA "
        "protects personal data adequately (GDPR Art. 45)."
    ),
    # What the services collect, as a list after notice_service_data.
    "personal_data_ip_address": N_("your IP address"),
    "personal_data_device_id": N_("an identifier for your browser or device"),
    "personal_data_pages_viewed": N_("the pages you view"),
    "personal_data_referrer": N_("where you came from"),
    "personal_data_device_info": N_("which browser you use"),
    "personal_data_location": N_("your approximate location"),
    "personal_data_interactions": N_("your clicks and mouse movements"),
    "personal_data_ads": N_("which ads you have seen or clicked"),
    "personal_data_actions": N_("what you buy or submit on the website"),
    "personal_data_videos": N_("which videos you play"),
    "notice_withdraw_heading": N_("How can you change or withdraw your consent?"),
    "notice_withdraw": N_(
        "You can change or withdraw your consent at any time with the form on this page, or via the "
        "“%(settings)s” link, which you find on every page. Withdrawing is as easy as consenting. It applies from "
        "then on and does not affect what happened before."
    ),
    # The same without the form: the static notice (Markdown, or HTML rendered by `consentkit notice`).
    "notice_withdraw_static": N_(
        "You can change or withdraw your consent at any time via the “%(settings)s” link, which you find on every "
        "page. Withdrawing is as easy as consenting. It applies from then on and does not affect what happened "
        "before."
    ),
    "notice_expiry": N_(
        "We ask you again after %(duration)s, or sooner if we change which cookies we use. If you say no, we "
        "remember that just as long."
    ),
    "notice_browser": N_(
        "You can also delete cookies in your browser's settings: in Chrome under Privacy and security, in "
        "Firefox under Privacy & Security and in Safari under Privacy. Your choice is then deleted too, so we "
        "will ask you again."
    ),
    # The consent log itself (GDPR Art. 7(1)); the retention comes from [log] retention.
    "notice_log_heading": N_("How do we keep proof of your choice?"),
    "notice_log": N_(
        "Every time you make or change a choice, we record it: a random consent ID, the time, what you allowed "
        "and refused, how you answered, which version of this notice you saw, and the language. We do not "
        "record your IP address."
    ),
    "notice_log_retention": N_(
        "We keep this record because we must be able to show that you consented (GDPR Art. 7(1)), and we delete "
        "it after %(retention)s."
    ),
    "notice_controller_heading": N_("Who is responsible?"),
    "notice_controller": N_("%(controller)s is responsible for the processing of personal data on this website."),
    "notice_contact_intro": N_("If you have questions about cookies or privacy, you can contact us:"),
    "contact_address": N_("Address"),
    "contact_phone": N_("Phone"),
    "contact_email": N_("Email"),
    "contact_url": N_("Website"),
    "notice_supervision": N_(
        "The rules on cookies are supervised by %(cookie_authority)s, and the processing of personal data by "
        "%(authority)s."
    ),
    "notice_complaint": N_(
        "If you think we process your personal data unlawfully, you have the right to complain to %(authority)s."
    ),
    "authority_NO": N_("Datatilsynet, the Norwegian Data Protection Authority"),
    "authority_SE": N_("IMY, the Swedish Authority for Privacy Protection"),
    "authority_DK": N_("Datatilsynet, the Danish Data Protection Agency"),
    "authority_FI": N_("the Office of the Data Protection Ombudsman (Tietosuojavaltuutetun toimisto)"),
    "authority_other": N_("the data protection authority in your country"),
    "notice_cookie_complaint": N_("You can also report a breach of the cookie rules to %(cookie_authority)s."),
    "cookie_authority_NO": N_("Nkom, the Norwegian Communications Authority"),
    "cookie_authority_SE": N_("PTS, the Swedish Post and Telecom Authority"),
    "cookie_authority_DK": N_("the Danish Agency for Digital Government (Digitaliseringsstyrelsen)"),
    "cookie_authority_FI": N_("Traficom, the Finnish Transport and Communications Agency"),
    "cookie_authority_other": N_("the electronic communications authority in your country"),
    "notice_version": N_("This is version %(version)s of this notice."),
    "storage_local_storage": N_("local storage"),
    "storage_session_storage": N_("session storage"),
    "state_on": N_("On"),
    "state_off": N_("Off"),
    "column_name": N_("Name"),
    "column_provider": N_("Provider"),
    "column_purpose": N_("Purpose"),
    "column_duration": N_("Duration"),
    "column_party": N_("First or third party"),
    "column_transfer": N_("Transfer outside the EU/EEA"),
    "first_party": N_("First party"),
    "third_party": N_("Third party"),
    "no_transfer": N_("None"),
    "duration_session": N_("Until you close the browser"),
    "duration_persistent": N_("Until deleted"),
    "back_to_site": N_("Back to the website"),
    "consent_cookie_purpose": N_("Remembers your choice about cookies, so that we do not ask again on every page."),
    "session_cookie_purpose": N_(
        "Lets the website recognise you from page to page during your visit, for example while you are signed "
        "in or filling in a form."
    ),
    # Answers from the consent endpoint.
    "error_forbidden": N_("This request came from another website, so your choice was not changed."),
    "error_bad_request": N_("Your choice could not be read. Please try again."),
}

#: Keys a site may override under ``[texts.<locale>]``.
TEXT_KEYS: Final = tuple(MESSAGES)

#: Plural forms of duration units, in the order Duration uses.
UNIT_MESSAGES: Final[dict[str, tuple[str, str]]] = {
    "minute": N_plural("%(num)d minute", "%(num)d minutes"),
    "hour": N_plural("%(num)d hour", "%(num)d hours"),
    "day": N_plural("%(num)d day", "%(num)d days"),
    "week": N_plural("%(num)d week", "%(num)d weeks"),
    "month": N_plural("%(num)d month", "%(num)d months"),
    "year": N_plural("%(num)d year", "%(num)d years"),
}

_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def placeholders(text: str) -> set[str]:
    return set(_PLACEHOLDER.findall(text))


def check_override(key: str, text: str) -> str | None:
    """Why an override cannot be used, or None; run at config load, never at request time."""
    allowed = placeholders(MESSAGES[key])
    unknown = placeholders(text) - allowed
    if unknown:
        names = ", ".join(f"%({name})s" for name in sorted(allowed)) or "none"
        return f"uses %({sorted(unknown)[0]})s, which this text does not have; allowed placeholders: {names}"
    if "%" in _PLACEHOLDER.sub("", text).replace("%%", ""):
        return "has a lone %; write %% for a percent sign"
    return None
