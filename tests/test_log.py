"""The embedded SQLite consent log."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from consentkit.log import ConsentRecord, LogStoreError, open_store
from consentkit.log.sqlite import SQLiteStore


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
    with pytest.raises(LogStoreError, match="no consent log store for 'postgres' URLs; available: sqlite"):
        open_store("postgres://db/log")
