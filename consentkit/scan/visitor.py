"""One visitor: a fresh browser profile with an observer, opening pages as a person would."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from .browser import open_context
from .observe import Observer
from .sites import same_site

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page, Playwright, Route

#: A page that keeps a connection busy (analytics beacons, long polling) never reaches network idle.
NETWORK_IDLE_CAP_MS: Final = 10_000

#: Empty answers for --offline, by what the page asked for, so a script or image "loads" harmlessly.
_EMPTY: Final = {"script": "text/javascript", "stylesheet": "text/css", "document": "text/html"}

_FETCH_TEXT: Final = """async url => {
  try {
    const response = await fetch(url, {credentials: "same-origin"});
    return response.ok ? await response.text() : "";
  } catch (error) {
    return "";
  }
}"""


@dataclass(frozen=True)
class BrowserOptions:
    """How every visitor's browser runs."""

    #: Extra Chromium flags, such as ``--host-resolver-rules=MAP *.test 127.0.0.1``.
    extra_args: tuple[str, ...] = ()
    ignore_https_errors: bool = False
    #: Seconds to wait after the network settles, for trackers that start late.
    wait: float = 2.0
    #: Seconds a page may take to load.
    timeout: float = 30.0
    #: Answer every host outside the site with an empty response instead of the network.
    offline: bool = False


class Visitor:
    def __init__(self, context: BrowserContext, options: BrowserOptions) -> None:
        self.context = context
        self.options = options
        self.observer = Observer(context)
        self.page: Page = context.pages[0] if context.pages else context.new_page()
        self.page.set_default_timeout(options.timeout * 1000)

    def open(self, url: str) -> int | None:
        """Load ``url``, let it settle and record what it stored; the HTTP status, if any."""
        response = self.page.goto(url, wait_until="load", timeout=self.options.timeout * 1000)
        self.settle()
        return response.status if response is not None else None

    def settle(self) -> None:
        with suppress(Exception):  # a busy page is still scanned, after the cap
            self.page.wait_for_load_state("networkidle", timeout=NETWORK_IDLE_CAP_MS)
        if self.options.wait > 0:
            self.page.wait_for_timeout(self.options.wait * 1000)
        self.observer.settle(self.page)

    def links(self) -> list[str]:
        hrefs: list[str] = self.page.eval_on_selector_all("a[href]", "links => links.map(link => link.href)")
        return hrefs

    def fetch_text(self, url: str) -> str:
        """The body of a same-origin GET made by the page; empty when it fails or is not 200."""
        try:
            text: str = self.page.evaluate(_FETCH_TEXT, url)
        except Exception:
            return ""
        return text

    def screenshot(self) -> bytes:
        return self.page.screenshot(type="png")


def _offline_router(site_domain: str) -> Callable[[Route], None]:
    def handle(route: Route) -> None:
        if same_site(route.request.url, site_domain):
            route.continue_()
            return
        content_type = _EMPTY.get(route.request.resource_type, "application/octet-stream")
        route.fulfill(status=200, content_type=content_type, body=b"")

    return handle


@contextmanager
def visitor(
    playwright: Playwright,
    options: BrowserOptions,
    site_domain: str,
    *,
    extra_headers: dict[str, str] | None = None,
) -> Iterator[Visitor]:
    """A new visitor to the site ``site_domain`` (its registrable domain), with nothing stored yet."""
    with open_context(
        playwright,
        extra_args=options.extra_args,
        ignore_https_errors=options.ignore_https_errors,
        extra_headers=extra_headers,
    ) as context:
        if options.offline:
            context.route("**/*", _offline_router(site_domain))
        yield Visitor(context, options)
