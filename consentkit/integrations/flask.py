"""``ConsentKit``: the Flask extension.

Settings come from ``app.config``:

- ``CONSENTKIT_CONFIG``: path of the TOML file (default ``consentkit.toml``,
  relative to ``app.root_path``), or a ``Config`` object.
- ``CONSENTKIT_SECRET_KEY``: signing key or list of keys; by default the app's
  ``SECRET_KEY`` with its ``SECRET_KEY_FALLBACKS``.
- ``CONSENTKIT_PREFIX``: URL prefix of consentkit's own endpoints (``/consentkit``).
- ``CONSENTKIT_SECURE``: force the consent cookie's Secure flag (default: follow the scheme).

A key shorter than 32 bytes, or one from consentkit's examples, is refused
unless the app runs in debug mode (``app.debug``, ``FLASK_DEBUG=1``, as it is
when ``ConsentKit(app)`` is called), where it is only warned about.

Templates get ``consentkit`` (helpers such as ``consentkit.body()``) and
``consent``, and the ``{% consent %}`` tag. A Flask-Babel locale, when the
app has one, wins over the browser's Accept-Language. Nothing about an app is
kept on the extension object, so one instance serves any number of apps.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

try:
    from flask import Flask, has_request_context, request
except ImportError as missing:
    raise ImportError(
        "consentkit.flask needs Flask, which is an extra: pip install 'consentkit[flask]' "
        "(plain WSGI sites use consentkit.ConsentMiddleware without it)"
    ) from missing

from ..config.load import Config, load_config
from ..consent import UNDECIDED, Consent
from ..gate.middleware import ConsentMiddleware, LocaleSelector
from ..log import ConsentStore
from ..render.jinja import ConsentExtension
from ..render.widgets import CONSENT_KEY, MIDDLEWARE_KEY, Widgets

EXTENSION_KEY = "consentkit"


class ConsentKit:
    def __init__(self, app: Flask | None = None, **options: Any) -> None:
        if app is not None:
            self.init_app(app, **options)

    def init_app(
        self, app: Flask, *, locale_selector: LocaleSelector | None = None, store: ConsentStore | None = None
    ) -> None:
        """Put the consent gate in front of ``app`` and register the template helpers.

        ``locale_selector(environ)`` may name the visitor's locale when the site
        chooses it itself (for example from the URL).
        """
        app.config.setdefault("CONSENTKIT_CONFIG", "consentkit.toml")
        app.config.setdefault("CONSENTKIT_SECRET_KEY", None)
        app.config.setdefault("CONSENTKIT_PREFIX", "/consentkit")
        app.config.setdefault("CONSENTKIT_SECURE", None)
        config = _load(app)
        middleware = ConsentMiddleware(
            app.wsgi_app,
            config,
            _secret_key(app),
            prefix=app.config["CONSENTKIT_PREFIX"],
            session_cookie_name=app.config.get("SESSION_COOKIE_NAME") or "session",
            locale_selector=_selector(app, locale_selector),
            store=store,
            secure=app.config["CONSENTKIT_SECURE"],
            debug=app.debug,
        )
        app.wsgi_app = middleware  # type: ignore[method-assign]
        app.extensions[EXTENSION_KEY] = middleware
        app.jinja_env.add_extension(ConsentExtension)
        app.context_processor(_template_context)


def current_consent() -> Consent:
    """The consent of the visitor of the current request, for use in views."""
    if not has_request_context():
        return UNDECIDED
    consent = request.environ.get(CONSENT_KEY)
    return consent if isinstance(consent, Consent) else UNDECIDED


def _load(app: Flask) -> Config:
    setting = app.config["CONSENTKIT_CONFIG"]
    if isinstance(setting, Config):
        return setting
    path = Path(setting)
    return load_config(path if path.is_absolute() else Path(app.root_path) / path)


def _secret_key(app: Flask) -> Any:
    explicit = app.config["CONSENTKIT_SECRET_KEY"]
    if explicit:
        return explicit
    if not app.secret_key:
        raise RuntimeError(
            "ConsentKit needs a secret key to sign consent cookies: set app.config['SECRET_KEY'] "
            "(or CONSENTKIT_SECRET_KEY) before calling ConsentKit(app), for example from the environment; "
            'make one with: python -c "import secrets; print(secrets.token_hex(32))"'
        )
    # itsdangerous verifies with every key and signs with the last one.
    return [*(app.config.get("SECRET_KEY_FALLBACKS") or []), app.secret_key]


def _selector(app: Flask, site_selector: LocaleSelector | None) -> LocaleSelector:
    def select(environ: Any) -> str | None:
        if site_selector is not None:
            chosen = site_selector(environ)
            if chosen:
                return chosen
        # The app's own dict first: most apps have no Flask-Babel, and asking the context costs more.
        if "babel" in app.extensions and has_request_context():
            from flask_babel import get_locale  # only when the app uses Flask-Babel

            locale = get_locale()
            return str(locale) if locale else None
        return None

    return select


def _template_context() -> dict[str, Any]:
    # The request proxy read once: each access through it costs a context-variable lookup.
    environ = request.environ
    middleware = environ.get(MIDDLEWARE_KEY)
    if middleware is None:
        return {}
    consent = environ.get(CONSENT_KEY)
    widgets = Widgets(middleware, environ)
    return {"consentkit": widgets, "consent": consent if isinstance(consent, Consent) else UNDECIDED}
