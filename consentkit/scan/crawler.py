"""The scan: a breadth-first crawl as a new visitor, then the same pages again after consenting to all.

The first pass follows same-site links (and ``sitemap.xml``) from the start URL up to the page
limit. The second pass, in a fresh profile, first consents (a POST of ``accept_all`` to a consentkit
site's consent URL, or a click on ``accept_selector``) and then opens the pages the first pass found.
Whatever the first pass saw was there before consent.
"""

from __future__ import annotations

import fnmatch
import html
import re
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final
from urllib.parse import urljoin, urlsplit

from .browser import require_playwright
from .classify import ScanClassifier
from .findings import CookieFinding, RequestFinding, ScanResult, StorageFinding
from .observe import Observer
from .progress import Progress
from .sites import host_of, party, registrable_domain, same_site, without_fragment
from .visitor import BrowserOptions, Visitor, visitor

if TYPE_CHECKING:
    from playwright.sync_api import Playwright

#: The banner's form: its action is the site's consent URL (whatever prefix the site chose).
CONSENTKIT_FORM: Final = "#consentkit-banner form[action]"

_POST_ACCEPT_ALL: Final = """async url => {
  const response = await fetch(url, {
    method: "POST",
    headers: {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
    body: "choice=accept_all",
    credentials: "same-origin",
  });
  return response.status;
}"""

_SITEMAP_INDEX = re.compile(r"<sitemapindex[\s>]", re.IGNORECASE)
_LOC = re.compile(r"<loc>\s*([^<\s]+)\s*</loc>", re.IGNORECASE)
#: A sitemap index may list hundreds of sitemaps (one per month of a blog); a scan needs a few pages.
MAX_NESTED_SITEMAPS: Final = 10
_NOT_PAGES = re.compile(r"\.(?:pdf|zip|png|jpe?g|gif|svg|webp|mp4|mp3|css|js|xml|ico|woff2?)$", re.IGNORECASE)


@dataclass(frozen=True)
class ScanOptions:
    url: str
    pages: int = 30
    #: Globs on a URL's path (``/shop/*``); a page must match one of ``include``, when given, and no ``exclude``.
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    accept_selector: str | None = None
    browser: BrowserOptions = field(default_factory=BrowserOptions)
    screenshot: bool = False


class ScanError(RuntimeError):
    """The start page could not be opened at all."""


def scan(options: ScanOptions, classifier: ScanClassifier, progress: Progress | None = None) -> ScanResult:
    """Crawl the site at ``options.url`` in Chromium and report what it stores and whom it calls."""
    sync_api = require_playwright()
    with sync_api.sync_playwright() as playwright:
        return _scan(playwright, options, classifier, progress or Progress(None))


def _scan(playwright: Playwright, options: ScanOptions, classifier: ScanClassifier, progress: Progress) -> ScanResult:
    start = without_fragment(options.url)
    site_domain = registrable_domain(host_of(start))
    result = ScanResult(url=start, pages=[])
    consent_url: str | None = None
    with visitor(playwright, options.browser, site_domain) as first:
        queue = deque([start])
        seen = set(queue)
        while queue and len(result.pages) < options.pages:
            url = queue.popleft()
            if url != start and not _wanted(url, options):
                continue
            progress.update(
                "new visitor", len(result.pages), min(options.pages, len(result.pages) + len(queue) + 1), url
            )
            try:
                first.open(url)
            except Exception as error:
                if url == start:
                    raise ScanError(f"could not open {url}: {_first_line(error)}") from error
                result.errors.append(f"{url}: {_first_line(error)}")
                continue
            links = first.links()
            if not result.pages:
                consent_url = _consentkit_consent_url(first)
                if options.screenshot:
                    result.screenshot = first.screenshot()
                links += _sitemap(first, start, site_domain)
            result.pages.append(url)
            for link in links:
                link = without_fragment(link)
                if link not in seen and same_site(link, site_domain) and not _NOT_PAGES.search(urlsplit(link).path):
                    seen.add(link)
                    queue.append(link)
        before = first.observer
    after: Observer | None = None
    if consent_url or options.accept_selector:
        with visitor(playwright, options.browser, site_domain) as second:
            result.consent_method = _consent(second, start, consent_url, options.accept_selector)
            for done, url in enumerate(result.pages):
                progress.update("after consent", done, len(result.pages), url)
                try:
                    second.open(url)
                except Exception as error:
                    result.errors.append(f"{url} (after consent): {_first_line(error)}")
            after = second.observer
    progress.finish()
    _report(result, before, after, classifier, site_domain)
    return result


