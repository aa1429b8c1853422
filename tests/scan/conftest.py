"""The fixture shop for the scan and audit tests, and a helper that runs the real ``consentkit`` command."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from examples.flask_site import create_app

from ..realserver import gunicorn
from .fixture_site import HOST_RULES, FixtureSite, serve

ROOT = Path(__file__).resolve().parent.parent.parent
PORTAL_HOST = "portal.eksempel.test"
#: ``python -m consentkit``, and the Django portal's ``manage.py consentkit`` (the config from its settings).
CONSENTKIT = ("-m", "consentkit")
MANAGE_PY_CONSENTKIT = ("examples/django_site/manage.py", "consentkit")


@pytest.fixture(scope="session")
def shop() -> Iterator[FixtureSite]:
    with serve() as site:
        yield site


@pytest.fixture(scope="session")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The example portal (it uses consentkit) on 127.0.0.1, reached as portal.eksempel.test, with its own config."""
    folder = tmp_path_factory.mktemp("portal")
    config = folder / "consentkit.toml"
    shutil.copy(ROOT / "examples" / "flask_site" / "consentkit.toml", config)
    server = make_server("127.0.0.1", 0, create_app(config), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://{PORTAL_HOST}:{server.server_port}/", config
    server.shutdown()


@dataclass(frozen=True)
class DjangoPortal:
    url: str
    #: The environment of its settings (database and consent log in a temporary folder), for manage.py too.
    env: dict[str, str]


@pytest.fixture(scope="session")
def django_portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DjangoPortal]:
    """The Django example portal under gunicorn, as ``make demo-django`` serves it, reached as portal.eksempel.test."""
    folder = tmp_path_factory.mktemp("django-portal")
    env = {
        "DJANGO_SETTINGS_MODULE": "examples.django_site.settings",
        "PORTAL_DATABASE": str(folder / "db.sqlite3"),
        "PORTAL_LOG_DIR": str(folder),
    }
    with gunicorn("examples.django_site.wsgi:application", env=env, args=["--threads", "4"]) as server:
        yield DjangoPortal(f"http://{PORTAL_HOST}:{server.port}/", env)


def consentkit(
    *args: str, timeout: float = 900, program: Sequence[str] = CONSENTKIT, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m consentkit ARGS`` (or ``program``) with the fixture's resolver rules, as a user would run it."""
    return subprocess.run(
        [sys.executable, *program, *args, "--browser-arg", HOST_RULES, "--ignore-https-errors"],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
