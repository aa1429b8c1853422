"""The bundled Open Cookie Database, as a last resort for undeclared cookies.

Open Cookie Database by jkwakman and contributors (Apache-2.0); see
``data/README.md``. Its "Functional" means strictly necessary, so the mapping
below follows the database's own README, not the word.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Final

from ..categories import ANALYTICS, FUNCTIONAL, MARKETING, NECESSARY, most_protective

CATEGORY_MAP: Final[dict[str, str]] = {
    "Functional": NECESSARY,
    "Security": NECESSARY,
    "Necessary": NECESSARY,
    "Personalization": FUNCTIONAL,
    "Analytics": ANALYTICS,
    "Marketing": MARKETING,
}


@dataclass(frozen=True)
class KnownCookie:
    name: str
    category: str
    platform: str
    is_prefix: bool
    #: The third party's own domain the row is about ("instagram.com"), or "" for a name any site may set.
    domain: str = ""


class CookieDatabase:
    """Exact names first, then the longest matching prefix (the database's wildcards)."""

    def __init__(self, rows: list[KnownCookie]) -> None:
        self._rows = rows
        exact: dict[str, KnownCookie] = {}
        prefixes: dict[str, KnownCookie] = {}
        for row in rows:
            table = prefixes if row.is_prefix else exact
            previous = table.get(row.name)
            if previous is not None and previous.category != row.category:
                # Rows disagree (a generic name used by two platforms): the
                # stricter category keeps the cookie behind consent.
                category = most_protective({previous.category, row.category})
                domain = row.domain if previous.domain and row.domain else ""
                row = KnownCookie(row.name, category, f"{previous.platform}, {row.platform}", row.is_prefix, domain)
            table[row.name] = row
        self._exact = exact
        self._prefixes = sorted(prefixes.values(), key=lambda row: len(row.name), reverse=True)

    def __len__(self) -> int:
        return len(self._exact) + len(self._prefixes)

    def first_party(self) -> CookieDatabase:
        """Only the rows that can describe a cookie the site's own server sets.

        A row tied to a third party's own domain (Instagram's ``sessionid`` on
        instagram.com) says nothing about a cookie of the same name on the site's
        domain: the browser keeps the two apart.
        """
        return CookieDatabase([row for row in self._rows if not row.domain])

    def lookup(self, name: str) -> KnownCookie | None:
        found = self._exact.get(name)
        if found is not None:
            return found
        for row in self._prefixes:
            if name.startswith(row.name):
                return row
        return None


def parse_rows(text: str) -> list[KnownCookie]:
    rows = []
    for record in csv.DictReader(io.StringIO(text)):
        category = CATEGORY_MAP.get(record["Category"].strip())
        name = record["Cookie / Data Key name"].strip()
        if category is None or not name:
            continue
        rows.append(
            KnownCookie(
                name,
                category,
                record["Platform"].strip(),
                record["Wildcard match"].strip() == "1",
                record["Domain"].strip(),
            )
        )
    return rows


@dataclass(frozen=True)
class KnownHost:
    """A domain the database names for a platform's cookies (``hotjar.com``), and its category."""

    domain: str
    category: str
    platform: str


# The Domain column is free text: "facebook.com (3rd party)", ".bing.com (3rd party) or .microsoft.com".
_DOMAIN = re.compile(r"[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}", re.IGNORECASE)


def parse_hosts(text: str) -> dict[str, KnownHost]:
    """Every domain in the Domain column; a domain of several platforms gets the strictest category."""
    hosts: dict[str, KnownHost] = {}
    for record in csv.DictReader(io.StringIO(text)):
        category = CATEGORY_MAP.get(record["Category"].strip())
        if category is None:
            continue
        for found in _DOMAIN.findall(record["Domain"]):
            domain = found.lower()
            previous = hosts.get(domain)
            if previous is not None and previous.category != category:
                category = most_protective({previous.category, category})
            platform = previous.platform if previous is not None else record["Platform"].strip()
            hosts[domain] = KnownHost(domain, category, platform)
    return hosts


def _bundled_text() -> str:
    return files("consentkit").joinpath("data", "open-cookie-database.csv").read_text(encoding="utf-8")


@cache
def bundled_database() -> CookieDatabase:
    """Loaded on first use (a few milliseconds), then shared by every middleware."""
    return CookieDatabase(parse_rows(_bundled_text()))


@cache
def bundled_first_party_database() -> CookieDatabase:
    """The bundled rows that may classify a cookie the site's own server sets."""
    return bundled_database().first_party()


@cache
def bundled_hosts() -> dict[str, KnownHost]:
    """The database's domains, for telling which requests went to a known platform (``consentkit scan``)."""
    return parse_hosts(_bundled_text())
