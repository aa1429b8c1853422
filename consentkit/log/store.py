"""The interface every log store implements."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Protocol

from .record import ConsentRecord

#: A kept text: its hash, and the canonical document that was hashed.
KeptText = tuple[str, str]


class LogStoreError(Exception):
    """The log cannot be opened or written; the message says why."""


class ConsentStore(Protocol):
    def append(self, record: ConsentRecord) -> None:
        """Store one record durably; raise LogStoreError if that fails."""

    def append_batch(self, records: Sequence[ConsentRecord], texts: Sequence[KeptText] = ()) -> None:
        """Store ``texts`` and ``records`` in one transaction, in order; all or nothing.

        A record whose ``record_id`` is already stored, and a text whose hash is,
        are skipped, so shipping the same batch twice stores it once.
        """

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

    def schema_version(self) -> int:
        """The schema version the log is at now (0: no tables yet), without migrating; raises if unreachable."""

    def migrate(self) -> tuple[int, int]:
        """Create or upgrade the tables; return the schema version before and after."""

    def describe(self) -> str:
        """Where the log is, for messages (never with a password)."""

    def close(self) -> None: ...
