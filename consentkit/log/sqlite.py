"""The embedded default log store: one SQLite file, append-only in normal use.

One connection per thread (SQLite connections must not be shared across
threads), WAL mode so that readers such as ``consentkit log export`` never
block the writer, and a short busy timeout: the spool's writer, not a
visitor, waits for the file, and it retries later rather than wait long.

A connection is never kept across a failure: whatever went wrong (a lock, a
read-only file, a full disk), the next attempt opens the file afresh. Before
and after each write the file at the path is compared with the one the
connection holds (device and inode), so a log whose file or folder was deleted
or replaced is recreated, and a write that may have gone into the unlinked
file is reported as failed, to be shipped again (records carry ids, so a
second shipping never duplicates one).
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Final

from .impressions import SOURCES_KEPT, ImpressionCount, SpooledImpressions, days_of
from .insights import DecisionGroup
from .record import ConsentRecord, format_utc, parse_utc, utc_now
from .store import KeptText, LogStoreError

#: Schema steps, applied in order; ``PRAGMA user_version`` counts those done.
#: Step 1 is the schema of consentkit 0.1 (so that its logs migrate); step 2
#: adds the record id, the withdrawn categories and the per-service choices;
#: step 3 the banner impressions (sums per day, locale and policy version); step 4 an index
#: that holds every column the report groups by, in its order (see ``_GROUPED``); step 5 the last
#: sequence added per source of spooled banner impressions (so that a replay adds nothing).
MIGRATIONS: Final = (
    """
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
    """,
    """
    ALTER TABLE consent_log ADD COLUMN withdrawn TEXT NOT NULL DEFAULT '';
    ALTER TABLE consent_log ADD COLUMN services_granted TEXT NOT NULL DEFAULT '';
    ALTER TABLE consent_log ADD COLUMN services_denied TEXT NOT NULL DEFAULT '';
    ALTER TABLE consent_log ADD COLUMN record_id TEXT;
    UPDATE consent_log SET record_id = 'legacy-' || id WHERE record_id IS NULL;
    CREATE UNIQUE INDEX consent_log_record_id ON consent_log (record_id);
    """,
    """
    CREATE TABLE IF NOT EXISTS banner_impressions (
        day TEXT NOT NULL,
        locale TEXT NOT NULL,
        policy_version TEXT NOT NULL,
        views INTEGER NOT NULL,
        PRIMARY KEY (day, locale, policy_version)
    );
    """,
    """
    CREATE INDEX IF NOT EXISTS consent_log_report ON consent_log (substr(recorded_at, 1, 10), method, locale,
        policy_version, granted, denied, services_granted, services_denied, withdrawn, recorded_at);
    """,
    """
    CREATE TABLE IF NOT EXISTS banner_impression_sources (
        source TEXT PRIMARY KEY,
        sequence INTEGER NOT NULL,
        shipped_on TEXT NOT NULL
    );
    """,
)
SCHEMA_VERSION: Final = len(MIGRATIONS)

_COLUMNS: Final = (
    "consent_id, recorded_at, policy_version, text_hash, granted, denied, method, locale,"
    " withdrawn, services_granted, services_denied, record_id"
)
_PLACES: Final = ", ".join("?" * len(_COLUMNS.split(",")))
_INSERT: Final = f"INSERT INTO consent_log ({_COLUMNS}) VALUES ({_PLACES}) ON CONFLICT (record_id) DO NOTHING"  # noqa: S608
_SELECT_BY_ID: Final = f"SELECT {_COLUMNS} FROM consent_log WHERE consent_id = ? ORDER BY id"  # noqa: S608
_SELECT_SINCE: Final = f"SELECT {_COLUMNS} FROM consent_log WHERE recorded_at >= ? ORDER BY id"  # noqa: S608
_PURGE: Final = "DELETE FROM consent_log WHERE recorded_at < ?"
# Timestamps are ISO text in UTC, so their first ten characters are the UTC day. The report's index
# (migration 4) holds these columns in this order, so SQLite counts in one pass over the index, neither
# reading the table nor sorting; the day range lets it start and stop where the period does. The unary
# plus keeps the planner off the index on recorded_at, whose order would make it sort a million rows.
# Grouped by the withdrawn categories themselves, the index's order: a few more groups, the same sums.
_GROUPED: Final = """SELECT substr(recorded_at, 1, 10), method, locale, policy_version, granted, denied,
        services_granted, services_denied, COUNT(*), withdrawn != ''
    FROM consent_log
    WHERE substr(recorded_at, 1, 10) BETWEEN ? AND ? AND +recorded_at >= ? AND +recorded_at < ?
    GROUP BY substr(recorded_at, 1, 10), method, locale, policy_version, granted, denied,
        services_granted, services_denied, withdrawn"""
_ADD_IMPRESSIONS: Final = """INSERT INTO banner_impressions (day, locale, policy_version, views) VALUES (?, ?, ?, ?)
    ON CONFLICT (day, locale, policy_version) DO UPDATE SET views = views + excluded.views"""
# Claims a spooled sum: a change (rowcount 1) only for a sequence above the last one of its source.
_CLAIM_IMPRESSIONS: Final = """INSERT INTO banner_impression_sources (source, sequence, shipped_on) VALUES (?, ?, ?)
    ON CONFLICT (source) DO UPDATE SET sequence = excluded.sequence, shipped_on = excluded.shipped_on
    WHERE excluded.sequence > banner_impression_sources.sequence"""
_FORGET_SOURCES: Final = "DELETE FROM banner_impression_sources WHERE shipped_on < ?"
_SELECT_IMPRESSIONS: Final = """SELECT day, locale, policy_version, views FROM banner_impressions
    WHERE day >= ? AND day < ?"""
_KEEP_TEXT: Final = "INSERT INTO consent_texts (text_hash, canonical) VALUES (?, ?) ON CONFLICT DO NOTHING"
_SELECT_TEXT: Final = "SELECT canonical FROM consent_texts WHERE text_hash = ?"

#: Seconds a write waits for another connection's lock before it fails (and is retried later).
BUSY_TIMEOUT: Final = 0.25

FileIdentity = tuple[int, int] | None


def _split(names: str) -> tuple[str, ...]:
    return tuple(names.split(",")) if names else ()


def _row(record: ConsentRecord) -> tuple[str, ...]:
    return (
        record.consent_id,
        format_utc(record.recorded_at),
        record.policy_version,
        record.text_hash,
        ",".join(record.granted),
        ",".join(record.denied),
        record.method,
        record.locale,
        ",".join(record.withdrawn),
        ",".join(record.services_granted),
        ",".join(record.services_denied),
        record.record_id,
    )


def _record(row: tuple[str, ...]) -> ConsentRecord:
    return ConsentRecord.from_row(row, parse_utc, _split)


def migrate_connection(connection: sqlite3.Connection) -> tuple[int, int]:
    """Bring an autocommit connection's database to ``SCHEMA_VERSION``; the versions before and after.

    ``BEGIN IMMEDIATE`` takes the write lock first, so two processes starting
    at once do not both run a step.
    """
    (version,) = connection.execute("PRAGMA user_version").fetchone()
    if version >= SCHEMA_VERSION:
        return version, version
    connection.execute("BEGIN IMMEDIATE")
    try:
        (before,) = connection.execute("PRAGMA user_version").fetchone()
        for step in MIGRATIONS[before:]:
            for statement in step.split(";"):
                if statement.strip():
                    connection.execute(statement)
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    return before, SCHEMA_VERSION


def _check_creatable(path: Path) -> None:
    """Raise LogStoreError unless the first existing folder above ``path`` lets a log be created in it."""
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
        raise LogStoreError(f"cannot create the consent log at {path}: {folder} is not a writable folder")


class SQLiteStore:
    def __init__(self, path: str, busy_timeout: float = BUSY_TIMEOUT) -> None:
        self.path = path
        self.busy_timeout = busy_timeout
        self._local = threading.local()
        self._in_memory = path == ":memory:"
        # SQLite takes one writer at a time: threads of one process queue here rather than in its busy loop.
        self._writing = threading.Lock()

    def describe(self) -> str:
        return f"sqlite:///{self.path}"

    def _identity(self) -> FileIdentity:
        if self._in_memory:
            return None
        try:
            status = os.stat(self.path)
        except OSError:
            return None
        return status.st_dev, status.st_ino

    def _open(self) -> tuple[sqlite3.Connection, FileIdentity]:
        try:
            if not self._in_memory:
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, timeout=self.busy_timeout, isolation_level=None)
        except (sqlite3.Error, OSError) as exc:
            raise LogStoreError(f"cannot open the consent log at {self.path}: {exc}") from exc
        try:
            identity = self._identity()
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            self._local.migrated = migrate_connection(connection)
        except sqlite3.Error as exc:
            connection.close()
            raise LogStoreError(f"cannot open the consent log at {self.path}: {exc}") from exc
        return connection, identity

    def _connection(self) -> tuple[sqlite3.Connection, FileIdentity]:
        held: tuple[sqlite3.Connection, FileIdentity] | None = getattr(self._local, "held", None)
        if held is not None and held[1] == self._identity():
            return held
        self._drop()  # none yet, or the file at the path is no longer the one held open
        opened = self._open()
        self._local.held = opened
        return opened

    def _drop(self) -> None:
        held = getattr(self._local, "held", None)
        self._local.held = None
        if held is not None:
            held[0].close()

    def _write(self, work: Callable[[sqlite3.Connection], int], doing: str) -> int:
        """Run ``work`` in one transaction; the connection is dropped if anything fails."""
        with self._writing:
            return self._write_now(work, doing)

    def _write_now(self, work: Callable[[sqlite3.Connection], int], doing: str) -> int:
        connection, identity = self._connection()
        try:
            connection.execute("BEGIN IMMEDIATE")
            try:
                changed = work(connection)
                self._check_identity(identity)
                connection.execute("COMMIT")
            except BaseException:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                raise
            # The file may have been unlinked during the commit: then it went nowhere a reader will look.
            self._check_identity(identity)
        except (sqlite3.Error, LogStoreError) as exc:
            self._drop()
            raise LogStoreError(f"cannot {doing} the consent log at {self.path}: {exc}") from exc
        return changed

    def _check_identity(self, identity: FileIdentity) -> None:
        if self._identity() != identity:
            raise LogStoreError("its file was deleted or replaced while open; it is recreated on the next write")

    def append(self, record: ConsentRecord) -> None:
        self.append_batch([record])

    def append_batch(self, records: Sequence[ConsentRecord], texts: Sequence[KeptText] = ()) -> None:
        def work(connection: sqlite3.Connection) -> int:
            connection.executemany(_KEEP_TEXT, texts)
            return connection.executemany(_INSERT, [_row(record) for record in records]).rowcount

        self._write(work, "write to")

    def keep_text(self, text_hash: str, canonical: str) -> None:
        self.append_batch([], [(text_hash, canonical)])

    def purge(self, before: datetime) -> int:
        return self._write(lambda connection: connection.execute(_PURGE, (format_utc(before),)).rowcount, "purge")

    def schema_version(self) -> int:
        if not self._in_memory and not Path(self.path).is_file():
            _check_creatable(Path(self.path))
            return 0
        try:
            connection = sqlite3.connect(f"{Path(self.path).as_uri()}?mode=ro", uri=True, timeout=self.busy_timeout)
            try:
                (version,) = connection.execute("PRAGMA user_version").fetchone()
            finally:
                connection.close()
        except sqlite3.Error as exc:
            raise LogStoreError(f"cannot read the consent log at {self.path}: {exc}") from exc
        return int(version)

    def migrate(self) -> tuple[int, int]:
        self._drop()
        self._connection()
        migrated: tuple[int, int] = self._local.migrated
        return migrated

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
        first, after = (format_utc(since) if since else "", format_utc(until) if until else "~")
        for row in self._execute(_GROUPED, (first[:10], after[:10], first, after)):
            day, method, locale, policy_version, granted, denied, services_granted, services_denied, count, withdrew = (
                row
            )
            yield DecisionGroup(
                date.fromisoformat(day),
                method,
                locale,
                policy_version,
                _split(granted),
                _split(denied),
                _split(services_granted),
                _split(services_denied),
                count,
                bool(withdrew),
            )

    def add_impressions(self, counts: Sequence[ImpressionCount]) -> None:
        self.add_spooled_impressions([SpooledImpressions("", 0, tuple(counts))])

    def add_spooled_impressions(self, spooled: Sequence[SpooledImpressions]) -> None:
        """Each sum in order, if its sequence is new for its source; one with no source (``add_impressions``)
        is added without a claim. Sources that shipped nothing for ``SOURCES_KEPT`` are forgotten."""
        today = utc_now().date()

        def work(connection: sqlite3.Connection) -> int:
            added = 0
            for source, sequence, counts in spooled:
                if not source or connection.execute(_CLAIM_IMPRESSIONS, (source, sequence, today.isoformat())).rowcount:
                    rows = [(day.isoformat(), locale, version, views) for day, locale, version, views in counts]
                    added += connection.executemany(_ADD_IMPRESSIONS, rows).rowcount
            connection.execute(_FORGET_SOURCES, ((today - SOURCES_KEPT).isoformat(),))
            return added

        self._write(work, "write to")

    def impressions(self, since: datetime | None, until: datetime | None) -> Iterator[ImpressionCount]:
        first, after = days_of(since, until)
        for day, locale, version, views in self._execute(_SELECT_IMPRESSIONS, (first.isoformat(), after.isoformat())):
            yield ImpressionCount(date.fromisoformat(day), locale, version, views)

    def text(self, text_hash: str) -> str | None:
        row = self._execute(_SELECT_TEXT, (text_hash,)).fetchone()
        return str(row[0]) if row else None

    def _execute(self, sql: str, parameters: tuple[str, ...]) -> sqlite3.Cursor:
        try:
            return self._connection()[0].execute(sql, parameters)
        except sqlite3.Error as exc:
            self._drop()
            raise LogStoreError(f"cannot read the consent log at {self.path}: {exc}") from exc

    def close(self) -> None:
        self._drop()
