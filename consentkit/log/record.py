"""One logged decision."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Any, Final

#: The record fields that hold a list of names (categories or services).
LIST_FIELDS: Final = frozenset({"granted", "denied", "withdrawn", "services_granted", "services_denied"})

#: The method of records written before the pressed button was kept apart from a withdrawal.
LEGACY_WITHDRAW: Final = "withdraw"


def utc_now() -> datetime:
    return datetime.now(UTC)


def format_utc(moment: datetime) -> str:
    """ISO 8601 in UTC with microseconds and a Z, so that text order is time order."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_utc(text: str) -> datetime:
    """The inverse of ``format_utc`` (any ISO 8601 time is read; one without an offset is UTC).

    ``fromisoformat`` rather than ``strptime``: the writer reads every spooled
    record back, and ``strptime`` alone would cap it at a few thousand a second.
    """
    moment = datetime.fromisoformat(text)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def new_record_id() -> str:
    """128 random bits as 32 hex digits: what makes a replayed record recognisable as already stored."""
    return secrets.token_hex(16)


@dataclass(frozen=True)
class ConsentRecord:
    """What was decided, by whom (pseudonymously), when, and on seeing which text.

    No IP address or user agent: the consent id links the record to the
    visitor's cookie, which is all a controller needs to demonstrate consent.

    ``method`` is what the visitor pressed (``accept_all``, ``reject_all``,
    ``custom``) or ``gpc``; ``withdrawn`` the categories this decision took
    back from an earlier one (a reject after an accept is a ``reject_all`` that
    withdrew). ``services_granted`` and ``services_denied`` name services when
    consent is given per service. ``record_id`` is unique per record, so a store
    keeps a record shipped twice only once.
    """

    consent_id: str
    recorded_at: datetime
    policy_version: str
    text_hash: str
    granted: tuple[str, ...]
    denied: tuple[str, ...]
    method: str
    locale: str
    withdrawn: tuple[str, ...] = ()
    services_granted: tuple[str, ...] = ()
    services_denied: tuple[str, ...] = ()
    record_id: str = field(default_factory=new_record_id)

    @property
    def withdrew(self) -> bool:
        """Whether this decision took back consent given before (older records say so by their method)."""
        return bool(self.withdrawn) or self.method == LEGACY_WITHDRAW

    def to_json(self) -> dict[str, Any]:
        """Every field, in declaration order; lists for the names, the time as ``format_utc`` writes it."""
        data: dict[str, Any] = {}
        for column in fields(self):
            value = getattr(self, column.name)
            data[column.name] = list(value) if column.name in LIST_FIELDS else value
        data["recorded_at"] = format_utc(self.recorded_at)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ConsentRecord:
        """The inverse of ``to_json``; raises ``KeyError``, ``TypeError`` or ``ValueError`` on a damaged one."""
        values = {name: data[name] for name in _FIELD_NAMES if name in data}
        for name in LIST_FIELDS:
            if name in values:
                values[name] = tuple(map(str, values[name]))  # map: the writer reads every spooled record back
        values["recorded_at"] = parse_utc(values["recorded_at"])
        return cls(**values)

    @classmethod
    def from_row(
        cls, row: Sequence[Any], moment: Callable[[Any], datetime], names: Callable[[Any], tuple[str, ...]]
    ) -> ConsentRecord:
        """A store's row, its columns in field order; ``moment`` and ``names`` read the store's own forms
        of the time and of the lists of names."""
        values = dict(zip(_FIELD_NAMES, row, strict=True))
        for name in LIST_FIELDS:
            values[name] = names(values[name])
        values["recorded_at"] = moment(values["recorded_at"])
        return cls(**values)


_FIELD_NAMES: Final = tuple(column.name for column in fields(ConsentRecord))


def text_hash_of(canonical: str) -> str:
    """The hash a record keeps of the exact texts a visitor was shown."""
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()
