"""What the cookie notice says beyond its fixed texts, worked out from the config for one locale.

The templates (``notice_body.html``, ``notice.md``) get this context: the law
and the authorities for the controller's country (docs/compliance.md item 15),
the safeguard of every transfer outside the EU/EEA, what each service collects,
how long the consent log keeps a record, and the visitor's own decision.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from functools import cache
from typing import Any, Final

from ..config import Config
from ..config.declarations import DeclaredCookie
from ..config.durations import Duration
from ..config.services import Service
from ..consent import Consent
from .texts import Texts


@dataclass(frozen=True)
class Authority:
    """A supervisory authority as the notice names it: a text key and, where known, its web site."""

    key: str
    url: str | None


#: Where a visitor may complain about the processing of personal data, by the controller's country.
DATA_AUTHORITIES: Final = {
    "NO": Authority("authority_NO", "https://www.datatilsynet.no/"),
    "SE": Authority("authority_SE", "https://www.imy.se/"),
    "DK": Authority("authority_DK", "https://www.datatilsynet.dk/"),
    "FI": Authority("authority_FI", "https://tietosuoja.fi/"),
}
OTHER_DATA_AUTHORITY: Final = Authority(
    "authority_other", "https://www.edpb.europa.eu/about-edpb/about-edpb/members_en"
)

#: Who supervises the cookie rule itself: Nkom (ekomloven § 3-15), PTS (LEK 9 kap. 28 §),
#: Digitaliseringsstyrelsen (cookiebekendtgørelsen, under teleloven § 20) and Traficom (917/2014 § 205).
COOKIE_AUTHORITIES: Final = {
    "NO": Authority("cookie_authority_NO", "https://www.nkom.no/"),
    "SE": Authority("cookie_authority_SE", "https://www.pts.se/"),
    "DK": Authority("cookie_authority_DK", "https://digst.dk/"),
    "FI": Authority("cookie_authority_FI", "https://www.traficom.fi/"),
}
OTHER_COOKIE_AUTHORITY: Final = Authority("cookie_authority_other", None)

#: The law that requires consent for cookies, by the controller's country (text keys).
LAWS: Final = {"NO": "law_NO", "SE": "law_SE", "DK": "law_DK", "FI": "law_FI"}
OTHER_LAW: Final = "law_other"

TIME_ZONES: Final = {"NO": "Europe/Oslo", "SE": "Europe/Stockholm", "DK": "Europe/Copenhagen", "FI": "Europe/Helsinki"}
#: Clock times as the language councils write them: "kl. 15.07" in the Scandinavian languages, "klo 15.07" in Finnish.
TIME_PATTERNS: Final = {"nb": "HH.mm", "nn": "HH.mm", "sv": "HH.mm", "da": "HH.mm", "fi": "H.mm", "en": "HH:mm"}


@cache
def controller_time_zone(country: str) -> tzinfo:
    """The controller's own time zone, which is the visitor's in practice."""
    from babel.dates import get_timezone  # Babel loads on first render, not on import

    try:
        return get_timezone(TIME_ZONES.get(country, "UTC"))
    except LookupError:  # no time zone data on this machine
        return get_timezone("UTC")


def format_moment(moment: datetime, t: Texts, time_zone: tzinfo) -> str:
    """ "5. mars 2026 kl. 15.07": the long date and the hour and minute, no seconds and no zone."""
    local = moment.astimezone(time_zone)
    from babel.dates import format_date, format_time

    date = format_date(local, "long", locale=t.babel_locale)
    time = format_time(local, TIME_PATTERNS.get(t.locale, "HH:mm"), locale=t.locale)
    return t("date_at_time", date=date, time=time)


def safeguards_used(config: Config, declarations: tuple[DeclaredCookie, ...]) -> list[str]:
    """Every transfer safeguard the notice names, in order of first use, so it explains each once."""
    used = [cookie.transfer_safeguard for cookie in declarations if cookie.transfer]
    used += [service.transfer_safeguard for service in config.services if service.preset.transfer]
    return list(dict.fromkeys(safeguard for safeguard in used if safeguard))


def notice_context(
    config: Config, t: Texts, consent: Consent | None, declarations: tuple[DeclaredCookie, ...]
) -> dict[str, Any]:
    locale = t.locale
    country = config.controller.country
    from babel import Locale
    from babel.lists import format_list

    territories = Locale.parse(locale).territories

    def joined(items: list[str]) -> str:
        return format_list(items, locale=t.babel_locale)

    def categories(names: list[str]) -> str:
        return joined([t.category(name).lower() for name in names]) if names else t("notice_nothing")

    def countries(codes: tuple[str, ...]) -> str:
        return joined([territories.get(code, code) for code in codes]) if codes else ""

    def transfer(cookie: DeclaredCookie) -> str:
        """The table cell: "USA – standardavtalsklausuler", the countries alone, or "None"."""
        if not cookie.transfer:
            return t("no_transfer")
        where = countries(cookie.transfer)
        return f"{where} – {t('safeguard_' + cookie.transfer_safeguard)}" if cookie.transfer_safeguard else where

    def personal_data(service: Service) -> str:
        return joined([t(f"personal_data_{kind}") for kind in service.preset.personal_data])

    def authority(found: Authority) -> dict[str, str | None]:
        return {"name": t(found.key), "url": found.url}

    offered = config.categories
    granted = [name for name in offered if consent and consent.allows(name)]
    decided_at = consent.decided_at if consent else None
    helpers: dict[str, Callable[..., str]] = {
        "countries": countries,
        "transfer": transfer,
        "personal_data": personal_data,
    }
    return {
        **helpers,
        "declarations": declarations,
        "decided_at": format_moment(decided_at, t, controller_time_zone(country)) if decided_at else "",
        "granted": categories(granted),
        "denied": categories([name for name in offered if name not in granted]),
        "authority": authority(DATA_AUTHORITIES.get(country, OTHER_DATA_AUTHORITY)),
        "cookie_authority": authority(COOKIE_AUTHORITIES.get(country, OTHER_COOKIE_AUTHORITY)),
        "law": t(LAWS.get(country, OTHER_LAW)),
        "safeguards": safeguards_used(config, declarations),
        "consent_lifetime": t.duration(Duration(config.consent_max_age_days, "day")),
        "log_retention": t.duration(config.log_retention),
    }
