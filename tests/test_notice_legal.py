"""What a regulator looks for in the notice (docs/compliance.md item 15, issue 9): legal basis, the
safeguard of each transfer, the personal data collected, the consent log, the controller's contact
details and privacy policy, and the authorities for the cookie rule and for personal data.

Each item comes from the config and the presets, in nb, sv and en, in the HTML page and in the
static Markdown alike.
"""

from __future__ import annotations

import re
from functools import cache

import pytest

from consentkit.render.renderer import Renderer

from .conftest import BASE_TOML, config_from
from .html_audit import elements

#: A Swedish-looking site's extras on top of the shared config: full contact details, a privacy
#: policy, a cookie of its own sent to the UK, TikTok (standard contractual clauses) and a log kept 7 years.
EXTRA_TOML = """
[[cookies]]
name = "support_chat"
category = "functional"
duration = "30 days"
transfer = "GB"
transfer_safeguard = "adequacy"
purpose.nb = "Husker samtalen din med kundeservice."
purpose.sv = "Kommer ihåg ditt samtal med kundtjänst."
purpose.en = "Remembers your conversation with customer service."

[[services]]
preset = "tiktok-pixel"
pixel_id = "C4ABCD12EFGH34IJKL50"

[log]
retention = "7 years"
"""

CONTROLLER = {
    "name": "Eksempel Inkasso AS",
    "email": "personvern@eksempel.no",
    "country": "NO",
    "phone": "+47 22 33 44 55",
    "address": "Storgata 1, 0155 Oslo",
    "url": "https://eksempel.no",
    "privacy_policy_url": "https://eksempel.no/personvern",
}

LOCALES = ("nb", "sv", "en")


@cache
def renderer(country: str = "NO", privacy_policy: bool = True) -> Renderer:
    """One renderer per variant: its templates compile once for the whole module."""
    controller = {**CONTROLLER, "country": country}
    if not privacy_policy:
        del controller["privacy_policy_url"]
    return Renderer(config_from(BASE_TOML + EXTRA_TOML, controller=controller))


def page(ours: Renderer, locale: str) -> str:
    return str(ours.notice(locale=locale, base="/consentkit", consent=None, page=True))


def both(ours: Renderer, locale: str) -> list[str]:
    """The notice as the HTML page's paragraphs and as Markdown: each must say the same."""
    html = page(ours, locale)
    paragraphs = " ".join(" ".join(element.text.split()) for element in elements(html, "p") + elements(html, "li"))
    markdown = " ".join(ours.notice_markdown(locale).split()).replace("\\", "").replace("<", "").replace(">", "")
    return [paragraphs, markdown]


@pytest.mark.parametrize(
    ("locale", "law", "gdpr", "exception"),
    [
        (
            "nb",
            "Det krever ekomloven § 3-15.",
            "(personvernforordningen artikkel 6 nr. 1 bokstav a)",
            "Loven gjør unntak",
        ),
        (
            "sv",
            "§ 3-15 i den norska lagen om elektronisk kommunikation",
            "(artikel 6.1 a i dataskyddsförordningen)",
            "Lagen gör undantag",
        ),
        (
            "en",
            "as section 3-15 of the Norwegian Electronic Communications Act (ekomloven) requires",
            "(GDPR Art. 6(1)(a))",
            "the law makes an exception",
        ),
    ],
)
def test_the_legal_basis_is_consent_and_necessary_cookies_fall_under_the_exception(
    locale: str, law: str, gdpr: str, exception: str
) -> None:
    for text in both(renderer(), locale):
        assert law in text
        assert gdpr in text
        assert exception in text


@pytest.mark.parametrize(
    ("locale", "law"),
    [
        ("nb", "Det krever den svenske loven om elektronisk kommunikasjon (LEK) kapittel 9 § 28."),
        ("sv", "Det kräver 9 kap. 28 § lagen (2022:482) om elektronisk kommunikation."),
        ("en", "as chapter 9, section 28 of the Swedish Electronic Communications Act (LEK) requires"),
    ],
)
def test_a_swedish_controller_cites_lek(locale: str, law: str) -> None:
    for text in both(renderer("SE"), locale):
        assert law in text


