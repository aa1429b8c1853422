"""Bounded memos for the auto-gate's pure look-ups.

A site sends the same tracker tags on every page (the analytics snippet sits in
its base template), so each look-up that depends only on the site's config, the
URL host of a ``src``, the categories of a host or of a script's text, the inert
form of a tag, is worked out once and remembered. Entries are bounded in number
and in size: a page cannot make the process keep its long scripts.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from functools import lru_cache
from typing import Any, Concatenate, Final, ParamSpec, TypeVar

Arguments = ParamSpec("Arguments")
Result = TypeVar("Result")

#: Entries each memo keeps (least recently used first out).
ENTRIES: Final = 512
#: Look-ups whose first argument (the text they read) is longer than this are made every time.
LONGEST: Final = 2048
#: Every memo still in use, for ``forget``.
_LIVE: Final[weakref.WeakSet[Any]] = weakref.WeakSet()


def memoised(
    function: Callable[Concatenate[str, Arguments], Result], *, entries: int = ENTRIES
) -> Callable[Concatenate[str, Arguments], Result]:
    """``function``, remembered when its first argument, a text, is up to ``LONGEST`` characters long.

    The others must be short and hashable, and what it returns must never be changed by a caller.
    """
    cached = lru_cache(maxsize=entries)(function)
    _LIVE.add(cached)
    remembered: Callable[..., Result] = cached  # its arguments are the function's, all hashable

    def lookup(text: str, /, *args: Arguments.args, **kwargs: Arguments.kwargs) -> Result:
        return remembered(text, *args, **kwargs) if len(text) <= LONGEST else function(text, *args, **kwargs)

    return lookup


def forget() -> None:
    """Empty every memo: the next page is read as if it were the first (``benchmarks/autogate.py``)."""
    for cached in list(_LIVE):
        cached.cache_clear()
