"""Django's settings in, one ``Gatekeeper`` out.

- ``CONSENTKIT_CONFIG``: path of the TOML file (relative paths are relative to
  ``BASE_DIR``), a dict of the same keys, or a ``Config``; by default
  ``BASE_DIR / "consentkit.toml"``.
- ``CONSENTKIT_PREFIX``: where ``include("consentkit.django.urls")`` puts the
  consent URLs (``/consentkit``); ``manage.py check`` says when they differ.
- ``CONSENTKIT_SECURE``: force the consent cookie's Secure flag; by default it
  follows ``request.is_secure()`` (so ``SECURE_PROXY_SSL_HEADER`` counts).

The consent cookie is signed with ``SECRET_KEY``; ``SECRET_KEY_FALLBACKS``
still verify cookies signed before a rotation. A weak key is refused as in
the WSGI middleware, and only warned about with ``DEBUG = True``. Django's own cookies
(``SESSION_COOKIE_NAME``, ``CSRF_COOKIE_NAME``, ``LANGUAGE_COOKIE_NAME`` and
the messages cookie) are necessary whatever they are called.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, Final

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from ...config.load import Config, load_config, parse_config
from ...config.model import DEFAULT_CONFIG_NAME
from ...gate.endpoints import Endpoints
from ...gate.gatekeeper import Gatekeeper

#: ``request.META`` key of the visitor's Django language, for the endpoints' locale.
LANGUAGE_KEY: Final = "consentkit.django.language"
DEFAULT_PREFIX: Final = "/consentkit"
#: Settings whose change (``override_settings`` in tests) means a new Gatekeeper.
WATCHED_SETTINGS: Final = frozenset(
    {
        "CONSENTKIT_CONFIG",
        "CONSENTKIT_PREFIX",
        "CONSENTKIT_SECURE",
        "SECRET_KEY",
        "SECRET_KEY_FALLBACKS",
        "SESSION_COOKIE_NAME",
        "CSRF_COOKIE_NAME",
        "LANGUAGE_COOKIE_NAME",
        "MESSAGE_STORAGE",
        "BASE_DIR",
        "DEBUG",
    }
)


def _base_dir() -> Path:
    base = getattr(settings, "BASE_DIR", None)
    return Path(base) if base else Path.cwd()


def config_setting() -> Config | Path | dict[str, Any]:
    """``CONSENTKIT_CONFIG`` as given: a ``Config``, a dict, or an absolute path."""
    setting = getattr(settings, "CONSENTKIT_CONFIG", DEFAULT_CONFIG_NAME)
    if isinstance(setting, (Config, dict)):
        return setting
    if isinstance(setting, (str, Path)):
        path = Path(setting)
        return path if path.is_absolute() else _base_dir() / path
    raise ImproperlyConfigured(
        f"CONSENTKIT_CONFIG must be a path to consentkit.toml, a dict or a Config, got {type(setting).__name__}"
    )


def load_settings_config() -> Config:
    """The checked config named by ``CONSENTKIT_CONFIG``; raises ``ConfigError`` naming each problem."""
    setting = config_setting()
    if isinstance(setting, Config):
        return setting
    if isinstance(setting, dict):
        return parse_config(setting, base_dir=_base_dir(), source="settings.CONSENTKIT_CONFIG")
    return load_config(setting)


def prefix_setting() -> str:
    prefix = getattr(settings, "CONSENTKIT_PREFIX", DEFAULT_PREFIX)
    if not isinstance(prefix, str) or not prefix.startswith("/") or prefix.rstrip("/") == "":
        raise ImproperlyConfigured(f'CONSENTKIT_PREFIX must be a path such as "/consentkit", got {prefix!r}')
    return prefix.rstrip("/")


def necessary_cookie_names() -> list[str]:
    """Django's own cookies besides the session: CSRF, language and messages, by their configured names."""
    names = [settings.CSRF_COOKIE_NAME, settings.LANGUAGE_COOKIE_NAME, CookieStorage.cookie_name]
    try:
        storage = import_string(settings.MESSAGE_STORAGE)
    except ImportError:
        storage = None
    if isinstance(getattr(storage, "cookie_name", None), str):
        names.append(storage.cookie_name)
    return list(dict.fromkeys(name for name in names if name))


def secret_keys() -> list[str | bytes]:
    """Oldest to newest, as itsdangerous takes them: the fallbacks verify, ``SECRET_KEY`` signs."""
    return [*getattr(settings, "SECRET_KEY_FALLBACKS", []), settings.SECRET_KEY]


def _language_of(environ: Any) -> str | None:
    language = environ.get(LANGUAGE_KEY)
    return language if isinstance(language, str) else None


@functools.cache
def gatekeeper() -> Gatekeeper:
    """The site's one Gatekeeper, built from the settings on first use."""
    return Gatekeeper(
        load_settings_config(),
        secret_keys(),
        prefix=prefix_setting(),
        session_cookie_name=settings.SESSION_COOKIE_NAME,
        necessary_cookies=necessary_cookie_names(),
        locale_selector=_language_of,
        secure=getattr(settings, "CONSENTKIT_SECURE", None),
        debug=settings.DEBUG,
    )


@functools.cache
def endpoints() -> Endpoints:
    return Endpoints(gatekeeper())


def forget(*, setting: str, **kwargs: Any) -> None:
    """``setting_changed`` receiver (``override_settings`` in tests): middleware loaded from now on gets a
    Gatekeeper of the new settings. One already loaded keeps its own, store included, as Django's
    middleware keep the settings they read at start-up."""
    if setting not in WATCHED_SETTINGS:
        return
    gatekeeper.cache_clear()
    endpoints.cache_clear()