@pytest.mark.parametrize(
    ("locale", "cell", "service", "explained"),
    [
        (
            "nb",
            "USA, Singapore og Kina – standardpersonvernbestemmelser",
            "Grunnlag for overføringen: Data Privacy Framework (EU–USA).",
            [
                "Data Privacy Framework (EU–USA) er en beslutning",
                "Standardpersonvernbestemmelser er avtalevilkår",
                "En beslutning om tilstrekkelig beskyttelsesnivå er",
            ],
        ),
        (
            "sv",
            "USA, Singapore och Kina – standardavtalsklausuler",
            "Skyddsåtgärd för överföringen: Data Privacy Framework (EU–USA).",
            [
                "Data Privacy Framework (EU–USA) är ett beslut",
                "Standardavtalsklausuler är avtalsvillkor",
                "Ett beslut om adekvat skyddsnivå är",
            ],
        ),
        (
            "en",
            "United States, Singapore and China – standard contractual clauses",
            "Safeguard for the transfer: EU–US Data Privacy Framework.",
            [
                "The EU–US Data Privacy Framework is a decision",
                "Standard contractual clauses are contract terms",
                "An adequacy decision is a decision",
            ],
        ),
    ],
)
def test_each_transfer_names_its_safeguard(locale: str, cell: str, service: str, explained: list[str]) -> None:
    cells = [" ".join(element.text.split()) for element in elements(page(renderer(), locale), "td")]
    assert cell in cells  # TikTok's cookies
    for text in both(renderer(), locale):
        assert service in text  # Google Analytics, from the preset
        for paragraph in explained:
            assert paragraph in text
    # The site's own cookie, sent to the UK under an adequacy decision.
    uk = {"nb": "Storbritannia – beslutning om", "sv": "Storbritannien – beslut om", "en": "United Kingdom – adequacy"}
    assert [row for row in cells if row.startswith(uk[locale])]


def test_no_safeguard_is_explained_where_nothing_leaves_the_eea() -> None:
    config = config_from(
        BASE_TOML.split("[[services]]")[0].replace('domain = ".eksempel.no"\n', ""),
        controller=CONTROLLER,
    )
    for text in both(Renderer(config), "en"):
        assert "Some data is transferred" not in text
        assert "Art. 45" not in text


@pytest.mark.parametrize(
    ("locale", "collected"),
    [
        (
            "nb",
            "Opplysninger som samles inn: IP-adressen din, en identifikator for nettleseren eller enheten din, "
            "hvilke sider du ser på",
        ),
        (
            "sv",
            "Uppgifter som samlas in: din IP-adress, en identifierare för din webbläsare eller enhet, "
            "vilka sidor du tittar på",
        ),
        ("en", "Data collected: your IP address, an identifier for your browser or device, the pages you view"),
    ],
)
def test_each_service_says_what_personal_data_it_collects(locale: str, collected: str) -> None:
    for text in both(renderer(), locale):
        assert text.count(collected) == 3  # Google Analytics, the Meta Pixel and TikTok
        assert not re.search(r"[a-zæøå)]\.[A-ZÆØÅ]", text), "two sentences glued together"


@pytest.mark.parametrize(
    ("locale", "kept", "why"),
    [
        (
            "nb",
            "IP-adressen din registrerer vi ikke.",
            "(personvernforordningen artikkel 7 nr. 1), og vi sletter det etter 7 år.",
        ),
        (
            "sv",
            "Din IP-adress registrerar vi inte.",
            "(artikel 7.1 i dataskyddsförordningen), och vi raderar dem efter 7 år.",
        ),
        ("en", "We do not record your IP address.", "(GDPR Art. 7(1)), and we delete it after 7 years."),
    ],
)
def test_the_consent_log_is_explained_with_its_retention_from_config(locale: str, kept: str, why: str) -> None:
    for text in both(renderer(), locale):
        assert kept in text
        assert why in text


