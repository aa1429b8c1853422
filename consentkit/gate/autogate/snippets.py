"""Inline scripts that load or call a tracker: the vendors' install snippets, and any that names a host.

Each marker is a call or variable that only the vendor's own snippet uses, so
that a site's own scripts stay untouched. ``gtag('consent', ...)`` is not one:
Consent Mode defaults must run before Google's tags, never wait for consent.
"""

from __future__ import annotations

import re
from typing import Final

#: (preset key, what in a script's text marks it), from each vendor's documented install snippet.
MARKERS: Final[tuple[tuple[str, str], ...]] = (
    ("google-ads", r"""\bgtag\(\s*['"](?:config|event)['"]\s*,\s*['"]AW-"""),
    ("google-analytics", r"""\bgtag\(\s*['"](?:js|config|event|set|get)['"]"""),
    ("google-tag-manager", r"""['"]gtm\.start['"]|['"]gtm\.js['"]"""),
    ("meta-pixel", r"\bfbq\(|\b_fbq\b"),
    ("linkedin-insight", r"\b_linkedin_(?:partner_id|data_partner_ids)\b|\blintrk\("),
    ("tiktok-pixel", r"\bttq\.(?:load|page|track|identify)\(|\bTiktokAnalyticsObject\b"),
    ("hotjar", r"\bhj\(|\b_hjSettings\b"),
    ("microsoft-clarity", r"""\bclarity\(|['"]clarity['"]"""),
    ("matomo", r"\b_paq\b"),
    ("hubspot", r"\b_hsq\b"),
)

#: A word every marker contains: plain substring tests first, the regex only where one is there.
_MARKER_WORDS: Final = ("gtag", "gtm.", "fbq", "_linkedin", "lintrk", "ttq", "Tiktok", "hj", "clarity", "_paq", "_hsq")
_MARKER: Final = re.compile("|".join(f"(?P<m{index}>{pattern})" for index, (_, pattern) in enumerate(MARKERS)))
#: Anything shaped like a host name (two labels or more), to look up among the tracker hosts.
#: Possessive, so that a long identifier without a dot is given up at once, not retried at every split.
_HOST_LIKE: Final = re.compile(r"[a-z0-9-]++(?:\.[a-z0-9-]++)++")


def snippet_services(text: str) -> set[str]:
    """The preset keys whose install snippet ``text`` contains."""
    if not any(word in text for word in _MARKER_WORDS):
        return set()
    return {MARKERS[int(match.lastgroup[1:])][0] for match in _MARKER.finditer(text) if match.lastgroup}


def host_names(text: str, labels: frozenset[str] | None = None) -> set[str]:
    """Every host-shaped word in ``text`` (lower-cased), such as ``connect.facebook.net``.

    With ``labels`` (such as "facebook"), nothing is searched unless one of them is in the text.
    """
    lower = text.lower()
    if labels is not None and not any(label in lower for label in labels):
        return set()
    return {name.strip("-") for name in _HOST_LIKE.findall(lower)}
