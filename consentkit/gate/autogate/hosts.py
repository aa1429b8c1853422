"""Which category a URL's host belongs to: the presets' hosts, the site's services, ``[gate.hosts]``.

Every built-in preset's hosts are known, enabled or not, so that a Meta Pixel a
CMS pasted into a page is held back even on a site that never configured it; a
service the site enables gives its hosts the category the site chose for it.
A host written ``*.example.com`` covers example.com and every subdomain.
"""

from __future__ import annotations

import re
import stringprep
import unicodedata
from collections.abc import Iterable, Mapping
from html import unescape
from typing import Final
from urllib.parse import unquote

from ...categories import OPTIONAL_CATEGORIES
from ...config import Config
from ...config.services import builtin_presets
from .memo import memoised

#: When one script or host belongs to services of several categories, it waits for the last of these.
STRICTEST_FIRST: Final = ("marketing", "analytics", "functional")

#: Schemes whose URLs have a host even when written with one slash, none, or backslashes (WHATWG URL); on an
#: http(s) page a URL starting with two slashes or backslashes in any mix (``\\host``) is protocol-relative.
_SPECIAL: Final = re.compile(r"^(?:(https?|wss?|ftp):|(?=[/\\]{2}))[/\\]*([^/\\?#]*)", re.I)
_URL_NOISE: Final = re.compile(r"[\t\n\r]")
#: Full stops IDNA (UTS 46) reads as "." once NFKC has made U+FF0E "." and U+FF61 U+3002.
_IDEOGRAPHIC_FULL_STOP: Final = "\u3002"
#: UTS 46 deviations a browser (non-transitional processing) keeps, where ``casefold`` would map them.
_DEVIATIONS: Final = frozenset("\u00df\u03c2")


def url_host(raw: str) -> str | None:
    """The host a browser would fetch ``raw`` (an attribute value as written) from, or None if relative.

    Entities are decoded, tabs and newlines dropped, ``\\`` read as ``/``, percent-escapes in
    the host decoded and the host mapped by IDNA, as a browser does, so ``HTTPS:\\\\Connect.Facebook.NET``
    and ``https://ｆａｃｅｂｏｏｋ.com`` are found too.
    """
    return _url_host(raw)


def _read_host(raw: str) -> str | None:
    url = raw if raw.isascii() else _utf8_read(raw)
    url = unescape(url) if "&" in url else url
    url = _URL_NOISE.sub("", url.strip("\t\n\f\r "))
    match = _SPECIAL.match(url)
    if match is None:
        return None
    authority = match.group(2).rpartition("@")[2]
    host = authority[1 : authority.find("]")] if authority.startswith("[") else authority.partition(":")[0]
    host = unquote(host) if "%" in host else host
    host = (host.lower() if host.isascii() else idna_mapped(host)).rstrip(".")
    return host or None


_url_host: Final = memoised(_read_host)


def _utf8_read(raw: str) -> str:
    """``raw`` as UTF-8 if it is UTF-8 read one byte a character (``encoding.TRANSPARENT``: how the rewriter
    sees a UTF-8 page), else as it is (a Latin-1 page, or text its own codec decoded)."""
    try:
        return raw.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return raw


def idna_mapped(host: str) -> str:
    """``host`` as IDNA (UTS 46) maps it before a browser looks it up: ``ｆａｃｅbook。com`` is facebook.com.

    NFKC and case folding (the fullwidth letters, the Kelvin sign), the characters mapped to nothing
    dropped (a soft hyphen, a zero-width space), every full stop read as ".". Punycode is left alone:
    the trackers' hosts are ASCII, so a host that still holds another character is no tracker's.
    """
    folded = "".join(char if char in _DEVIATIONS else char.casefold() for char in unicodedata.normalize("NFKC", host))
    mapped = unicodedata.normalize("NFKC", folded)
    kept = (char for char in mapped if not stringprep.in_table_b1(char))
    return "".join("." if char == _IDEOGRAPHIC_FULL_STOP else char for char in kept)


