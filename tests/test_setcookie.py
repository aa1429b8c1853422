"""Header helpers used by the gate."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from consentkit.gate.setcookie import (
    deletion_headers,
    host_domains,
    is_deletion,
    request_cookie,
    request_cookies,
    set_cookie_name,
)


@pytest.mark.parametrize(
    ("header", "name"),
    [
        ("_ga=GA1.1.2; Path=/", "_ga"),
        (" spaced = value", "spaced"),
        ("noequals", "noequals"),
        ("__Host-id=1; Secure; Path=/", "__Host-id"),
    ],
)
def test_set_cookie_name(header: str, name: str) -> None:
    assert set_cookie_name(header) == name


@pytest.mark.parametrize(
    ("header", "deletes"),
    [
        pytest.param("_ga=; Max-Age=0; Path=/", True, id="max-age-0"),
        pytest.param("_ga=; max-age=-1", True, id="negative"),
        pytest.param("_ga=; Expires=Thu, 01 Jan 1970 00:00:00 GMT", True, id="past"),
        pytest.param("_ga=x; Expires=Fri, 01 Jan 2100 00:00:00 GMT", False, id="future"),
        pytest.param("_ga=x; Max-Age=60", False, id="max-age"),
        pytest.param("_ga=x; Max-Age=soon", False, id="garbled-max-age"),
        pytest.param("_ga=x; Expires=someday", False, id="garbled-expires"),
        pytest.param("_ga=x", False, id="session"),
        # Max-Age wins over Expires, as in browsers.
        pytest.param("_ga=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=60", False, id="max-age-wins"),
    ],
)
def test_is_deletion(header: str, deletes: bool) -> None:
    assert is_deletion(header) is deletes


@given(st.text(max_size=200))
def test_header_helpers_never_raise(text: str) -> None:
    set_cookie_name(text)
    is_deletion(text)
    list(request_cookies(text))
    request_cookie(text, "consentkit")
    host_domains(text)


def test_request_cookie() -> None:
    header = 'a=1; consentkit="abc"; consentkit_other=2'
    assert request_cookie(header, "consentkit") == "abc"
    assert request_cookie(header, "missing") is None
    assert dict(request_cookies(header)) == {"a": "1", "consentkit": '"abc"', "consentkit_other": "2"}


@pytest.mark.parametrize(
    ("host", "domains"),
    [
        ("www.shop.example.no", ["www.shop.example.no", "shop.example.no", "example.no"]),
        ("example.no:8000", ["example.no"]),
        ("127.0.0.1:8000", []),
        ("localhost", []),
        ("[::1]:8000", []),
    ],
)
def test_host_domains(host: str, domains: list[str]) -> None:
    assert host_domains(host) == domains


def test_deletion_headers_cover_each_domain_and_path_once() -> None:
    headers = deletion_headers("_ga", [None, "example.no", "example.no"], ["/", "/", "/app"])
    values = [value for _, value in headers]
    assert len(values) == 4
    assert values[0] == "_ga=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/"
    assert "_ga=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/app; Domain=example.no" in values
