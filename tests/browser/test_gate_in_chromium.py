"""The gate's reading of Set-Cookie against real Chromium, under a real gunicorn (issue 8 items 2 and 16).

A table of tricky headers goes to Chromium twice: without the gate, to learn
what the browser itself does with each (stores, deletes), and through the gate,
which must let nothing be stored before consent while real deletions still
delete. Each header sets its own cookie name (``_ga_<n>``, Google Analytics'
pattern), so one page holds the whole table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import quote_from_bytes

import pytest
from playwright.sync_api import BrowserContext, Page

from consentkit.gate.setcookie import is_deletion
from tests.realserver import Server, gunicorn

from .conftest import SITE_HOST as HOST


def http_date(moment: datetime) -> str:
    return moment.strftime("%a, %d %b %Y %H:%M:%S GMT")


def _tables() -> tuple[list[str], list[str], list[str]]:
    now = datetime.now(UTC)
    stored = [
        # The reproductions (Chromium 156): the old gate took each for a deletion.
        "Path=/; Max-Age=0_0",
        "Path=/; Max-Age=0\xa0",
        "Path=/; Max-Age=\x850",
        "Path=/; Max-Age\xa0=0",
        "Path=/; \xa0Max-Age=0",
        "Path=/; Expires\xa0=Thu, 01 Jan 1970 00:00:00 GMT",
        "Path=/; Expires=Wed, 01 Jan 69 00:00:00 GMT",
        f"Path=/; Expires={http_date(now + timedelta(hours=6))} +1200",
        "Path=/; Expires=Thu, 01 Jan 1970 00:00 GMT",
        # More of the kind.
        "Path=/; Expires=Thu, 01 Jan 1970 GMT",
        "Path=/; Expires=Thu, 01 Jan 1970: 00:00:00 GMT",
        "Path=/; Expires=Thu, 01 Jan 19700 1970 00:00:00 GMT",
        "Path=/; Expires=Thu, 31 Feb 1970 00:00:00 GMT",
        "Path=/; Expires=Thu, 01 Jan 1970 24:00:00 GMT",
        f"Path=/; Expires={http_date(now + timedelta(days=30))}",
        "Path=/; Max-Age=0x0",
        "Path=/; Max-Age=-0.5",
        "Path=/; Max-Age=",
        "Path=/; Max-Age=0; Max-Age=soon",
        "Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=60",
        "Path=/; Max-Age=\xa00",
    ]
    # Chromium deletes these, the RFC ignores the attribute (a session cookie): the gate blocks them.
    disputed = ["Path=/; Max-Age=+0", "Path=/; Max-Age=+1; Max-Age=-1"]
    deleted = [
        "Path=/; Max-Age=0",
        "Path=/; max-age=-1",
        "Path=/; MAX-AGE=\t0 ",
        "Path=/; Max-Age = 0",
        "Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
        "Path=/; expires=Thursday, 01-Jan-70 00:00:01 GMT",
        "Path=/; Expires=Thu Jan  1 00:00:00 1970",
        "Path=/; Expires=Wed, 01 Jan 1999 00:00:00 GMT; Max-Age=nope",
        f"Path=/; Expires={http_date(now - timedelta(days=2))}",
        "Path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; HttpOnly; SameSite=Lax",
    ]
    return stored, deleted, disputed


STORED, DELETED, DISPUTED = _tables()


def header(index: int, attributes: str) -> str:
    return f"_ga_{index}=new; {attributes}"


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with gunicorn("tests.hostile_app:app", args=["--threads", "4"]) as running:
        yield running


@pytest.fixture
def open_site(new_context: Callable[..., BrowserContext], server: Server) -> Callable[[list[str]], Page]:
    """A page on the test site whose browser already holds ``_ga_<n>=old`` for each given index."""

    def start(preset: list[str]) -> Page:
        context = new_context()
        origin = f"http://{HOST}:{server.port}"
        context.add_cookies([{"name": name, "value": "old", "url": origin + "/"} for name in preset])
        page = context.new_page()
        page.goto(origin + "/raw?")
        return page

    return start


def send(page: Page, route: str, headers: list[str]) -> dict[str, str]:
    """Fetch ``route`` once per header, then the page's cookies by name."""
    urls = [f"/{route}?{quote_from_bytes(value.encode('latin-1'))}" for value in headers]
    page.evaluate("(urls) => Promise.all(urls.map((url) => fetch(url, {cache: 'no-store'})))", urls)
    return {cookie["name"]: cookie["value"] for cookie in page.context.cookies()}


def test_the_table_is_what_chromium_really_does(open_site: Callable[[list[str]], Page]) -> None:
    """Without the gate: Chromium stores every STORED header and deletes every DELETED one.

    This keeps the table honest, and checks the gate's rule against the browser:
    whatever ``is_deletion`` calls a deletion, Chromium deletes.
    """
    table = STORED + DELETED + DISPUTED
    page = open_site([f"_ga_{index}" for index in range(len(table))])
    cookies = send(page, "raw", [header(index, attributes) for index, attributes in enumerate(table)])
    for index, attributes in enumerate(table):
        name = f"_ga_{index}"
        if attributes in DELETED:
            assert name not in cookies, f"Chromium kept {header(index, attributes)!r}"
        elif attributes in STORED:
            assert cookies.get(name) == "new", f"Chromium did not store {header(index, attributes)!r}"
        if is_deletion(header(index, attributes)):
            assert name not in cookies, f"the gate takes {header(index, attributes)!r} for a deletion; Chromium not"


def test_no_tracker_cookie_is_stored_before_consent(open_site: Callable[[list[str]], Page]) -> None:
    """Through the gate, before any decision: not one of the table's cookies reaches the browser."""
    page = open_site([])
    table = STORED + DELETED + DISPUTED
    cookies = send(page, "gated", [header(index, attributes) for index, attributes in enumerate(table)])
    assert [name for name in cookies if name.startswith("_ga")] == []


def test_real_deletions_still_delete_through_the_gate(open_site: Callable[[list[str]], Page]) -> None:
    names = [f"_ga_{index}" for index in range(len(DELETED))]
    page = open_site(names)
    cookies = send(page, "gated", [header(index, attributes) for index, attributes in enumerate(DELETED)])
    assert [name for name in names if name in cookies] == []


def test_the_notice_page_works_under_its_own_strict_policy(
    new_context: Callable[..., BrowserContext], server: Server
) -> None:
    """Item 16: the CSP blocks nothing the notice needs; its form still posts and redirects."""
    page = new_context().new_page()
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text))
    origin = f"http://{HOST}:{server.port}"
    response = page.goto(origin + "/consentkit/notice?lang=en&next=/after")
    assert response is not None
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    # The stylesheets applied: consentkit-notice.css centres the page's main column.
    assert page.evaluate("getComputedStyle(document.querySelector('main')).maxWidth") != "none"
    page.locator("form button[value=reject_all]").first.click()
    page.wait_for_url(origin + "/after")
    assert any(cookie["name"] == "consentkit" for cookie in page.context.cookies())
    assert [text for text in violations if "Content Security Policy" in text] == []
