"""The example portal and the plain WSGI example behave as the README says."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import Client

from consentkit.log.sqlite import SQLiteStore
from examples.flask_site import create_app
from examples.secret_key import example_secret_key
from examples.wsgi_app import create_app as create_wsgi_app

from .conftest import ListStore
from .html_audit import elements

ROOT = Path(__file__).parent.parent
EXAMPLE_CONFIG = ROOT / "examples" / "flask_site" / "consentkit.toml"


@pytest.fixture
def portal(tmp_path: Path) -> Flask:
    # A copy of the config, so that its relative log path lands in tmp_path.
    shutil.copy(EXAMPLE_CONFIG, tmp_path / "consentkit.toml")
    return create_app(tmp_path / "consentkit.toml")


def live_scripts(html: str) -> list[str]:
    """Scripts the browser would run, other than consentkit's own script and its settings."""
    return [
        script.attrs.get("src") or script.text.strip()[:30]
        for script in elements(html, "script")
        if script.attrs.get("type") not in ("text/plain", "application/json")
        and not (script.attrs.get("src") or "").startswith("/consentkit/static/")
    ]


def cookie_names(response: object) -> list[str]:
    return [value.split("=")[0] for value in response.headers.getlist("Set-Cookie")]  # type: ignore[attr-defined]


def test_the_first_visit_sets_nothing_and_runs_no_tracker(portal: Flask) -> None:
    """docs/compliance.md item 1."""
    response = portal.test_client().get("/nb/", headers={"Accept-Language": "nb"})
    assert response.status_code == 200
    assert cookie_names(response) == []  # not even lang: functional needs consent
    assert live_scripts(response.text) == []
    assert not [img for img in elements(response.text, "img") if "src" in img.attrs]
    assert not [frame for frame in elements(response.text, "iframe") if "src" in frame.attrs]
    assert elements(response.text, "div", id="consentkit-banner")


def login(client: FlaskClient, lang: str = "nb") -> None:
    response = client.post(f"/{lang}/logg-inn", data={"case": "12345678", "pin": "1234"})
    assert response.status_code == 302
    assert client.get(f"/{lang}/min-sak").status_code == 200


def test_the_site_works_after_a_reject(portal: Flask) -> None:
    """docs/compliance.md item 7: no cookie wall."""
    client = portal.test_client()
    client.post("/consentkit/consent", data={"choice": "reject_all", "next": "/nb/"})
    login(client)
    page = client.get("/nb/min-sak")
    assert "Sak 12345678" in page.text
    assert live_scripts(page.text) == []


def test_accept_all_turns_everything_on(portal: Flask) -> None:
    client = portal.test_client()
    client.post("/consentkit/consent", data={"choice": "accept_all", "next": "/sv/"})
    page = client.get("/sv/")
    assert cookie_names(page) == ["lang"]
    assert "https://www.googletagmanager.com/gtag/js?id=G-DEMO123" in live_scripts(page.text)
    assert elements(page.text, "iframe")[0].attrs["src"].startswith("https://www.youtube-nocookie.com/")


def test_custom_analytics_only(portal: Flask) -> None:
    client = portal.test_client()
    client.post("/consentkit/consent", data={"choice": "custom", "category": "analytics"})
    page = client.get("/nb/")
    assert live_scripts(page.text)[0] == "https://www.googletagmanager.com/gtag/js?id=G-DEMO123"
    assert not any("fbq" in script for script in live_scripts(page.text))
    assert "data-src" in elements(page.text, "iframe")[0].attrs
    assert "Tillat YouTube og vis innholdet" in page.text  # the video's placeholder allows YouTube alone


def test_the_banner_follows_the_page_language(portal: Flask) -> None:
    client = portal.test_client()
    assert "Får vi använda kakor?" in client.get("/sv/", headers={"Accept-Language": "nb"}).text
    assert "Får vi bruke informasjonskapsler?" in client.get("/nb/", headers={"Accept-Language": "sv"}).text


def test_the_privacy_page_embeds_the_notice(portal: Flask) -> None:
    text = portal.test_client().get("/sv/personvern").text
    for name in ("consentkit", "session", "lang", "_ga", "_ga_*", "_fbp", "fr", "YSC"):
        assert f"<code>{name}</code>" in text, name
    assert elements(text, "form", action="/consentkit/consent")


def test_decisions_go_to_the_sqlite_log_next_to_the_config(portal: Flask, tmp_path: Path) -> None:
    client = portal.test_client()
    client.post("/consentkit/consent", data={"choice": "reject_all"})
    assert portal.extensions["consentkit"].flush()  # spooled, then shipped by a background thread
    records = list(SQLiteStore(str(tmp_path / "consentkit-log.sqlite3")).records())
    assert [record.method for record in records] == ["reject_all"]


def test_the_wsgi_example_gates_a_server_set_tracker_cookie_in_the_same_response() -> None:
    """The issue's 'done when': the werkzeug test client shows the gate at work."""
    store = ListStore()
    client = Client(create_wsgi_app(store))
    assert cookie_names(client.get("/")) == []
    client.post("/consentkit/consent", data={"choice": "accept_all"})
    assert cookie_names(client.get("/")) == ["_ga"]
    assert [record.method for record in store.saved] == ["accept_all"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_make_demo_serves_the_portal(tmp_path: Path) -> None:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "examples.flask_site"],
        cwd=ROOT,
        env={**os.environ, "PORT": str(port)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/nb/", timeout=2) as response:
                    assert response.status == 200
                    assert b'id="consentkit-banner"' in response.read()
                    break
            except OSError:
                assert server.poll() is None, server.stdout.read() if server.stdout else b""
                assert time.monotonic() < deadline, "the demo did not start"
                time.sleep(0.2)
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_the_examples_make_a_random_key_on_first_start_and_say_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 8 item 6: no public fallback key; a random one, kept in a git-ignored file."""
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = example_secret_key(tmp_path)
    assert "made a random secret key" in capsys.readouterr().out
    assert len(bytes.fromhex(first)) == 32
    assert example_secret_key(tmp_path) == first  # kept: consent cookies survive a restart
    assert capsys.readouterr().out == ""
    assert (tmp_path / ".secret_key").stat().st_mode & 0o777 == 0o600
    monkeypatch.setenv("SECRET_KEY", "from-the-environment-" * 2)
    assert example_secret_key(tmp_path) == "from-the-environment-" * 2
    assert ".secret_key" in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    for source in (ROOT / "examples").rglob("*.py"):
        assert "demo-only-not-a-secret" not in source.read_text(encoding="utf-8"), source
