"""The gate: no Set-Cookie of an ungranted category leaves, in that same response."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from werkzeug.test import Client

from consentkit import ConsentMiddleware
from consentkit.consent import Consent
from consentkit.forks import Forks

from .conftest import ListStore, config_from, cookie_app

Factory = Callable[..., ConsentMiddleware]

TRACKERS = ("_ga=GA1.1.123.456; Path=/; Max-Age=63072000", "_fbp=fb.1.2.3; Path=/", "tracker_x=1; Path=/")
OWN = ("session=abc; Path=/; HttpOnly", "lang=sv; Path=/; Max-Age=31536000")


def set_cookie_names(response: Any) -> list[str]:
    return [value.split("=", 1)[0] for value in response.headers.getlist("Set-Cookie")]


def consent_cookie(client: Client, choice: str, *categories: str) -> None:
    response = client.post("/consentkit/consent", data={"choice": choice, "category": list(categories)})
    assert response.status_code == 303


def test_before_any_decision_only_necessary_cookies_leave(make_middleware: Factory) -> None:
    """docs/compliance.md item 1: the first response carries only necessary cookies."""
    client = Client(make_middleware(cookie_app(*TRACKERS, *OWN)))
    response = client.get("/")
    assert set_cookie_names(response) == ["session"]
    assert response.text == "<p>hello</p>"


@pytest.mark.parametrize(
    ("choice", "categories", "expected"),
    [
        pytest.param("accept_all", (), ["_ga", "_fbp", "tracker_x", "session", "lang"], id="accept-all"),
        pytest.param("reject_all", (), ["session"], id="reject-all"),
        pytest.param("custom", ("analytics",), ["_ga", "session"], id="analytics-only"),
        pytest.param("custom", ("functional", "marketing"), ["_fbp", "tracker_x", "session", "lang"], id="mixed"),
    ],
)
def test_after_a_choice_exactly_the_granted_categories_pass(
    make_middleware: Factory, choice: str, categories: tuple[str, ...], expected: list[str]
) -> None:
    """docs/compliance.md item 5: granular consent."""
    client = Client(make_middleware(cookie_app(*TRACKERS, *OWN)))
    consent_cookie(client, choice, *categories)
    assert set_cookie_names(client.get("/")) == expected


def test_a_category_switched_off_in_config_is_blocked_even_after_accept_all(make_middleware: Factory) -> None:
    config = config_from(categories={"functional": True, "analytics": True, "marketing": False})
    client = Client(make_middleware(cookie_app(*TRACKERS, *OWN), cfg=config))
    consent_cookie(client, "accept_all")
    assert set_cookie_names(client.get("/")) == ["_ga", "session", "lang"]


def test_undeclared_cookies_are_blocked_by_default_and_allowed_on_request(make_middleware: Factory) -> None:
    app = cookie_app("mystery=1", *OWN)
    blocking = Client(make_middleware(app))
    consent_cookie(blocking, "accept_all")
    assert set_cookie_names(blocking.get("/")) == ["session", "lang"]

    allowing = Client(make_middleware(app, cfg=config_from(undeclared_cookies="allow")))
    assert set_cookie_names(allowing.get("/")) == ["mystery", "session"]


def test_deleting_a_tracker_cookie_always_passes(make_middleware: Factory) -> None:
    client = Client(
        make_middleware(cookie_app("_ga=; Max-Age=0; Path=/", "_fbp=; Expires=Thu, 01 Jan 1970 00:00:00 GMT"))
    )
    assert set_cookie_names(client.get("/")) == ["_ga", "_fbp"]


def test_header_names_are_matched_in_any_case(make_middleware: Factory) -> None:
    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        start_response("200 OK", [("set-cookie", "_ga=1"), ("SET-COOKIE", "_fbp=1"), ("X-Other", "set-cookie")])
        return [b""]

    response = Client(make_middleware(app)).get("/")
    assert response.headers.getlist("Set-Cookie") == []
    assert response.headers["X-Other"] == "set-cookie"


def test_the_consent_is_in_the_environ(make_middleware: Factory) -> None:
    seen: list[Consent] = []

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        seen.append(environ["consentkit.consent"])
        start_response("200 OK", [])
        return [b""]

    client = Client(make_middleware(app))
    client.get("/")
    consent_cookie(client, "custom", "analytics")
    client.get("/")
    assert not seen[0].decided
    assert seen[1].decided
    assert seen[1].allows("analytics")
    assert not seen[1].allows("marketing")


class StreamingBody:
    """A body that records how it was consumed and closed."""

    def __init__(self) -> None:
        self.yielded = 0
        self.closed = False

    def __iter__(self) -> Iterator[bytes]:
        for chunk in (b"one", b"two", b"three"):
            self.yielded += 1
            yield chunk

    def close(self) -> None:
        self.closed = True


def test_the_body_is_passed_through_untouched_never_buffered(make_middleware: Factory) -> None:
    body = StreamingBody()

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> StreamingBody:
        start_response("200 OK", [("Set-Cookie", "_ga=1")])
        return body

    middleware = make_middleware(app)
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/", "wsgi.url_scheme": "http"}
    headers_seen: list[list[tuple[str, str]]] = []
    result = middleware(environ, lambda status, headers, exc_info=None: headers_seen.append(headers))
    assert result is body  # the very iterable: not read, not wrapped
    assert body.yielded == 0
    assert headers_seen == [[]]


def test_close_is_called_by_the_server_on_the_apps_iterable(make_middleware: Factory) -> None:
    body = StreamingBody()

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> StreamingBody:
        start_response("200 OK", [])
        return body

    response = Client(make_middleware(app)).get("/")
    assert response.get_data() == b"onetwothree"
    response.close()
    assert body.closed


def test_a_late_start_response_from_a_generator_is_still_gated(make_middleware: Factory) -> None:
    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterator[bytes]:
        start_response("200 OK", [("Set-Cookie", "_ga=1"), ("Set-Cookie", "session=1")])
        yield b"late"

    response = Client(make_middleware(app)).get("/")
    assert set_cookie_names(response) == ["session"]


def test_exc_info_is_passed_through(make_middleware: Factory) -> None:
    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            start_response("500 Internal Server Error", [("Set-Cookie", "_ga=1")], sys.exc_info())
        return [b"error"]

    received: list[Any] = []
    middleware = make_middleware(app)
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/", "wsgi.url_scheme": "http"}
    middleware(environ, lambda status, headers, exc_info=None: received.append((status, headers, exc_info)))
    status, headers, exc_info = received[0]
    assert status.startswith("500")
    assert headers == []
    assert exc_info[0] is RuntimeError


def test_the_log_starts_shipping_once_per_process_and_again_in_a_forked_worker(make_middleware: Factory) -> None:
    """The spool's shipping thread is started by the first request of each process (a gunicorn worker is a fork)."""
    middleware = make_middleware()
    starts: list[int] = []
    middleware.log_writer.start = lambda: starts.append(os.getpid())  # type: ignore[method-assign]
    client = Client(middleware)
    client.get("/")
    client.get("/")
    assert len(starts) == 1
    before = Forks.count
    child = os.fork()
    if child == 0:  # the hook registered with os.register_at_fork has run in the child
        os._exit(0 if Forks.count == before + 1 else 1)
    assert os.waitstatus_to_exitcode(os.waitpid(child, 0)[1]) == 0
    Forks.forked()  # what that hook does, here: the next request starts shipping again
    client.get("/")
    client.get("/")
    assert len(starts) == 2
    middleware.close()
    client.get("/")
    assert len(starts) == 3


