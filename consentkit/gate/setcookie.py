"""Reading and writing ``Set-Cookie`` and ``Cookie`` headers, just as far as the gate needs.

The gate runs on every response, so parsing stops at the cookie name unless
an attribute is really needed (only for a cookie about to be blocked).

Whether a ``Set-Cookie`` deletes its cookie is decided as a browser decides it,
not as Python's date parsers would: attribute names and values are trimmed of
space and tab only (RFC 6265bis section 5.6; ``\\xa0`` is part of the name),
``Max-Age`` is ``-?DIGIT+`` and nothing else, and ``Expires`` is read with the
cookie-date algorithm of section 5.1.1 (two-digit years 70-99 are 19xx, 0-69
are 20xx; a date without all of day, month, year and time is no date). Where
Chromium's own parser departs from the RFC, a header counts as a deletion only
when both readings delete: letting a tracker's cookie through as a "deletion"
that a browser stores is the one mistake the gate must not make, while
blocking a real deletion only leaves a cookie the visitor already had.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Final

#: Sent with every deletion; old browsers ignore Max-Age.
EXPIRED: Final = "Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0"

#: An ``Expires`` deletes only when it lies this far in the past: a visitor's clock
#: may be hours behind the server's, and then a cookie that "expired" a minute ago
#: would live on in the browser. Real deletions use 1970 or ``Max-Age=0``.
CLOCK_SKEW: Final = timedelta(days=1)

#: RFC 6265bis ignores attribute values longer than this; so does the gate, by not
#: taking a header with one for a deletion at all (browsers differ in the details).
MAX_ATTRIBUTE_VALUE: Final = 1024

# Whitespace in a cookie line is SP and HTAB only (RFC 6265bis "WSP"); str.strip()
# would also remove \xa0, \x85 and the rest of Unicode's spaces, which browsers keep.
_WSP: Final = " \t"
# A browser drops a cookie line with a control character (except HTAB) entirely.
_CONTROL: Final = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_MONTHS: Final = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")

# RFC 6265bis 5.6.2: "-" or a digit first, then digits only.
_RFC_MAX_AGE: Final = re.compile(r"-?[0-9]+")
# RFC 6265bis 5.1.1: the delimiters of a cookie-date and its token productions.
_RFC_DELIMITERS: Final = re.compile(r"[\x09\x20-\x2f\x3b-\x40\x5b-\x60\x7b-\x7e]+")
_RFC_TIME: Final = re.compile(r"([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})(?![0-9])")
_RFC_DAY: Final = re.compile(r"([0-9]{1,2})(?![0-9])")
_RFC_YEAR: Final = re.compile(r"([0-9]{2,4})(?![0-9])")

# Chromium (net/cookies/canonical_cookie.cc, cookie_util.cc): Max-Age through
# base::StringToInt64 (an optional sign, digits), the date through its own tokenizer
# with the same delimiters, a time read with sscanf("%2u:%2u:%2u"), the first
# numeric token of at most 2 characters as the day, the next of at most 5 as the year.
_CHROMIUM_MAX_AGE: Final = re.compile(r"[+-]?[0-9]+")
_CHROMIUM_TIME: Final = re.compile(r"([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})")
_LEADING_DIGITS: Final = re.compile(r"[0-9]+")
_INT64_MIN: Final = -(2**63)
_INT64_MAX: Final = 2**63 - 1

# A host name a browser could hold cookies for: LDH labels (and "_", which
# browsers accept in hosts), at most 253 characters, with an optional port.
_HOST_LABEL: Final = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?")
_PORT: Final = re.compile(r":[0-9]{1,5}")


def set_cookie_name(header_value: str) -> str:
    """The cookie's name as a browser reads it: before the first "=" of the first pair.

    A pair without "=" is a cookie with an empty name (RFC 6265bis 5.6).
    """
    name, separator, _ = header_value.partition(";")[0].partition("=")
    return name.strip(_WSP) if separator else ""


def is_deletion(header_value: str, now: datetime | None = None) -> bool:
    """True only for a Set-Cookie that a browser takes as removing its cookie.

    Deleting a tracker's cookie never needs consent, so the gate lets it pass;
    hence the strictness: anything a browser would store is not a deletion.
    It runs for every Set-Cookie about to be blocked, so a header without
    either attribute, or with a positive Max-Age, is answered early.
    """
    lowered = header_value.lower()
    if "max-age" not in lowered and "expires" not in lowered:
        return False
    attributes = _attributes(header_value)
    if not attributes:
        return False
    max_ages = [value for name, value in attributes if name == "max-age"]
    expires = [value for name, value in attributes if name == "expires"]
    by_rfc, by_chromium = _rfc_max_age(max_ages), _chromium_max_age(max_ages)
    if by_rfc is False or by_chromium is False:
        return False
    if by_rfc is None or by_chromium is None:
        moment = (now or datetime.now(UTC)) - CLOCK_SKEW
        if by_rfc is None:
            valid = [date for date in map(rfc_cookie_date, expires) if date is not None]
            by_rfc = bool(valid) and valid[-1] <= moment
        if by_chromium is None:
            date = chromium_cookie_date(expires[-1]) if expires and expires[-1] else None
            by_chromium = date is not None and date <= moment
    # A browser drops a line with a control character altogether: no deletion either.
    return by_rfc and by_chromium and not _CONTROL.search(header_value)


def _attributes(header_value: str) -> list[tuple[str, str]] | None:
    """``(lower-case name, value)`` of each Max-Age and Expires attribute, in order.

    None when some attribute value is longer than browsers read.
    """
    found = []
    for attribute in header_value.split(";")[1:]:
        if len(attribute) > MAX_ATTRIBUTE_VALUE and len(attribute.partition("=")[2].strip(_WSP)) > MAX_ATTRIBUTE_VALUE:
            return None
        name, _, value = attribute.partition("=")
        name = name.strip(_WSP)
        # Both names have seven letters; ASCII case-insensitive only, since str.lower()
        # would fold other scripts' letters too.
        if len(name) == 7 and name.isascii() and (name := name.lower()) in ("max-age", "expires"):
            found.append((name, value.strip(_WSP)))
    return found


def _rfc_max_age(max_ages: list[str]) -> bool | None:
    """RFC 6265bis 5.6.2 and 5.7: the last valid Max-Age decides; None when there is none (Expires decides)."""
    for value in reversed(max_ages):
        if _RFC_MAX_AGE.fullmatch(value):
            return int(value) <= 0
    return None


def _chromium_max_age(max_ages: list[str]) -> bool | None:
    """Chromium: the last Max-Age decides if it is a number; None when Expires decides."""
    if not max_ages or not _CHROMIUM_MAX_AGE.fullmatch(max_ages[-1]):
        return None
    seconds = int(max_ages[-1])
    # Beyond int64 Chromium clamps (the far future keeps the cookie; the far past is
    # read here as "falls back to Expires", which can only mean "not deleted" more often).
    return seconds <= 0 if _INT64_MIN <= seconds <= _INT64_MAX else None


def rfc_cookie_date(value: str) -> datetime | None:
    """The cookie-date algorithm of RFC 6265bis section 5.1.1; None where it fails."""
    time = day = month = year = None
    for token in _RFC_DELIMITERS.split(value):
        if not token:
            continue
        if time is None and (match := _RFC_TIME.match(token)):
            time = (int(match[1]), int(match[2]), int(match[3]))
        elif day is None and (match := _RFC_DAY.match(token)):
            day = int(match[1])
        elif month is None and token[:3].isascii() and token[:3].lower() in _MONTHS:
            month = _MONTHS.index(token[:3].lower()) + 1
        elif year is None and (match := _RFC_YEAR.match(token)):
            year = int(match[1])
    if time is None or day is None or month is None or year is None:
        return None
    year = _full_year(year)
    hour, minute, second = time
    if not 1 <= day <= 31 or year < 1601 or hour > 23 or minute > 59 or second > 59:
        return None
    return _utc(year, month, day, hour, minute, second)


def chromium_cookie_date(value: str) -> datetime | None:
    """Chromium's ``ParseCookieExpirationTime``; None where it finds no date or a date beyond year 9999."""
    time = day = month = year = None
    for token in _RFC_DELIMITERS.split(value):
        if not token:
            continue
        if token[0] not in "0123456789":
            if month is None and token[:3].isascii() and token[:3].lower() in _MONTHS:
                month = _MONTHS.index(token[:3].lower()) + 1
        elif ":" in token:
            if time is None and (match := _CHROMIUM_TIME.match(token)):
                time = (int(match[1]), int(match[2]), int(match[3]))
        elif day is None and len(token) <= 2:
            day = _atoi(token)
        elif year is None and len(token) <= 5:
            year = _atoi(token)
    if time is None or day is None or month is None or year is None:
        return None
    return _utc(_full_year(year), month, day, *time)


