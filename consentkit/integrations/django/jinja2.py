"""Django's Jinja2 backend: ``"environment": "consentkit.django.jinja2.environment"``.

The environment gets the ``{% consent %}`` extension and a ``consentkit``
global whose helpers (``consentkit.head()``, ``consentkit.body()`` ...) find
the visitor through ``request``, which Django puts in every template's
context. Templates read as they do in Flask. A site with its own environment
function calls ``install(env)`` in it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from jinja2 import Environment, pass_context
from jinja2.runtime import Context

from ...render.jinja import ConsentExtension
from ...render.widgets import Widgets
from .widgets import request_widgets

#: The ``Widgets`` methods templates may call.
HELPERS: Final = frozenset({"head", "body", "banner", "dialog", "settings_link", "notice", "allows"})


class DjangoConsentExtension(ConsentExtension):
    """``{% consent %}`` with the visitor found through the context's ``request``."""

    def widgets(self, context: Context) -> Widgets | None:
        return request_widgets(context.get("request"))

    def helpers_widgets(self, context: Context, helpers: object) -> Widgets | None:
        # ``consentkit.head()`` compiled to a filter: the global's helper would find the same widgets.
        return request_widgets(context.get("request")) if isinstance(helpers, RequestHelpers) else None


class RequestHelpers:
    """The ``consentkit`` global: each helper resolves the request it is rendered for."""

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name not in HELPERS:
            raise AttributeError(name)

        @pass_context
        def helper(context: Context, *args: Any, **kwargs: Any) -> Any:
            return getattr(request_widgets(context.get("request")), name)(*args, **kwargs)

        return helper


def install(env: Environment) -> Environment:
    env.add_extension(DjangoConsentExtension)
    env.globals["consentkit"] = RequestHelpers()
    return env


def environment(**options: Any) -> Environment:
    """A Jinja2 environment for Django's backend, with consentkit's tag and helpers."""
    # Django's backend passes autoescape=True unless the site turns it off.
    return install(Environment(**options))  # noqa: S701
