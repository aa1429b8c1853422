"""Reading and writing ``Set-Cookie`` and ``Cookie`` headers, just as far as the gate needs.

The gate runs on every response, so parsing stops at the cookie name unless
an attribute is really needed (only for a cookie about to be blocked).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Final

#: Sent with every deletion; old browsers ignore Max-Age.
EXPIRED: Final = "Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0"


def set_cookie_name(header_value: str) -> str:
    return header_value.partition("=")[0].strip()


def is_deletion(header_value: str) -> bool:
    """True for a Set-Cookie that removes its cookie (Max-Age <= 0 or Expires in the past).

    Deleting a tracker's cookie never needs consent, so the gate lets it pass.
    """
    max_age = None
    expires = None
    for attribute in header_value.split(";")[1:]:
        key, _, value = attribute.partition("=")
        key = key.strip().lower()
        if key == "max-age":
            max_age = value.strip()
        elif key == "expires":
            expires = value.strip()
    if max_age is not None:
        try:
            return int(max_age) <= 0
        except ValueError:
            return False
    if expires:
        try:
            moment = parsedate_to_datetime(expires)
        except (TypeError, ValueError, IndexError):
            return False
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment <= datetime.now(UTC)
    return False


def request_cookies(cookie_header: str) -> Iterator[tuple[str, str]]:
    """Name and raw value of each cookie in a ``Cookie`` header; never raises."""
    for pair in cookie_header.split(";"):
        name, separator, value = pair.partition("=")
        if separator:
            yield name.strip(), value.strip()


def request_cookie(cookie_header: str, wanted: str) -> str | None:
    """The value of one cookie, without parsing the rest when it is absent."""
    if wanted not in cookie_header:
        return None
    for name, value in request_cookies(cookie_header):
        if name == wanted:
            return value.strip('"')
    return None


def host_domains(host: str) -> list[str]:
    """The host and each parent domain a script could have set a cookie on.

    ``www.shop.example.no`` gives ``www.shop.example.no``, ``shop.example.no``,
    ``example.no``. IP addresses and single labels give nothing. A public
    suffix such as ``co.uk`` may be among them; browsers ignore a deletion
    for it, so no suffix list is needed.
    """
    name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    name = name.strip(".").lower()
    labels = name.split(".")
    if len(labels) < 2 or name.replace(".", "").isdigit() or ":" in name:
        return []
    return [".".join(labels[index:]) for index in range(len(labels) - 1)]


def deletion_headers(name: str, domains: list[str | None], paths: list[str]) -> list[tuple[str, str]]:
    """One expiring Set-Cookie per domain and path variant, host-only first."""
    headers = []
    for domain in dict.fromkeys(domains):
        for path in dict.fromkeys(paths):
            domain_attribute = f"; Domain={domain}" if domain else ""
            headers.append(("Set-Cookie", f"{name}=; {EXPIRED}; Path={path}{domain_attribute}"))
    return headers
