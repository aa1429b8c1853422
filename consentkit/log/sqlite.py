"""The embedded default log store: one SQLite file, append-only in normal use.

One connection per thread (SQLite connections must not be shared across
threads), WAL mode so that readers such as ``consentkit log export`` never
block the site's writes.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

from .insights import DecisionGroup
from .record import ConsentRecord, format_utc, parse_utc
from .store import LogStoreError

_SCHEMA = """
CREATE TABLE IF NOT EXISTS consent_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    consent_id TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    policy_version TEXT NOT NULL,
    text_hash TEXT NOT NULL,
    granted TEXT NOT NULL,
    denied TEXT NOT NULL,
    method TEXT NOT NULL,
    locale TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS consent_log_consent_id ON consent_log (consent_id);
CREATE INDEX IF NOT EXISTS consent_log_recorded_at ON consent_log (recorded_at);
CREATE TABLE IF NOT EXISTS consent_texts (
    text_hash TEXT PRIMARY KEY,
    canonical TEXT NOT NULL
);
"""

_INSERT = """INSERT INTO consent_log
    (consent_id, recorded_at, policy_version, text_hash, granted, denied, method, locale)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)"""
_SELECT_BY_ID = """SELECT consent_id, recorded_at, policy_version, text_hash, granted, denied, method, locale
    FROM consent_log WHERE consent_id = ? ORDER BY id"""
_SELECT_SINCE = """SELECT consent_id, recorded_at, policy_version, text_hash, granted, denied, method, locale
    FROM consent_log WHERE recorded_at >= ? ORDER BY id"""
_PURGE = "DELETE FROM consent_log WHERE recorded_at < ?"
# Timestamps are ISO text in UTC, so their first ten characters are the UTC day.
_GROUPED = """SELECT substr(recorded_at, 1, 10), method, locale, policy_version, granted, denied, COUNT(*)
    FROM consent_log WHERE recorded_at >= ? AND recorded_at < ?
    GROUP BY substr(recorded_at, 1, 10), method, locale, policy_version, granted, denied"""
_KEEP_TEXT = "INSERT OR IGNORE INTO consent_texts (text_hash, canonical) VALUES (?, ?)"
_SELECT_TEXT = "SELECT canonical FROM consent_texts WHERE text_hash = ?"


def _split(categories: str) -> tuple[str, ...]:
    return tuple(categories.split(",")) if categories else ()


def _record(row: tuple[str, ...]) -> ConsentRecord:
    consent_id, recorded_at, policy_version, text_hash, granted, denied, method, locale = row
    return ConsentRecord(
        consent_id=consent_id,
        recorded_at=parse_utc(recorded_at),
        policy_version=policy_version,
        text_hash=text_hash,
        granted=_split(granted),
        denied=_split(denied),
        method=method,
        locale=locale,
    )


class SQLiteStore:
    def __init__(self, path: str) -> None:
        self.path = path
        self._local = threading.local()
        self._schema_ready = False
        self._lock = threading.Lock()

    def _connection(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is not None:
            return connection
        try:
            if self.path != ":memory:":
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, timeout=5.0)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            with self._lock:
                if not self._schema_ready or self.path == ":memory:":
                    connection.executescript(_SCHEMA)
                    self._schema_ready = True
        except (sqlite3.Error, OSError) as exc:
            raise LogStoreError(f"cannot open the consent log at {self.path}: {exc}") from exc
        self._local.connection = connection
        return connection

    def append(self, record: ConsentRecord) -> None:
        row = (
            record.consent_id,
            format_utc(record.recorded_at),
            record.policy_version,
            record.text_hash,
            ",".join(record.granted),
            ",".join(record.denied),
            record.method,
            record.locale,
        )
        try:
            connection = self._connection()
            with connection:
                connection.execute(_INSERT, row)
        except sqlite3.Error as exc:
            raise LogStoreError(f"cannot write to the consent log at {self.path}: {exc}") from exc

    def by_consent_id(self, consent_id: str) -> list[ConsentRecord]:
        cursor = self._execute(_SELECT_BY_ID, (consent_id,))
        return [_record(row) for row in cursor]

    def records(self, since: datetime | None = None) -> Iterator[ConsentRecord]:
        # The empty string sorts before every timestamp, so "since nothing" is "all".
        cursor = self._execute(_SELECT_SINCE, (format_utc(since) if since else "",))
        for row in cursor:
            yield _record(row)

    def grouped_decisions(self, since: datetime | None, until: datetime | None) -> Iterator[DecisionGroup]:
        """Decisions counted per day, button, locale, policy version and choice, grouped by SQLite."""
        bounds = (format_utc(since) if since else "", format_utc(until) if until else "~")
        for day, method, locale, policy_version, granted, denied, count in self._execute(_GROUPED, bounds):
            yield DecisionGroup(
                date.fromisoformat(day), method, locale, policy_version, _split(granted), _split(denied), (), (), count
            )

    def purge(self, before: datetime) -> int:
        connection = self._connection()
        try:
            with connection:
                cursor = connection.execute(_PURGE, (format_utc(before),))
        except sqlite3.Error as exc:
            raise LogStoreError(f"cannot purge the consent log at {self.path}: {exc}") from exc
        return cursor.rowcount

    def keep_text(self, text_hash: str, canonical: str) -> None:
        try:
            connection = self._connection()
            with connection:
                connection.execute(_KEEP_TEXT, (text_hash, canonical))
        except sqlite3.Error as exc:
            raise LogStoreError(f"cannot write to the consent log at {self.path}: {exc}") from exc

    def text(self, text_hash: str) -> str | None:
        row = self._execute(_SELECT_TEXT, (text_hash,)).fetchone()
        return str(row[0]) if row else None

    def _execute(self, sql: str, parameters: tuple[str, ...]) -> sqlite3.Cursor:
        try:
            return self._connection().execute(sql, parameters)
        except sqlite3.Error as exc:
            raise LogStoreError(f"cannot read the consent log at {self.path}: {exc}") from exc

    def close(self) -> None:
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None
