"""The embedded SQLite consent log."""

from __future__ import annotations

import shutil
import sqlite3
import threading
import time
from contextlib import closing
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from consentkit.log import ConsentRecord, LogStoreError, open_store
from consentkit.log.sqlite import SCHEMA_VERSION, SQLiteStore


def record(consent_id: str = "a" * 22, days_ago: float = 0, method: str = "accept_all") -> ConsentRecord:
    return ConsentRecord(
        consent_id=consent_id,
        recorded_at=datetime.now(UTC) - timedelta(days=days_ago),
        policy_version="2026-11-01",
        text_hash="sha256:" + "0" * 64,
        granted=("functional", "analytics"),
        denied=("marketing",),
        method=method,
        locale="nb",
    )


def test_records_round_trip(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'log.sqlite3'}")
    original = record()
    store.append(original)
    store.append(record(consent_id="b" * 22, method="reject_all"))
    assert store.by_consent_id("a" * 22) == [original]
    assert [item.method for item in store.records()] == ["accept_all", "reject_all"]


def test_an_empty_category_list_round_trips(tmp_path: Path) -> None:
    store = SQLiteStore(str(tmp_path / "log.sqlite3"))
    rejected = ConsentRecord("c" * 22, datetime.now(UTC), "1", "h", (), ("analytics",), "reject_all", "sv")
    store.append(rejected)
    assert store.by_consent_id("c" * 22) == [rejected]


def test_since_and_purge(tmp_path: Path) -> None:
    store = SQLiteStore(str(tmp_path / "log.sqlite3"))
    for days in (400, 10, 1):
        store.append(record(days_ago=days))
    since = datetime.now(UTC) - timedelta(days=30)
    assert len(list(store.records(since))) == 2
    assert store.purge(since) == 1
    assert len(list(store.records())) == 2


