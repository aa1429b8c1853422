"""How long ``consentkit log report`` takes over a large log (issue target: a million records in under 5 s).

Generates a SQLite log of ``--records`` decisions spread over 90 days, then times
building the report's numbers and rendering the HTML, best and median of
``--rounds``. For comparison it also times counting record by record (the path
for stores that cannot group in SQL) on a tenth of the log, scaled up.

    .venv/bin/python benchmarks/report.py [--records 1000000] [--rounds 5] [--postgres]

``--postgres`` runs the same on PostgreSQL too, in a throwaway cluster of
Debian's server (the one the tests use, tests/pgcluster.py).
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from consentkit.log.insights import group_records, insights_from, summarize
from consentkit.log.record import format_utc
from consentkit.log.sqlite import SQLiteStore
from consentkit.render.report import ReportRenderer

CATEGORIES = ("functional", "analytics", "marketing")


def _rows(count: int) -> Iterator[tuple[str, ...]]:
    rng = random.Random(2026)
    start = datetime(2026, 8, 1, tzinfo=UTC)
    for index in range(count):
        draw = rng.random()
        granted: tuple[str, ...]
        if draw < 0.45:
            method, granted = "accept_all", CATEGORIES
        elif draw < 0.8:
            method, granted = "reject_all", ()
        elif draw < 0.95:
            method, granted = "custom", tuple(c for c in CATEGORIES if rng.random() < 0.5)
        else:
            method, granted = "gpc", ()
        moment = start + timedelta(seconds=rng.randrange(90 * 86_400))
        yield (
            f"{index:032x}",
            format_utc(moment),
            "2026-08" if moment.month < 10 else "2026-10",
            "sha256:" + "0" * 64,
            ",".join(granted),
            ",".join(c for c in CATEGORIES if c not in granted),
            method,
            rng.choice(("nb", "nb", "sv", "en")),
        )


def make_log(path: Path, count: int) -> SQLiteStore:
    store = SQLiteStore(str(path))
    store.text("")  # creates the schema
    connection = sqlite3.connect(path)
    with connection:
        connection.executemany(
            "INSERT INTO consent_log (consent_id, recorded_at, policy_version, text_hash, granted, denied, method,"
            " locale) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            _rows(count),
        )
    connection.close()
    return store


def make_postgres_log(url: str, count: int) -> Any:
    """The same generated log in PostgreSQL, loaded with COPY."""
    import psycopg

    from consentkit.log import open_store

    store = open_store(url)
    store.migrate()
    with psycopg.connect(url) as connection, connection.cursor() as cursor:
        columns = "consent_id, recorded_at, policy_version, text_hash, granted, denied, method, locale, record_id"
        with cursor.copy(f"COPY consent_log ({columns}) FROM STDIN") as copy:
            for row in _rows(count):
                consent_id, recorded_at, version, text_hash, granted, denied, method, locale = row
                copy.write_row(
                    (
                        consent_id,
                        recorded_at,
                        version,
                        text_hash,
                        _array(granted),
                        _array(denied),
                        method,
                        locale,
                        consent_id,
                    )
                )
        # What autovacuum does in a live database soon after so many rows arrive: the planner's counts.
        cursor.execute("ANALYZE consent_log")
    return store


def _array(names: str) -> str:
    return "{" + names + "}"


def timed(action: Callable[[], object], rounds: int) -> tuple[float, float]:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return min(times), statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--postgres", action="store_true", help="also on PostgreSQL, in a throwaway cluster")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        store = make_log(Path(folder) / "log.sqlite3", args.records)
        print(f"generated {args.records:,} records in {time.perf_counter() - started:.1f} s")
        renderer = ReportRenderer("nb", "Eksempel AS")

        def report() -> str:
            return renderer.render(insights_from(store), datetime.now(UTC))

        best, median = timed(report, args.rounds)
        print(f"report (grouped in SQLite + HTML): best {best:.2f} s, median {median:.2f} s  (target < 5 s)")
        tenth = args.records // 10

        def record_by_record() -> object:
            return summarize(group_records(record for _, record in zip(range(tenth), store.records(), strict=False)))

        best_slow, median_slow = timed(record_by_record, max(1, args.rounds // 2))
        print(
            f"record by record, {tenth:,} records: best {best_slow:.2f} s, median {median_slow:.2f} s"
            f" (about {best_slow * args.records / tenth:.1f} s for all; {best_slow * 10 / best:.1f}x the grouped path)"
        )

    if args.postgres:
        from tests.pgcluster import Cluster

        cluster = Cluster.create()
        try:
            started = time.perf_counter()
            pg_store = make_postgres_log(cluster.new_database("report_bench"), args.records)
            print(f"generated {args.records:,} records in PostgreSQL in {time.perf_counter() - started:.1f} s")
            renderer = ReportRenderer("nb", "Eksempel AS")
            best, median = timed(lambda: renderer.render(insights_from(pg_store), datetime.now(UTC)), args.rounds)
            print(f"report (grouped in PostgreSQL + HTML): best {best:.2f} s, median {median:.2f} s  (target < 5 s)")
            pg_store.close()
        finally:
            cluster.destroy()


if __name__ == "__main__":
    main()
