"""``manage.py check``: config problems and set-up mistakes as system checks with stable ids."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.checks import run_checks

ROOT = Path(__file__).resolve().parent.parent.parent


def _ours(**kwargs: Any) -> list[tuple[str, str]]:
    return [(message.id, message.msg) for message in run_checks(tags=["consentkit"], **kwargs)]


def test_the_example_portal_passes() -> None:
    assert _ours() == []


def test_config_errors_come_with_their_key_path(portal_settings: Any) -> None:
    config = portal_settings.CONSENTKIT_CONFIG
    portal_settings.CONSENTKIT_CONFIG = {**config, "categories": {"marketing": "yes"}, "honor_gpc": "sometimes"}
    found = _ours()
    assert ("consentkit.E001", 'categories.marketing: expected true or false, got "yes"') in found
    assert any(id_ == "consentkit.E001" and message.startswith("honor_gpc: ") for id_, message in found)


def test_config_warnings_are_warnings(portal_settings: Any) -> None:
    config = portal_settings.CONSENTKIT_CONFIG
    portal_settings.CONSENTKIT_CONFIG = {**config, "controller": {**config["controller"], "email": None}}
    config["controller"].pop("email")
    portal_settings.CONSENTKIT_CONFIG = {**config}
    assert any(id_ == "consentkit.W001" and message.startswith("controller: ") for id_, message in _ours())


def test_a_missing_file_is_an_error(settings: Any, tmp_path: Path) -> None:
    settings.CONSENTKIT_CONFIG = tmp_path / "nowhere.toml"
    [(id_, message)] = _ours()
    assert id_ == "consentkit.E001"
    assert message.startswith("file not found; create one with `consentkit init --locale nb")


@pytest.mark.parametrize(
    ("setting", "value", "expected"),
    [
        pytest.param("CONSENTKIT_CONFIG", 42, "consentkit.E002", id="config-of-the-wrong-kind"),
        pytest.param("CONSENTKIT_PREFIX", "samtykke", "consentkit.E002", id="prefix-without-slash"),
        pytest.param("CONSENTKIT_PREFIX", "/samtykke", "consentkit.E003", id="prefix-not-where-the-urls-are"),
        pytest.param("MIDDLEWARE", [], "consentkit.W002", id="no-middleware"),
        pytest.param("ROOT_URLCONF", "tests.django.urls_without_consentkit", "consentkit.W003", id="urls-not-included"),
    ],
)
def test_set_up_mistakes(settings: Any, setting: str, value: Any, expected: str) -> None:
    setattr(settings, setting, value)
    assert expected in {id_ for id_, _ in _ours(include_deployment_checks=False)}


def test_manage_py_check_shows_the_error_with_its_key_path(tmp_path: Path) -> None:
    """As a developer sees it: a broken consentkit.toml stops `manage.py check`."""
    broken = tmp_path / "consentkit.toml"
    broken.write_text(
        (ROOT / "examples" / "flask_site" / "consentkit.toml")
        .read_text(encoding="utf-8")
        .replace("analytics = true", 'analytics = "yes"'),
        encoding="utf-8",
    )
    settings_module = tmp_path / "broken_settings.py"
    settings_module.write_text(
        f"from examples.django_site.settings import *  # noqa\nCONSENTKIT_CONFIG = {str(broken)!r}\n", encoding="utf-8"
    )
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "django_site" / "manage.py"), "check"],
        capture_output=True,
        text=True,
        env={"PATH": "", "PYTHONPATH": f"{tmp_path}:{ROOT}", "DJANGO_SETTINGS_MODULE": "broken_settings"},
        check=False,
    )
    assert result.returncode == 1
    assert '(consentkit.E001) categories.analytics: expected true or false, got "yes"' in result.stderr
