"""``manage.py check``: consentkit's config and set-up as Django system checks.

- ``consentkit.E001``: the config has an error (one per problem, with its key path).
- ``consentkit.E002``: a ``CONSENTKIT_*`` setting is of the wrong kind.
- ``consentkit.E003``: the consent URLs are included somewhere else than ``CONSENTKIT_PREFIX``.
- ``consentkit.E004``: ``SECRET_KEY`` (or a fallback) is too weak to sign consent cookies.
- ``consentkit.W001``: the config has a legal risk (one per warning, with its key path).
- ``consentkit.W002``: ``ConsentMiddleware`` is not in ``MIDDLEWARE``, so no cookie is gated.
- ``consentkit.W003``: the consent URLs are not included, so the banner's buttons lead nowhere.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register
from django.core.exceptions import ImproperlyConfigured
from django.urls import NoReverseMatch, reverse
from django.utils.module_loading import import_string

from ...config.model import ConfigError
from ...gate.consent_cookie import WeakSecretKey, check_secret_keys
from .conf import load_settings_config, prefix_setting, secret_keys
from .middleware import ConsentMiddleware

TAG = "consentkit"


@register(TAG)
def check_config(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    try:
        config = load_settings_config()
    except ConfigError as error:
        hint = f"in {error.source}; `manage.py consentkit check` prints the same"
        return [Error(problem, hint=hint, id="consentkit.E001") for problem in error.problems]
    except ImproperlyConfigured as error:
        return [Error(str(error), id="consentkit.E002")]
    return [Warning(warning, id="consentkit.W001") for warning in config.warnings]


@register(TAG)
def check_secret_key(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    try:
        check_secret_keys(secret_keys(), debug=settings.DEBUG)
    except WeakSecretKey as error:
        return [Error(str(error), id="consentkit.E004")]
    return []


def _is_consent_middleware(path: str) -> bool:
    try:
        return import_string(path) is ConsentMiddleware
    except ImportError:
        return False


@register(TAG)
def check_middleware(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if any(_is_consent_middleware(path) for path in settings.MIDDLEWARE):
        return []
    return [
        Warning(
            "ConsentMiddleware is not in MIDDLEWARE, so no cookie is gated",
            hint='add "consentkit.django.ConsentMiddleware" to MIDDLEWARE, directly after LocaleMiddleware',
            id="consentkit.W002",
        )
    ]


@register(TAG, "urls")
def check_urls(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    try:
        prefix = prefix_setting()
    except ImproperlyConfigured as error:
        return [Error(str(error), id="consentkit.E002")]
    try:
        included = reverse("consentkit:consent").removesuffix("/consent")
    except NoReverseMatch:
        return [
            Warning(
                "consentkit's URLs are not included, so the banner's buttons lead nowhere",
                hint=f'add path("{prefix.lstrip("/")}/", include("consentkit.django.urls")) to your urlpatterns',
                id="consentkit.W003",
            )
        ]
    if included != prefix:
        return [
            Error(
                f"consentkit's URLs are included at {included}/ but CONSENTKIT_PREFIX is {prefix!r}",
                hint=f'set CONSENTKIT_PREFIX = "{included}" or include the URLs at {prefix}/',
                id="consentkit.E003",
            )
        ]
    return []
