"""The consent log under load and through a database outage: two gunicorn servers, one shared log.

    .venv/bin/python benchmarks/load.py                 # 60 s per store, as issue 13 describes
    .venv/bin/python benchmarks/load.py --duration 20   # a shorter run; the outage keeps its place
    .venv/bin/python benchmarks/load.py --writer-only   # only the writer's batch throughput

Two gunicorn servers (2 workers each, on two ports) share one log; a bounded
local client (``--clients`` threads, one request at a time each) sends 90 % page
views and 10 % decisions to both. The log is taken away from 1/3 to 7/12 of the
run (second 20 to 35 of 60): PostgreSQL is stopped (``pg_ctl stop -m fast``),
SQLite is locked (``BEGIN EXCLUSIVE`` held). Afterwards the spools are drained
and every answered decision is looked for in the log: lost must be 0.

Then the writer's batch throughput: decisions spooled beforehand, shipped to
the store by ``Shipper`` as the background writer does, best and median of
``--rounds`` rounds (target: 5,000 decisions/s to PostgreSQL).

PostgreSQL is a throwaway cluster (Debian's server binaries, as ``make test``
installs them) in a temporary folder.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, closing, contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from consentkit.log import open_store  # noqa: E402
from consentkit.log.record import ConsentRecord, utc_now  # noqa: E402
from consentkit.log.spool import Spool, record_line  # noqa: E402
from consentkit.log.writer import Shipper, drain  # noqa: E402
from tests.conftest import BASE_TOML  # noqa: E402
from tests.loadclient import Load, Outcome, percentile  # noqa: E402
from tests.pgcluster import Cluster  # noqa: E402
from tests.realserver import gunicorn  # noqa: E402

APP = "tests.apps.logsite:app"


def _config(folder: Path, log_url: str) -> Path:
    config = folder / "consentkit.toml"
    config.write_text(BASE_TOML + f'\n[log]\nurl = "{log_url}"\nspool = "spool"\n', encoding="utf-8")
    return config


@contextmanager
def _sqlite_lock(path: Path) -> Iterator[None]:
    with closing(sqlite3.connect(path, isolation_level=None)) as holder:
        holder.execute("BEGIN EXCLUSIVE")
        yield
        holder.execute("ROLLBACK")


def _ms(values: list[float], share: float) -> str:
    return f"{1000 * percentile(values, share):7.1f}"


def _latencies(outcomes: list[Outcome], decision: bool, start: float, end: float) -> list[float]:
    return [o.seconds for o in outcomes if o.decision == decision and start <= o.started < end and not o.error]


def run_load(
    name: str, log_url: str, outage: Callable[[], None], mend: Callable[[], None], args: argparse.Namespace
) -> bool:
    """One run; prints its figures and returns whether nothing was lost and nothing failed."""
    folder = Path(tempfile.mkdtemp(prefix="consentkit-load-"))
    try:
        config = _config(folder, log_url)
        env = {"CONSENTKIT_TEST_CONFIG": str(config)}
        with ExitStack() as servers:
            ports = [servers.enter_context(gunicorn(APP, workers=2, env=env)).port for _ in range(2)]
            load = Load(ports, decision_share=0.1, clients=args.clients).start()
            began = time.monotonic()
            down_at, up_at = began + args.duration / 3, began + args.duration * 7 / 12
            time.sleep(down_at - time.monotonic())
            outage()
            time.sleep(max(0.0, up_at - time.monotonic()))
            mend()
            time.sleep(max(0.0, began + args.duration - time.monotonic()))
            outcomes = load.stop()
            ended = time.monotonic()
        # The servers are stopped: what they had not shipped waits in their spools.
        store = open_store(log_url)
        drained_at = time.monotonic()
        drain(store, Spool(folder / "spool"), wait=30)
        drain_seconds = time.monotonic() - drained_at
        stored = [record.consent_id for record in store.records()]
        store.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    answered = load.answered()
    lost = len(answered - set(stored))
    duplicates = len(stored) - len(set(stored))
    errors = len(load.errors())
    views = _latencies(outcomes, False, began, ended)
    before = _latencies(outcomes, True, began, down_at)
    during = _latencies(outcomes, True, down_at, up_at)
    after = _latencies(outcomes, True, up_at, ended)
    ratio = percentile(during, 0.99) / percentile(before, 0.99)
    print(
        f"\n{name}: {len(outcomes) / (ended - began):.0f} requests/s over {ended - began:.0f} s, "
        f"log down from second {down_at - began:.0f} to {up_at - began:.0f} (load average {os.getloadavg()[0]:.1f})"
    )
    print("                        p50 ms   p99 ms   requests")
    print(f"  page views           {_ms(views, 0.5)}  {_ms(views, 0.99)}   {len(views):8}")
    print(f"  decisions, before    {_ms(before, 0.5)}  {_ms(before, 0.99)}   {len(before):8}")
    print(f"  decisions, outage    {_ms(during, 0.5)}  {_ms(during, 0.99)}   {len(during):8}")
    print(f"  decisions, after     {_ms(after, 0.5)}  {_ms(after, 0.99)}   {len(after):8}")
    print(f"  decision p99 during the outage / before it: {ratio:.2f}x (target at most 2x)")
    print(
        f"  errors {errors}, decisions answered {len(answered)}, records stored after drain {len(stored)} "
        f"(drain {drain_seconds:.1f} s), lost {lost}, stored twice {duplicates}"
    )
    return lost == 0 and duplicates == 0 and errors == 0


def writer_throughput(name: str, log_url: Callable[[int], str], args: argparse.Namespace) -> float:
    """Decisions/s the writer ships from a spool to the store, best and median of ``args.rounds``."""
    rates, cpu_rates = [], []
    line = ConsentRecord(
        "x" * 22,
        utc_now(),
        "2026-11-01",
        "sha256:" + "0" * 64,
        ("analytics",),
        ("functional", "marketing"),
        "custom",
        "nb",
    )
    for number in range(args.rounds):
        folder = Path(tempfile.mkdtemp(prefix="consentkit-writer-"))
        try:
            spool = Spool(folder / "spool", fsync=False)
            spool.append(
                b"".join(
                    record_line(ConsentRecord(**{**line.__dict__, "record_id": f"{number}-{i}"}))
                    for i in range(args.records)
                )
            )
            store = open_store(log_url(number))
            store.migrate()
            shipper = Shipper(store, spool)
            started, cpu_started = time.perf_counter(), time.process_time()
            shipped = shipper.ship_file(spool.own(), final=False)
            rates.append(shipped / (time.perf_counter() - started))
            cpu_rates.append(shipped / (time.process_time() - cpu_started))
            store.close()
            spool.close()
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    best, median = max(rates), statistics.median(rates)
    # Per CPU second of the writer too: on a shared machine the wall clock also counts other people's work
    # (for PostgreSQL this leaves out the server's own CPU time).
    print(
        f"  {name}: best {best:,.0f} / median {median:,.0f} decisions/s; per CPU second of the writer: "
        f"best {max(cpu_rates):,.0f} / median {statistics.median(cpu_rates):,.0f} "
        f"({args.rounds} rounds of {args.records:,} decisions, batches of 1,000)"
    )
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=60, help="seconds of traffic per store (default 60)")
    parser.add_argument("--clients", type=int, default=8, help="client threads, each one request at a time")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of the writer throughput measurement")
    parser.add_argument("--records", type=int, default=20_000, help="decisions per throughput round")
    parser.add_argument("--only", choices=("postgresql", "sqlite"), help="measure one store only")
    parser.add_argument("--writer-only", action="store_true", help="only the writer's batch throughput")
    args = parser.parse_args()
    ok = True
    cluster = Cluster.create() if args.only != "sqlite" else None
    folder = Path(tempfile.mkdtemp(prefix="consentkit-sqlite-"))
    try:
        if cluster is not None and not args.writer_only:
            url = cluster.new_database("load")
            ok &= run_load("PostgreSQL", url, cluster.stop, cluster.start, args)
        if args.only != "postgresql" and not args.writer_only:
            path = folder / "log.sqlite3"
            open_store(f"sqlite:///{path}").migrate()
            with ExitStack() as held:
                ok &= run_load(
                    "SQLite", f"sqlite:///{path}", lambda: held.enter_context(_sqlite_lock(path)), held.close, args
                )
        print("\nwriter batch throughput (spool to store)")
        if cluster is not None:
            writer_throughput("PostgreSQL", lambda number: cluster.new_database(f"writer_{number}"), args)
        if args.only != "postgresql":
            writer_throughput("SQLite", lambda number: f"sqlite:///{folder / f'writer-{number}.sqlite3'}", args)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        if cluster is not None:
            cluster.destroy()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
