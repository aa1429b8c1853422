"""Header helpers used by the gate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from consentkit.gate.setcookie import (
    chromium_cookie_date,
    deletion_headers,
    host_domains,
    is_deletion,
    request_cookie,
    request_cookies,
    rfc_cookie_date,
    set_cookie_name,
)

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def http_date(moment: datetime) -> str:
    return moment.strftime("%a, %d %b %Y %H:%M:%S GMT")


#: Set-Cookie headers that Chromium stores as live cookies although Python's parsers read a deletion
#: (issue 8 item 2, each verified in Chromium under gunicorn; tests/browser/test_deletions.py drives them).
STORED_BY_BROWSERS = [
    pytest.param("_ga=GA1.1.1.2; Path=/; Max-Age=0_0", id="max-age-underscore"),
    pytest.param("_ga=GA1.1.1.2; Path=/; Max-Age=0\xa0", id="max-age-nbsp-after"),
    pytest.param("_ga=GA1.1.1.2; Path=/; Max-Age=\x850", id="max-age-nel-before"),
    pytest.param("_ga=GA1.1.1.2; Path=/; Max-Age\xa0=0", id="name-nbsp-after"),
    pytest.param("_ga=GA1.1.1.2; Path=/; \xa0Max-Age=0", id="name-nbsp-before"),
    pytest.param("_ga=GA1.1.1.2; Path=/; Expires\xa0=Thu, 01 Jan 1970 00:00:00 GMT", id="expires-name-nbsp"),
    pytest.param("_ga=GA1.1.1.2; Path=/; Expires=Wed, 01 Jan 69 00:00:00 GMT", id="year-69-is-2069"),
    pytest.param("_ga=GA1.1.1.2; Path=/; Expires=Thu, 01 Jan 1970 00:00 GMT", id="no-seconds"),
    pytest.param("_ga=GA1.1.1.2; Path=/; Expires=Thu, 01 Jan 1970 GMT", id="no-time"),
    pytest.param(f"_ga=GA1.1.1.2; Path=/; Expires={http_date(NOW + timedelta(hours=6))} +1200", id="zone-offset"),
    pytest.param(f"_ga=GA1.1.1.2; Path=/; Expires={http_date(NOW + timedelta(hours=6))}", id="future"),
    pytest.param("_ga=GA1.1.1.2; Path=/; Max-Age=+0", id="max-age-plus"),
    pytest.param("_ga=GA1.1.1.2; Path=/; Max-Age=0x0", id="max-age-hex"),
    pytest.param("_ga=GA1.1.1.2; Path=/; Max-Age=٠", id="max-age-arabic-zero"),
    pytest.param("_ga=GA1.1.1.2; Path=/; Max-Age= ", id="max-age-empty"),
    pytest.param("_ga=GA1.1.1.2; Path=/; Max-Age=-0.5", id="max-age-fraction"),
    pytest.param("_ga=GA1.1.1.2; Path=/; Max-Age=0; Max-Age=soon", id="last-max-age-invalid"),
    pytest.param("_ga=GA1.1.1.2; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=60", id="max-age-wins"),
    pytest.param("_ga=GA1.1.1.2; Path=/; Expires=Thu, 01 Jan 19700 1970 00:00:00 GMT", id="five-digit-year"),
    pytest.param("_ga=GA1.1.1.2; Path=/; Expires=Thu, 31 Feb 1970 00:00:00 GMT", id="no-such-day"),
    pytest.param("_ga=GA1.1.1.2; Path=/; Expires=Thu, 01 Jan 1970 24:00:00 GMT", id="hour-24"),
    pytest.param("_ga=GA1.1.1.2; Path=/; Expires=Thu, 01 Jan 1600 00:00:00 GMT", id="before-1601"),
    pytest.param("_ga=GA1.1.1.2; Path=/; Expires=", id="expires-empty"),
    pytest.param("_ga=GA1.1.1.2; Path=/; Max-Age=0\x0b", id="control-character"),
    pytest.param(f"_ga=GA1.1.1.2; Path=/; Max-Age=0; Comment={'x' * 1100}", id="attribute-too-long"),
    pytest.param(f"_ga=GA1.1.1.2; Path=/; Expires={http_date(NOW - timedelta(minutes=5))}", id="just-expired"),
]

#: Deletions as frameworks and browsers write them: these must pass the gate.
DELETED_BY_BROWSERS = [
    pytest.param("_ga=; Max-Age=0; Path=/", id="max-age-0"),
    pytest.param("_ga=; max-age=-1", id="negative"),
    pytest.param("_ga=; MAX-AGE=\t0 ", id="trimmed-of-space-and-tab"),
    pytest.param("_ga=; Expires=Thu, 01 Jan 1970 00:00:00 GMT", id="epoch"),
    pytest.param("_ga=; expires=Thursday, 01-Jan-70 00:00:01 GMT", id="rfc850-two-digit-year"),
    pytest.param("_ga=; Expires=Thu Jan  1 00:00:00 1970", id="asctime"),
    pytest.param("_ga=; Expires=Wed, 01 Jan 1999 00:00:00 GMT; Max-Age=nope", id="invalid-max-age-falls-back"),
    pytest.param('_ga=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/', id="werkzeug"),
    pytest.param(f"_ga=; Expires={http_date(NOW - timedelta(days=2))}", id="two-days-ago"),
]


@pytest.mark.parametrize("header", STORED_BY_BROWSERS)
def test_what_a_browser_stores_is_no_deletion(header: str) -> None:
    assert is_deletion(header, NOW) is False


@pytest.mark.parametrize("header", DELETED_BY_BROWSERS)
def test_what_a_browser_deletes_is_a_deletion(header: str) -> None:
    assert is_deletion(header, NOW) is True


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Thu, 01 Jan 1970 00:00:00 GMT", datetime(1970, 1, 1, tzinfo=UTC)),
        ("Wed, 01 Jan 69 00:00:00 GMT", datetime(2069, 1, 1, tzinfo=UTC)),
        ("01-jan-99 1:2:3", datetime(1999, 1, 1, 1, 2, 3, tzinfo=UTC)),
        ("1:2:3 1999 JANUARY 7th", datetime(1999, 1, 7, 1, 2, 3, tzinfo=UTC)),
        ("Thu, 01 Jan 1970 00:00 GMT", None),
        ("Thu, 01 Jan 1970", None),
        ("01 Jan 1970: 00:00:00", datetime(1970, 1, 1, tzinfo=UTC)),  # the RFC reads "1970:" as a year
    ],
)
def test_the_rfc_cookie_date_algorithm(value: str, expected: datetime | None) -> None:
    assert rfc_cookie_date(value) == expected


def test_where_chromium_reads_a_date_otherwise_neither_reading_alone_decides() -> None:
    # Chromium takes "1970:" for a failed time, not a year: no date at all, so a session cookie.
    assert chromium_cookie_date("01 Jan 1970: 00:00:00") is None
    assert not is_deletion("_ga=1; Expires=01 Jan 1970: 00:00:00", NOW)
    # A five-digit year is Chromium's (year 19700: kept), not the RFC's (which goes on to 1970).
    assert rfc_cookie_date("01 Jan 19700 1970 00:00:00") == datetime(1970, 1, 1, tzinfo=UTC)
    assert chromium_cookie_date("01 Jan 19700 1970 00:00:00") is None


@pytest.mark.parametrize(
    ("header", "name"),
    [
        ("_ga=GA1.1.2; Path=/", "_ga"),
        (" spaced = value", "spaced"),
        # RFC 6265bis 5.6: a pair without "=" is a value with an empty name.
        ("noequals", ""),
        ("noequals; Path=/a=b", ""),
        # Only space and tab are trimmed: a browser keeps \xa0 in the name.
        ("\xa0_ga=1", "\xa0_ga"),
        ("\t_ga =1", "_ga"),
        ("__Host-id=1; Secure; Path=/", "__Host-id"),
    ],
)
def test_set_cookie_name(header: str, name: str) -> None:
    assert set_cookie_name(header) == name


@pytest.mark.parametrize(
    ("header", "deletes"),
    [
        pytest.param("_ga=; Max-Age=0; Path=/", True, id="max-age-0"),
        pytest.param("_ga=x; Expires=Fri, 01 Jan 2100 00:00:00 GMT", False, id="future"),
        pytest.param("_ga=x; Max-Age=60", False, id="max-age"),
        pytest.param("_ga=x; Max-Age=soon", False, id="garbled-max-age"),
        pytest.param("_ga=x; Expires=someday", False, id="garbled-expires"),
        pytest.param("_ga=x", False, id="session"),
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


def first_cookie_by_full_parse(header: str, wanted: str) -> str | None:
    return next((value.strip('"') for name, value in request_cookies(header) if name == wanted), None)


#: Headers built from the pieces that decide where a name starts and ends (white space as str.strip sees it).
COOKIE_HEADER_PIECES = st.lists(
    st.sampled_from(["consentkit", "consentkit2", "xconsentkit", ";", "=", " ", "\t", "\xa0", '"', "a", "b1"]),
    max_size=14,
).map("".join)


@given(COOKIE_HEADER_PIECES)
def test_request_cookie_reads_what_the_full_parse_reads(header: str) -> None:
    assert request_cookie(header, "consentkit") == first_cookie_by_full_parse(header, "consentkit")


@pytest.mark.parametrize(
    ("header", "value"),
    [
        pytest.param("a=consentkit=x; consentkit=real", "real", id="name-inside-an-earlier-value"),
        pytest.param("consentkit2=x; consentkit=real", "real", id="longer-name-first"),
        pytest.param("xconsentkit=x; consentkit=real", "real", id="name-ending-in-it-first"),
        pytest.param("consentkit=first; consentkit=second", "first", id="first-one-wins"),
        pytest.param(" \tconsentkit \t= real ", "real", id="white-space-around"),
        pytest.param("consentkit; consentkit=real", "real", id="pair-without-equals"),
        pytest.param("consentkit", None, id="name-alone"),
        pytest.param("a=1;consentkit=", "", id="empty-value"),
    ],
)
def test_request_cookie_finds_the_name_not_a_substring(header: str, value: str | None) -> None:
    assert request_cookie(header, "consentkit") == value == first_cookie_by_full_parse(header, "consentkit")


@pytest.mark.parametrize(
    ("host", "domains"),
    [
        ("www.shop.example.no", ["www.shop.example.no", "shop.example.no", "example.no"]),
        ("example.no:8000", ["example.no"]),
        ("127.0.0.1:8000", []),
        ("localhost", []),
        ("[::1]:8000", []),
        ("WWW.Example.NO.", ["www.example.no", "example.no"]),
        # Issue 8 item 1: what no browser can have reached the site by gets no domain variants.
        ("a." * 200 + "example.no", []),
        ("[", []),
        ("exa mple.no", []),
        ("example.no:http", []),
        ("-bad.example.no", []),
        ("10.0.0.300", []),
        # Two labels are taken for the registrable domain; Domain=co.uk is refused by browsers, and harmless.
        ("www.example.co.uk", ["www.example.co.uk", "example.co.uk", "co.uk"]),
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
