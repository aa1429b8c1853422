"""Hostile cookies, headers, forms and JSON through a real gunicorn: no answer of 500 or more (issue 8).

Requests are written to a raw socket, so that what http.client would refuse
to send (brackets in Host, control characters, lone CR, bytes above 0x7f)
really goes out. One server serves the module; each strategy is kept to a
modest number of examples so that the suite stays within seconds.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.realserver import Server, gunicorn

EXAMPLES = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)

# Field-value bytes (HTAB, visible ASCII, obs-text) mostly; now and then other control characters, which
# gunicorn refuses with 400 before the app sees them. CR and LF would end the line.
_FIELD_CHARACTERS = [chr(code) for code in (9, *range(0x20, 0x7F), *range(0x80, 0x100))]
header_text = st.one_of(
    st.text(st.sampled_from(_FIELD_CHARACTERS), max_size=300),
    st.text(st.sampled_from(_FIELD_CHARACTERS), max_size=300),
    st.text(st.characters(min_codepoint=1, max_codepoint=255, blacklist_characters="\r\n"), max_size=300),
)
tricky_text = st.sampled_from(
    ["", "[", "http://[", "http://[::1", "https://[::1]:99999", "null", "//", "\\", "%", "\xa0", "\x85", "é", ";", "="]
)
hostish = st.one_of(
    st.just("localhost"), st.just("www.eksempel.no:8000"), header_text, tricky_text, st.just("a." * 400 + "no")
)
origins = st.one_of(tricky_text, tricky_text, hostish.map(lambda host: f"http://{host}"), header_text)
paths = st.sampled_from(
    [
        "/consentkit/consent",
        "/consentkit/notice",
        "/consentkit/notice?lang=sv&next=//evil.test",
        "/consentkit/static/consentkit.css?v=x",
        "/consentkit/static/../../etc/passwd",
        "/consentkit/%00",
        "/side",
        "/gated?_ga%3D1%3B%20Max-Age%3D0%C2%A0",
    ]
)
cookie_pair = st.tuples(
    st.sampled_from(["_ga", "_ga_X", "_fbp", "tracker_1", "consentkit", "session", "lang", ""]) | header_text,
    header_text | st.sampled_from(['"', '""', "a" * 400, "1.f.c.AAAAAAAAAAAAAAAAAAAAAA.x.y"]),
)
cookie_headers = st.lists(cookie_pair, max_size=30).map(lambda pairs: "; ".join(f"{n}={v}" for n, v in pairs))
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)
choice_bodies = st.fixed_dictionaries(
    {},
    optional={
        "choice": st.sampled_from(["accept_all", "reject_all", "custom", "custom", "", "withdraw"]) | json_values,
        "categories": st.lists(st.sampled_from(["analytics", "marketing", "functional"]))
        | st.lists(st.sampled_from(["analytics", "necessary", "x"]) | json_values)
        | json_values,
        "next": st.sampled_from(["/", "//evil.test", "/\\evil", "javascript:x", "/" + "a" * 3000]) | json_values,
        "locale": st.sampled_from(["nb", "sv", "xx", ""]) | json_values,
    },
)


def valid_form(parts: tuple[str, list[str], str, str]) -> list[tuple[str, str]]:
    choice, categories, next_path, locale = parts
    chosen = [("category", category) for category in categories]
    return [("choice", choice), *chosen, ("next", next_path), ("locale", locale)]


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with gunicorn("tests.hostile_app:app", args=["--threads", "4"]) as running:
        yield running


def exchange(server: Server, request: bytes) -> int:
    """Send raw request bytes; the status code of the answer (0 when the server closed without one)."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as connection:
        connection.sendall(request)
        received = b""
        while b"\r\n" not in received:
            chunk = connection.recv(4096)
            if not chunk:
                return 0
            received += chunk
    parts = received.split(b" ", 2)
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0


def raw_request(method: str, path: str, headers: dict[str, str], body: bytes = b"") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Connection: close", *(f"{name}: {value}" for name, value in headers.items())]
    if method == "POST":
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def assert_no_server_error(server: Server, status: int, request: bytes) -> None:
    assert status < 500, f"{status} for {request[:300]!r}"
    assert "Traceback" not in server.log, server.log[-3000:]