def strictest(categories: Iterable[str]) -> str | None:
    found = set(categories)
    return next((category for category in STRICTEST_FIRST if category in found), None)


class TrackerHosts:
    """Host patterns to categories, looked up by exact host, then by each parent domain."""

    def __init__(self, config: Config) -> None:
        enabled = {service.key: service for service in config.services}
        # Two layers: the site's own services and [gate.hosts] decide; a preset the site did not
        # enable counts only for hosts the site says nothing about (gtag.js serves Analytics and Ads).
        site: tuple[dict[str, set[str]], dict[str, set[str]]] = ({}, {})
        fallback: tuple[dict[str, set[str]], dict[str, set[str]]] = ({}, {})
        for preset in builtin_presets().values():
            service = enabled.get(preset.key)
            hosts = (service.script_hosts if service else preset.script_hosts) + preset.iframe_hosts
            self._add(site if service else fallback, hosts, service.category if service else preset.category)
        for category, hosts in config.gate.hosts.items():
            self._add(site, hosts, category)
        self._layers = [
            (
                {host: frozenset(found) for host, found in exact.items()},
                {host: frozenset(found) for host, found in parents.items()},
            )
            for exact, parents in (site, fallback)
        ]
        # The enabled services' hosts (as ``Config.service_hosts``), for the held-back tag's service mark.
        owners: tuple[dict[str, set[str]], dict[str, set[str]]] = ({}, {})
        for service in config.services:
            self._add(owners, (*service.script_hosts, *service.preset.iframe_hosts), service.key, any_value=True)
        exact_owners, parent_owners = ({host: frozenset(keys) for host, keys in found.items()} for found in owners)
        self._owners = (exact_owners, parent_owners)
        self._categories = memoised(self._look_up_categories)
        self._service = memoised(self._look_up_service)
        #: Each preset's category as this site uses it, for the snippet markers.
        self.service_categories: Mapping[str, str] = {
            key: (enabled[key].category if key in enabled else preset.category)
            for key, preset in builtin_presets().items()
        }

    @staticmethod
    def _add(
        layer: tuple[dict[str, set[str]], dict[str, set[str]]],
        hosts: Iterable[str],
        value: str,
        *,
        any_value: bool = False,
    ) -> None:
        """Write ``hosts`` down under ``value``: an optional category (else nothing), or anything (``any_value``)."""
        if not any_value and value not in OPTIONAL_CATEGORIES:
            return
        exact, parents = layer
        for pattern in hosts:
            pattern = pattern.lower().rstrip(".")
            if pattern.startswith("*."):
                parents.setdefault(pattern[2:], set()).add(value)
            else:
                exact.setdefault(pattern, set()).add(value)

    def categories(self, host: str) -> frozenset[str]:
        """Every category ``host`` belongs to (empty if it is no known tracker's)."""
        return self._categories(host)

    def service(self, host: str) -> str | None:
        """The enabled service ``host`` belongs to, if exactly one claims it (``{% consent "youtube" %}``'s mark)."""
        return self._service(host)

    def _look_up_categories(self, host: str) -> frozenset[str]:
        for exact, parents in self._layers:
            found = _lookup(exact, parents, host)
            if found:
                return found
        return frozenset()

    def _look_up_service(self, host: str) -> str | None:
        found = _lookup(*self._owners, host)
        return next(iter(found)) if len(found) == 1 else None

    @property
    def patterns(self) -> frozenset[str]:
        """Every host written down (``*.`` dropped): each host that has a category contains one of them."""
        return frozenset(host for exact, parents in self._layers for host in (*exact, *parents))


def _lookup(exact: Mapping[str, frozenset[str]], parents: Mapping[str, frozenset[str]], host: str) -> frozenset[str]:
    """What ``host`` is written down under, exactly or as ``*.`` of it or of any parent domain."""
    found = exact.get(host, frozenset())
    domain = host
    while True:
        found = found | parents.get(domain, frozenset())
        dot = domain.find(".")
        if dot < 0:
            return found
        domain = domain[dot + 1 :]
