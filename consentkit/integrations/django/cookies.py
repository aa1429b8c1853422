"""Set-Cookie headers written by the core, carried by a Django response exactly as written.

Django keeps a response's cookies in ``response.cookies``, one per name. The
core writes whole header values, and a withdrawal expires one cookie on
several domains and paths, so each value rides in a ``RawCookie`` under a
key of its own. Django's handlers emit every morsel with ``output()``, so what
reaches the browser is byte for byte what the WSGI middleware sends.
"""

from __future__ import annotations

from collections.abc import Iterable
from http.cookies import Morsel
from typing import Any

from django.http import HttpResponseBase


class RawCookie(Morsel[str]):
    """A morsel whose header value is given whole, not built from attributes."""

    def __init__(self, set_cookie: str) -> None:
        super().__init__()
        name, _, rest = set_cookie.partition("=")
        value = rest.partition(";")[0].strip()
        # Assigned directly: Morsel.set() rejects names a visitor's browser may send back to us.
        self._key, self._value, self._coded_value = name.strip(), value, value
        self.raw = set_cookie

    def OutputString(self, attrs: Any = None) -> str:
        return self.raw

    def __getstate__(self) -> dict[str, str]:  # responses may be pickled by the cache middleware
        return {"key": self._key, "value": self._value, "coded_value": self._coded_value, "raw": self.raw}

    def __setstate__(self, state: dict[str, str]) -> None:
        self._key, self._value, self._coded_value = state["key"], state["value"], state["coded_value"]
        self.raw = state["raw"]


def add_set_cookies(response: HttpResponseBase, values: Iterable[str]) -> None:
    """Add each Set-Cookie value to ``response``; a name already there keeps its own entry."""
    for value in values:
        morsel = RawCookie(value)
        key, number = morsel.key, 1
        while key in response.cookies:
            number += 1
            key = f"{morsel.key} ({number})"
        dict.__setitem__(response.cookies, key, morsel)