def gpc_get(client: Client, path: str = "/", **headers: str) -> Any:
    return client.get(path, headers={"Sec-GPC": "1", "Sec-Fetch-Dest": "document", **headers})


def test_gpc_from_an_undecided_visitor_is_a_refusal_recorded_once(make_middleware: Factory, store: ListStore) -> None:
    """docs/compliance.md 'Signals from the browser': GPC refuses analytics and marketing, logged with method gpc."""
    client = Client(make_middleware(cookie_app(*TRACKERS, *OWN)))
    first = gpc_get(client)
    assert set_cookie_names(first) == ["session", "consentkit"]
    assert [record.method for record in store.saved] == ["gpc"]
    assert store.saved[0].denied == ("functional", "analytics", "marketing")
    # The stored refusal is now the visitor's state; no further record, no banner.
    second = gpc_get(client)
    assert set_cookie_names(second) == ["session"]
    assert len(store.saved) == 1
    state = client.get("/consentkit/consent").json
    assert state["decided"] is True
    assert state["method"] == "gpc"


def test_gpc_stored_from_an_error_page_is_in_both_headers_and_recorded_once(
    make_middleware: Factory, store: ListStore
) -> None:
    """An app that calls start_response again with exc_info: the second headers need the cookie too."""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain"), ("Set-Cookie", "_ga=1")])
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            start_response("500 Internal Server Error", [("Content-Type", "text/plain")], sys.exc_info())
        return [b"error"]

    received: list[list[tuple[str, str]]] = []
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/", "wsgi.url_scheme": "http"}
    environ |= {"HTTP_SEC_GPC": "1", "HTTP_SEC_FETCH_DEST": "document"}
    make_middleware(app)(environ, lambda status, headers, exc_info=None: received.append(headers))
    cookies = [[value.split("=", 1)[0] for name, value in headers if name == "Set-Cookie"] for headers in received]
    assert cookies == [["consentkit"], ["consentkit"]]
    assert [record.method for record in store.saved] == ["gpc"]