def _atoi(token: str) -> int:
    """C's atoi on a token that starts with a digit: its leading digits."""
    digits = _LEADING_DIGITS.match(token)
    return int(digits[0]) if digits else 0


def _full_year(year: int) -> int:
    if 70 <= year <= 99:
        return year + 1900
    if 0 <= year <= 69:
        return year + 2000
    return year


def _utc(year: int, month: int, day: int, hour: int, minute: int, second: int) -> datetime | None:
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except ValueError:  # 31 February, second 60, year 10000 and beyond
        return None


def request_cookies(cookie_header: str) -> Iterator[tuple[str, str]]:
    """Name and raw value of each cookie in a ``Cookie`` header; never raises."""
    for pair in cookie_header.split(";"):
        name, separator, value = pair.partition("=")
        if separator:
            yield name.strip(), value.strip()


def request_cookie(cookie_header: str, wanted: str) -> str | None:
    """The value of the first cookie named ``wanted`` (a token), as ``request_cookies`` reads it, unquoted.

    It runs on every request, so it looks only around each place ``wanted``
    occurs instead of splitting the whole header: an occurrence is the
    cookie's name when only white space lies between it and the ``;`` (or the
    start) before it, and between it and the first ``=`` after it in its pair.
    """
    start = cookie_header.find(wanted)
    while start != -1:
        name_end = start + len(wanted)
        pair_end = cookie_header.find(";", name_end)
        if pair_end == -1:
            pair_end = len(cookie_header)
        # "name=" follows the start or "; " in every header a browser sends: two cheap tests first
        # (slices compared, not startswith/endswith: a method call costs more here than the slice).
        equals = (
            name_end if cookie_header[name_end : name_end + 1] == "=" else cookie_header.find("=", name_end, pair_end)
        )
        if (
            equals != -1
            and (equals == name_end or not cookie_header[name_end:equals].strip())
            and (
                start == 0
                or cookie_header[start - 2 : start] == "; "  # empty for start 1, and then the tests below decide
                or cookie_header[start - 1] == ";"
                or not cookie_header[cookie_header.rfind(";", 0, start) + 1 : start].strip()
            )
        ):
            return cookie_header[equals + 1 : pair_end].strip().strip('"')
        start = cookie_header.find(wanted, start + 1)
    return None


