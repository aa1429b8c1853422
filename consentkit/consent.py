"""A visitor's consent: what they decided, when, and under which policy."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from .categories import ALL_CATEGORIES, NECESSARY

#: The consent cookie's name.
COOKIE_NAME: Final = "consentkit"

#: How a decision was given, as recorded in the log (docs/compliance.md item 12). "service" is one
#: service allowed from its placeholder by a visitor who has not answered the banner.
METHODS: Final = ("accept_all", "reject_all", "custom", "withdraw", "gpc", "service")

_NECESSARY_ONLY: Final = frozenset({NECESSARY})


@dataclass(frozen=True, slots=True)
class Consent:
    """One visitor's state. Undecided visitors are granted only necessary cookies.

    ``granted`` holds categories; ``services`` holds every service (preset key
    such as ``youtube``) the visitor allows, those of granted categories
    included. An undecided visitor may still allow single services from their
    placeholders (method ``service``): the banner keeps asking about the rest.
    """

    decided: bool = False
    granted: frozenset[str] = _NECESSARY_ONLY
    policy_version: str = ""
    decided_at: datetime | None = None
    consent_id: str | None = None
    method: str | None = None
    services: frozenset[str] = frozenset()

    def allows(self, name: str) -> bool:
        """Whether the category or the service ``name`` is allowed."""
        return name == NECESSARY or name in self.granted or name in self.services

    @property
    def stored(self) -> bool:
        """Whether there is anything to keep in a cookie: a decision, or a service allowed on its own."""
        return self.decided or bool(self.services)

    def to_json(self, offered: tuple[str, ...], services: tuple[str, ...] = ()) -> dict[str, Any]:
        """The state as ``GET /consentkit/consent`` answers it; ``services`` are the site's service keys."""
        return {
            "decided": self.decided,
            "policy_version": self.policy_version,
            "consent_id": self.consent_id,
            "decided_at": self.decided_at.isoformat().replace("+00:00", "Z") if self.decided_at else None,
            "method": self.method,
            "categories": {category: self.allows(category) for category in ALL_CATEGORIES},
            "services": {service: self.allows(service) for service in services},
            "offered": [NECESSARY, *offered],
        }


UNDECIDED: Final = Consent()

# Each slot's own setter: what the frozen dataclass's __init__ reaches through object.__setattr__.
_SET_DECIDED = Consent.__dict__["decided"].__set__
_SET_GRANTED = Consent.__dict__["granted"].__set__
_SET_POLICY_VERSION = Consent.__dict__["policy_version"].__set__
_SET_DECIDED_AT = Consent.__dict__["decided_at"].__set__
_SET_CONSENT_ID = Consent.__dict__["consent_id"].__set__
_SET_METHOD = Consent.__dict__["method"].__set__
_SET_SERVICES = Consent.__dict__["services"].__set__


def restored_consent(
    decided: bool,
    granted: frozenset[str],
    policy_version: str,
    decided_at: datetime | None,
    consent_id: str | None,
    method: str | None,
    services: frozenset[str],
) -> Consent:
    """``Consent(...)`` with every field given, in half the time of the dataclass's ``__init__``.

    The consent cookie is decoded into one on a visitor's first request, where
    each microsecond counts; ``tests/test_consent_cookie.py`` checks that it builds
    the same object and names every field.
    """
    consent: Consent = object.__new__(Consent)
    _SET_DECIDED(consent, decided)
    _SET_GRANTED(consent, granted)
    _SET_POLICY_VERSION(consent, policy_version)
    _SET_DECIDED_AT(consent, decided_at)
    _SET_CONSENT_ID(consent, consent_id)
    _SET_METHOD(consent, method)
    _SET_SERVICES(consent, services)
    return consent


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


def services_granted(
    granted: frozenset[str], chosen: Iterable[str], service_categories: Mapping[str, str]
) -> frozenset[str]:
    """Every service allowed: those chosen one by one, and all of each granted category.

    ``service_categories`` maps the site's services to their categories; a
    service the site does not use is never allowed.
    """
    chosen = set(chosen)
    return frozenset(
        service for service, category in service_categories.items() if service in chosen or category in granted
    )