def test_gpc_on_a_subresource_refuses_without_storing(make_middleware: Factory, store: ListStore) -> None:
    client = Client(make_middleware(cookie_app(*TRACKERS)))
    response = client.get("/pixel.gif", headers={"Sec-GPC": "1", "Sec-Fetch-Dest": "image"})
    assert set_cookie_names(response) == []
    assert store.saved == []


@pytest.mark.parametrize("value", ["0", "true", "1 ", "yes"])
def test_any_other_gpc_value_means_nothing(make_middleware: Factory, store: ListStore, value: str) -> None:
    client = Client(make_middleware())
    client.get("/", headers={"Sec-GPC": value, "Sec-Fetch-Dest": "document"})
    assert store.saved == []
    assert client.get("/consentkit/consent").json["decided"] is False


def test_an_explicit_choice_wins_over_gpc(make_middleware: Factory) -> None:
    client = Client(make_middleware(cookie_app(*TRACKERS)))
    gpc_get(client)
    response = client.post("/consentkit/consent", data={"choice": "accept_all"}, headers={"Sec-GPC": "1"})
    assert response.status_code == 303
    assert set_cookie_names(gpc_get(client)) == ["_ga", "_fbp", "tracker_x"]


def test_gpc_is_ignored_when_the_site_turns_it_off(make_middleware: Factory, store: ListStore) -> None:
    client = Client(make_middleware(cfg=config_from(honor_gpc=False)))
    gpc_get(client)
    assert store.saved == []


def test_the_prefix_is_configurable(make_middleware: Factory) -> None:
    client = Client(make_middleware(prefix="/privacy/"))
    assert client.get("/privacy/consent").status_code == 200
    assert client.get("/consentkit/consent").text == "<p>hello</p>"  # now the app's own URL


@pytest.mark.parametrize("prefix", ["", "/", "consentkit"])
def test_a_bad_prefix_is_refused_at_start_up(make_middleware: Factory, prefix: str) -> None:
    with pytest.raises(ValueError, match="prefix must be a path"):
        make_middleware(prefix=prefix)


def page_using_consent(vary: str | None = None) -> Callable[..., Any]:
    from consentkit import widgets_for

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        html = str(widgets_for(environ).body()).encode()
        start_response("200 OK", [("Content-Type", "text/html")] + ([("Vary", vary)] if vary else []))
        return [html]

    return app


@pytest.mark.parametrize(
    ("vary", "expected"),
    [
        pytest.param(None, "Cookie", id="added"),
        pytest.param("Accept-Encoding", "Accept-Encoding, Cookie", id="appended"),
        pytest.param("accept-encoding, cookie", "accept-encoding, cookie", id="already-there"),
    ],
)
def test_a_page_that_depends_on_consent_varies_on_the_cookie(
    make_middleware: Factory, vary: str | None, expected: str
) -> None:
    """A shared cache must never hand one visitor's consent state (or live trackers) to another."""
    response = Client(make_middleware(page_using_consent(vary))).get("/")
    assert response.headers.getlist("Vary") == [expected]


def test_a_response_that_ignores_consent_is_left_cacheable(make_middleware: Factory) -> None:
    response = Client(make_middleware(cookie_app(body=b"{}", content_type="application/json"))).get("/")
    assert "Vary" not in response.headers


