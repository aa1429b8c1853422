"""The interface every log store implements."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Protocol

from .record import ConsentRecord


class LogStoreError(Exception):
    """The log cannot be opened or written; the message says why."""


class ConsentStore(Protocol):
    def append(self, record: ConsentRecord) -> None:
        """Store one record durably; raise LogStoreError if that fails."""

    def by_consent_id(self, consent_id: str) -> list[ConsentRecord]:
        """Every record of one consent id, oldest first."""

    def records(self, since: datetime | None = None) -> Iterator[ConsentRecord]:
        """Every record (from ``since`` on), oldest first, streamed."""

    def purge(self, before: datetime) -> int:
        """Delete records older than ``before``; return how many."""

    def keep_text(self, text_hash: str, canonical: str) -> None:
        """Store the texts a hash was taken of, once per hash, so that proof survives later edits."""

    def text(self, text_hash: str) -> str | None:
        """The texts stored for ``text_hash``, if any."""

    def close(self) -> None: ...