@pytest.mark.parametrize(
    ("locale", "labels", "policy"),
    [
        (
            "nb",
            [
                "Adresse: Storgata 1, 0155 Oslo",
                "Telefon: +47 22 33 44 55",
                "E-post: personvern@eksempel.no",
                "Nettsted: https://eksempel.no",
            ],
            "Les hele personvernerklæringen vår",
        ),
        (
            "sv",
            [
                "Adress: Storgata 1, 0155 Oslo",
                "Telefon: +47 22 33 44 55",
                "E-post: personvern@eksempel.no",
                "Webbplats: https://eksempel.no",
            ],
            "Läs hela vår integritetspolicy",
        ),
        (
            "en",
            [
                "Address: Storgata 1, 0155 Oslo",
                "Phone: +47 22 33 44 55",
                "Email: personvern@eksempel.no",
                "Website: https://eksempel.no",
            ],
            "Read our full privacy policy",
        ),
    ],
)
def test_the_controller_gives_every_contact_detail_and_links_its_privacy_policy(
    locale: str, labels: list[str], policy: str
) -> None:
    for text in both(renderer(), locale):
        for label in labels:
            assert label in text
    links = {" ".join(link.text.split()): link.attrs["href"] for link in elements(page(renderer(), locale), "a")}
    assert links[policy] == "https://eksempel.no/personvern"
    assert links["personvern@eksempel.no"] == "mailto:personvern@eksempel.no"
    assert links["+47 22 33 44 55"] == "tel:+4722334455"
    assert f"[{policy}](<https://eksempel.no/personvern>)" in renderer().notice_markdown(locale)


def test_without_a_privacy_policy_url_there_is_no_such_link() -> None:
    for text in both(renderer(privacy_policy=False), "en"):
        assert "privacy policy" not in text.replace("Privacy policy of", "")


@pytest.mark.parametrize(
    ("country", "locale", "cookie_authority", "data_authority", "url"),
    [
        (
            "NO",
            "nb",
            "Det er Nasjonal kommunikasjonsmyndighet (Nkom) som fører tilsyn",
            "og Datatilsynet som fører tilsyn",
            "https://www.nkom.no/",
        ),
        (
            "NO",
            "sv",
            "Det är den norska kommunikationsmyndigheten Nkom som har tillsyn",
            "och den norska dataskyddsmyndigheten Datatilsynet som har tillsyn",
            "https://www.nkom.no/",
        ),
        (
            "NO",
            "en",
            "supervised by Nkom, the Norwegian Communications Authority",
            "by Datatilsynet, the Norwegian Data Protection Authority",
            "https://www.nkom.no/",
        ),
        (
            "SE",
            "nb",
            "Det er den svenske post- og telemyndigheten (PTS) som fører tilsyn",
            "og den svenske personvernmyndigheten (IMY) som fører tilsyn",
            "https://www.pts.se/",
        ),
        (
            "SE",
            "sv",
            "Det är Post- och telestyrelsen (PTS) som har tillsyn",
            "och Integritetsskyddsmyndigheten (IMY) som har tillsyn",
            "https://www.pts.se/",
        ),
        (
            "SE",
            "en",
            "supervised by PTS, the Swedish Post and Telecom Authority",
            "by IMY, the Swedish Authority for Privacy Protection",
            "https://www.pts.se/",
        ),
    ],
)
def test_nkom_and_pts_are_named_beside_the_data_protection_authority(
    country: str, locale: str, cookie_authority: str, data_authority: str, url: str
) -> None:
    for text in both(renderer(country), locale):
        assert cookie_authority in text
        assert data_authority in text
    assert [link for link in elements(page(renderer(country), locale), "a") if link.attrs["href"] == url]
    assert f"<{url}>" in renderer(country).notice_markdown(locale)
