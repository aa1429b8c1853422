"""The PostgreSQL log store against a real server (a throwaway cluster, see tests/pgcluster.py)."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest

from consentkit.cli.log import main as log_main
from consentkit.log import LogStoreError, open_store
from consentkit.log.postgres import _GROUPED, _REPORT_SETTINGS, SCHEMA_VERSION, PostgresStore

from .conftest import BASE_TOML
from .pgcluster import Cluster
from .test_log import record


def test_records_and_texts_round_trip(pg_url: str) -> None:
    store = open_store(pg_url)
    assert isinstance(store, PostgresStore)
    first = replace(record(consent_id="a" * 22), withdrawn=("marketing",), services_granted=("youtube",))
    second = replace(record(consent_id="b" * 22, method="reject_all"), granted=(), services_denied=("hotjar", "vimeo"))
    store.append_batch([first, second], [("sha256:abc", '{"texts": ["første"]}')])
    assert store.by_consent_id("a" * 22) == [first]
    assert list(store.records()) == [first, second]
    assert store.text("sha256:abc") == '{"texts": ["første"]}'
    assert store.text("sha256:missing") is None
    store.close()


def test_text_that_copy_escapes_round_trips_and_batches_keep_their_order(pg_url: str) -> None:
    """Batches go in with COPY: tabs, line breaks, backslashes and \\N are data, and a batch keeps its order."""
    store = open_store(pg_url)
    awkward = replace(record(consent_id="tab\there\nnew\\line \\N"), locale="nb\r", policy_version="\\.")
    batch = [record(consent_id=f"visitor-{index:04d}") for index in range(1500)]
    store.append_batch([awkward, *batch])
    store.append_batch([*batch[700:], record(consent_id="last")])  # a second batch on the same connection
    stored = list(store.records())
    assert stored[0] == awkward
    assert [item.consent_id for item in stored[1:]] == [item.consent_id for item in batch] + ["last"]
    store.close()


def test_a_replayed_batch_is_stored_once(pg_url: str) -> None:
    store = open_store(pg_url)
    batch = [record(consent_id=f"visitor-{index}") for index in range(50)]
    store.append_batch(batch[:30])
    store.append_batch(batch)  # the first 30 again, as after a crash before the spool noted them
    assert [item.consent_id for item in store.records()] == [item.consent_id for item in batch]
    store.close()


def test_since_and_purge(pg_url: str) -> None:
    store = open_store(pg_url)
    for days in (400, 10, 1):
        store.append(record(days_ago=days))
    since = datetime.now(UTC) - timedelta(days=30)
    assert len(list(store.records(since))) == 2
    assert store.purge(since) == 1
    assert len(list(store.records())) == 2
    store.close()


def test_the_tables_are_versioned_and_migrated_once(pg_url: str) -> None:
    store = open_store(pg_url)
    assert store.schema_version() == 0
    assert store.migrate() == (0, SCHEMA_VERSION)
    assert store.migrate() == (SCHEMA_VERSION, SCHEMA_VERSION)
    assert store.schema_version() == SCHEMA_VERSION
    store.close()


# 18,000 decisions, each at its own moment, over 30 days, 3 buttons and 3 locales: 270 groups.
_GENERATED_DECISIONS = """INSERT INTO consent_log
    (record_id, consent_id, recorded_at, policy_version, text_hash, granted, denied, method, locale)
    SELECT 'r' || n, 'c' || n, timestamptz '2026-11-01 00:00Z' + (n % 30) * interval '1 day' + n * interval '1 ms',
        '2026-11', 'h',
        '{functional}', '{marketing}', (ARRAY['accept_all', 'reject_all', 'custom'])[n / 30 % 3 + 1],
        (ARRAY['nb', 'sv', 'en'])[n / 90 % 3 + 1]
    FROM generate_series(0, 17999) AS n"""


def test_the_report_hashes_a_few_groups_that_the_planner_expects(pg_url: str) -> None:
    """What keeps a million records under 5 s (issue 15): the planner, told by migration 4 how many days,
    buttons, locales and versions occur together, expects a few groups rather than one per record, so it
    hashes them instead of sorting every record. An older log gets the counts when it migrates."""
    PostgresStore(pg_url).migrate()
    with psycopg.connect(pg_url) as connection:
        connection.execute("DROP STATISTICS consent_log_report")
        connection.execute("UPDATE consentkit_schema SET version = 3")
        connection.execute(_GENERATED_DECISIONS)
    store = PostgresStore(pg_url)
    assert store.migrate() == (3, SCHEMA_VERSION)
    bounds = (datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))
    with psycopg.connect(pg_url) as connection:
        for setting in _REPORT_SETTINGS:
            connection.execute(setting)
        ((plan,),) = connection.execute(f"EXPLAIN (FORMAT JSON) {_GROUPED}", bounds).fetchall()
        assert len(connection.execute(_GROUPED, bounds).fetchall()) == 270
    top = plan[0]["Plan"]
    assert 270 <= top["Plan Rows"] < 3 * 270
    assert top["Node Type"] == "Aggregate"
    assert top["Strategy"] == "Hashed"
    assert "Sort" not in _node_types(top)
    assert sum(group.decisions for group in store.grouped_decisions(*bounds)) == 18_000
    store.close()


def _node_types(node: dict[str, Any]) -> set[str]:
    return {node["Node Type"]}.union(*(_node_types(child) for child in node.get("Plans", ())))


def test_a_stopped_server_fails_quickly_and_is_found_again(pg_url: str, postgres: Cluster) -> None:
    store = open_store(pg_url)
    store.append(record(consent_id="before"))
    postgres.stop()
    try:
        started = time.monotonic()
        with pytest.raises(LogStoreError, match="cannot write to the consent log"):
            store.append(record(consent_id="during"))
        assert time.monotonic() - started < 5
    finally:
        postgres.start()
    store.append(record(consent_id="after"))
    assert [item.consent_id for item in store.records()] == ["before", "after"]
    store.close()


def test_the_password_comes_from_libpq(postgres: Cluster, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A role that needs a password (scram over TCP): PGPASSWORD and ~/.pgpass work because libpq reads them."""
    with psycopg.connect(postgres.url(), autocommit=True) as connection:
        connection.execute("DROP ROLE IF EXISTS consentkit_pw")
        connection.execute("CREATE ROLE consentkit_pw LOGIN PASSWORD 'hemmelig-passord'")
    url = f"postgresql://consentkit_pw@127.0.0.1:{postgres.port}/postgres"
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "missing"))
    with pytest.raises(LogStoreError, match="password"):
        open_store(url).schema_version()
    monkeypatch.setenv("PGPASSWORD", "hemmelig-passord")
    assert open_store(url).schema_version() >= 0
    monkeypatch.delenv("PGPASSWORD")
    pgpass = tmp_path / "pgpass"
    pgpass.write_text(f"127.0.0.1:{postgres.port}:postgres:consentkit_pw:hemmelig-passord\n")
    pgpass.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(pgpass))
    assert open_store(url).schema_version() >= 0
    url_with_password = f"postgresql://consentkit_pw:hemmelig-passord@127.0.0.1:{postgres.port}/postgres"
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "missing"))
    store = open_store(url_with_password)
    assert "hemmelig" not in store.describe()
    assert store.schema_version() >= 0


def test_the_log_commands_work_on_postgresql(pg_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "consentkit.toml"
    config.write_text(BASE_TOML + f'\n[log]\nurl = "{pg_url}"\n', encoding="utf-8")
    argv = ["--config", str(config)]
    assert log_main(["migrate", *argv]) == 0
    assert f"migrated from schema version 0 to {SCHEMA_VERSION}" in capsys.readouterr().out
    store = open_store(pg_url)
    store.append(replace(record(consent_id="visitor"), services_granted=("youtube",)))
    store.close()
    assert log_main(["show", "visitor", *argv]) == 0
    out = capsys.readouterr().out
    assert "services granted: youtube" in out
    assert log_main(["export", "--format", "csv", *argv]) == 0
    assert "visitor" in capsys.readouterr().out
    assert log_main(["stats", *argv]) == 0
    assert "accept_all" in capsys.readouterr().out
    assert log_main(["status", *argv]) == 0
    assert "reachable, schema version" in capsys.readouterr().out
