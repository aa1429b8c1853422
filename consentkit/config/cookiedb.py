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
from typing import Final, NamedTuple

from ..categories import ANALYTICS, FUNCTIONAL, MARKETING, NECESSARY, most_protective

CATEGORY_MAP: Final[dict[str, str]] = {
    "Functional": NECESSARY,
    "Security": NECESSARY,
    "Necessary": NECESSARY,
    "Personalization": FUNCTIONAL,
    "Analytics": ANALYTICS,
    "Marketing": MARKETING,
}


class KnownCookie(NamedTuple):
    """One row of the database (a tuple: thousands are made on first use, and a frozen dataclass is slower)."""

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
    """The rows of the published CSV that map to a category (``tools/build_cookiedb.py`` compacts them)."""
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


def compact_lines(rows: list[KnownCookie]) -> list[str]:
    """The rows as lines of the compact TSV: name, category, platform, 1 for a prefix, domain."""
    lines = []
    for row in rows:
        fields = (row.name, row.category, row.platform, "1" if row.is_prefix else "0", row.domain)
        if any("\t" in field or "\n" in field or "\r" in field for field in fields):
            raise ValueError(f"a tab or line break in the Open Cookie Database row {row}")
        lines.append("\t".join(fields) + "\n")
    return lines


def parse_compact(text: str) -> list[KnownCookie]:
    """The rows written by ``compact_lines``, about ten times faster to read than the CSV."""
    make = tuple.__new__  # the NamedTuple's own constructor checks arguments: a fifth slower here
    fields = (line.split("\t") for line in text.splitlines())
    return [make(KnownCookie, (name, kind, owner, flag == "1", domain)) for name, kind, owner, flag, domain in fields]


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


def _bundled_csv() -> str:
    """The published CSV itself: only `consentkit scan` reads it (for its domains), never a request."""
    return files("consentkit").joinpath("data", "open-cookie-database.csv").read_text(encoding="utf-8")


@cache
def bundled_database() -> CookieDatabase:
    """Loaded on first use from the compact TSV built from the CSV, then shared by every middleware."""
    text = files("consentkit").joinpath("data", "open-cookie-database.tsv").read_text(encoding="utf-8")
    return CookieDatabase(parse_compact(text))


@cache
def bundled_first_party_database() -> CookieDatabase:
    """The bundled rows that may classify a cookie the site's own server sets."""
    return bundled_database().first_party()


@cache
def bundled_hosts() -> dict[str, KnownHost]:
    """The database's domains, for telling which requests went to a known platform (``consentkit scan``)."""
    return parse_hosts(_bundled_csv())
