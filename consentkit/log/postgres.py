"""The PostgreSQL log store, for sites on more than one server (the ``consentkit[postgres]`` extra).

psycopg 3 with a connection pool per process, short transactions, and a batch
copied in with COPY, then added in order by one statement that skips record ids
already stored. The URL goes to libpq as it is, so the password comes from the
URL, ``PGPASSWORD`` or ``~/.pgpass`` exactly as libpq finds it. Only core PostgreSQL (15 or later) is used.

A pool that failed is closed and opened afresh on the next call, so a
restarted server is found again at the writer's own pace rather than after
the pool's reconnect back-off.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, Final

import psycopg
from psycopg.conninfo import conninfo_to_dict
from psycopg_pool import ConnectionPool, PoolTimeout

from .impressions import SOURCES_KEPT, ImpressionCount, SpooledImpressions, days_of
from .insights import DecisionGroup
from .record import ConsentRecord, utc_now
from .store import KeptText, LogStoreError

#: Schema steps, applied in order; ``consentkit_schema.version`` counts those done.
MIGRATIONS: Final = (
    """
    CREATE TABLE consent_log (
        id bigserial PRIMARY KEY,
        record_id text NOT NULL UNIQUE,
        consent_id text NOT NULL,
        recorded_at timestamptz NOT NULL,
        policy_version text NOT NULL,
        text_hash text NOT NULL,
        granted text[] NOT NULL,
        denied text[] NOT NULL,
        method text NOT NULL,
        locale text NOT NULL,
        withdrawn text[] NOT NULL DEFAULT '{}',
        services_granted text[] NOT NULL DEFAULT '{}',
        services_denied text[] NOT NULL DEFAULT '{}'
    );
    CREATE INDEX consent_log_consent_id ON consent_log (consent_id);
    CREATE INDEX consent_log_recorded_at ON consent_log (recorded_at);
    CREATE TABLE consent_texts (
        text_hash text PRIMARY KEY,
        canonical text NOT NULL
    );
    """,
    """
    CREATE TABLE banner_impressions (
        day date NOT NULL,
        locale text NOT NULL,
        policy_version text NOT NULL,
        views bigint NOT NULL,
        PRIMARY KEY (day, locale, policy_version)
    );
    """,
    """
    CREATE TABLE banner_impression_sources (
        source text PRIMARY KEY,
        sequence bigint NOT NULL,
        shipped_on date NOT NULL
    );
    """,
    # How many distinct days, buttons, locales and policy versions occur together, for the report: without it
    # the planner expects a group per record (a day comes from a timestamp that is nearly unique), so it would
    # sort every record, or hash them in one process, where a few thousand groups are hashed in parallel
    # workers. Kept to four cheap columns, since ANALYZE counts every subset of them (eight, with the lists,
    # took it from 1 s to 40 s on a million records).
    """
    CREATE STATISTICS consent_log_report (ndistinct)
        ON ((recorded_at AT TIME ZONE 'UTC')::date), method, locale, policy_version FROM consent_log;
    ANALYZE consent_log;
    """,
)
#: Decisions counted per UTC day and everything the report splits by, in one pass over the period (by the
#: index on ``recorded_at`` when the period is short), hashed in parallel where the server allows it. The
#: day is written as in ``consent_log_report`` (migration 4), so that its counts apply. Grouped by the
#: withdrawn categories themselves, which have a column's statistics where an expression would have none:
#: a few more groups, the same sums.
_GROUPED: Final = """SELECT (recorded_at AT TIME ZONE 'UTC')::date, method, locale, policy_version,
        granted, denied, services_granted, services_denied, count(*), cardinality(withdrawn) > 0
    FROM consent_log WHERE recorded_at >= %s AND recorded_at < %s
    GROUP BY (recorded_at AT TIME ZONE 'UTC')::date, method, locale, policy_version, granted, denied,
        services_granted, services_denied, withdrawn"""
#: For the report's transaction only. The groups are always few against the records, so they are hashed even
#: where the counts are missing or stale (a log just imported, not yet analysed), where the planner would
#: sort every record on disk: no sort, and room to hash in memory (a few thousand groups take about a
#: megabyte; more would spill to disk rather than fail). No JIT, whose compiling costs more than it saves here.
_REPORT_SETTINGS: Final = ("SET LOCAL enable_sort = off", "SET LOCAL work_mem = '64MB'", "SET LOCAL jit = off")
_ADD_IMPRESSIONS: Final = """INSERT INTO banner_impressions (day, locale, policy_version, views)
    SELECT * FROM unnest(%s::date[], %s::text[], %s::text[], %s::bigint[])
    ON CONFLICT (day, locale, policy_version) DO UPDATE SET views = banner_impressions.views + excluded.views"""
# Claims a spooled sum: a change (rowcount 1) only for a sequence above the last one of its source.
_CLAIM_IMPRESSIONS: Final = """INSERT INTO banner_impression_sources (source, sequence, shipped_on) VALUES (%s, %s, %s)
    ON CONFLICT (source) DO UPDATE SET sequence = excluded.sequence, shipped_on = excluded.shipped_on
    WHERE excluded.sequence > banner_impression_sources.sequence"""
_FORGET_SOURCES: Final = "DELETE FROM banner_impression_sources WHERE shipped_on < %s"
_SELECT_IMPRESSIONS: Final = """SELECT day, locale, policy_version, views FROM banner_impressions
    WHERE day >= %s AND day < %s"""
SCHEMA_VERSION: Final = len(MIGRATIONS)

#: Any constant key: serialises the migrations of servers starting at the same time.
_MIGRATION_LOCK: Final = 0x636F6E73656E74

_COLUMNS: Final = (
    "consent_id, recorded_at, policy_version, text_hash, granted, denied, method, locale,"
    " withdrawn, services_granted, services_denied, record_id"
)
#: Each batch is copied (COPY, the fastest way in) into a temporary table of the session, lists of names as
#: comma-joined text (names never contain a comma), then moved into the log in one statement that skips the
#: record ids already there: COPY itself cannot skip, and the text columns keep psycopg's row formatting in C.
_BATCH_TABLE: Final = """CREATE TEMPORARY TABLE IF NOT EXISTS consentkit_batch (
        position integer NOT NULL, consent_id text, recorded_at timestamptz, policy_version text, text_hash text,
        granted text, denied text, method text, locale text, withdrawn text, services_granted text,
        services_denied text, record_id text
    ) ON COMMIT DELETE ROWS"""
_COPY_BATCH: Final = f"COPY consentkit_batch (position, {_COLUMNS}) FROM STDIN"
_INSERT: Final = f"""
    INSERT INTO consent_log ({_COLUMNS})
    SELECT consent_id, recorded_at, policy_version, text_hash, string_to_array(granted, ','),
           string_to_array(denied, ','), method, locale, string_to_array(withdrawn, ','),
           string_to_array(services_granted, ','), string_to_array(services_denied, ','), record_id
    FROM consentkit_batch ORDER BY position
    ON CONFLICT (record_id) DO NOTHING"""  # noqa: S608 (only constant column names are formatted in)
_KEEP_TEXTS: Final = """INSERT INTO consent_texts (text_hash, canonical)
    SELECT * FROM unnest(%s::text[], %s::text[]) ON CONFLICT DO NOTHING"""
_SELECT: Final = f"SELECT {_COLUMNS} FROM consent_log"  # noqa: S608 (constant column names)
# The pool logs every failed attempt to refill itself; during an outage that would be a line each few
# seconds per process, where consentkit reports one per outage. A site that set the level keeps it.
if logging.getLogger("psycopg.pool").level == logging.NOTSET:
    logging.getLogger("psycopg.pool").setLevel(logging.ERROR)

#: Seconds to wait for a connection before a call fails (and the spool keeps the record).
CONNECT_TIMEOUT: Final = 3


def _record(row: tuple[Any, ...]) -> ConsentRecord:
    return ConsentRecord.from_row(row, lambda moment: moment.astimezone(UTC), tuple)


def _copy_row(position: int, r: ConsentRecord) -> tuple[Any, ...]:
    """One row of ``consentkit_batch``: plain text and a time only, which psycopg formats in C."""
    return (
        position,
        r.consent_id,
        r.recorded_at,
        r.policy_version,
        r.text_hash,
        ",".join(r.granted),
        ",".join(r.denied),
        r.method,
        r.locale,
        ",".join(r.withdrawn),
        ",".join(r.services_granted),
        ",".join(r.services_denied),
        r.record_id,
    )


class PostgresStore:
    def __init__(self, url: str, *, max_connections: int = 4) -> None:
        self.url = url
        self.max_connections = max_connections
        try:
            self._params = conninfo_to_dict(url)
        except psycopg.Error as error:
            raise LogStoreError(f"the consent log URL is not a valid PostgreSQL URL: {error}") from None
        self._pool: ConnectionPool[Any] | None = None
        self._lock = threading.Lock()
        self._migrated = False
        #: The pool's connections that have their session's ``consentkit_batch`` table.
        self._batch_tables: weakref.WeakSet[psycopg.Connection[Any]] = weakref.WeakSet()

    def describe(self) -> str:
        user = self._params.get("user", "")
        host = self._params.get("host", "")
        port = f":{self._params['port']}" if self._params.get("port") else ""
        return f"postgresql://{user}{'@' if user else ''}{host}{port}/{self._params.get('dbname', '')}"

    def _get_pool(self) -> ConnectionPool[Any]:
        with self._lock:
            if self._pool is None:
                extra: dict[str, Any] = (
                    {} if "connect_timeout" in self._params else {"connect_timeout": CONNECT_TIMEOUT}
                )
                # One plain connection first: while the server is down this fails once, quietly, where a
                # pool would log each of its background attempts.
                psycopg.connect(self.url, **extra).close()
                pool: ConnectionPool[Any] = ConnectionPool(
                    self.url,
                    min_size=1,
                    max_size=self.max_connections,
                    kwargs=extra,
                    timeout=CONNECT_TIMEOUT,
                    check=ConnectionPool.check_connection,
                    open=False,
                    name="consentkit-log",
                )
                try:
                    pool.open(wait=True, timeout=CONNECT_TIMEOUT)
                except PoolTimeout:
                    pool.close(timeout=1)
                    raise
                self._pool = pool
            return self._pool

    def _reset(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.close(timeout=1)

    def _run(self, doing: str, work: Any) -> Any:
        """``work(connection)`` in one transaction; a failure closes the pool and raises LogStoreError."""
        try:
            if not self._migrated:
                self._migrate()
            with self._get_pool().connection() as connection:
                return work(connection)
        except (psycopg.Error, PoolTimeout) as error:
            self._reset()
            raise LogStoreError(f"cannot {doing} the consent log at {self.describe()}: {error}") from error

    def _migrate(self) -> tuple[int, int]:
        with self._get_pool().connection() as connection, connection.transaction():
            connection.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
            connection.execute("CREATE TABLE IF NOT EXISTS consentkit_schema (version integer NOT NULL)")
            row = connection.execute("SELECT version FROM consentkit_schema").fetchone()
            before = row[0] if row else 0
            for step in MIGRATIONS[before:]:
                connection.execute(step)
            if row is None:
                connection.execute("INSERT INTO consentkit_schema (version) VALUES (%s)", (SCHEMA_VERSION,))
            elif before < SCHEMA_VERSION:
                connection.execute("UPDATE consentkit_schema SET version = %s", (SCHEMA_VERSION,))
        self._migrated = True
        return before, max(before, SCHEMA_VERSION)

    def schema_version(self) -> int:
        def work(connection: psycopg.Connection[Any]) -> int:
            if connection.execute("SELECT to_regclass('consentkit_schema')").fetchone() == (None,):
                return 0
            row = connection.execute("SELECT version FROM consentkit_schema").fetchone()
            return int(row[0]) if row else 0

        try:
            with self._get_pool().connection() as connection:
                return work(connection)
        except (psycopg.Error, PoolTimeout) as error:
            self._reset()
            raise LogStoreError(f"cannot read the consent log at {self.describe()}: {error}") from error

    def migrate(self) -> tuple[int, int]:
        try:
            return self._migrate()
        except (psycopg.Error, PoolTimeout) as error:
            self._reset()
            raise LogStoreError(f"cannot migrate the consent log at {self.describe()}: {error}") from error

    def append(self, record: ConsentRecord) -> None:
        self.append_batch([record])

    def append_batch(self, records: Sequence[ConsentRecord], texts: Sequence[KeptText] = ()) -> None:
        def work(connection: psycopg.Connection[Any]) -> None:
            if records and connection not in self._batch_tables:
                with connection.transaction():
                    connection.execute(_BATCH_TABLE)
                self._batch_tables.add(connection)
            with connection.transaction(), connection.cursor() as cursor:
                if texts:
                    cursor.execute(_KEEP_TEXTS, ([h for h, _ in texts], [c for _, c in texts]))
                if records:
                    with cursor.copy(_COPY_BATCH) as copy:
                        for position, record in enumerate(records):
                            copy.write_row(_copy_row(position, record))
                    cursor.execute(_INSERT)

        self._run("write to", work)

    def keep_text(self, text_hash: str, canonical: str) -> None:
        self.append_batch([], [(text_hash, canonical)])

    def purge(self, before: datetime) -> int:
        def work(connection: psycopg.Connection[Any]) -> int:
            with connection.transaction():
                return connection.execute("DELETE FROM consent_log WHERE recorded_at < %s", (before,)).rowcount

        count: int = self._run("purge", work)
        return count

    def by_consent_id(self, consent_id: str) -> list[ConsentRecord]:
        def work(connection: psycopg.Connection[Any]) -> list[ConsentRecord]:
            rows = connection.execute(f"{_SELECT} WHERE consent_id = %s ORDER BY id", (consent_id,)).fetchall()
            return [_record(row) for row in rows]

        found: list[ConsentRecord] = self._run("read", work)
        return found

    def records(self, since: datetime | None = None) -> Iterator[ConsentRecord]:
        """Streamed through a server-side cursor, so a large log need not fit in memory."""
        try:
            if not self._migrated:
                self._migrate()
            with self._get_pool().connection() as connection, connection.transaction():
                cursor = connection.cursor(name="consentkit_records")
                if since is None:
                    cursor.execute(f"{_SELECT} ORDER BY id")
                else:
                    cursor.execute(f"{_SELECT} WHERE recorded_at >= %s ORDER BY id", (since,))
                for row in cursor:
                    yield _record(row)
        except (psycopg.Error, PoolTimeout) as error:
            self._reset()
            raise LogStoreError(f"cannot read the consent log at {self.describe()}: {error}") from error

    def grouped_decisions(self, since: datetime | None, until: datetime | None) -> Iterator[DecisionGroup]:
        """Decisions counted per day, button, locale, policy version and choice, grouped by PostgreSQL."""
        bounds = (since or datetime.min.replace(tzinfo=UTC), until or datetime.max.replace(tzinfo=UTC))

        def work(connection: psycopg.Connection[Any]) -> list[DecisionGroup]:
            with connection.transaction():
                for setting in _REPORT_SETTINGS:
                    connection.execute(setting)
                rows = connection.execute(_GROUPED, bounds).fetchall()
            return [
                DecisionGroup(day, method, locale, version, tuple(granted), tuple(denied), tuple(sg), tuple(sd), n, w)
                for day, method, locale, version, granted, denied, sg, sd, n, w in rows
            ]

        groups: list[DecisionGroup] = self._run("read", work)
        return iter(groups)

    def add_impressions(self, counts: Sequence[ImpressionCount]) -> None:
        self.add_spooled_impressions([SpooledImpressions("", 0, tuple(counts))])

    def add_spooled_impressions(self, spooled: Sequence[SpooledImpressions]) -> None:
        """As SQLite's; a sum with no source (``add_impressions``) is added without a claim."""
        today = utc_now().date()

        def work(connection: psycopg.Connection[Any]) -> None:
            with connection.transaction():
                for source, sequence, counts in spooled:
                    if source and not connection.execute(_CLAIM_IMPRESSIONS, (source, sequence, today)).rowcount:
                        continue
                    columns = [list(column) for column in zip(*counts, strict=True)] if counts else [[], [], [], []]
                    connection.execute(_ADD_IMPRESSIONS, columns)
                connection.execute(_FORGET_SOURCES, (today - SOURCES_KEPT,))

        self._run("write to", work)

    def impressions(self, since: datetime | None, until: datetime | None) -> Iterator[ImpressionCount]:
        first, after = days_of(since, until)

        def work(connection: psycopg.Connection[Any]) -> list[ImpressionCount]:
            rows = connection.execute(_SELECT_IMPRESSIONS, (first, after)).fetchall()
            return [ImpressionCount(day, locale, version, int(views)) for day, locale, version, views in rows]

        found: list[ImpressionCount] = self._run("read", work)
        return iter(found)

    def text(self, text_hash: str) -> str | None:
        def work(connection: psycopg.Connection[Any]) -> str | None:
            query = "SELECT canonical FROM consent_texts WHERE text_hash = %s"
            row = connection.execute(query, (text_hash,)).fetchone()
            return str(row[0]) if row else None

        found: str | None = self._run("read", work)
        return found

    def close(self) -> None:
        self._reset()
