"""The Flask extension: settings from app.config, template helpers, no state on the extension."""

from __future__ import annotations

import hashlib
import sys
import types
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, make_response, render_template_string, session
from itsdangerous import TimestampSigner

from consentkit import ConfigError
from consentkit.integrations.flask import ConsentKit, current_consent

from .conftest import BASE_TOML, ListStore
from .html_audit import elements

FLASK_SECRET = "flask-secret-key-of-at-least-32-bytes"
OLD_KEY, NEW_KEY, CONSENT_KEY = (
    "old-key-of-32-bytes-or-more-.....",
    "new-key-of-32-bytes-or-more-.....",
    "consent-only-key-of-32-bytes-....",
)


def write_config(folder: Path, toml: str = BASE_TOML) -> Path:
    path = folder / "consentkit.toml"
    path.write_text(toml, encoding="utf-8")
    return path


def make_app(tmp_path: Path, **settings: Any) -> Flask:
    app = Flask(__name__)
    app.config.update(
        {
            "SECRET_KEY": FLASK_SECRET,
            "CONSENTKIT_CONFIG": str(write_config(tmp_path)),
            **settings,
        }
    )

    @app.route("/")
    def index() -> Any:
        session["case"] = "12345"
        response = make_response(
            render_template_string(
                "<head>{{ consentkit.head() }}</head><body>{{ consentkit.body() }}"
                "{% consent 'analytics' %}<script src='https://www.googletagmanager.com/gtag/js'></script>"
                "{% endconsent %}"
                "<p id=state>{{ consent.decided }}</p></body>"
            )
        )
        response.set_cookie("_ga", "GA1.1.1")
        response.set_cookie("lang", "nb")
        return response

    @app.route("/state")
    def state() -> Any:
        return {"analytics": current_consent().allows("analytics")}

    return app


