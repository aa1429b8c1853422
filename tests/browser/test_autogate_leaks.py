"""The auto-gate's leak corpus in real Chromium: no tracker request before consent, the vendor's after it.

Every page of tests/autogate_corpus/ is served through ``ConsentMiddleware``
(``[gate] html = "auto"``) in small chunks, so tags are cut across chunks in
the browser too. Every host but the site is answered by a recorder. One
browser context serves all pages; its cookies are cleared between them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect
from werkzeug.serving import make_server

from consentkit import ConsentMiddleware
from consentkit.render.widgets import widgets_for

from ..autogate_support import CorpusPage, corpus_config, corpus_pages, youtube_config
from ..conftest import SECRET, ListStore
from .conftest import GIF, SITE_HOST

PAGES = corpus_pages()
CHUNK = 61  # odd, so that tags fall across chunk boundaries at many places
SCRIPT_STUB = b"window.__trackerLoads = (window.__trackerLoads || 0) + 1;"
QUIET_SECONDS = 0.3


def corpus_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterator[bytes]:
    name = environ.get("PATH_INFO", "").rsplit("/", 1)[-1]
    page = next((page for page in PAGES if page.name == name), None)
    if page is None:
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        yield b"no such page"
        return
    widgets = widgets_for(environ, "nb")
    html = f'<!doctype html><html lang="nb"><head><meta charset="utf-8">{widgets.head()}</head><body>'
    html += f"{widgets.body()}\n{page.html}\n</body></html>"
    data = html.encode()
    start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(data)))])
    for start in range(0, len(data), CHUNK):
        yield data[start : start + CHUNK]


class Recorder:
    """Every request to a host other than the site, answered with a stub."""

    def __init__(self) -> None:
        self.hosts: list[str] = []

    def __call__(self, route: Route) -> None:
        url = urlsplit(route.request.url)
        if url.hostname == SITE_HOST:
            route.continue_()
            return
        self.hosts.append(url.hostname or "")
        if route.request.resource_type == "script":
            route.fulfill(status=200, content_type="text/javascript", body=SCRIPT_STUB)
        elif route.request.resource_type in ("document", "iframe"):
            route.fulfill(status=200, content_type="text/html", body=b"<p>embed</p>")
        else:
            route.fulfill(status=200, content_type="image/gif", body=GIF)


@pytest.fixture(scope="module")
def corpus_url() -> Iterator[str]:
    app = ConsentMiddleware(corpus_app, corpus_config(), SECRET, store=ListStore())
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://{SITE_HOST}:{server.server_port}/corpus/"
    server.shutdown()


@pytest.fixture(scope="module")
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture(scope="module")
def corpus_context(browser: Browser, recorder: Recorder) -> Iterator[BrowserContext]:
    context = browser.new_context(locale="nb-NO")
    context.route("**/*", recorder)
    yield context
    context.close()


@pytest.fixture(scope="module")
def corpus_page(corpus_context: BrowserContext) -> Page:
    return corpus_context.new_page()


def _wait_for(page: Page, recorder: Recorder, hosts: frozenset[str]) -> None:
    deadline = time.monotonic() + 5
    while not hosts <= set(recorder.hosts) and time.monotonic() < deadline:
        page.wait_for_timeout(25)


@pytest.mark.parametrize("corpus", PAGES, ids=[page.name for page in PAGES])
def test_no_tracker_request_before_consent_and_the_vendors_requests_after_it(
    corpus: CorpusPage, corpus_url: str, corpus_context: BrowserContext, corpus_page: Page, recorder: Recorder
) -> None:
    corpus_context.clear_cookies()
    recorder.hosts.clear()
    corpus_page.goto(corpus_url + corpus.name)
    corpus_page.wait_for_timeout(QUIET_SECONDS * 1000 / 3)
    assert recorder.hosts == [], "requests before consent"

    corpus_page.evaluate("window.__samePage = true")
    corpus_page.evaluate("window.consentkit.set(['functional', 'analytics', 'marketing'])")
    _wait_for(corpus_page, recorder, corpus.after)
    if not corpus.after:
        corpus_page.wait_for_timeout(QUIET_SECONDS * 1000)
    assert set(recorder.hosts) == corpus.after
    assert corpus_page.evaluate("window.__samePage === true")  # no reload


YOUTUBE_PAGE = (
    '<iframe src="https://www.youtube.com/embed/x" width="560" height="315"></iframe>'
    '<script async src="https://connect.facebook.net/en_US/fbevents.js"></script>'
)


def youtube_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterator[bytes]:
    widgets = widgets_for(environ, "nb")
    html = f'<!doctype html><html lang="nb"><head><meta charset="utf-8">{widgets.head()}</head><body>'
    start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
    yield f"{html}{widgets.body()}\n{YOUTUBE_PAGE}\n</body></html>".encode()


def test_an_auto_gated_youtube_embed_starts_when_youtube_alone_is_allowed(browser: Browser, recorder: Recorder) -> None:
    """The iframe is marked with its service: the placeholder's button starts it, without a reload; Meta waits."""
    app = ConsentMiddleware(youtube_app, youtube_config(), SECRET, store=ListStore())
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    context = browser.new_context(locale="nb-NO")
    try:
        context.route("**/*", recorder)
        recorder.hosts.clear()
        page = context.new_page()
        page.goto(f"http://{SITE_HOST}:{server.server_port}/")
        page.wait_for_timeout(QUIET_SECONDS * 1000 / 3)
        assert recorder.hosts == []
        page.evaluate("window.__samePage = true")
        button = page.locator(".consentkit-placeholder button")
        expect(button).to_have_text("Tillat YouTube og vis innholdet")
        button.click()
        expect(page.locator("iframe")).to_have_attribute("src", "https://www.youtube.com/embed/x")
        page.wait_for_timeout(QUIET_SECONDS * 1000)
        assert set(recorder.hosts) == {"www.youtube.com"}  # the pixel stays held back
        assert page.evaluate("window.__samePage === true")
    finally:
        context.close()
        server.shutdown()
