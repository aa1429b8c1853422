"""Converters for single config values: each returns the value or raises ValueError saying what is allowed.

``Table.checked`` turns the ValueError into an error at the value's key path.
"""

from __future__ import annotations

import re
from typing import Any, Final
from urllib.parse import urlsplit

from ..messages import SUPPORTED_LOCALES
from .durations import UNIT_SECONDS, Duration, parse_duration
from .reader import show

#: EU and EEA member states: a transfer to one of these is no transfer.
EEA_COUNTRIES: Final = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
        "IS",
        "LI",
        "NO",
    ]
)

#: The longest retention a config may give: long enough for any limitation period, short of overflowing dates.
MAX_PERIOD_YEARS: Final = 100

_DOMAIN = re.compile(r"^\.?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$")


def consent_mode_setting(value: Any) -> str:
    if value is True:
        return "on"
    if value is False:
        return "off"
    if value == "auto":
        return "auto"
    raise ValueError(f'expected true, false or "auto", got {show(value)}')


def duration_value(value: Any) -> Duration:
    if not isinstance(value, str):
        raise ValueError(f'expected a string such as "session" or "13 months", got {show(value)}')
    return parse_duration(value)


def domain_value(value: Any) -> str:
    if not isinstance(value, str) or not _DOMAIN.match(value.lower()):
        raise ValueError(f'{show(value)} is not a domain; expected for example ".example.no"')
    return str(value).lower()


def cookie_path_value(value: Any) -> str:
    if not isinstance(value, str) or not value.startswith("/") or any(char in value for char in ";, \t"):
        raise ValueError(f'{show(value)} is not a cookie path; expected one starting with "/"')
    return value


def transfer_value(value: Any) -> tuple[str, ...]:
    countries = [value] if isinstance(value, str) else value
    if not isinstance(countries, list) or not all(isinstance(item, str) for item in countries):
        raise ValueError(f'expected a country code such as "US", or an array of them, got {show(value)}')
    result = []
    for country in countries:
        code = country.strip().upper()
        if not re.fullmatch(r"[A-Z]{2}", code):
            raise ValueError(f'{show(country)} is not a two-letter country code such as "US"')
        if code in EEA_COUNTRIES:
            raise ValueError(f"{show(country)} is inside the EU/EEA; transfer lists only countries outside it")
        result.append(code)
    return tuple(result)


def period_value(value: Any) -> Duration:
    """A length of time such as "5 years": a whole number and a unit, never "session" or "persistent"."""
    if not isinstance(value, str):
        raise ValueError(f'expected a string such as "5 years", got {show(value)}')
    period = parse_duration(value)
    if period.seconds is None:
        raise ValueError(f'{show(value)} is not a length of time; expected a number and a unit such as "5 years"')
    if period.seconds > MAX_PERIOD_YEARS * UNIT_SECONDS["year"]:
        raise ValueError(f"{show(value)} is longer than {MAX_PERIOD_YEARS} years")
    return period


def web_url_value(value: Any) -> str:
    """An absolute http(s) URL, as a visitor's browser can open it from the notice."""
    text = value.strip() if isinstance(value, str) else ""
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname or any(char.isspace() for char in text):
        raise ValueError(f'{show(value)} is not a web address; expected for example "https://example.no/personvern"')
    return text


#: Codes people write for a language consentkit speaks, and what to write instead.
_LOCALE_MIXUPS: Final = {
    "no": 'Norwegian bokmål is "nb"',
    "dk": 'Danish is "da" ("dk" is the country code)',
    "se": 'Swedish is "sv" ("se" is Northern Sami)',
}


def locale_hint(value: str) -> str:
    """A hint for an unsupported locale that is close to a supported one ("no", "nb-NO"), or ""."""
    language = re.split(r"[-_]", value.strip().lower(), maxsplit=1)[0]
    if language in _LOCALE_MIXUPS:
        return f"; {_LOCALE_MIXUPS[language]}"
    if language in SUPPORTED_LOCALES:
        return f'; write the language alone: "{language}"'
    return ""