def test_the_extension_gates_flask_responses(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    ConsentKit(app, store=ListStore())
    client = app.test_client()
    first = client.get("/")
    names = [value.split("=")[0] for value in first.headers.getlist("Set-Cookie")]
    assert names == ["session"]  # Flask's own session cookie is necessary; _ga and lang are not yet allowed
    html = first.text
    assert elements(html, "div", id="consentkit-banner")
    assert 'type="text/plain"' in html
    assert elements(html, "p", id="state")[0].text == "False"

    client.post("/consentkit/consent", data={"choice": "accept_all"})
    second = client.get("/")
    assert sorted(value.split("=")[0] for value in second.headers.getlist("Set-Cookie")) == ["_ga", "lang", "session"]
    assert not elements(second.text, "div", id="consentkit-banner")
    assert client.get("/state").json == {"analytics": True}


def test_the_extension_keeps_no_state_and_serves_two_apps(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    extension = ConsentKit()
    first = make_app(tmp_path / "a")
    second = make_app(tmp_path / "b", CONSENTKIT_PREFIX="/samtykke")
    extension.init_app(first, store=ListStore())
    extension.init_app(second, store=ListStore())
    assert vars(extension) == {}
    assert first.test_client().get("/consentkit/consent").status_code == 200
    assert second.test_client().get("/samtykke/consent").status_code == 200
    assert first.extensions["consentkit"] is not second.extensions["consentkit"]


def test_the_config_path_is_relative_to_the_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_config(tmp_path)
    app = Flask(__name__, root_path=str(tmp_path))
    app.config["SECRET_KEY"] = FLASK_SECRET
    monkeypatch.chdir("/")
    ConsentKit(app, store=ListStore())
    assert app.extensions["consentkit"].config.policy_version == "2026-11-01"


def test_a_missing_secret_key_is_a_clear_start_up_error(tmp_path: Path) -> None:
    app = Flask(__name__)
    app.config["CONSENTKIT_CONFIG"] = str(write_config(tmp_path))
    with pytest.raises(RuntimeError, match="ConsentKit needs a secret key"):
        ConsentKit(app)


def test_a_bad_config_fails_at_start_up(tmp_path: Path) -> None:
    app = Flask(__name__)
    app.config.update(SECRET_KEY="x", CONSENTKIT_CONFIG=str(write_config(tmp_path, 'policy_version = "1"\n')))
    with pytest.raises(ConfigError, match="controller: is required"):
        ConsentKit(app)


def test_the_secret_key_and_its_fallbacks_sign_and_verify(tmp_path: Path) -> None:
    old = make_app(tmp_path, SECRET_KEY=OLD_KEY)
    ConsentKit(old, store=ListStore())
    response = old.test_client().post("/consentkit/consent", data={"choice": "accept_all"})
    cookie = response.headers["Set-Cookie"].split(";")[0].split("=", 1)[1]

    rotated = make_app(
        tmp_path,
        SECRET_KEY=NEW_KEY,
        SECRET_KEY_FALLBACKS=[OLD_KEY],
    )
    ConsentKit(rotated, store=ListStore())
    client = rotated.test_client()
    client.set_cookie("consentkit", cookie)
    assert client.get("/state").json == {"analytics": True}
    resigned = client.post("/consentkit/consent", data={"choice": "accept_all"}).headers["Set-Cookie"]
    value = resigned.split(";")[0].split("=", 1)[1]
    # Signed with the newest key.
    signer = TimestampSigner(NEW_KEY.encode(), salt="consentkit.consent", digest_method=hashlib.sha256)
    assert signer.validate(value)


def test_consentkit_secret_key_wins_over_the_apps(tmp_path: Path) -> None:
    app = make_app(tmp_path, CONSENTKIT_SECRET_KEY=CONSENT_KEY)
    ConsentKit(app, store=ListStore())
    value = app.test_client().post("/consentkit/consent", data={"choice": "reject_all"}).headers["Set-Cookie"]
    signer = TimestampSigner(CONSENT_KEY.encode(), salt="consentkit.consent", digest_method=hashlib.sha256)
    assert signer.validate(value.split(";")[0].split("=", 1)[1])


def test_a_custom_session_cookie_name_is_necessary(tmp_path: Path) -> None:
    app = make_app(tmp_path, SESSION_COOKIE_NAME="portal_session")
    ConsentKit(app, store=ListStore())
    names = [value.split("=")[0] for value in app.test_client().get("/").headers.getlist("Set-Cookie")]
    assert names == ["portal_session"]


def test_a_site_locale_selector_wins_over_the_browser(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    ConsentKit(app, store=ListStore(), locale_selector=lambda environ: "sv")
    html = app.test_client().get("/", headers={"Accept-Language": "nb"}).text
    assert "Får vi använda kakor?" in html


def test_a_flask_babel_locale_wins_over_the_browser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = types.ModuleType("flask_babel")
    fake.get_locale = lambda: "sv_SE"  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "flask_babel", fake)
    app = make_app(tmp_path)
    app.extensions["babel"] = object()
    ConsentKit(app, store=ListStore())
    assert "Får vi använda kakor?" in app.test_client().get("/", headers={"Accept-Language": "nb"}).text


def test_current_consent_outside_a_request_is_undecided() -> None:
    assert not current_consent().decided


def test_a_weak_key_is_refused_unless_the_app_runs_in_debug(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Issue 8 item 6: Flask's debug flag (FLASK_DEBUG=1) decides between refusing and warning."""
    from consentkit.gate.consent_cookie import WeakSecretKey

    with pytest.raises(WeakSecretKey, match="FLASK_DEBUG=1"):
        ConsentKit(make_app(tmp_path, SECRET_KEY="demo-only-not-a-secret"), store=ListStore())
    development = make_app(tmp_path, SECRET_KEY="devkey", DEBUG=True)
    with caplog.at_level("WARNING", logger="consentkit"):
        ConsentKit(development, store=ListStore())
    assert any("6 bytes" in message for message in caplog.messages)
