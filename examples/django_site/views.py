"""The portal's pages, its texts in every template, and its Content-Security-Policy."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from consentkit.render.i18n import negotiate_locale
from examples.flask_site import CONTENT_SECURITY_POLICY, DEMO_CASE
from examples.flask_site.site_texts import LANGUAGES, TEXTS


def _language(request: HttpRequest) -> str:
    language = getattr(request, "LANGUAGE_CODE", "nb")
    return language if language in LANGUAGES else "nb"


def site_texts(request: HttpRequest) -> dict[str, Any]:
    """Context processor: the portal's texts in the page's language, and the CSP nonce."""
    lang = _language(request)
    return {
        "lang": lang,
        "s": TEXTS[lang],
        "other": "sv" if lang == "nb" else "nb",
        "csp_nonce": getattr(request, "csp_nonce", ""),
    }


def content_security_policy(get_response: Callable[[HttpRequest], HttpResponseBase]) -> Callable[..., Any]:
    """The Flask portal's strict policy on the portal's pages (the admin brings its own inline styles)."""

    def middleware(request: HttpRequest) -> HttpResponseBase:
        if request.path.startswith("/admin/"):
            return get_response(request)
        request.csp_nonce = secrets.token_urlsafe(16)  # type: ignore[attr-defined]
        response = get_response(request)
        response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.format(nonce=request.csp_nonce)  # type: ignore[attr-defined]
        return response

    return middleware


def root(request: HttpRequest) -> HttpResponse:
    """/ leads to the remembered language (a functional cookie), else the browser's."""
    remembered = request.COOKIES.get("lang")
    if remembered in LANGUAGES:
        return redirect(f"/{remembered}/")
    lang = negotiate_locale(request.headers.get("Accept-Language"), LANGUAGES, "nb")
    return redirect(f"/{lang}/")


def remember_language(get_response: Callable[[HttpRequest], HttpResponseBase]) -> Callable[..., Any]:
    """Remember the page's language in a functional cookie; consentkit drops it unless functional is allowed."""

    def middleware(request: HttpRequest) -> HttpResponseBase:
        response = get_response(request)
        lang = getattr(request, "LANGUAGE_CODE", None)
        if request.path.startswith(("/nb/", "/sv/")) and lang in LANGUAGES and request.COOKIES.get("lang") != lang:
            response.set_cookie("lang", lang, max_age=365 * 86_400, samesite="Lax")
        return response

    return middleware


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html")


def login(request: HttpRequest) -> HttpResponse:
    error = None
    if request.method == "POST":
        if (request.POST.get("case", "").strip(), request.POST.get("pin", "").strip()) == DEMO_CASE:
            request.session["case"] = DEMO_CASE[0]
            return redirect("my_case")
        error = TEXTS[_language(request)]["wrong_login"]
    return render(request, "portal/login.html", {"error": error})


def my_case(request: HttpRequest) -> HttpResponse:
    case = request.session.get("case")
    if case is None:
        return redirect("login")
    heading = TEXTS[_language(request)]["case_heading"] % {"case": case}
    return render(request, "portal/case.html", {"heading": heading})


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    request.session.flush()
    return redirect("home")


def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/privacy.html")
