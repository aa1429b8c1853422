"""``consentkit log``: the proof of every decision, read back (docs/compliance.md item 12).

Records and stored texts come from the real middleware writing to a SQLite log
beside a config file; records dated in the past are appended to the store directly.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import subprocess
import sys
from contextlib import closing
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from werkzeug.test import Client

from consentkit import ConsentMiddleware, load_config
from consentkit.cli.log import main
from consentkit.cli.main import main as cli_main
from consentkit.log import ConsentRecord, open_store
from consentkit.render.renderer import Renderer

from .conftest import BASE_TOML, SECRET, cookie_app

LOG_TOML = '\n[log]\nurl = "sqlite:///log.sqlite3"\n'
NB_TITLE = "Får vi bruke informasjonskapsler?"
EVERYTHING = ("functional", "analytics", "marketing")


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    path = tmp_path / "consentkit.toml"
    path.write_text(BASE_TOML + LOG_TOML, encoding="utf-8")
    return path


def decide(config_path: Path, *choices: dict[str, Any]) -> str:
    """Post each choice as one visitor through the real middleware; returns the visitor's consent id."""
    middleware = ConsentMiddleware(cookie_app(), load_config(config_path), SECRET)
    client = Client(middleware)
    try:
        for form in choices:
            assert client.post("/consentkit/consent", data=form).status_code == 303
        state = json.loads(client.get("/consentkit/consent").get_data(as_text=True))
        return str(state["consent_id"])
    finally:
        middleware.close()


def past(
    consent_id: str, when: datetime, method: str, granted: tuple[str, ...] = (), denied: tuple[str, ...] = ()
) -> ConsentRecord:
    return ConsentRecord(consent_id, when, "2026-11-01", "sha256:" + "0" * 64, granted, denied, method, "nb")


def append(config_path: Path, *records: ConsentRecord) -> None:
    store = open_store(load_config(config_path).log_url)
    for record in records:
        store.append(record)
    store.close()


def stored_records(config_path: Path) -> list[ConsentRecord]:
    store = open_store(load_config(config_path).log_url)
    try:
        return list(store.records())
    finally:
        store.close()


def alter_log(config_path: Path, sql: str) -> None:
    """Change the SQLite file behind the store's back, as someone with access to it could."""
    with closing(sqlite3.connect(config_path.parent / "log.sqlite3")) as connection, connection:
        assert connection.execute(sql).rowcount == 1


