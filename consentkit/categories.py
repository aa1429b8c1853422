"""The four consent categories and their fixed order.

Order matters: it is the order of checkboxes in the banner, of sections in the
notice, and of bits in the consent cookie, so it must never change.
"""

from __future__ import annotations

from typing import Final, Literal

Category = Literal["necessary", "functional", "analytics", "marketing"]

NECESSARY: Final = "necessary"
FUNCTIONAL: Final = "functional"
ANALYTICS: Final = "analytics"
MARKETING: Final = "marketing"

#: Every category, in display order. Necessary is always granted.
ALL_CATEGORIES: Final[tuple[Category, ...]] = (NECESSARY, FUNCTIONAL, ANALYTICS, MARKETING)

#: The categories a visitor may switch on or off.
OPTIONAL_CATEGORIES: Final[tuple[Category, ...]] = (FUNCTIONAL, ANALYTICS, MARKETING)

#: Categories that may only ever rest on consent (docs/compliance.md item 8).
TRACKING_CATEGORIES: Final[frozenset[str]] = frozenset({ANALYTICS, MARKETING})


def most_protective(categories: set[str]) -> Category:
    """The category that asks the most consent, for sources that disagree."""
    for category in reversed(ALL_CATEGORIES):
        if category in categories:
            return category
    return NECESSARY
