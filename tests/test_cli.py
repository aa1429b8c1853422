"""The consentkit command: check and init."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from consentkit.cli.main import main
from consentkit.config.load import load_config

from .conftest import CONFIGS


def test_check_prints_a_summary(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--config", str(CONFIGS / "issue_example.toml")]) == 0
    out, err = capsys.readouterr()
    assert "valid" in out
    assert "policy version:  2026-11-01" in out
    assert "offered:         functional, analytics" in out
    assert "Google Analytics (analytics)" in out
    assert "declared:        1 necessary, 1 functional, 2 analytics, 0 marketing" in out
    assert "warning: cookies[1].purpose: no text for sv, en" in err


def test_check_strict_fails_on_warnings() -> None:
    assert main(["check", "--strict", "--config", str(CONFIGS / "issue_example.toml")]) == 2


def test_check_reports_errors_without_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "consentkit.toml"
    path.write_text('policy_version = "1"\nhonor_gpc = "yes"\n', encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "consentkit", "check", "--config", str(path)], capture_output=True, text=True
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert 'honor_gpc: expected true or false, got "yes"' in result.stderr
    assert "controller: is required" in result.stderr


def test_check_defaults_to_the_file_in_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["check"]) == 1
    assert "consentkit.toml is not valid:\n  - file not found" in capsys.readouterr().err


@pytest.mark.parametrize(("locale", "country"), [("nb", "NO"), ("sv", "SE"), ("en", "NO")])
def test_init_writes_a_starter_that_checks_clean(tmp_path: Path, locale: str, country: str) -> None:
    target = tmp_path / "consentkit.toml"
    assert main(["init", "--locale", locale, "--config", str(target)]) == 0
    config = load_config(target)
    assert config.default_locale == locale
    assert config.controller.country == country
    assert config.warnings == ()
    assert main(["check", "--strict", "--config", str(target)]) == 0


def test_init_comments_are_in_the_chosen_language(tmp_path: Path) -> None:
    target = tmp_path / "consentkit.toml"
    main(["init", "--locale", "sv", "--config", str(target)])
    assert "# Kontrollera filen med" in target.read_text(encoding="utf-8")


def test_init_does_not_overwrite_without_force(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "consentkit.toml"
    target.write_text("mine", encoding="utf-8")
    assert main(["init", "--config", str(target)]) == 1
    assert target.read_text(encoding="utf-8") == "mine"
    assert "use --force" in capsys.readouterr().err
    assert main(["init", "--force", "--config", str(target)]) == 0
    assert "policy_version" in target.read_text(encoding="utf-8")
