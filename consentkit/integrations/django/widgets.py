"""The template helpers of one Django request, for the template tags and the Jinja2 environment."""

from __future__ import annotations

from typing import Any, Final

from django.core.exceptions import ImproperlyConfigured

from ...render.widgets import MIDDLEWARE_KEY, Widgets, widgets_for

#: ``request.META`` key of the request's helpers, made by the first tag that asks.
WIDGETS_KEY: Final = "consentkit.django.widgets"

_NO_REQUEST = (
    "consentkit's template helpers need the request: add "
    '"django.template.context_processors.request" to the context_processors in TEMPLATES'
)
_NO_MIDDLEWARE = (
    'consentkit: this request did not pass through ConsentMiddleware; add "consentkit.django.ConsentMiddleware" '
    "to MIDDLEWARE, after LocaleMiddleware"
)


def request_widgets(request: Any) -> Widgets:
    """``{{ consentkit.head() }}`` and friends for ``request``, in its Django language when the config offers it."""
    meta = getattr(request, "META", None)
    if not isinstance(meta, dict):
        raise ImproperlyConfigured(_NO_REQUEST)
    if MIDDLEWARE_KEY not in meta:
        raise ImproperlyConfigured(_NO_MIDDLEWARE)
    language = getattr(request, "LANGUAGE_CODE", None)
    # One per request, language and gate: every tag of a page asks, and each would work out the locale and path.
    kept = meta.get(WIDGETS_KEY)
    if isinstance(kept, tuple) and kept[0] == language and kept[1] is meta[MIDDLEWARE_KEY]:
        widgets: Widgets = kept[2]
        return widgets
    widgets = widgets_for(meta, language)
    meta[WIDGETS_KEY] = (language, meta[MIDDLEWARE_KEY], widgets)
    return widgets
