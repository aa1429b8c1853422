"""Chromium for a scan: a fresh persistent profile that accepts third-party cookies.

A scan must see what a visitor's browser stores, so the profile is a real one on disk
(``launch_persistent_context``) whose preferences switch third-party cookie blocking off
(``cookie_controls_mode`` 0), as Chrome ships for most visitors. Debian's Chromium is used
when it is installed, else Playwright's own download.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Playwright

DEBIAN_CHROMIUM: Final = Path("/usr/bin/chromium")

#: The flags the compliance suite uses: quiet, no background traffic that would show up as requests.
CHROMIUM_FLAGS: Final = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
)

#: A third-party cookie blocked by the browser would hide exactly what a scan is for.
PREFERENCES: Final = {"profile": {"cookie_controls_mode": 0}}

VIEWPORT: Final = {"width": 1280, "height": 800}


class ScanUnavailable(RuntimeError):
    """Playwright or a browser is missing; the message says how to install them."""


def require_playwright() -> Any:
    """The ``playwright.sync_api`` module, or a ScanUnavailable naming the extra to install."""
    try:
        import playwright.sync_api as sync_api
    except ImportError as error:
        raise ScanUnavailable(
            "consentkit scan and audit need Playwright: pip install 'consentkit[scan]' "
            "(and, without a system Chromium, python -m playwright install chromium)"
        ) from error
    return sync_api


def fresh_profile() -> Path:
    """A new user-data directory holding only the preferences above."""
    folder = Path(tempfile.mkdtemp(prefix="consentkit-scan-"))
    (folder / "Default").mkdir()
    (folder / "Default" / "Preferences").write_text(json.dumps(PREFERENCES), encoding="utf-8")
    return folder


@contextmanager
def open_context(
    playwright: Playwright,
    *,
    extra_args: Sequence[str] = (),
    ignore_https_errors: bool = False,
    extra_headers: dict[str, str] | None = None,
    locale: str | None = None,
) -> Iterator[BrowserContext]:
    """A browser with a fresh profile, closed and deleted afterwards."""
    profile = fresh_profile()
    options: dict[str, Any] = {
        "headless": True,
        "args": [*CHROMIUM_FLAGS, *extra_args],
        "viewport": VIEWPORT,
        "ignore_https_errors": ignore_https_errors,
    }
    if DEBIAN_CHROMIUM.exists():
        options["executable_path"] = str(DEBIAN_CHROMIUM)
    if extra_headers:
        options["extra_http_headers"] = extra_headers
    if locale:
        options["locale"] = locale
    try:
        context = playwright.chromium.launch_persistent_context(str(profile), **options)
    except Exception as error:  # Playwright's own message is a page long; keep its first line
        shutil.rmtree(profile, ignore_errors=True)
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ScanUnavailable(
            f"Chromium did not start ({first_line}); install it with your package manager "
            "(apt-get install chromium) or with: python -m playwright install chromium"
        ) from error
    try:
        yield context
    finally:
        try:
            context.close()
        finally:
            shutil.rmtree(profile, ignore_errors=True)
