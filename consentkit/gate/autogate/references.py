"""Whether the character references in a piece of HTML may stand for a character of a host name.

``MarkerFinder.quiet`` searches the host words in the text as written; a
reference that stands for a letter (``&#107;``, ``&Kopf;``), a digit, ``.`` or
``-`` could complete one after decoding, and so could a character the browser
maps to one or drops from a host (the Kelvin sign, fullwidth letters, a soft
hyphen, an ideographic full stop), and so could a tab or newline, which a URL
drops, and a ``%``, which starts a percent-escape (``&percnt;66`` is an ``f`` in
a host). Any other reference (``&nbsp;``,
``&mdash;``, ``&#8217;``, ``&amp;`` ...) cannot, and leaves the quick check
standing.
"""

from __future__ import annotations

import re
import stringprep
import unicodedata
from functools import lru_cache
from html import unescape
from typing import Final

#: A reference as ``html.unescape`` (and so ``url_host``) reads one.
_REFERENCE: Final = re.compile(rb"&(?:#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)")
_HOST_WORD_CHARACTERS: Final = frozenset("abcdefghijklmnopqrstuvwxyz0123456789.-")
#: Full stops IDNA reads as "."; a tab or newline, which a URL drops (``face&#9;book.com`` is facebook.com); "%",
#: which a host's percent-escape starts with (``&percnt;66acebook.com`` is facebook.com).
_DOTS_DROPPED_AND_ESCAPES: Final = frozenset("\u3002\uff0e\uff61\t\n\r%")


def may_stand_for_a_host_character(data: bytes) -> bool:
    """Whether a reference in ``data`` (Latin-1 bytes) may decode to a character a host word holds."""
    return any(_risky(found.group()) for found in _REFERENCE.finditer(data))


@lru_cache(maxsize=4096)
def _risky(reference: bytes) -> bool:
    raw = reference.decode("latin-1")
    decoded = unescape(raw)
    if decoded == raw:  # not a reference: its characters are searched as written
        return False
    # A legacy name without ";" (``&notit``) leaves the rest as written: only what it stands for is new.
    same = 0
    while same < min(len(raw), len(decoded)) and raw[-1 - same] == decoded[-1 - same]:
        same += 1
    stands_for = decoded[: len(decoded) - same]
    folded = unicodedata.normalize("NFKC", stands_for).casefold() + stands_for.lower()
    return not stands_for or any(
        char in _HOST_WORD_CHARACTERS or char in _DOTS_DROPPED_AND_ESCAPES or stringprep.in_table_b1(char)
        for char in folded + stands_for
    )
