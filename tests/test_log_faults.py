"""The consent log under faults, with real parts: gunicorn workers, a real SQLite file, real signals.

Each test sends decisions while something breaks, mends it, and then counts:
every answered decision is stored exactly once. A record may also exist for a
request whose answer the client never got (a worker killed between spooling
and answering); it is counted among the errors then, never invented.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from consentkit.cli.log import main as log_main
from consentkit.log import LogStoreError
from consentkit.log.sqlite import SQLiteStore
from tests.loadclient import Load, Outcome, percentile
from tests.realserver import Server, gunicorn

from .conftest import BASE_TOML
from .pgcluster import Cluster

APP = "tests.apps.logsite:app"


@dataclass
class Site:
    folder: Path
    config: Path
    log_url: str

    def drain(self) -> None:
        assert log_main(["drain", "--config", str(self.config), "--wait", "20"]) == 0


@contextmanager
def site_folder(log_url: str = "sqlite:///logs/log.sqlite3") -> Iterator[Site]:
    """A folder that an unprivileged user may enter too (pytest's own tmp folders are root's only)."""
    folder = Path(tempfile.mkdtemp(prefix="consentkit-faults-"))
    folder.chmod(0o755)
    config = folder / "consentkit.toml"
    config.write_text(BASE_TOML + f'\n[log]\nurl = "{log_url}"\nspool = "spool"\n', encoding="utf-8")
    try:
        yield Site(folder, config, log_url)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def serve(site: Site) -> contextlib.AbstractContextManager[Server]:
    """The site under gunicorn with two workers."""
    return gunicorn(APP, workers=2, env={"CONSENTKIT_TEST_CONFIG": str(site.config)})


def stored_ids(log_url: str) -> list[str]:
    from consentkit.log import open_store

    store = open_store(log_url)
    try:
        records = list(store.records())
    finally:
        store.close()
    assert len({record.record_id for record in records}) == len(records), "a record was stored twice"
    return [record.consent_id for record in records]


def assert_nothing_lost(load: Load, stored: list[str]) -> None:
    answered = load.answered()
    assert len(set(stored)) == len(stored), "a decision was stored twice"
    assert answered <= set(stored), f"{len(answered - set(stored))} answered decisions are not in the log"
    unanswered = set(stored) - answered
    assert len(unanswered) <= len([o for o in load.errors() if o.decision]), "the log holds decisions never sent"


def run_load(server: Server, seconds: float, clients: int = 4) -> Load:
    load = Load([server.port], clients=clients).start()
    time.sleep(seconds)
    load.stop()
    return load


def sqlite_url(site: Site) -> str:
    return f"sqlite:///{site.folder / 'logs' / 'log.sqlite3'}"


def test_deleting_the_log_folder_mid_run(caplog: pytest.LogCaptureFixture) -> None:
    """Issue 8 item 7: decisions after the deletion go to a recreated file, not into the unlinked one."""
    with site_folder() as site, serve(site) as server:
        load = Load([server.port]).start()
        assert wait_for_count(sqlite_url(site), 20)
        shutil.rmtree(site.folder / "logs")
        deleted_at = time.monotonic()
        time.sleep(1.5)
        load.stop()
        site.drain()
        stored = stored_ids(sqlite_url(site))
    after = {o.consent_id for o in load.outcomes if o.consent_id and o.started > deleted_at}
    assert after, "no decisions were sent after the deletion"
    assert after <= set(stored), f"{len(after - set(stored))} decisions after the deletion were lost"
    assert len(set(stored)) == len(stored)
    assert set(stored) <= load.answered() | {None}


#: Runs a command as root without the power to override file permissions, so that a read-only file is one.
WITHOUT_OVERRIDE = ("setpriv", "--bounding-set=-dac_override", "--inh-caps=-dac_override")


def test_a_log_read_only_from_start_up_is_written_once_mended() -> None:
    """Issue 8 item 7: a connection opened while the log was read-only must not stay broken once it is mended."""
    with site_folder() as site:
        logs = site.folder / "logs"
        SQLiteStore(str(logs / "log.sqlite3")).migrate()
        (logs / "log.sqlite3").chmod(0o444)
        logs.chmod(0o555)
        env = {"CONSENTKIT_TEST_CONFIG": str(site.config)}
        with gunicorn(APP, workers=2, env=env, prefix=WITHOUT_OVERRIDE if os.geteuid() == 0 else ()) as server:
            load = run_load(server, 1.5)
            assert load.answered(), load.errors()[:3]
            assert stored_ids(sqlite_url(site)) == []  # nothing could be written yet
            logs.chmod(0o755)
            (logs / "log.sqlite3").chmod(0o644)
            assert wait_for_count(sqlite_url(site), len(load.answered()))
            assert server.log.count("cannot write the consent log") <= 2  # once per outage and worker
        site.drain()
        assert_nothing_lost(load, stored_ids(sqlite_url(site)))


def wait_for_count(log_url: str, count: int, timeout: float = 20) -> bool:
    """Whether the log holds ``count`` records within ``timeout`` seconds (it may not exist, or be down, yet)."""
    deadline = time.monotonic() + timeout
    while True:
        missing = log_url.startswith("sqlite:///") and not Path(log_url.removeprefix("sqlite:///")).exists()
        try:
            if not missing and len(stored_ids(log_url)) >= count:
                return True
        except LogStoreError:
            pass
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)


def assert_no_wait_for_the_log(outcomes: list[Outcome], start: float, end: float) -> None:
    """Decisions during the fault were answered, about as fast as the others (issue 13's target: p99 at most
    twice as slow; a quarter second more is allowed for a machine the tests share)."""
    during = [o.seconds for o in outcomes if o.decision and o.consent_id and start <= o.started < end]
    others = [o.seconds for o in outcomes if o.decision and o.consent_id and not start <= o.started < end]
    assert during, "no decision was answered during the fault"
    assert percentile(during, 0.99) <= 2 * percentile(others, 0.99) + 0.25


def test_a_held_exclusive_lock_keeps_no_visitor_waiting() -> None:
    """Issue 8 item 7: today each decision waits 5 s for a held lock, then the record is lost."""
    with site_folder() as site, serve(site) as server:
        load = Load([server.port]).start()
        assert wait_for_count(sqlite_url(site), 20)
        with closing(sqlite3.connect(site.folder / "logs" / "log.sqlite3", isolation_level=None)) as holder:
            holder.execute("BEGIN EXCLUSIVE")
            held_from = time.monotonic()
            time.sleep(2.0)
            held_until = time.monotonic()
            holder.execute("ROLLBACK")
        time.sleep(0.5)
        load.stop()
        site.drain()
        stored = stored_ids(sqlite_url(site))
    assert_nothing_lost(load, stored)
    assert not load.errors()
    assert_no_wait_for_the_log(load.outcomes, held_from, held_until)


def test_a_worker_killed_mid_load_loses_nothing_it_answered() -> None:
    with site_folder() as site, serve(site) as server:
        load = Load([server.port]).start()
        time.sleep(1.0)
        os.kill(server.worker_pids[0], signal.SIGKILL)
        time.sleep(1.5)
        load.stop()
        site.drain()
        stored = stored_ids(sqlite_url(site))
    assert_nothing_lost(load, stored)


def test_postgresql_stopped_mid_stream(postgres: Cluster, pg_url: str) -> None:
    """Issue 13: the database stopped for a few seconds (3 s here, to keep make test short; the benchmark
    stops it for 15 s) while two workers take decisions; nobody waits, nothing is lost."""
    assert_survives_an_outage(pg_url, postgres.stop, postgres.start, outage_seconds=3.0)


def test_postgresql_killed_with_sigkill(postgres: Cluster, pg_url: str) -> None:
    assert_survives_an_outage(pg_url, postgres.kill, postgres.start, outage_seconds=1.0)


def test_a_worker_killed_mid_load_loses_nothing_on_postgresql(pg_url: str) -> None:
    with (
        site_folder(pg_url) as site,
        serve(site) as server,
    ):
        load = Load([server.port]).start()
        assert wait_for_count(pg_url, 20)
        os.kill(server.worker_pids[0], signal.SIGKILL)
        time.sleep(1.5)
        load.stop()
        site.drain()
    assert_nothing_lost(load, stored_ids(pg_url))


def assert_survives_an_outage(
    log_url: str, break_it: Callable[[], None], mend: Callable[[], None], outage_seconds: float
) -> None:
    with (
        site_folder(log_url) as site,
        serve(site) as server,
    ):
        load = Load([server.port]).start()
        assert wait_for_count(log_url, 20)
        break_it()
        broken_at = time.monotonic()
        try:
            time.sleep(outage_seconds)
        finally:
            mend()
        mended_at = time.monotonic()
        time.sleep(1.0)
        load.stop()
        assert wait_for_count(log_url, len(load.answered()))
        assert server.log.count("cannot write the consent log") <= 2, server.log  # once per outage and worker
        site.drain()
    assert_nothing_lost(load, stored_ids(log_url))
    assert not load.errors()
    assert_no_wait_for_the_log(load.outcomes, broken_at, mended_at)
