"""The consent report's own texts, in gettext domain ``report``.

They are for the site's marketers, not its visitors, so they live apart from
``consentkit/messages.py``: a change here never changes the texts a visitor
was shown, nor the hash the consent log keeps of them.
"""

from __future__ import annotations

from typing import Final

from .i18n import translations

DOMAIN: Final = "report"


def R_(message: str) -> str:
    """Mark a report text for extraction (``make messages``)."""
    return message


REPORT_MESSAGES: Final[dict[str, str]] = {
    "title": R_("Consent report"),
    "subtitle": R_("What visitors to %(site)s chose, %(period)s."),
    "period_between": R_("from %(since)s to %(until)s"),
    "period_all": R_("as far back as the log goes"),
    "headline": R_("In short"),
    "decisions": R_("Decisions"),
    "accept_all_rate": R_("Accepted all"),
    "reject_all_rate": R_("Rejected all"),
    "median_categories": R_("Categories allowed (median)"),
    "impressions": R_("Banner impressions"),
    "consent_rate": R_("Consent per impression"),
    "consent_rate_note": R_(
        "Decisions that allowed at least one optional category, divided by the page views that showed the banner."
    ),
    "chart_decisions": R_("Decisions per day, by what the visitor pressed"),
    "chart_categories": R_("Share of decisions that allowed each category, per day"),
    "chart_services": R_("Share of decisions that allowed each service, per day"),
    "chart_locales": R_("Decisions by language"),
    "chart_policies": R_("Decisions by policy version"),
    "policies_note": R_("Compare the versions to see what a new banner text did to the choices."),
    "choice_accept_all": R_("Accept all"),
    "choice_reject_all": R_("Reject all"),
    "choice_custom": R_("Own choice"),
    "choice_withdraw": R_("Withdrawal"),
    "choice_gpc": R_("Global Privacy Control"),
    "column_date": R_("Date"),
    "column_total": R_("Total"),
    "column_withdrew": R_("Of which withdrew"),
    "column_language": R_("Language"),
    "column_version": R_("Version"),
    "column_in_use": R_("In use"),
    "column_allowed": R_("Allowed"),
    "column_asked": R_("Asked"),
    "no_decisions": R_("The log has no decisions in this period."),
    "no_services": R_("No decision in this period was made service by service."),
    "footer": R_(
        "Made by consentkit on %(date)s from the consent log. "
        "The numbers are counts and cannot be traced back to any visitor."
    ),
}


class ReportTexts:
    """The report's texts in one locale; English when a text has no translation."""

    def __init__(self, locale: str) -> None:
        self.locale = locale
        self._translations = translations(locale, DOMAIN)

    def __call__(self, key: str, **params: object) -> str:
        text = self._translations.gettext(REPORT_MESSAGES[key])
        return text % params if params else text
