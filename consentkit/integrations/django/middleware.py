"""``ConsentMiddleware``: the tracking gate as a Django middleware, sync and async.

For every request it reads the visitor's consent (``request.consent``) and, in
the response, drops each cookie of a category the visitor has not granted:
those in ``response.cookies`` and a raw ``Set-Cookie`` header alike, by the
same rules as the WSGI gate (``Gatekeeper.blocks``). Cookies set by a
middleware listed above this one never pass through it, so place it directly
after ``LocaleMiddleware``, above anything that may set an optional cookie.

A visitor's new Global Privacy Control refusal is stored and logged on the
way out, as the WSGI middleware does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import patch_vary_headers

from ...consent import Consent
from ...gate.middleware import is_html
from ...render.i18n import pick_locale
from ...render.widgets import CONSENT_KEY, MIDDLEWARE_KEY, VARIES_KEY
from .conf import gatekeeper
from .cookies import add_set_cookies

GetResponse = Callable[[HttpRequest], Any]


def request_environ(request: HttpRequest) -> dict[str, Any]:
    """``request.META`` with the scheme as Django sees it (``SECURE_PROXY_SSL_HEADER`` included)."""
    return {**request.META, "wsgi.url_scheme": request.scheme}


def django_locale(request: HttpRequest, locales: tuple[str, ...]) -> str | None:
    """``request.LANGUAGE_CODE`` (from LocaleMiddleware) when it is one of the config's locales."""
    return pick_locale(getattr(request, "LANGUAGE_CODE", None), locales)


class ConsentMiddleware:
    sync_capable = True
    async_capable = True

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response
        self.keeper = gatekeeper()
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> Any:
        if self.is_async:
            return self._acall(request)
        consent, gpc_new = self._resolve(request)
        return self._gate(request, self.get_response(request), consent, gpc_new)

    async def _acall(self, request: HttpRequest) -> HttpResponseBase:
        consent, gpc_new = self._resolve(request)
        response: HttpResponseBase = await self.get_response(request)
        return self._gate(request, response, consent, gpc_new)

    def _resolve(self, request: HttpRequest) -> tuple[Consent, bool]:
        consent, gpc_new = self.keeper.resolve(request.META)
        request.META[CONSENT_KEY] = consent
        request.META[MIDDLEWARE_KEY] = self.keeper
        request.consent = consent  # type: ignore[attr-defined]
        return consent, gpc_new

    def _gate(
        self, request: HttpRequest, response: HttpResponseBase, consent: Consent, gpc_new: bool
    ) -> HttpResponseBase:
        meta, granted = request.META, consent.granted
        for key, morsel in list(response.cookies.items()):
            if self.keeper.blocks(morsel.OutputString(), granted, meta):
                del response.cookies[key]
        raw = response.headers.get("Set-Cookie")
        if raw is not None and self.keeper.blocks(raw, granted, meta):
            del response.headers["Set-Cookie"]
        if meta.get(VARIES_KEY) or is_html(response.items()):
            patch_vary_headers(response, ("Cookie",))
        if gpc_new:
            add_set_cookies(response, [self.keeper.consent_cookie(consent, request_environ(request))[1]])
            self.keeper.record(
                consent, self.keeper.locale_for(meta, django_locale(request, self.keeper.config.locales))
            )
        return response
