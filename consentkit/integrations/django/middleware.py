"""``ConsentMiddleware``: the tracking gate as a Django middleware, sync and async.

For every request it reads the visitor's consent (``request.consent``) and, in
the response, drops each cookie of a category the visitor has not granted:
those in ``response.cookies`` and a raw ``Set-Cookie`` header alike, by the
same rules as the WSGI gate (``Gatekeeper.blocks``). Cookies set by a
middleware listed above this one never pass through it, so place it directly
after ``LocaleMiddleware``, above anything that may set an optional cookie.

A visitor's new Global Privacy Control refusal is stored and logged on the
way out, as the WSGI middleware does.

With ``[gate] html = "auto"`` (the default) an HTML response passes through
the same auto-gate as under WSGI, for a visitor who has not granted every
category: a template's hard-coded tracker tags come out inert, a streamed
response chunk by chunk.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import patch_vary_headers

from ...consent import Consent
from ...gate.autogate import AutoGate, BodyRewriter
from ...gate.middleware import is_html
from ...gate.page_rewrite import start_page_rewrite
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
        self.autogate = AutoGate(self.keeper.config)
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
        meta = request.META
        for key, morsel in list(response.cookies.items()):
            if self.keeper.blocks(morsel.OutputString(), consent, meta):
                del response.cookies[key]
        raw = response.headers.get("Set-Cookie")
        if raw is not None and self.keeper.blocks(raw, consent, meta):
            del response.headers["Set-Cookie"]
        if meta.get(VARIES_KEY) or is_html(response.items()):
            patch_vary_headers(response, ("Cookie",))
        denied = self.autogate.denied(consent.granted)
        if denied:
            self._hold_back_trackers(request, response, denied)
        if gpc_new:
            add_set_cookies(response, [self.keeper.consent_cookie(consent, request_environ(request))[1]])
            self.keeper.record(
                consent, self.keeper.locale_for(meta, django_locale(request, self.keeper.config.locales))
            )
        return response

    def _hold_back_trackers(self, request: HttpRequest, response: HttpResponseBase, denied: frozenset[str]) -> None:
        """Pass an HTML body through the auto-gate, with the headers it asks for (no Content-Length, a weak ETag)."""
        headers = list(response.items())
        new_headers, rewriter = start_page_rewrite(
            self.keeper,
            self.autogate,
            str(response.status_code),
            headers,
            denied,
            request.META,
            getattr(request, "LANGUAGE_CODE", None),
        )
        if rewriter is None:
            return
        if response.streaming:
            if response.is_async:  # type: ignore[attr-defined]
                response.streaming_content = _rewritten_async(response.streaming_content, rewriter)  # type: ignore[attr-defined]
            else:
                response.streaming_content = _rewritten(response.streaming_content, rewriter)  # type: ignore[attr-defined]
        else:
            response.content = rewriter.feed(response.content) + rewriter.finish()  # type: ignore[attr-defined]
        for name, _ in headers:
            del response[name]
        for name, value in new_headers:
            response[name] = value
        if not response.streaming and any(name.lower() == "content-length" for name, _ in headers):
            response["Content-Length"] = str(len(response.content))  # type: ignore[attr-defined]


def _rewritten(chunks: Iterable[bytes], rewriter: BodyRewriter) -> Iterator[bytes]:
    for chunk in chunks:
        out = rewriter.feed(bytes(chunk))
        if out:
            yield out
    tail = rewriter.finish()
    if tail:
        yield tail


async def _rewritten_async(chunks: AsyncIterator[bytes], rewriter: BodyRewriter) -> AsyncIterator[bytes]:
    async for chunk in chunks:
        out = rewriter.feed(bytes(chunk))
        if out:
            yield out
    tail = rewriter.finish()
    if tail:
        yield tail
