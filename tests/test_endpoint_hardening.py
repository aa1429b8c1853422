"""consentkit's own URLs under hostile requests: bounded answers, 4xx instead of 500, CSRF, security headers.

Each test names the item of issue 8 whose reproduction it keeps.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from werkzeug.test import Client, EnvironBuilder

from consentkit import ConsentMiddleware
from consentkit.gate.gatekeeper import MAX_DELETION_BYTES, MAX_DELETION_HEADERS

from .conftest import ListStore, config_from

Factory = Callable[..., ConsentMiddleware]

MAX_REQUEST = 16 * 1024
#: What any request may make consentkit answer: the deletion budget, the header lines
#: around it ("Set-Cookie: ", CRLF), and a few kilobytes for everything else.
MAX_RESPONSE = MAX_DELETION_BYTES + MAX_DELETION_HEADERS * 14 + 4 * 1024


def fill_cookies(template: str, room: int) -> str:
    """``template.format(i)`` pairs joined by "; " until ``room`` bytes are used."""
    pairs: list[str] = []
    size = 0
    index = 0
    while size + len(template) + 8 < room:
        pair = template.format(index)
        pairs.append(pair)
        size += len(pair) + 2
        index += 1
    return "; ".join(pairs)


def worst_case_requests() -> Iterator[tuple[str, str, str]]:
    """(shape, Host, Cookie) of at most 16 KB each, aimed at the largest deletion answer."""
    deepest_valid_host = "a." * 121 + "eksempel.no"  # 253 characters, 123 labels
    assert len(deepest_valid_host) == 253
    invalid_hosts = {
        "998-labels": "a." * 998 + "eksempel.no",  # the reproduction: no valid host name
        "deepest-valid": deepest_valid_host,
    }
    cookie_shapes = {
        "same-name-repeated": "_ga=1",  # the 300 x "_ga=1"
        "distinct-glob-names": "_ga_{}=1",  # each a different name matching _ga_*
        "declared-domain-glob": "tracker_{}=1",  # tracker_* has its own domain: one more variant each
        "long-names": "tracker_{}" + "x" * 3000 + "=1",
    }
    for host_shape, host in invalid_hosts.items():
        for cookie_shape, template in cookie_shapes.items():
            body_room = 64
            cookie = fill_cookies(template, MAX_REQUEST - len(host) - body_room)
            yield f"{host_shape}/{cookie_shape}", host, cookie


def response_size(middleware: ConsentMiddleware, host: str, cookie: str) -> tuple[int, int, int]:
    """(request bytes, response bytes, Set-Cookie count) of a reject_all POST."""
    builder = EnvironBuilder(
        path="/consentkit/consent", method="POST", data={"choice": "reject_all"}, headers={"Cookie": cookie}
    )
    environ = builder.get_environ()
    environ["HTTP_HOST"] = host
    request_bytes = len(host) + len(cookie) + int(environ["CONTENT_LENGTH"])
    received: list[tuple[str, list[tuple[str, str]]]] = []
    body = b"".join(middleware(environ, lambda status, headers, exc_info=None: received.append((status, headers))))
    status, headers = received[0]
    size = len(status) + sum(len(name) + len(value) + 4 for name, value in headers) + len(body)
    return request_bytes, size, sum(1 for name, _ in headers if name == "Set-Cookie")


def test_no_request_of_16_kb_gets_a_large_answer(make_middleware: Factory) -> None:
    """Issue 8 item 1: 4 KB once drew 300,001 Set-Cookie headers (328 MB); 16 KB a MemoryError."""
    middleware = make_middleware(cfg=config_from(cookie_domain=".eksempel.no"))
    largest = (0, "", 0)
    for shape, host, cookie in worst_case_requests():
        request_bytes, size, count = response_size(middleware, host, cookie)
        assert request_bytes <= MAX_REQUEST, shape
        assert count <= MAX_DELETION_HEADERS + 1, shape  # + the consent cookie
        largest = max(largest, (size, shape, count))
    size, shape, count = largest
    print(f"\nlargest answer to a request of at most 16 KB: {size:,} bytes, {count} Set-Cookie ({shape})")
    assert size <= MAX_RESPONSE


def test_each_cookie_name_is_expired_once_per_variant(make_middleware: Factory) -> None:
    """Issue 8 item 1: a repeated name adds nothing; an IP literal or invalid host gets host-only deletions."""
    client = Client(make_middleware(), use_cookies=False)
    for host, expected in [("www.eksempel.no", 3), ("10.0.0.1:8000", 1), ("a." * 998 + "no", 1), ("[", 1)]:
        response = client.post(
            "/consentkit/consent",
            data={"choice": "reject_all"},
            environ_overrides={"HTTP_HOST": host, "HTTP_COOKIE": "; ".join(["_ga=1"] * 300)},
        )
        assert response.status_code == 303
        expired = [value for value in response.headers.getlist("Set-Cookie") if value.startswith("_ga=")]
        assert len(expired) == expected, host


@pytest.mark.parametrize(
    ("overrides", "status"),
    [
        pytest.param({"HTTP_ORIGIN": "http://["}, 403, id="origin-bracket"),
        pytest.param({"HTTP_ORIGIN": "http://[::1"}, 403, id="origin-unclosed-ipv6"),
        pytest.param({"HTTP_ORIGIN": "http://localhost:port"}, 403, id="origin-bad-port"),
        pytest.param({"HTTP_REFERER": "http://[/page"}, 403, id="referer-bracket"),
        pytest.param({"HTTP_HOST": "[", "HTTP_ORIGIN": "http://localhost"}, 403, id="host-bracket"),
        pytest.param({"HTTP_HOST": "[", "HTTP_REFERER": "http://[/"}, 403, id="both-bracket"),
    ],
)
def test_hostile_origin_and_host_get_4xx(make_middleware: Factory, overrides: dict[str, str], status: int) -> None:
    """Issue 8 item 4: these answered 500 (ValueError: Invalid IPv6 URL) under gunicorn."""
    response = Client(make_middleware()).post(
        "/consentkit/consent", data={"choice": "accept_all"}, environ_overrides=overrides
    )
    assert response.status_code == status


@pytest.mark.parametrize("depth", [1_000, 4_000])
def test_deeply_nested_json_gets_400(make_middleware: Factory, depth: int) -> None:
    """Issue 8 item 4: a JSON body nested 1,000 deep raised RecursionError."""
    body = "[" * depth + "]" * depth
    response = Client(make_middleware()).post("/consentkit/consent", data=body, content_type="application/json")
    assert response.status_code == 400
    nested_in_object = '{"choice": "accept_all", "x": ' + "[" * depth + "]" * depth + "}"
    response = Client(make_middleware()).post(
        "/consentkit/consent", data=nested_in_object, content_type="application/json"
    )
    assert response.status_code in (200, 400)


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        pytest.param({"Sec-Fetch-Site": "cross-site"}, 403, id="cross-site-without-origin"),
        pytest.param({"Sec-Fetch-Site": "cross-site", "Origin": "http://localhost"}, 403, id="cross-site-wins"),
        pytest.param({"Sec-Fetch-Site": "bogus"}, 403, id="unknown-value"),
        pytest.param({"Sec-Fetch-Site": "same-origin"}, 303, id="same-origin"),
        pytest.param({"Sec-Fetch-Site": "same-site", "Origin": "http://www.localhost"}, 303, id="same-site"),
        pytest.param({"Sec-Fetch-Site": "none"}, 303, id="typed-by-the-visitor"),
    ],
)
def test_sec_fetch_site_decides_when_present(
    make_middleware: Factory, store: ListStore, headers: dict[str, str], status: int
) -> None:
    """Issue 8 item 5: a POST without Origin or Referer but with Sec-Fetch-Site: cross-site was accepted."""
    response = Client(make_middleware()).post("/consentkit/consent", data={"choice": "accept_all"}, headers=headers)
    assert response.status_code == status
    assert len(store.saved) == (1 if status == 303 else 0)


def test_behind_a_tls_proxy_without_proxyfix_the_403_and_the_log_say_what_to_fix(
    make_middleware: Factory, caplog: pytest.LogCaptureFixture
) -> None:
    """Issue 8 item 5: every visitor got a bare 403 (https in Origin, http in wsgi.url_scheme)."""
    client = Client(make_middleware())
    with caplog.at_level("WARNING", logger="consentkit"):
        page = client.post(
            "/consentkit/consent", data={"choice": "accept_all"}, headers={"Origin": "https://localhost"}
        )
        as_json = client.post(
            "/consentkit/consent", json={"choice": "accept_all"}, headers={"Origin": "https://localhost"}
        )
    assert page.status_code == 403
    assert "ProxyFix(app, x_proto=1, x_host=1)" in page.text
    assert as_json.status_code == 403
    assert "ProxyFix" in as_json.json["detail"]
    assert sum("ProxyFix" in message for message in caplog.messages) == 1


def test_a_modern_browser_behind_the_proxy_gets_through_and_the_log_still_says_what_to_fix(
    make_middleware: Factory, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("WARNING", logger="consentkit"):
        response = Client(make_middleware()).post(
            "/consentkit/consent",
            data={"choice": "accept_all"},
            headers={"Origin": "https://localhost", "Sec-Fetch-Site": "same-origin"},
        )
    assert response.status_code == 303
    assert any("ProxyFix" in message and "Secure" in message for message in caplog.messages)


def security_headers_of(response: Any) -> dict[str, str]:
    wanted = ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy")
    return {name: response.headers.get(name) for name in wanted}


@pytest.mark.parametrize(
    "request_kwargs",
    [
        pytest.param({"method": "GET", "path": "/consentkit/notice"}, id="notice"),
        pytest.param({"method": "GET", "path": "/consentkit/consent"}, id="json-state"),
        pytest.param(
            {"method": "POST", "path": "/consentkit/consent", "headers": {"Origin": "https://evil.test"}}, id="403"
        ),
        pytest.param({"method": "POST", "path": "/consentkit/consent", "data": {"choice": "x"}}, id="400"),
        pytest.param({"method": "POST", "path": "/consentkit/consent", "json": {"choice": "x"}}, id="json-error"),
        pytest.param({"method": "GET", "path": "/consentkit/nothing"}, id="404"),
    ],
)
def test_consentkits_own_answers_carry_security_headers(
    make_middleware: Factory, request_kwargs: dict[str, Any]
) -> None:
    """Issue 8 item 16: a strict CSP that still lets the notice and its form work (tests/browser checks that)."""
    response = Client(make_middleware()).open(**request_kwargs)
    headers = security_headers_of(response)
    policy = headers["Content-Security-Policy"] or ""
    assert "default-src 'none'" in policy
    assert "frame-ancestors 'self'" in policy
    assert "form-action 'self'" in policy
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


def test_the_app_pages_keep_their_own_policy(make_middleware: Factory) -> None:
    """The strict policy is consentkit's own; the site's pages are left as the site sends them."""
    response = Client(make_middleware()).get("/")
    assert "Content-Security-Policy" not in response.headers


def test_an_undecided_visitors_state_names_the_current_policy(make_middleware: Factory) -> None:
    """Issue 8 item 15: it said "policy_version": ""."""
    state = json.loads(Client(make_middleware()).get("/consentkit/consent").get_data())
    assert state["decided"] is False
    assert state["policy_version"] == "2026-11-01"
