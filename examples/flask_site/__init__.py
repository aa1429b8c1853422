"""The example portal: an invoice and debt-collection site in Norwegian and Swedish.

Visitors log in with a case number and PIN (a necessary session cookie), pick
a language (a functional cookie, remembered only with consent), and the pages
carry Google Analytics, a Meta Pixel and a YouTube video, each gated on its
category. Run it with ``make demo``.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from flask import Flask, abort, g, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from consentkit.integrations.flask import ConsentKit
from consentkit.render.i18n import negotiate_locale

from ..secret_key import example_secret_key
from .site_texts import LANGUAGES, TEXTS

HERE = Path(__file__).parent
DEMO_CASE = ("12345678", "1234")

#: A strict policy: consentkit needs nothing inline, and gated inline snippets carry the nonce.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; "
    "script-src 'self' 'nonce-{nonce}' https://www.googletagmanager.com https://connect.facebook.net; "
    "style-src 'self'; "
    "img-src 'self' data: https://www.facebook.com https://*.google-analytics.com; "
    "connect-src 'self' https://*.google-analytics.com https://www.facebook.com; "
    "frame-src https://www.youtube-nocookie.com; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def _language_from_path(environ: dict[str, Any]) -> str | None:
    """/nb/... and /sv/... name the language; consentkit's banner follows the page."""
    first = str(environ.get("PATH_INFO", "")).strip("/").split("/")[0]
    return first if first in LANGUAGES else None


def create_app(config_path: str | Path = HERE / "consentkit.toml", **settings: Any) -> Flask:
    app = Flask(__name__)
    app.config.update(
        # $SECRET_KEY, or a random key made on first start; a real site reads it from a secret store.
        SECRET_KEY=settings.get("SECRET_KEY") or example_secret_key(HERE),
        SESSION_COOKIE_SAMESITE="Lax",
        CONSENTKIT_CONFIG=str(config_path),
    )
    app.config.update(settings)
    ConsentKit(app, locale_selector=_language_from_path)

    @app.url_value_preprocessor
    def pull_language(endpoint: str | None, values: dict[str, Any] | None) -> None:
        if values is not None and "lang" in values:
            if values["lang"] not in LANGUAGES:
                abort(404)
            g.lang = values.pop("lang")

    @app.url_defaults
    def add_language(endpoint: str, values: dict[str, Any]) -> None:
        if "lang" not in values and app.url_map.is_endpoint_expecting(endpoint, "lang"):
            values["lang"] = g.get("lang", "nb")

    @app.before_request
    def make_nonce() -> None:
        g.csp_nonce = secrets.token_urlsafe(16)

    @app.context_processor
    def site_texts() -> dict[str, Any]:
        lang = g.get("lang", "nb")
        return {"lang": lang, "s": TEXTS[lang], "other": "sv" if lang == "nb" else "nb", "csp_nonce": g.csp_nonce}

    @app.after_request
    def content_security_policy(response: Response) -> Response:
        if "csp_nonce" in g:
            response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.format(nonce=g.csp_nonce)
        return response

    @app.after_request
    def remember_language(response: Response) -> Response:
        # A functional cookie: consentkit removes it unless the visitor has allowed functional cookies.
        if "lang" in g and request.cookies.get("lang") != g.lang:
            response.set_cookie("lang", g.lang, max_age=365 * 86_400, samesite="Lax")
        return response

    @app.get("/")
    def root() -> Response:
        remembered = request.cookies.get("lang")
        lang = (
            remembered
            if remembered in LANGUAGES
            else negotiate_locale(request.headers.get("Accept-Language"), LANGUAGES, "nb")
        )
        return redirect(url_for("home", lang=lang))

    @app.get("/<lang>/")
    def home() -> str:
        return render_template("home.html")

    @app.route("/<lang>/logg-inn", methods=["GET", "POST"])
    def login() -> str | Response:
        error = None
        if request.method == "POST":
            if (request.form.get("case", "").strip(), request.form.get("pin", "").strip()) == DEMO_CASE:
                session["case"] = DEMO_CASE[0]
                return redirect(url_for("my_case"))
            error = TEXTS[g.lang]["wrong_login"]
        return render_template("login.html", error=error)

    @app.get("/<lang>/min-sak")
    def my_case() -> str | Response:
        if "case" not in session:
            return redirect(url_for("login"))
        return render_template("case.html", case=session["case"])

    @app.post("/<lang>/logg-ut")
    def logout() -> Response:
        session.clear()
        return redirect(url_for("home"))

    @app.get("/<lang>/personvern")
    def privacy() -> str:
        return render_template("privacy.html")

    return app