@EXAMPLES
@given(path=paths, host=hostish, cookie=cookie_headers, gpc=st.sampled_from(["1", "0", "\xa01"]), fetch=tricky_text)
def test_hostile_get_requests(server: Server, path: str, host: str, cookie: str, gpc: str, fetch: str) -> None:
    headers = {"Host": host, "Cookie": cookie, "Sec-GPC": gpc, "Sec-Fetch-Dest": fetch, "Accept-Language": fetch}
    request = raw_request("GET", path, headers)
    assert_no_server_error(server, exchange(server, request), request)


@EXAMPLES
@given(
    host=hostish,
    origin=st.none() | st.just("http://localhost") | origins,
    referer=st.none() | origins,
    fetch_site=st.none() | st.sampled_from(["cross-site", "same-origin", "same-site", "none"]) | tricky_text,
    cookie=cookie_headers,
    form=st.one_of(
        # A valid choice, so that the answer (consent cookie, deletions) is built from the hostile headers.
        st.tuples(
            st.sampled_from(["accept_all", "reject_all", "custom"]),
            st.lists(st.sampled_from(["functional", "analytics", "marketing"])),
            header_text,
            header_text,
        ).map(valid_form),
        st.lists(
            st.tuples(
                st.sampled_from(["choice", "category", "next", "locale"]) | header_text,
                st.sampled_from(["accept_all", "reject_all", "custom", "analytics", "/", "sv"]) | header_text,
            ),
            max_size=8,
        ),
    ),
)
def test_hostile_form_posts(
    server: Server,
    host: str,
    origin: str | None,
    referer: str | None,
    fetch_site: str | None,
    cookie: str,
    form: list[tuple[str, str]],
) -> None:
    headers = {"Host": host, "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
    for name, value in (("Origin", origin), ("Referer", referer), ("Sec-Fetch-Site", fetch_site)):
        if value is not None:
            headers[name] = value
    body = "&".join(f"{quote(name)}={quote(value)}" for name, value in form).encode()
    request = raw_request("POST", "/consentkit/consent", headers, body)
    assert_no_server_error(server, exchange(server, request), request)


@EXAMPLES
@given(
    body=st.one_of(
        choice_bodies.map(lambda data: json.dumps(data).encode()),
        choice_bodies.map(lambda data: json.dumps(data).encode()),
        json_values.map(lambda data: json.dumps(data).encode()),
        st.integers(1, 3000).map(lambda depth: ("[" * depth + "]" * depth).encode()),
        st.integers(1, 2000).map(lambda depth: ('{"a":' * depth + "1" + "}" * depth).encode()),
        st.binary(max_size=300),
    ),
    content_type=st.sampled_from(
        ["application/json", "application/json", "application/json; charset=latin-1", "text/plain", "\xa0"]
    ),
    accept=st.sampled_from(["application/json", "text/html", "*/*", "", "\x85"]),
)
def test_hostile_json_posts(server: Server, body: bytes, content_type: str, accept: str) -> None:
    headers = {"Host": "localhost", "Content-Type": content_type, "Accept": accept, "Sec-Fetch-Site": "same-origin"}
    request = raw_request("POST", "/consentkit/consent", headers, body)
    assert_no_server_error(server, exchange(server, request), request)


@pytest.mark.parametrize(
    ("headers", "body"),
    [
        pytest.param({"Origin": "http://["}, b"choice=accept_all", id="origin-bracket"),
        pytest.param({"Origin": "http://[::1"}, b"choice=accept_all", id="origin-unclosed-ipv6"),
        pytest.param({"Host": "["}, b"choice=accept_all", id="host-bracket"),
        pytest.param(
            {"Host": "a." * 998 + "eksempel.no", "Cookie": "_ga=1; " * 300}, b"choice=reject_all", id="amplification"
        ),
    ],
)
def test_the_issues_reproductions_get_4xx_or_a_small_answer(
    server: Server, headers: dict[str, str], body: bytes
) -> None:
    """Issue 8 items 1 and 4 under gunicorn, as the audit sent them."""
    all_headers: dict[str, Any] = {"Host": "localhost", "Content-Type": "application/x-www-form-urlencoded", **headers}
    request = raw_request("POST", "/consentkit/consent", all_headers, body)
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    status = int(answer.split(b" ", 2)[1])
    assert status < 500
    assert len(answer) < 64 * 1024