def host_name(host: str) -> str | None:
    """The lower-case host name of a ``Host`` header, or None for an IP literal or anything invalid.

    Only a name that a browser could have reached the site by can carry
    domain cookies; an IP address holds host-only cookies alone.
    """
    name = host.lower()
    if name.startswith("[") or len(name) > 253 + 6:
        return None
    if (port := name.rfind(":")) != -1:
        if not _PORT.fullmatch(name[port:]):
            return None
        name = name[:port]
    name = name.removesuffix(".")
    labels = name.split(".")
    if len(name) > 253 or not all(_HOST_LABEL.fullmatch(label) for label in labels):
        return None
    # Browsers read a host whose last label is numeric as an IPv4 address.
    if labels[-1].isdigit():
        return None
    return name


def host_domains(host: str) -> list[str]:
    """The host and each parent domain a script could have set a cookie on.

    ``www.shop.example.no`` gives ``www.shop.example.no``, ``shop.example.no``,
    ``example.no``. IP addresses, single labels and invalid hosts give nothing.

    The walk stops at the last two labels, taken as the registrable domain.
    Without the Public Suffix List (about 250 KB, changed weekly) this is the
    safe stopping point: for a host under a two-level public suffix such as
    ``co.uk`` it yields one variant too many (``Domain=co.uk``), which a
    browser refuses and so costs one header, whereas stopping one label too
    early would leave a tracker's cookie behind.
    """
    name = host_name(host)
    if name is None:
        return []
    labels = name.split(".")
    return [".".join(labels[index:]) for index in range(len(labels) - 1)]


def deletion_header(name: str, domain: str | None, path: str) -> tuple[str, str]:
    """An expiring Set-Cookie for one domain (None: host-only) and path variant."""
    domain_attribute = f"; Domain={domain}" if domain else ""
    return ("Set-Cookie", f"{name}=; {EXPIRED}; Path={path}{domain_attribute}")


def deletion_headers(name: str, domains: list[str | None], paths: list[str]) -> list[tuple[str, str]]:
    """One expiring Set-Cookie per domain and path variant, host-only first."""
    return [deletion_header(name, domain, path) for domain in dict.fromkeys(domains) for path in dict.fromkeys(paths)]
