"""The spool: decisions survive a store that is down and a process that is killed, and are stored once."""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from consentkit.cli.log import main as log_main
from consentkit.log import LogStoreError
from consentkit.log.record import ConsentRecord
from consentkit.log.spool import Batch, Spool, SpoolFile, adopt, file_status
from consentkit.log.sqlite import SQLiteStore
from consentkit.log.store import KeptText
from consentkit.log.writer import SpoolWriter, drain

from .conftest import BASE_TOML
from .test_log import record

TEXT = ("sha256:" + "0" * 64, '{"texts": ["Vi bruker informasjonskapsler"]}')


def wait_for(condition: Callable[[], bool], timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def records_in(path: Path) -> list[ConsentRecord]:
    store = SQLiteStore(str(path))
    try:
        return list(store.records())
    finally:
        store.close()


def test_spooled_decisions_reach_the_store_in_order_once(tmp_path: Path) -> None:
    store = SQLiteStore(str(tmp_path / "log.sqlite3"))
    writer = SpoolWriter(store, Spool(tmp_path / "spool"))
    sent = [record(consent_id=f"visitor-{index:04d}") for index in range(300)]
    for index, item in enumerate(sent):
        writer.append(item, TEXT if index == 0 else None)
    assert writer.flush()
    assert records_in(tmp_path / "log.sqlite3") == sent
    assert store.text(TEXT[0]) == TEXT[1]
    writer.close()
    assert list((tmp_path / "spool").iterdir()) == []  # shipped, and the file of a closed writer removed


def test_an_outage_is_reported_once_and_the_backlog_drains_by_itself(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "logs"
    blocker.write_text("a file where the log's folder should be")  # the store cannot open
    writer = SpoolWriter(SQLiteStore(str(blocker / "log.sqlite3")), Spool(tmp_path / "spool"))
    sent = [record(consent_id=f"visitor-{index:04d}") for index in range(50)]
    with caplog.at_level(logging.WARNING, logger="consentkit"):
        for item in sent:
            writer.append(item, None)  # taken, though the store cannot be opened
        assert wait_for(lambda: any("cannot write the consent log" in r.getMessage() for r in caplog.records))
        time.sleep(0.5)  # more failed attempts, no more error lines
        errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
        assert len(errors) == 1, errors
        assert "decision(s) wait in the spool" in errors[0]
        blocker.unlink()  # mended
        assert writer.flush()
        assert wait_for(lambda: any("writable again" in r.getMessage() for r in caplog.records))
    assert records_in(blocker / "log.sqlite3") == sent
    writer.close()


def spool_and_die(spool: Path, count: int, impressions: Sequence[int] = ()) -> None:
    """A process that spools ``count`` decisions for a store that is down, then is killed with SIGKILL.

    Each of ``impressions`` is a number of banner impressions counted, then handed to the writer.
    """
    script = f"""
import os, signal
from datetime import datetime, UTC
from tests.test_log import record
from consentkit.log.impressions import ImpressionCounter
from consentkit.log.spool import Spool
from consentkit.log.sqlite import SQLiteStore
from consentkit.log.writer import SpoolWriter
blocker = {str(spool.parent / "blocker")!r}
open(blocker, "w").close()
writer = SpoolWriter(SQLiteStore(blocker + "/log.sqlite3"), Spool({str(spool)!r}))
for index in range({count}):
    writer.append(record(consent_id=f"dead-{{index:04d}}"), None)
counter = ImpressionCounter(writer, every=3600)
for views in {list(impressions)!r}:
    for _ in range(views):
        counter.count("nb", "v1", datetime(2026, 11, 2, 9, tzinfo=UTC))
    assert counter.flush()
os.kill(os.getpid(), signal.SIGKILL)
"""
    result = subprocess.run([sys.executable, "-c", script], cwd=Path(__file__).parent.parent, check=False)
    assert result.returncode == -signal.SIGKILL


def test_a_killed_process_loses_nothing_it_spooled(tmp_path: Path) -> None:
    spool = tmp_path / "spool"
    spool_and_die(spool, 120)
    (left,) = Spool(spool).files()
    status = file_status(left)
    assert status is not None
    assert not status.running
    assert status.pending == 120
    # Whoever runs next ships it: here a live writer's scan for the spools of dead processes.
    store = SQLiteStore(str(tmp_path / "log.sqlite3"))
    writer = SpoolWriter(store, Spool(spool))
    writer.start()
    assert wait_for(lambda: not Spool(spool).files())
    stored = records_in(tmp_path / "log.sqlite3")
    assert [item.consent_id for item in stored] == [f"dead-{index:04d}" for index in range(120)]
    writer.close()


def test_a_spool_file_is_shipped_by_one_process_only(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool")
    spool.append(b"")
    own = spool.own()
    assert adopt(own.path) is None  # locked by its living writer (this process, through another descriptor)
    spool.close()
    first = adopt(own.path)
    assert first is not None
    assert adopt(own.path) is None  # the first adopter holds it until it has shipped it
    first.remove()


def left_by_a_killed_process(
    tmp_path: Path, count: int, impressions: Sequence[int] = ()
) -> tuple[SQLiteStore, Spool, SpoolFile, Batch]:
    """``spool_and_die``, then a store, the spool, the killed process's file adopted and its first batch read."""
    spool_and_die(tmp_path / "spool", count, impressions)
    spool = Spool(tmp_path / "spool")
    (left,) = spool.files()
    orphan = adopt(left)
    assert orphan is not None
    return SQLiteStore(str(tmp_path / "log.sqlite3")), spool, orphan, orphan.read(0, 1000)


def test_a_replay_after_a_lost_state_stores_nothing_twice(tmp_path: Path) -> None:
    store, spool, orphan, batch = left_by_a_killed_process(tmp_path, 40)
    # Shipped, but the process dies before the state is written: the next one ships it all again.
    store.append_batch(batch.records, batch.texts)
    orphan.close()
    assert drain(store, spool, wait=0) == (40, 0)
    assert len(records_in(tmp_path / "log.sqlite3")) == 40


def test_banner_impressions_survive_an_outage_and_a_killed_process_and_a_replay_adds_nothing(tmp_path: Path) -> None:
    """Issue 15: impressions are flushed with the log, so they are shipped as decisions are: exactly once."""
    # Two hand-overs while the store was down.
    store, spool, orphan, batch = left_by_a_killed_process(tmp_path, 3, impressions=[5, 2])
    assert [len(spooled.counts) for spooled in batch.impressions] == [1, 1]
    # Shipped, but the process dies before the state is written; then the next one ships it all again.
    store.append_batch(batch.records, batch.texts)
    store.add_spooled_impressions(batch.impressions[:1])
    orphan.close()
    assert drain(store, spool, wait=0) == (3, 0)
    assert [count.views for count in store.impressions(None, None)] == [7]
    assert len(records_in(tmp_path / "log.sqlite3")) == 3


def test_log_status_and_drain(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "consentkit.toml"
    config.write_text(BASE_TOML + '\n[log]\nurl = "sqlite:///blocker/log.sqlite3"\nspool = "spool"\n')
    spool_and_die(tmp_path / "spool", 25)  # its store is down: the blocker file stands where the folder should
    argv = ["--config", str(config)]
    assert log_main(["status", *argv]) == 1
    out = capsys.readouterr().out
    assert "NOT reachable" in out
    assert "25 records not yet shipped" in out
    assert "ended; shipped by the next writer" in out
    assert "oldest unshipped: " in out
    assert log_main(["drain", *argv]) == 1
    assert "error: the spool was not drained, 25 records wait in" in capsys.readouterr().err
    os.unlink(tmp_path / "blocker")
    assert log_main(["drain", *argv]) == 0
    assert "shipped 25 records" in capsys.readouterr().out
    assert len(records_in(tmp_path / "blocker" / "log.sqlite3")) == 25
    assert log_main(["status", *argv]) == 0
    assert "0 records not yet shipped" in capsys.readouterr().out
    assert log_main(["migrate", *argv]) == 0
    assert "already at schema version" in capsys.readouterr().out


def test_a_failing_store_is_retried_at_its_own_pace(tmp_path: Path) -> None:
    """During an outage, decisions spooled meanwhile must not make the writer hammer the store."""
    attempts = []

    class Down(SQLiteStore):
        def append_batch(self, records: Sequence[ConsentRecord], texts: Sequence[KeptText] = ()) -> None:
            attempts.append(time.monotonic())
            raise LogStoreError("down")

    writer = SpoolWriter(Down(str(tmp_path / "log.sqlite3")), Spool(tmp_path / "spool"))
    started = time.monotonic()
    while time.monotonic() - started < 1.5:
        writer.append(record(), None)
        time.sleep(0.005)
    writer.close()
    # Backing off from 0.2 s to 2 s: a handful of attempts, not one per decision (about 200 were spooled).
    assert len(attempts) <= 8, len(attempts)


def test_a_deleted_spool_folder_loses_nothing_and_is_recreated(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "logs"
    blocker.write_text("a file where the log's folder should be")  # the store is down, so the spool holds all
    writer = SpoolWriter(SQLiteStore(str(blocker / "log.sqlite3")), Spool(tmp_path / "spool"))
    before = [record(consent_id=f"before-{index}") for index in range(30)]
    for item in before:
        writer.append(item, None)
    shutil.rmtree(tmp_path / "spool")
    time.sleep(0.5)
    after = [record(consent_id=f"after-{index}") for index in range(30)]
    for item in after:
        writer.append(item, None)
    assert Spool(tmp_path / "spool").files()  # a new file for the new decisions
    blocker.unlink()
    assert wait_for(lambda: len(records_in(blocker / "log.sqlite3")) == 60)
    assert sorted(records_in(blocker / "log.sqlite3"), key=lambda item: item.consent_id) == sorted(
        before + after, key=lambda item: item.consent_id
    )
    assert "was deleted while in use" in caplog.text
    writer.close()
