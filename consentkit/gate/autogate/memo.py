"""Bounded memos for the auto-gate's pure look-ups.

A site sends the same tracker tags on every page (the analytics snippet sits in
its base template), so each look-up that depends only on the site's config, the
URL host of a ``src``, the categories of a host or of a script's text, the inert
form of a tag, is worked out once and remembered. Entries are bounded in number
and in size: a page cannot make the process keep its long scripts.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from functools import lru_cache
from typing import Final, TypeVar

Result = TypeVar("Result")
How = TypeVar("How", bound=Hashable)

#: Entries each memo keeps (least recently used first out).
ENTRIES: Final = 1024
#: Keys longer than this (their text's characters) are looked up every time.
LONGEST: Final = 4096


def memoised(function: Callable[[str], Result], *, entries: int = ENTRIES) -> Callable[[str], Result]:
    """``function``, remembered for keys up to ``LONGEST`` characters. It must return what is never changed."""
    cached = lru_cache(maxsize=entries)(function)

    def lookup(key: str) -> Result:
        return cached(key) if len(key) <= LONGEST else function(key)

    return lookup


def memoised_tag(
    function: Callable[[str, str, How], Result], *, entries: int = ENTRIES
) -> Callable[[str, str, How], Result]:
    """``function(name, attributes, how)``, remembered for attributes up to ``LONGEST`` characters."""
    cached = lru_cache(maxsize=entries)(function)

    def lookup(name: str, attributes: str, how: How) -> Result:
        return cached(name, attributes, how) if len(attributes) <= LONGEST else function(name, attributes, how)

    return lookup
