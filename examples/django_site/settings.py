"""Settings of the Django example portal (``DJANGO_SETTINGS_MODULE=examples.django_site.settings``)."""

from __future__ import annotations

import os
import tempfile
import tomllib
from pathlib import Path
from typing import Any

from examples.secret_key import example_secret_key

BASE_DIR = Path(__file__).resolve().parent
FLASK_SITE = BASE_DIR.parent / "flask_site"

# $SECRET_KEY, or a random key made on first start; a real site reads it from a secret store.
SECRET_KEY = example_secret_key(BASE_DIR)
DEBUG = os.environ.get("DJANGO_DEBUG") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", ".eksempel.test"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "consentkit.django",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # After LocaleMiddleware and above everything that may set an optional cookie.
    "consentkit.django.ConsentMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "examples.django_site.views.content_security_policy",
    "examples.django_site.views.remember_language",
]

ROOT_URLCONF = "examples.django_site.urls"
WSGI_APPLICATION = "examples.django_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "examples.django_site.views.site_texts",
            ],
        },
    },
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("PORTAL_DATABASE", str(BASE_DIR / "db.sqlite3")),
        # A file, not memory: the browser tests serve the site from other threads.
        "TEST": {"NAME": str(Path(tempfile.gettempdir()) / f"consentkit-django-site-test-{os.getpid()}.sqlite3")},
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "nb"
LANGUAGES = [("nb", "Norsk bokmål"), ("sv", "Svenska")]
TIME_ZONE = "Europe/Oslo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [FLASK_SITE / "static"]
SESSION_COOKIE_SAMESITE = "Lax"


def portal_config(path: Path = FLASK_SITE / "consentkit.toml", log_dir: Path = BASE_DIR) -> dict[str, Any]:
    """The Flask portal's config, with Django's cookies declared in place of Flask's session cookie.

    Django's own cookies pass the gate whatever their names; they are declared
    here so that the cookie notice lists them with a purpose. The session
    cookie needs no declaration: the notice lists it by itself.
    """
    with path.open("rb") as file:
        config = tomllib.load(file)
    config["cookies"] = [cookie for cookie in config["cookies"] if cookie["name"] != "session"] + DJANGO_COOKIES
    config.setdefault("log", {})["url"] = f"sqlite:///{log_dir / 'consentkit-log.sqlite3'}"
    return config


DJANGO_COOKIES = [
    {
        "name": "csrftoken",
        "category": "necessary",
        "duration": "1 year",
        "purpose": {
            "nb": "Sikrer at skjemaene du sender inn, som innloggingen, kommer fra våre egne sider.",
            "sv": "Säkerställer att formulären du skickar, som inloggningen, kommer från våra egna sidor.",
        },
    },
    {
        "name": "django_language",
        "category": "necessary",
        "duration": "session",
        "purpose": {
            "nb": "Husker at du har valgt å lese sidene på norsk eller svensk.",
            "sv": "Kommer ihåg att du har valt att läsa sidorna på norska eller svenska.",
        },
    },
    {
        "name": "messages",
        "category": "necessary",
        "duration": "session",
        "purpose": {
            "nb": "Viser en bekreftelse på neste side etter at du har lagret noe.",
            "sv": "Visar en bekräftelse på nästa sida efter att du har sparat något.",
        },
    },
]

# The consent log next to the database, or in $PORTAL_LOG_DIR (tests keep it out of the repository).
CONSENTKIT_CONFIG = portal_config(log_dir=Path(os.environ.get("PORTAL_LOG_DIR", BASE_DIR)))