def edit_config(config_path: Path, old: str, new: str) -> None:
    config_path.write_text(config_path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def run(config_path: Path, command: str, *argv: str) -> int:
    return main([command, "--config", str(config_path), *argv])


def test_show_lists_every_decision_of_one_visitor_oldest_first(
    config_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    consent_id = decide(
        config_path,
        {"choice": "accept_all", "locale": "nb"},
        {"choice": "custom", "category": ["analytics"], "locale": "nb"},
    )
    decide(config_path, {"choice": "reject_all", "locale": "sv"})  # another visitor, not shown
    assert run(config_path, "show", "--", consent_id) == 0
    out = capsys.readouterr().out
    assert f"consent id {consent_id}: 2 records" in out
    assert out.index("accept_all") < out.index("custom")
    assert "withdrew:        functional, marketing" in out
    assert "granted:         functional, analytics, marketing\n  denied:          none" in out
    assert "granted:         analytics\n  denied:          functional, marketing" in out
    assert "policy version:  2026-11-01" in out
    assert "locale:          nb" in out
    assert "reject_all" not in out
    assert f"text hash:       {Renderer(load_config(config_path)).text_hash('nb')}" in out


def test_show_as_json_gives_the_records_as_logged(config_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    consent_id = decide(config_path, {"choice": "custom", "category": ["marketing"], "locale": "sv"})
    assert run(config_path, "show", "--format", "json", "--", consent_id) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown == [record.to_json() for record in stored_records(config_path)]
    assert shown[0]["granted"] == ["marketing"]
    assert shown[0]["locale"] == "sv"
    assert shown[0]["recorded_at"].endswith("Z")


def test_show_of_an_unknown_id_fails(config_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    decide(config_path, {"choice": "accept_all"})
    assert run(config_path, "show", "--", "nobody") == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err == "error: the consent log has no record of consent id 'nobody'\n"


def test_a_consent_id_starting_with_a_dash_goes_after_a_double_dash(
    config_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    append(config_path, past("-Xq3", datetime(2025, 1, 1, tzinfo=UTC), "reject_all", denied=EVERYTHING))
    assert run(config_path, "show", "--", "-Xq3") == 0
    assert "consent id -Xq3: 1 record" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        run(config_path, "show", "-Xq3")
    assert 'CONSENT_ID; a consent id that starts with "-" goes after "--"' in capsys.readouterr().err


def as_csv_row(record: ConsentRecord) -> dict[str, str]:
    row = record.to_json()
    return {key: " ".join(value) if isinstance(value, list) else value for key, value in row.items()}


def test_export_csv_has_a_header_and_one_row_per_record(
    config_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    decide(config_path, {"choice": "accept_all", "locale": "nb"})
    decide(config_path, {"choice": "reject_all", "locale": "sv"})
    append(config_path, past("old", datetime(2020, 1, 1, tzinfo=UTC), "custom", ("analytics",), ("functional",)))
    target = tmp_path / "export.csv"
    assert run(config_path, "export", "--format", "csv", "--output", str(target)) == 0
    assert capsys.readouterr().out == f"wrote 3 records to {target}\n"
    with target.open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    assert rows == [as_csv_row(record) for record in stored_records(config_path)]
    assert rows[0]["granted"] == "functional analytics marketing"
    assert rows[1]["granted"] == ""
    assert rows[2]["recorded_at"] == "2020-01-01T00:00:00.000000Z"


def test_export_since_leaves_out_older_records(config_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    decide(config_path, {"choice": "accept_all", "locale": "nb"})
    append(config_path, past("old", datetime(2020, 1, 1, tzinfo=UTC), "reject_all", denied=EVERYTHING))
    assert run(config_path, "export", "--since", "2020-01-02") == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [row["method"] for row in rows] == ["accept_all"]
    # 01:00 in Oslo is 23:00 UTC the day before; a time without an offset is UTC.
    assert run(config_path, "export", "--since", "2020-01-01T01:00:00+02:00") == 0
    assert len(list(csv.DictReader(io.StringIO(capsys.readouterr().out)))) == 2
    assert run(config_path, "export", "--since", "2020-01-01T01:00:00") == 0
    assert len(list(csv.DictReader(io.StringIO(capsys.readouterr().out)))) == 1


def test_export_jsonl_gives_one_record_per_line(config_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    decide(config_path, {"choice": "custom", "category": ["functional"], "locale": "sv"})
    decide(config_path, {"choice": "accept_all", "locale": "nb"})
    assert run(config_path, "export", "--format", "jsonl") == 0
    lines = capsys.readouterr().out.splitlines()
    assert [json.loads(line) for line in lines] == [record.to_json() for record in stored_records(config_path)]


def known_days(config_path: Path) -> None:
    """Two UTC days of decisions, and one the day before that ``--since 2025-03-01`` leaves out."""
    append(
        config_path,
        past("before", datetime(2025, 2, 28, 23, 59, tzinfo=UTC), "accept_all", EVERYTHING),
        past("a", datetime(2025, 3, 1, 9, tzinfo=UTC), "accept_all", EVERYTHING),
        past("b", datetime(2025, 3, 1, 10, tzinfo=UTC), "reject_all", denied=EVERYTHING),
        past("c", datetime(2025, 3, 1, 11, tzinfo=UTC), "custom", ("analytics",), ("functional", "marketing")),
        past("d", datetime(2025, 3, 2, 23, 59, tzinfo=UTC), "gpc", denied=EVERYTHING),
        # 00:30 in Oslo is still the 2nd in UTC, and days are UTC days.
        replace(
            past(
                "a",
                datetime(2025, 3, 3, 0, 30, tzinfo=timezone(timedelta(hours=2))),
                "custom",
                ("functional",),
                ("analytics", "marketing"),
            ),
            withdrawn=("analytics", "marketing"),
        ),
    )


def test_stats_counts_per_day_category_and_method(config_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    known_days(config_path)
    assert run(config_path, "stats", "--since", "2025-03-01", "--format", "json") == 0
    no_methods = {"accept_all": 0, "reject_all": 0, "custom": 0, "gpc": 0, "service": 0}
    assert json.loads(capsys.readouterr().out) == {
        "days": [
            {
                "date": "2025-03-01",
                "decisions": 3,
                "methods": {**no_methods, "accept_all": 1, "reject_all": 1, "custom": 1},
                "withdrew": 0,
                "categories": {
                    "functional": {"accepted": 1, "rejected": 2},
                    "analytics": {"accepted": 2, "rejected": 1},
                    "marketing": {"accepted": 1, "rejected": 2},
                },
            },
            {
                "date": "2025-03-02",
                "decisions": 2,
                "methods": {**no_methods, "custom": 1, "gpc": 1},
                "withdrew": 1,
                "categories": {
                    "functional": {"accepted": 1, "rejected": 1},
                    "analytics": {"accepted": 0, "rejected": 2},
                    "marketing": {"accepted": 0, "rejected": 2},
                },
            },
        ]
    }


def test_stats_prints_readable_tables(config_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    known_days(config_path)
    assert run(config_path, "stats", "--since", "2025-03-01") == 0
    rows = [line.split() for line in capsys.readouterr().out.splitlines()]
    assert ["date", "decisions", "accept_all", "reject_all", "custom", "gpc", "service", "withdrew"] in rows
    assert ["2025-03-01", "3", "1", "1", "1", "0", "0", "0"] in rows
    assert ["2025-03-02", "2", "0", "0", "1", "1", "0", "1"] in rows
    assert ["2025-03-01", "analytics", "2", "1", "67%"] in rows
    assert ["2025-03-02", "marketing", "0", "2", "0%"] in rows
    assert not any(row and row[0] == "2025-02-28" for row in rows)


def test_purge_dry_run_counts_and_the_real_run_deletes_only_old_records(
    config_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    now = datetime.now(UTC)
    append(
        config_path,
        past("six-years", now - timedelta(days=6 * 365), "accept_all", EVERYTHING),
        past("four-years", now - timedelta(days=4 * 365), "reject_all", denied=EVERYTHING),
        past("yesterday", now - timedelta(days=1), "custom", ("analytics",)),
    )
    assert run(config_path, "purge", "--older-than", "5 years", "--dry-run") == 0
    assert "would delete 1 record older than 5 years" in capsys.readouterr().out
    assert len(stored_records(config_path)) == 3
    assert run(config_path, "purge", "--older-than", "5 years") == 0
    assert "deleted 1 record older than 5 years" in capsys.readouterr().out
    assert [record.consent_id for record in stored_records(config_path)] == ["four-years", "yesterday"]
    assert run(config_path, "purge", "--older-than", "13 months") == 0
    assert "deleted 1 record" in capsys.readouterr().out
    assert [record.consent_id for record in stored_records(config_path)] == ["yesterday"]


def test_purge_without_a_period_keeps_what_the_notice_promises(
    config_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The notice states [log] retention; purge deletes what is older than that by default."""
    config_path.write_text(config_path.read_text(encoding="utf-8") + 'retention = "2 years"\n', encoding="utf-8")
    now = datetime.now(UTC)
    append(
        config_path,
        past("three-years", now - timedelta(days=3 * 365), "accept_all", EVERYTHING),
        past("one-year", now - timedelta(days=365), "reject_all", denied=EVERYTHING),
    )
    assert run(config_path, "purge") == 0
    assert "deleted 1 record older than 2 years" in capsys.readouterr().out
    assert [record.consent_id for record in stored_records(config_path)] == ["one-year"]


@pytest.mark.parametrize(
    ("period", "message"),
    [
        pytest.param("session", "'session' is not a retention period", id="session"),
        pytest.param("persistent", "'persistent' is not a retention period", id="persistent"),
        pytest.param("0 days", "'0 days' is not a retention period", id="zero"),
        pytest.param("5 decades", "'5 decades' is not a retention period", id="unknown-unit"),
        pytest.param("999999 years", "reaches back before the year 1", id="too-long"),
    ],
)
def test_purge_refuses_what_is_not_a_retention_period(
    config_path: Path, capsys: pytest.CaptureFixture[str], period: str, message: str
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        run(config_path, "purge", "--older-than", period)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_verify_passes_for_a_fresh_record_and_prints_the_text_shown(
    config_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    consent_id = decide(config_path, {"choice": "accept_all", "locale": "nb"}, {"choice": "reject_all"})
    assert run(config_path, "verify", "--", consent_id) == 0
    out = capsys.readouterr().out
    assert out.count("archive: intact") == 2
    assert out.count("verified: the current config renders exactly the text shown") == 2
    assert f" 1. {NB_TITLE}\n" in out
    assert "texts shown: as above" in out
    assert "proven: the text behind every record is known and matches its hash (2 records)" in out


def test_verify_reports_a_text_changed_under_the_same_policy_version(
    config_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A changed text is a finding, not a failed proof: the stored text still proves what was shown (exit 0)."""
    consent_id = decide(config_path, {"choice": "accept_all", "locale": "nb"})
    config_path.write_text(
        config_path.read_text(encoding="utf-8") + '\n[texts.nb]\nbanner_title = "Vi bruker kjeks"\n', encoding="utf-8"
    )
    assert run(config_path, "verify", "--", consent_id) == 0
    out = capsys.readouterr().out
    assert "CHANGED: the texts changed since, under the same policy version 2026-11-01" in out
    assert f"-{NB_TITLE}\n" in out
    assert "+Vi bruker kjeks\n" in out
    assert f" 1. {NB_TITLE}\n" in out
    assert "verified:" not in out


def test_verify_after_a_new_policy_version_points_to_the_stored_texts(
    config_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    consent_id = decide(config_path, {"choice": "reject_all", "locale": "sv"})
    sv_texts = Renderer(load_config(config_path)).choice_texts("sv")
    edit_config(config_path, 'policy_version = "2026-11-01"', 'policy_version = "2027-01-01"')
    assert run(config_path, "verify", "--", consent_id) == 0
    out = capsys.readouterr().out
    assert "at policy version 2027-01-01, the record at 2026-11-01, so the config cannot re-render" in out
    assert "the stored texts are the proof" in out
    assert "pass --config with a config at policy version 2026-11-01" in out
    assert f" 1. {sv_texts[0]}\n" in out
    assert f"{len(sv_texts)}. {sv_texts[-1]}\n" in out
    assert "archive: intact" in out


def test_verify_detects_a_tampered_stored_text(config_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Editing the evidence fails the proof even while the current config still renders the original text."""
    consent_id = decide(config_path, {"choice": "accept_all", "locale": "nb"})
    alter_log(config_path, "UPDATE consent_texts SET canonical = replace(canonical, 'Avvis alle', 'Nei takk')")
    assert run(config_path, "verify", "--", consent_id) == 1
    out = capsys.readouterr().out
    assert "archive: TAMPERED: the stored texts hash to sha256:" in out
    assert "Nei takk" not in out
    assert "NOT proven: the text behind 1 of 1 record is missing or altered" in out


def test_verify_without_a_stored_text_needs_the_same_text_in_the_config(
    config_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    consent_id = decide(config_path, {"choice": "accept_all", "locale": "nb"})
    alter_log(config_path, "DELETE FROM consent_texts")
    assert run(config_path, "verify", "--", consent_id) == 0
    out = capsys.readouterr().out
    assert "archive: MISSING" in out
    assert f" 1. {NB_TITLE}\n" in out
    edit_config(config_path, 'policy_version = "2026-11-01"', 'policy_version = "2027-01-01"')
    assert run(config_path, "verify", "--", consent_id) == 1
    out = capsys.readouterr().out
    assert "and no intact stored text proves it" in out
    assert "texts shown: unknown" in out


def test_verify_of_an_unknown_id_fails(config_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    decide(config_path, {"choice": "accept_all"})
    assert run(config_path, "verify", "--", "nobody") == 1
    assert "no record of consent id 'nobody'" in capsys.readouterr().err


def test_a_missing_config_is_one_line_without_a_traceback(tmp_path: Path) -> None:
    script = "import sys; from consentkit.cli.log import main; sys.exit(main(sys.argv[1:]))"
    missing = tmp_path / "nowhere.toml"
    result = subprocess.run(
        [sys.executable, "-c", script, "show", "x", "--config", str(missing)], capture_output=True, text=True
    )
    assert result.returncode == 1
    suggestion = f"consentkit init --locale nb --config {missing}"
    assert result.stderr == f"error: {missing}: file not found; create one with `{suggestion}`\n"


def test_a_config_without_a_log_yet_says_so_and_creates_none(
    config_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(config_path, "stats") == 1
    assert capsys.readouterr().err.startswith("error: there is no consent log at ")
    assert not (config_path.parent / "log.sqlite3").exists()


def test_an_unreadable_log_is_one_line(config_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (config_path.parent / "log.sqlite3").write_bytes(b"this is not a database, but it is long enough" * 50)
    assert run(config_path, "export") == 1
    err = capsys.readouterr().err
    assert err.startswith("error: cannot open the consent log at ")
    assert err.count("\n") == 1


def test_an_unwritable_output_is_one_line(config_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    decide(config_path, {"choice": "accept_all"})
    assert run(config_path, "export", "--output", str(config_path.parent / "missing" / "out.csv")) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ")
    assert "No such file or directory" in err
    assert err.count("\n") == 1


@pytest.mark.parametrize("since", ["yesterday", "2026-13-01", "01.11.2026"])
def test_a_bad_since_is_a_usage_error(config_path: Path, capsys: pytest.CaptureFixture[str], since: str) -> None:
    with pytest.raises(SystemExit) as exit_info:
        run(config_path, "export", "--since", since)
    assert exit_info.value.code == 2
    assert f"argument --since: {since!r} is not a date; expected YYYY-MM-DD" in capsys.readouterr().err


def test_the_consentkit_command_has_the_log_commands(config_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """End to end through `consentkit log ...`, as a user types it."""
    consent_id = decide(config_path, {"choice": "reject_all", "locale": "nb"})
    assert cli_main(["log", "show", "--format", "json", "--config", str(config_path), "--", consent_id]) == 0
    assert json.loads(capsys.readouterr().out)[0]["method"] == "reject_all"