def test_the_log_survives_reopening(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "log.sqlite3"
    SQLiteStore(str(path)).append(record())
    assert len(SQLiteStore(str(path)).by_consent_id("a" * 22)) == 1


def test_writes_from_many_threads_are_all_kept(tmp_path: Path) -> None:
    store = SQLiteStore(str(tmp_path / "log.sqlite3"))

    def write(worker: int) -> None:
        for index in range(25):
            store.append(record(consent_id=f"{worker:02d}{index:020d}"))

    threads = [threading.Thread(target=write, args=(worker,)) for worker in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(list(store.records())) == 200


def test_an_unwritable_location_raises_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    store = SQLiteStore(str(blocker / "log.sqlite3"))
    with pytest.raises(LogStoreError, match="cannot open the consent log"):
        store.append(record())


def test_texts_are_kept_once_per_hash(tmp_path: Path) -> None:
    store = SQLiteStore(str(tmp_path / "log.sqlite3"))
    store.keep_text("sha256:abc", '{"texts": ["first"]}')
    store.keep_text("sha256:abc", '{"texts": ["second"]}')
    assert store.text("sha256:abc") == '{"texts": ["first"]}'
    assert store.text("sha256:missing") is None


def test_an_unknown_scheme_is_refused() -> None:
    available = "available: postgres, postgresql, sqlite"
    with pytest.raises(LogStoreError, match=f"no consent log store for 'mysql' URLs; {available}"):
        open_store("mysql://db/log")


def test_a_record_shipped_twice_is_stored_once(tmp_path: Path) -> None:
    store = SQLiteStore(str(tmp_path / "log.sqlite3"))
    batch = [record(consent_id="a" * 22), record(consent_id="b" * 22)]
    store.append_batch(batch, [("sha256:abc", "texts")])
    store.append_batch(batch, [("sha256:abc", "texts")])  # a replay after a crash before the spool noted it
    assert list(store.records()) == batch


def test_the_new_fields_round_trip(tmp_path: Path) -> None:
    store = SQLiteStore(str(tmp_path / "log.sqlite3"))
    original = replace(
        record(method="reject_all"),
        withdrawn=("functional", "analytics"),
        services_granted=("youtube",),
        services_denied=("google-analytics", "meta-pixel"),
    )
    store.append(original)
    assert store.by_consent_id(original.consent_id) == [original]
    assert ConsentRecord.from_json(original.to_json()) == original
    assert original.withdrew


V1_SCHEMA = """
CREATE TABLE consent_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT, consent_id TEXT NOT NULL, recorded_at TEXT NOT NULL,
    policy_version TEXT NOT NULL, text_hash TEXT NOT NULL, granted TEXT NOT NULL, denied TEXT NOT NULL,
    method TEXT NOT NULL, locale TEXT NOT NULL
);
CREATE INDEX consent_log_consent_id ON consent_log (consent_id);
CREATE INDEX consent_log_recorded_at ON consent_log (recorded_at);
CREATE TABLE consent_texts (text_hash TEXT PRIMARY KEY, canonical TEXT NOT NULL);
INSERT INTO consent_log (consent_id, recorded_at, policy_version, text_hash, granted, denied, method, locale)
VALUES
  ('old', '2026-01-02T03:04:05.000006Z', '1', 'sha256:x', 'functional,analytics,marketing', '', 'accept_all', 'nb'),
  ('old', '2026-01-03T03:04:05.000006Z', '1', 'sha256:x', '', 'functional,analytics,marketing', 'withdraw', 'nb');
INSERT INTO consent_texts VALUES ('sha256:x', 'the texts');
"""


def test_a_log_of_the_first_schema_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "log.sqlite3"
    with closing(sqlite3.connect(path)) as connection:
        connection.executescript(V1_SCHEMA)
    store = SQLiteStore(str(path))
    assert store.schema_version() == 0  # consentkit 0.1 did not number its schema
    assert store.migrate() == (0, SCHEMA_VERSION)
    with closing(sqlite3.connect(path)) as connection:
        assert connection.execute("SELECT 1 FROM sqlite_master WHERE name = 'consent_log_report'").fetchone()
    accepted, withdrawn = store.by_consent_id("old")
    assert accepted.method == "accept_all"
    assert not accepted.withdrew
    # Which button an old withdrawal was does not come back; that it withdrew does.
    assert withdrawn.method == "withdraw"
    assert withdrawn.withdrew
    assert withdrawn.withdrawn == ()
    assert {accepted.record_id, withdrawn.record_id} == {"legacy-1", "legacy-2"}
    assert store.text("sha256:x") == "the texts"
    store.append(record(consent_id="old"))
    assert len(store.by_consent_id("old")) == 3
    assert store.migrate() == (SCHEMA_VERSION, SCHEMA_VERSION)


def test_a_deleted_folder_is_recreated_and_never_written_through_the_unlinked_file(tmp_path: Path) -> None:
    folder = tmp_path / "logs"
    store = SQLiteStore(str(folder / "log.sqlite3"))
    store.append(record(consent_id="before"))
    shutil.rmtree(folder)
    after = record(consent_id="after")
    store.append(after)
    assert (folder / "log.sqlite3").is_file()
    assert list(SQLiteStore(str(folder / "log.sqlite3")).records()) == [after]


def test_a_failed_connection_is_not_kept(tmp_path: Path) -> None:
    """Issue 8 item 7: a connection opened while the log was unusable must not stay broken once it is mended."""
    blocker = tmp_path / "logs"
    blocker.write_text("a file where the log's folder should be")
    store = SQLiteStore(str(blocker / "log.sqlite3"))
    with pytest.raises(LogStoreError):
        store.append(record())
    blocker.unlink()
    store.append(record())
    assert len(list(store.records())) == 1


def test_a_held_lock_fails_a_write_quickly_and_the_next_one_succeeds(tmp_path: Path) -> None:
    path = tmp_path / "log.sqlite3"
    store = SQLiteStore(str(path))
    store.append(record(consent_id="first"))
    with closing(sqlite3.connect(path, isolation_level=None)) as holder:
        holder.execute("BEGIN EXCLUSIVE")
        started = time.monotonic()
        with pytest.raises(LogStoreError, match="locked"):
            store.append(record(consent_id="second"))
        assert time.monotonic() - started < 1.0
        holder.execute("ROLLBACK")
    store.append(record(consent_id="second"))
    assert [item.consent_id for item in store.records()] == ["first", "second"]