def test_a_streamed_page_that_reads_the_consent_after_start_response_varies_on_the_cookie(
    make_middleware: Factory,
) -> None:
    """Issue 8 item 8: the consent read while the body streams still reaches the Vary header."""
    from consentkit import widgets_for

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterator[bytes]:
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        yield b"<!doctype html><title>t</title>"
        yield str(widgets_for(environ).body()).encode()

    response = Client(make_middleware(app)).get("/")
    assert b"consentkit-banner" in response.get_data()
    assert response.headers.getlist("Vary") == ["Cookie"]


def test_a_gpc_page_view_whose_app_restarts_the_response_is_logged_once(
    make_middleware: Factory, store: ListStore
) -> None:
    """Issue 8 item 8: start_response again with exc_info (an error page) must not log a second decision."""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/html")])
        try:
            raise RuntimeError("the template failed")
        except RuntimeError:
            start_response("500 Internal Server Error", [("Content-Type", "text/html")], sys.exc_info())
        return [b"error page"]

    received: list[list[tuple[str, str]]] = []
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/",
        "wsgi.url_scheme": "http",
        "HTTP_SEC_GPC": "1",
        "HTTP_SEC_FETCH_DEST": "document",
    }
    make_middleware(app)(environ, lambda status, headers, exc_info=None: received.append(headers))
    assert [record.method for record in store.saved] == ["gpc"]
    # Both header lists carry the stored refusal: the server sends whichever comes last.
    assert all(any(value.startswith("consentkit=") for _, value in headers) for headers in received)


def smuggling_app(*headers: tuple[str, str]) -> Callable[..., Any]:
    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain"), *headers])
        return [b"ok"]

    return app


@pytest.mark.parametrize(
    "header",
    [
        pytest.param(("Set-Cookie ", "_ga=GA1.1.1.2; Path=/"), id="trailing-space"),
        pytest.param(("Set-Cookie\t", "_ga=GA1.1.1.2; Path=/"), id="trailing-tab"),
        pytest.param((" Set-Cookie", "_ga=GA1.1.1.2; Path=/"), id="leading-space"),
        pytest.param(("Set-Cookie:", "_ga=GA1.1.1.2"), id="colon"),
        pytest.param(("X-Note", "ok\r\nSet-Cookie: _ga=GA1.1.1.2; Path=/"), id="crlf-in-value"),
        pytest.param(("X-Note", "ok\nSet-Cookie: _ga=GA1.1.1.2; Path=/"), id="lf-in-value"),
        pytest.param(("Set-Cookie", "session=1\r\nSet-Cookie: _ga=GA1.1.1.2"), id="crlf-in-set-cookie"),
    ],
)
def test_malformed_headers_are_dropped_with_a_warning_naming_them(
    make_middleware: Factory, caplog: pytest.LogCaptureFixture, header: tuple[str, str]
) -> None:
    """Issue 8 item 3: no Set-Cookie passes the gate under another spelling or inside another header."""
    middleware = make_middleware(smuggling_app(header, ("X-Kept", "yes")))
    received: list[list[tuple[str, str]]] = []
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/", "wsgi.url_scheme": "http"}
    with caplog.at_level("WARNING", logger="consentkit"):
        for _ in range(3):
            middleware(environ, lambda status, headers, exc_info=None: received.append(headers))
    assert all(headers == [("Content-Type", "text/plain"), ("X-Kept", "yes")] for headers in received)
    warnings = [
        record.getMessage() for record in caplog.records if "dropped the response header" in record.getMessage()
    ]
    assert len(warnings) == 1  # once, not per response
    assert repr(header[0]) in warnings[0]


def test_a_weak_key_stops_the_middleware_at_start_up_unless_debug(caplog: pytest.LogCaptureFixture) -> None:
    """Issue 8 item 6: refused in production, warned about in debug."""
    from consentkit.gate.consent_cookie import WeakSecretKey

    with pytest.raises(WeakSecretKey, match="at least 32"):
        ConsentMiddleware(cookie_app(), config_from(), "abcd", store=ListStore())
    with caplog.at_level("WARNING", logger="consentkit"):
        ConsentMiddleware(cookie_app(), config_from(), "abcd", store=ListStore(), debug=True)
    assert any("4 bytes" in message for message in caplog.messages)
    with pytest.raises(ValueError, match="got None"):
        ConsentMiddleware(cookie_app(), config_from(), None, store=ListStore())  # type: ignore[arg-type]
