"""Inline scripts that load or call a tracker: the vendors' install snippets, and any that names a host.

Each marker is a call or variable that only the vendor's own snippet uses, so
that a site's own scripts stay untouched. ``gtag('consent', ...)`` is not one:
Consent Mode defaults must run before Google's tags, never wait for consent.
"""

from __future__ import annotations

import re
from typing import Final

#: (preset key, a word the marker contains, what in a script's text marks it), from each vendor's
#: documented install snippet. The word is a plain substring test: a marker's regex runs only where it is;
#: the rewriter's pre-filter (markers.py) looks for the words, so every match must contain its word.
MARKERS: Final[tuple[tuple[str, str, str], ...]] = (
    ("google-ads", "gtag", r"""\bgtag\(\s*['"](?:config|event)['"]\s*,\s*['"]AW-"""),
    ("google-analytics", "gtag", r"""\bgtag\(\s*['"](?:js|config|event|set|get)['"]"""),
    ("google-tag-manager", "gtm.", r"""['"]gtm\.(?:start|js)['"]"""),
    ("meta-pixel", "fbq", r"\b_?fbq\b"),
    ("linkedin-insight", "_linkedin_", r"\b_linkedin_(?:partner_id|data_partner_ids)\b"),
    ("linkedin-insight", "lintrk", r"\blintrk\("),
    ("tiktok-pixel", "ttq", r"\bttq\.(?:load|page|track|identify)\("),
    ("tiktok-pixel", "TiktokAnalyticsObject", r"\bTiktokAnalyticsObject\b"),
    ("hotjar", "hj(", r"\bhj\("),
    ("hotjar", "_hjSettings", r"\b_hjSettings\b"),
    ("microsoft-clarity", "clarity", r"""\bclarity\(|['"]clarity['"]"""),
    ("matomo", "_paq", r"\b_paq\b"),
    ("hubspot", "_hsq", r"\b_hsq\b"),
)
_COMPILED: Final = tuple((key, word, re.compile(pattern)) for key, word, pattern in MARKERS)
#: Anything shaped like a host name (two labels or more), to look up among the tracker hosts. The
#: lookbehind starts a match only at a word's start, so a long word is not retried from each letter.
_HOST_LIKE: Final = re.compile(r"(?<![a-z0-9-])[a-z0-9-]++(?:\.[a-z0-9-]++)++")


def snippet_services(text: str) -> set[str]:
    """The preset keys whose install snippet ``text`` contains."""
    return {key for key, word, pattern in _COMPILED if word in text and _matches_at_word(text, word, pattern)}


def _matches_at_word(text: str, word: str, pattern: re.Pattern[str]) -> bool:
    """``pattern.search(text)``, tried only where ``word`` is: every marker's match holds its word at its start
    or one character after (a quote, or ``_fbq``'s underscore), and a search tried at every letter is slow."""
    at = text.find(word)
    while at >= 0:
        if pattern.match(text, at) or (at and pattern.match(text, at - 1)):
            return True
        at = text.find(word, at + 1)
    return False


_HOST_CHARS: Final = frozenset("abcdefghijklmnopqrstuvwxyz0123456789.-")


def host_names(text: str, words: list[str]) -> set[str]:
    """Every host-shaped word in ``text`` (lower-cased) that contains one of ``words``: ``connect.facebook.net``.

    Only the run of host characters around each word is read, so a long script
    costs a few ``str.find`` instead of a pattern tried at every letter.
    """
    lower = text.lower()
    found: set[str] = set()
    for word in words:
        at = lower.find(word)
        while at >= 0:
            start, end = at, at + len(word)
            while start > 0 and lower[start - 1] in _HOST_CHARS:
                start -= 1
            while end < len(lower) and lower[end] in _HOST_CHARS:
                end += 1
            found.update(name.strip("-") for name in _HOST_LIKE.findall(lower, start, end))
            at = lower.find(word, end)
    return found