def _wanted(url: str, options: ScanOptions) -> bool:
    path = urlsplit(url).path or "/"
    if options.include and not any(fnmatch.fnmatchcase(path, glob) for glob in options.include):
        return False
    return not any(fnmatch.fnmatchcase(path, glob) for glob in options.exclude)


def _sitemap(first: Visitor, start: str, site_domain: str) -> list[str]:
    """The page URLs in ``/sitemap.xml``, when the site has one, through a sitemap index too.

    Fetched by the page rather than by Playwright's own HTTP client, so that it goes through the
    browser's resolver, certificates and cookies like every other request of the scan. A sitemap
    index (what WordPress and most CMSs publish) lists sitemaps; those on the site are read in turn.
    """
    text = first.fetch_text(urljoin(start, "/sitemap.xml"))
    if _SITEMAP_INDEX.search(text):
        nested = [url for url in _locations(text) if same_site(url, site_domain)][:MAX_NESTED_SITEMAPS]
        return [page for url in nested for page in _locations(first.fetch_text(url))]
    return _locations(text)


def _locations(sitemap: str) -> list[str]:
    return [html.unescape(match.group(1)) for match in _LOC.finditer(sitemap)]


def _consentkit_consent_url(first: Visitor) -> str | None:
    """The consent URL of a site that uses consentkit, from its banner's form."""
    form = first.page.locator(CONSENTKIT_FORM).first
    try:
        action = form.get_attribute("action", timeout=1000) if form.count() else None
    except Exception:
        return None
    return urljoin(first.page.url, action) if action else None


def _consent(second: Visitor, start: str, consent_url: str | None, accept_selector: str | None) -> str:
    """Consent to everything in a fresh profile; how it was done."""
    second.open(start)
    if consent_url:
        # The page posts, as consentkit.js would: same origin, the visitor's cookies, JSON back.
        status = second.page.evaluate(_POST_ACCEPT_ALL, consent_url)
        if status != 200:
            raise ScanError(f"the consent POST to {consent_url} answered {status}")
        return "consentkit"
    assert accept_selector is not None  # noqa: S101 -- the caller checked one of the two is set
    try:
        second.page.click(accept_selector, timeout=10_000)
    except Exception as error:
        raise ScanError(f"--accept-selector {accept_selector!r}: {_first_line(error)}") from error
    second.settle()
    return "selector"


def _report(
    result: ScanResult,
    before: Observer,
    after: Observer | None,
    classifier: ScanClassifier,
    site_domain: str,
) -> None:
    passes: Sequence[tuple[Observer, bool]] = [(before, True)] + ([(after, False)] if after else [])
    for observer, before_consent in passes:
        for key, cookie in observer.cookies.items():
            if not before_consent and key in before.cookies:
                continue
            cookie_party = party(cookie.domain, site_domain)
            verdict = classifier.name(
                cookie.name, host_of(cookie.setter.url) if cookie.setter else None, third_party=cookie_party == "third"
            )
            result.cookies.append(
                CookieFinding(
                    name=cookie.name,
                    domain=cookie.domain,
                    path=cookie.path,
                    party=cookie_party,
                    expires_days=None if cookie.expires < 0 else round((cookie.expires - cookie.seen_at) / 86_400, 1),
                    http_only=cookie.http_only,
                    secure=cookie.secure,
                    same_site=cookie.same_site,
                    set_by=cookie.setter.kind if cookie.setter else "unknown",
                    source_url=cookie.setter.url if cookie.setter else None,
                    first_page=cookie.page,
                    before_consent=before_consent,
                    category=verdict.category,
                    classified_by=verdict.classified_by,
                    declared=verdict.declared,
                )
            )
        for key, entry in observer.storage.items():
            if not before_consent and key in before.storage:
                continue
            verdict = classifier.name(entry.key)
            result.storage.append(
                StorageFinding(
                    origin=entry.origin,
                    kind=entry.kind,
                    key=entry.key,
                    first_page=entry.page,
                    party=party(host_of(entry.origin), site_domain),
                    before_consent=before_consent,
                    category=verdict.category,
                    classified_by=verdict.classified_by,
                    declared=verdict.declared,
                )
            )
    counts_after = after.requests if after else {}
    for host in sorted(set(before.requests) | set(counts_after)):
        service = classifier.host(host)
        if service is None:
            continue
        early = before.requests.get(host, 0)
        result.requests.append(
            RequestFinding(
                host=host,
                service=service.name,
                category=service.category,
                before_consent=early > 0,
                count=early + counts_after.get(host, 0),
                count_before_consent=early,
            )
        )


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
