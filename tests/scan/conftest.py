"""The fixture shop for the scan and audit tests, and a helper that runs the real ``consentkit`` command."""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from examples.flask_site import create_app

from .fixture_site import HOST_RULES, FixtureSite, serve

ROOT = Path(__file__).resolve().parent.parent.parent


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
    yield f"http://portal.eksempel.test:{server.server_port}/", config
    server.shutdown()


def consentkit(*args: str, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    """``python -m consentkit ARGS`` with the fixture's resolver rules, as a user would run it."""
    return subprocess.run(
        [sys.executable, "-m", "consentkit", *args, "--browser-arg", HOST_RULES, "--ignore-https-errors"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
