"""``consentkit log report``: a self-contained HTML report (and JSON) from the consent log."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest

from consentkit.cli.main import main as cli_main
from consentkit.log import ConsentRecord
from consentkit.log.insights import group_records, summarize
from consentkit.log.sqlite import SQLiteStore
from consentkit.render.report import ReportRenderer

from .conftest import BASE_TOML
from .test_insights import DAY1, DAY2, EVERYTHING, record

LOG_TOML = '\n[log]\nurl = "sqlite:///log.sqlite3"\n'
GENERATED = datetime(2026, 11, 22, 12, tzinfo=UTC)
SAMPLE = [
    record(DAY1, "accept_all", EVERYTHING),
    record(DAY1, "reject_all", locale="sv"),
    record(DAY2, "custom", ("analytics",), policy="v2"),
    record(DAY2, "gpc", locale="en", policy="v2"),
]


class _Structure(HTMLParser):
    """Collects what the report links to and how its tables and charts are labelled."""

    def __init__(self) -> None:
        super().__init__()
        self.references: list[str] = []
        self.captions = 0
        self.charts = 0
        self.scripts = 0
        self._in_caption = False
        self.caption_texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.references += [value or "" for name, value in attrs if name in ("src", "href", "srcset", "action")]
        self.scripts += tag == "script"
        if tag == "svg" and values.get("role") == "img":
            assert values.get("aria-label"), "every chart has a label"
            self.charts += 1
        if tag == "caption":
            self.captions += 1
            self._in_caption = True

    def handle_endtag(self, tag: str) -> None:
        self._in_caption = self._in_caption and tag != "caption"

    def handle_data(self, data: str) -> None:
        if self._in_caption:
            self.caption_texts.append(data)


def rendered(locale: str = "nb", records: list = SAMPLE) -> str:  # type: ignore[type-arg]
    return ReportRenderer(locale, "Eksempel & Co AS").render(summarize(group_records(records)), GENERATED)


@pytest.mark.parametrize("locale", ["nb", "sv", "en"])
def test_report_is_self_contained_with_a_table_beside_every_chart(locale: str) -> None:
    html = rendered(locale)
    structure = _Structure()
    structure.feed(html)
    assert structure.references == [], "no link, image or stylesheet outside the file"
    assert structure.scripts == 0
    assert "url(" not in html
    assert "@import" not in html
    assert structure.charts == 4  # decisions, categories, locales, policy versions (no services here)
    assert structure.captions == structure.charts
    assert f'<html lang="{locale}">' in html


def test_report_speaks_the_chosen_language_with_its_numbers() -> None:
    nb, sv, en = rendered("nb"), rendered("sv"), rendered("en")
    assert "Samtykkerapport" in nb
    assert "Godtok alle" in nb
    assert "25 %" in nb
    assert "Samtyckesrapport" in sv
    assert "Avvisade alla" in sv
    assert "Consent report" in en
    assert "Accepted all" in en
    # Days as the locale writes them, in the tables.
    assert "2. nov." in nb
    assert "Nov 2" in en


def test_site_name_is_escaped() -> None:
    assert "Eksempel &amp; Co AS" in rendered()


def test_empty_log_says_so_instead_of_drawing_charts() -> None:
    html = rendered("sv", [])
    assert "Loggen har inga val under den här perioden." in html
    assert "<svg" not in html


def test_services_chart_appears_when_decisions_name_services() -> None:
    with_service = ConsentRecord(
        "id", DAY1, "v1", "sha256:0", (), EVERYTHING, "custom", "nb", services_granted=("youtube",)
    )
    assert "Andelen valg som tillot hver tjeneste, per dag" in rendered("nb", [with_service])


def _config_with_log(tmp_path: Path, records: list) -> Path:  # type: ignore[type-arg]
    config_path = tmp_path / "consentkit.toml"
    config_path.write_text(BASE_TOML + LOG_TOML, encoding="utf-8")
    store = SQLiteStore(str(tmp_path / "log.sqlite3"))
    for item in records:
        store.append(item)
    store.close()
    return config_path


def test_cli_writes_the_html_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = _config_with_log(tmp_path, SAMPLE)
    output = tmp_path / "report.html"
    status = cli_main(["log", "report", "--config", str(config), "--locale", "sv", "--output", str(output)])
    assert status == 0
    assert "4 decisions" in capsys.readouterr().out
    assert "Samtyckesrapport" in output.read_text(encoding="utf-8")


def test_cli_json_has_the_same_numbers_for_a_period(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = _config_with_log(tmp_path, SAMPLE)
    since, until = DAY2.date().isoformat(), (DAY2 + timedelta(days=1)).date().isoformat()
    command = ["log", "report", "--config", str(config), "--format", "json", "--since", since, "--until", until]
    status = cli_main(command)
    assert status == 0
    report = json.loads(capsys.readouterr().out)
    assert report["headline"]["decisions"] == 2
    assert [day["date"] for day in report["days"]] == ["2026-11-03"]
    assert report["since"] == "2026-11-03T00:00:00Z"


def test_cli_refuses_a_period_that_ends_before_it_starts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = _config_with_log(tmp_path, SAMPLE)
    status = cli_main(["log", "report", "--config", str(config), "--since", "2026-11-05", "--until", "2026-11-01"])
    assert status == 1
    assert "--until must be after --since" in capsys.readouterr().err


def test_cli_without_a_log_says_where_it_looked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config_path = tmp_path / "consentkit.toml"
    config_path.write_text(BASE_TOML + LOG_TOML, encoding="utf-8")
    assert cli_main(["log", "report", "--config", str(config_path)]) == 1
    assert re.search(r"no consent log at .*log\.sqlite3", capsys.readouterr().err)
