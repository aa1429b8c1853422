"""What the auto-gate holds back for one visitor: the categories not granted, and where trackers live.

``TrackerIndex`` is built once per config. ``Policy`` answers, for a tag, the
category it waits for (None: it may run). It decides; the rewriter applies.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import unescape
from typing import Final

from ...config import Config
from ...render.inert import FETCHING, Attribute
from .hosts import TrackerHosts, strictest, url_host
from .markers import MarkerFinder, fewest
from .memo import memoised
from .snippets import MARKERS, host_names, snippet_services

#: A third-party script from a host no service knows waits for this category with unknown_scripts = "block".
UNKNOWN_SCRIPT_CATEGORY: Final = "marketing"


class TrackerIndex:
    """The site's tracker hosts and snippet markers, by category; built once per config."""

    def __init__(self, config: Config) -> None:
        self.hosts = TrackerHosts(config)
        #: Each host that has a category contains one of these.
        self._host_words = fewest(self.hosts.patterns)
        self.block_unknown = config.gate.unknown_scripts == "block"
        #: The rewriter's pre-filter: every host and an iframe's srcdoc (read for hosts and snippets) anywhere, the
        #: snippet words in scripts.
        self.markers = MarkerFinder([*self.hosts.patterns, "srcdoc"], [word for _, word, _ in MARKERS])
        self._text_categories = memoised(self._read_text)

    def host_categories(self, host: str) -> frozenset[str]:
        return self.hosts.categories(host)

    def text_categories(self, text: str) -> tuple[frozenset[str], str | None]:
        """The categories an inline script's text belongs to, and a word to report it by."""
        return self._text_categories(text)

    def _read_text(self, text: str) -> tuple[frozenset[str], str | None]:
        found: set[str] = set()
        named = None
        for key in sorted(snippet_services(text)):
            found.add(self.hosts.service_categories[key])
            named = named or key
        for host in sorted(host_names(text, self._host_words)):
            categories = self.hosts.categories(host)
            if categories:
                found |= categories
                named = named or host
        return frozenset(found), named


@dataclass(frozen=True)
class Verdict:
    """A tag to hold back: the category it waits for, and the host or service it was found by."""

    category: str
    found_by: str
    #: The host of a held-back iframe, for its placeholder.
    frame_host: str | None = None
    #: The one enabled service the tag's host belongs to: marked on the tag, and its placeholder allows it alone.
    service: str | None = None


def _first(attributes: Sequence[Attribute], name: str) -> str | None:
    """An attribute's value; of duplicates the browser keeps the first."""
    return next((value for key, value, _ in attributes if key == name), None)


def _srcset_urls(value: str) -> list[str]:
    return [candidate.split()[0] for candidate in value.split(",") if candidate.split()]


class Policy:
    """One response's decisions: ``denied`` are the categories the visitor has not granted."""

    def __init__(
        self,
        index: TrackerIndex,
        denied: frozenset[str],
        page_host: str | None,
        on_unknown: Callable[[str], None] | None = None,
        allowed_host: Callable[[str], bool] | None = None,
    ) -> None:
        self.index = index
        #: True for a host of a service the visitor allows on its own (YouTube alone): not held back.
        self.allowed_host = allowed_host
        self.denied = denied
        self.page_host = (page_host or "").lower().partition(":")[0].removeprefix("www.")
        #: Told the host of each third-party script that no service knows.
        self.on_unknown = on_unknown

    def _held(
        self, categories: set[str] | frozenset[str], found_by: str, frame: str | None = None, *, by_host: bool = False
    ) -> Verdict | None:
        if self.allowed_host is not None and self.allowed_host(found_by):
            return None
        category = strictest(categories & self.denied)
        if not category:
            return None
        return Verdict(category, found_by, frame, self.index.hosts.service(found_by) if by_host else None)

    def _first_party(self, host: str) -> bool:
        site = self.page_host
        return bool(site) and (host == site or host.endswith("." + site))

    def script(self, attributes: Sequence[Attribute], text: str) -> Verdict | None:
        """A ``<script>``: by its ``src`` host, else by its text (vendor snippet or tracker host)."""
        source = _first(attributes, "src")
        if source is None:
            # SVG scripts load from href.
            source = _first(attributes, "href") or _first(attributes, "xlink:href")
        if source is not None:
            host = url_host(source)
            if host is None:
                return None
            categories = self.index.host_categories(host)
            if categories:
                return self._held(categories, host, by_host=True)
            if self._first_party(host):
                return None
            if self.on_unknown is not None:
                self.on_unknown(host)
            if self.index.block_unknown:
                return self._held({UNKNOWN_SCRIPT_CATEGORY}, host)
            return None
        found, named = self.index.text_categories(text)
        return self._held(found, named) if named else None

    def fetching(self, tag: str, attributes: Sequence[Attribute]) -> Verdict | None:
        """An iframe, img, link ...: by the host of any URL it would fetch."""
        names = FETCHING.get(tag, ())
        for key, value, _ in attributes:
            if key not in names or not value:
                continue
            if key == "srcdoc":  # a document of its own, its references decoded as the browser does
                found, named = self.index.text_categories(unescape(value) if "&" in value else value)
                verdict = self._held(found, named) if named else None
            else:
                verdict = self._url(value, key.endswith("srcset"), tag in ("iframe", "frame"))
            if verdict:
                return verdict
        return None

    def _url(self, value: str, is_srcset: bool, frame: bool) -> Verdict | None:
        for url in _srcset_urls(value) if is_srcset else [value]:
            host = url_host(url)
            if host:
                verdict = self._held(self.index.host_categories(host), host, host if frame else None, by_host=True)
                if verdict:
                    return verdict
        return None
