"""``manage.py consentkit ...``: the consentkit command with the config from the settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from consentkit.integrations.django.conf import gatekeeper

from .conftest import HOST


def test_check_reads_the_settings_config(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("consentkit", "check")
    out = capsys.readouterr().out
    assert "settings.CONSENTKIT_CONFIG: valid" in out
    assert "controller:      Eksempel Inkasso AS (NO)" in out


def test_check_of_a_path_setting_names_the_file(settings: Any, capsys: pytest.CaptureFixture[str]) -> None:
    settings.CONSENTKIT_CONFIG = Path("..") / "flask_site" / "consentkit.toml"  # relative to BASE_DIR
    call_command("consentkit", "check")
    assert "flask_site/consentkit.toml: valid" in capsys.readouterr().out


def test_a_broken_config_exits_with_the_problems(portal_settings: Any, capsys: pytest.CaptureFixture[str]) -> None:
    portal_settings.CONSENTKIT_CONFIG = {**portal_settings.CONSENTKIT_CONFIG, "consent_max_age_days": 500}
    with pytest.raises(SystemExit) as stop:
        call_command("consentkit", "check")
    assert stop.value.code == 1
    assert "consent_max_age_days: " in capsys.readouterr().err


def test_notice_in_markdown(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("consentkit", "notice", "--locale", "sv", "--format", "markdown")
    out = capsys.readouterr().out
    assert out.startswith("#")
    assert "csrftoken" in out


def test_log_commands_read_the_settings_log(client: Client, capsys: pytest.CaptureFixture[str]) -> None:
    client.post("/consentkit/consent", {"choice": "reject_all"}, HTTP_HOST=HOST)
    assert gatekeeper().flush(10)  # the spool ships in the background
    call_command("consentkit", "log", "stats", "--format", "json")
    assert '"reject_all": 1' in capsys.readouterr().out


def test_an_explicit_config_wins(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "new.toml"
    call_command("consentkit", "init", "--locale", "sv", "--config", str(target))
    assert target.exists()
    call_command("consentkit", "check", "--config", str(target))
    assert f"{target}: valid" in capsys.readouterr().out


def test_init_refuses_to_write_a_dict_setting(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        call_command("consentkit", "init")
    assert "--config PATH" in capsys.readouterr().err
