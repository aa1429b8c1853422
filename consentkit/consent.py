"""A visitor's consent: what they decided, when, and under which policy."""

from __future__ import annotations

import secrets
from binascii import a2b_base64
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, NamedTuple

from .categories import ALL_CATEGORIES, NECESSARY

#: The consent cookie's name.
COOKIE_NAME: Final = "consentkit"

#: How a decision was given, as recorded in the log (docs/compliance.md item 12). "service" is one
#: service allowed from its placeholder by a visitor who has not answered the banner.
METHODS: Final = ("accept_all", "reject_all", "custom", "withdraw", "gpc", "service")

_NECESSARY_ONLY: Final = frozenset({NECESSARY})
#: URL-safe base64's alphabet, each character at the value it stands for: consent ids (``new_consent_id``)
#: and the consent cookie's time and signature (itsdangerous) are written in it.
URLSAFE_ALPHABET: Final = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
#: ``base64.urlsafe_b64decode``'s translation, for ``binascii.a2b_base64`` without base64's per-call checks
#: (which cost 0.6 µs of ``signing_seconds``).
URLSAFE_TO_STANDARD: Final = bytes.maketrans(b"-_", b"+/")
#: The padding a base64 text lacks, by its length modulo 4: ``b"=" * (-len(text) % 4)``.
BASE64_PADDING: Final = (b"", b"===", b"==", b"=")


class _SignedAt:
    """Where a consent read from a cookie keeps its signing time until ``decided_at`` is first read:
    most requests never read it, and decoding the time and making the datetime would be a tenth of a
    visitor's first request. It is Unix seconds, or the time as the cookie has it (``signing_seconds``).
    A slot outside the dataclass's fields, so equality, hashing, ``repr``, ``replace`` and pickling see
    only ``decided_at``."""

    __slots__ = ("_signed_at",)
    _signed_at: int | bytes


@dataclass(frozen=True, slots=True)
class Consent(_SignedAt):
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


class _DecidedAt:
    """``Consent.decided_at``: the slot itself, and for a consent restored from a cookie, whose slot
    stays empty until then, the datetime of its signing time, made and kept on first read. Only this
    attribute goes through Python code: every other one is still a plain slot."""

    __slots__ = ("_slot",)

    def __init__(self, slot: Any) -> None:
        self._slot = slot

    def __get__(self, consent: Consent | None, owner: type | None = None) -> Any:
        if consent is None:
            return self
        try:
            return self._slot.__get__(consent, owner)
        except AttributeError:
            decided_at = datetime.fromtimestamp(signing_seconds(consent._signed_at), UTC)
            self._slot.__set__(consent, decided_at)
            return decided_at

    def __set__(self, consent: Consent, value: datetime | None) -> None:
        self._slot.__set__(consent, value)


setattr(Consent, "decided_at", _DecidedAt(Consent.__dict__["decided_at"]))  # noqa: B010  (mypy sees the field)

UNDECIDED: Final = Consent()


class _ConsentFields(_SignedAt):
    """``Consent``'s slots, in its order, without the frozen ``__setattr__``: filled in plain
    attribute stores, then turned into a ``Consent`` by ``__class__`` assignment, which Python
    allows between classes of the same layout (and refuses with a TypeError otherwise)."""

    __slots__ = Consent.__slots__
    decided: bool
    granted: frozenset[str]
    policy_version: str
    consent_id: str | None
    method: str | None
    services: frozenset[str]


class SharedFields(NamedTuple):
    """The fields of a consent restored from a cookie that every visitor with the same answer shares
    (all but ``consent_id`` and ``decided_at``): a codec makes each once and keeps it."""

    decided: bool
    granted: frozenset[str]
    policy_version: str
    method: str | None
    services: frozenset[str]


def restored_consent(shared: SharedFields, signed_at: int | bytes, consent_id: str) -> Consent:
    """``Consent(...)`` from ``shared``, ``consent_id``, and ``decided_at`` as ``signed_at`` (made into the
    datetime on first read, ``signing_seconds``), in a quarter of the time of the dataclass's ``__init__``.

    The consent cookie is decoded into one on a visitor's first request, where
    each microsecond counts; ``tests/test_consent_cookie.py`` checks that it builds
    the same object and names every field.
    """
    fields = _ConsentFields()
    fields.decided, fields.granted, fields.policy_version, fields.method, fields.services = shared
    fields._signed_at = signed_at
    fields.consent_id = consent_id
    fields.__class__ = Consent  # type: ignore[assignment]
    return fields  # type: ignore[return-value]  # a Consent now (cast() would cost a call)


def signing_seconds(signed_at: int | bytes) -> int:
    """Unix seconds from a signing time kept as seconds, or as the consent cookie writes it: itsdangerous's
    big-endian seconds in URL-safe base64 without padding (6 characters from 2004 to 2106)."""
    if isinstance(signed_at, int):
        return signed_at
    return int.from_bytes(a2b_base64(signed_at.translate(URLSAFE_TO_STANDARD) + BASE64_PADDING[len(signed_at) & 3]))


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
