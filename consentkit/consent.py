"""A visitor's consent: what they decided, when, and under which policy."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from .categories import ALL_CATEGORIES, NECESSARY

#: The consent cookie's name.
COOKIE_NAME: Final = "consentkit"

#: How a decision was given, as recorded in the log (docs/compliance.md item 12).
METHODS: Final = ("accept_all", "reject_all", "custom", "withdraw", "gpc")

_NECESSARY_ONLY: Final = frozenset({NECESSARY})


@dataclass(frozen=True, slots=True)
class Consent:
    """One visitor's state. Undecided visitors are granted only necessary cookies."""

    decided: bool = False
    granted: frozenset[str] = _NECESSARY_ONLY
    policy_version: str = ""
    decided_at: datetime | None = None
    consent_id: str | None = None
    method: str | None = None

    def allows(self, category: str) -> bool:
        return category == NECESSARY or category in self.granted

    def to_json(self, offered: tuple[str, ...]) -> dict[str, Any]:
        """The state as ``GET /consentkit/consent`` answers it."""
        return {
            "decided": self.decided,
            "policy_version": self.policy_version,
            "consent_id": self.consent_id,
            "decided_at": self.decided_at.isoformat().replace("+00:00", "Z") if self.decided_at else None,
            "method": self.method,
            "categories": {category: self.allows(category) for category in ALL_CATEGORIES},
            "offered": [NECESSARY, *offered],
        }


UNDECIDED: Final = Consent()


def new_consent_id() -> str:
    """128 random bits, URL-safe (22 characters), never starting with "-" or "_".

    A leading "-" would read as an option in ``consentkit log show ID``; drawing
    again costs about 0.05 bits of the 128.
    """
    while True:
        consent_id = secrets.token_urlsafe(16)
        if consent_id[0].isalnum():
            return consent_id


def granted_set(categories: Iterable[str]) -> frozenset[str]:
    return frozenset(categories) | _NECESSARY_ONLY
