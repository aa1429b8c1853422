"""The fixture shop for the scan and audit tests, and a helper that runs the real ``consentkit`` command."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from .fixture_site import HOST_RULES, FixtureSite, serve

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture(scope="session")
def shop() -> Iterator[FixtureSite]:
    with serve() as site:
        yield site


def consentkit(*args: str, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    """``python -m consentkit ARGS`` with the fixture's resolver rules, as a user would run it."""
    return subprocess.run(
        [sys.executable, "-m", "consentkit", *args, "--browser-arg", HOST_RULES, "--ignore-https-errors"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
