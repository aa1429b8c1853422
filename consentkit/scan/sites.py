"""Which hosts belong to one site: registrable domains, parties and same-site links."""

from __future__ import annotations

import fnmatch
import ipaddress
from collections.abc import Iterable
from typing import Final
from urllib.parse import urlsplit, urlunsplit

#: Public suffixes of two labels that sites in our markets meet; everything else is one label.
#: Not the full Public Suffix List (no new dependency for it): a host under a suffix missing
#: here is seen one label too short, which makes more cookies third party, never fewer.
_TWO_LABEL_SUFFIXES: Final = frozenset(
    {
        "co.uk", "org.uk", "ac.uk", "gov.uk", "me.uk", "ltd.uk", "plc.uk",
        "com.au", "net.au", "org.au", "co.nz", "co.jp", "ne.jp", "or.jp", "co.kr",
        "com.br", "com.cn", "com.mx", "com.tr", "co.in", "co.za", "com.sg", "com.hk",
        "priv.no", "co.no", "github.io", "herokuapp.com", "pages.dev", "netlify.app",
    }
)  # fmt: skip


def registrable_domain(host: str) -> str:
    """The part of ``host`` a site owns (``shop.example.co.uk`` -> ``example.co.uk``)."""
    host = host.strip(".").lower()
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return host
    labels = host.split(".")
    keep = 3 if ".".join(labels[-2:]) in _TWO_LABEL_SUFFIXES else 2
    return ".".join(labels[-keep:])


def party(cookie_domain: str, site_domain: str) -> str:
    """``first`` when a cookie's domain is under the site's registrable domain, else ``third``."""
    return "first" if registrable_domain(cookie_domain) == site_domain else "third"


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def same_site(url: str, site_domain: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and registrable_domain(parts.hostname or "") == site_domain


def without_fragment(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", parts.query, ""))


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def host_matches(host: str, patterns: Iterable[str]) -> bool:
    """``host`` is one of ``patterns`` (exact names or globs such as ``*.google-analytics.com``)."""
    return any(host == pattern or fnmatch.fnmatchcase(host, pattern) for pattern in patterns)
