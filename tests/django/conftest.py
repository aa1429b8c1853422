"""The Django front door, tested with pytest-django on the example portal (examples/django_site).

Each test gets the portal's own config with a consent log of its own.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from examples.django_site.settings import portal_config

HOST = "portal.eksempel.test"


@pytest.fixture(autouse=True)
def portal_settings(settings: Any, tmp_path: Path) -> Any:
    settings.CONSENTKIT_CONFIG = portal_config(log_dir=tmp_path)
    return settings


@pytest.fixture
def log_path(tmp_path: Path) -> Path:
    return tmp_path / "consentkit-log.sqlite3"


def logged(log_path: Path) -> list[tuple[Any, ...]]:
    """The decisions in the log, once the spool has shipped them (the writer ships in the background)."""
    from consentkit.integrations.django.conf import gatekeeper

    assert gatekeeper().flush(10)
    with sqlite3.connect(log_path) as log:
        return list(log.execute("SELECT method, granted, locale FROM consent_log ORDER BY id"))


def set_cookies(response: Any) -> list[str]:
    """Every Set-Cookie header the response sends, as Django's WSGI handler writes them."""
    return [morsel.output(header="").strip() for morsel in response.cookies.values()]
