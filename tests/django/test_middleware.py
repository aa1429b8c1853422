"""ConsentMiddleware: the same gate as the WSGI middleware, on Django responses, sync and async."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import pytest
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.test import AsyncClient, Client, RequestFactory

from consentkit.consent import COOKIE_NAME
from consentkit.integrations.django.conf import gatekeeper
from consentkit.integrations.django.middleware import ConsentMiddleware

from .conftest import HOST, log_path, logged, set_cookies

__all__ = ["log_path"]

T = TypeVar("T")


def _run(work: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine on a thread of its own: the browser tests' Playwright keeps an event loop on this one."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, work).result()


def _view(*cookies: tuple[str, str], raw: str | None = None) -> Callable[[HttpRequest], HttpResponse]:
    def view(request: HttpRequest) -> HttpResponse:
        consent = request.consent  # type: ignore[attr-defined]
        response = HttpResponse(f"decided={consent.decided} granted={','.join(sorted(consent.granted))}")
        for name, value in cookies:
            response.set_cookie(name, value)
        if raw is not None:
            response.headers["Set-Cookie"] = raw
        return response

    return view


def _consent_cookie(*categories: str) -> str:
    client = Client(HTTP_HOST=HOST)
    response = client.post("/consentkit/consent", {"choice": "custom", "category": list(categories), "next": "/"})
    return response.cookies[COOKIE_NAME].value


def _request(cookie: str = "", **meta: Any) -> HttpRequest:
    return RequestFactory().get("/nb/", HTTP_HOST=HOST, HTTP_COOKIE=cookie, **meta)


GATED = [
    pytest.param((), {"csrftoken", "sessionid", "django_language", "messages"}, id="undecided-keeps-django-cookies"),
    pytest.param(("functional",), {"csrftoken", "sessionid", "django_language", "messages", "lang"}, id="functional"),
    pytest.param(("analytics",), {"csrftoken", "sessionid", "django_language", "messages", "_ga"}, id="analytics"),
]


@pytest.mark.parametrize(("granted", "kept"), GATED)
def test_response_cookies_are_gated_by_category(granted: tuple[str, ...], kept: set[str]) -> None:
    cookie = f"{COOKIE_NAME}={_consent_cookie(*granted)}" if granted else ""
    view = _view(
        ("csrftoken", "t"),
        ("sessionid", "s"),
        ("django_language", "sv"),
        ("messages", "m"),
        ("lang", "sv"),
        ("_ga", "1"),
    )
    response = ConsentMiddleware(view)(_request(cookie))
    assert set(response.cookies) == kept


def test_a_raw_set_cookie_header_is_gated_too() -> None:
    response = ConsentMiddleware(_view(raw="_fbp=fb.1; Path=/; Max-Age=7776000"))(_request())
    assert "Set-Cookie" not in response.headers
    allowed = f"{COOKIE_NAME}={_consent_cookie('marketing')}"
    response = ConsentMiddleware(_view(raw="_fbp=fb.1; Path=/; Max-Age=7776000"))(_request(allowed))
    assert response.headers["Set-Cookie"] == "_fbp=fb.1; Path=/; Max-Age=7776000"


def test_deleting_a_tracker_cookie_needs_no_consent() -> None:
    def view(request: HttpRequest) -> HttpResponse:
        response = HttpResponse()
        response.delete_cookie("_ga")
        return response

    assert "_ga" in ConsentMiddleware(view)(_request()).cookies


def test_django_cookies_are_necessary_whatever_their_names(settings: Any) -> None:
    settings.SESSION_COOKIE_NAME = "portal_session"
    settings.CSRF_COOKIE_NAME = "portal_csrf"
    settings.LANGUAGE_COOKIE_NAME = "portal_language"
    view = _view(("portal_session", "s"), ("portal_csrf", "t"), ("portal_language", "nb"), ("_ga", "x"))
    response = ConsentMiddleware(view)(_request())
    assert set(response.cookies) == {"portal_session", "portal_csrf", "portal_language"}


def test_request_consent_is_the_visitors() -> None:
    response = ConsentMiddleware(_view())(_request(f"{COOKIE_NAME}={_consent_cookie('analytics')}"))
    assert response.content == b"decided=True granted=analytics,necessary"
    assert "decided=False" in ConsentMiddleware(_view())(_request()).content.decode()


def test_a_tampered_consent_cookie_reads_as_undecided() -> None:
    value = _consent_cookie("analytics", "marketing")
    response = ConsentMiddleware(_view(("_ga", "1")))(_request(f"{COOKIE_NAME}={value[:-2]}xx"))
    assert "decided=False" in response.content.decode()
    assert "_ga" not in response.cookies


def test_gpc_refusal_is_stored_and_logged_once_per_navigation(log_path: Any) -> None:
    navigation = _request(HTTP_SEC_GPC="1", HTTP_SEC_FETCH_DEST="document", HTTP_ACCEPT_LANGUAGE="sv")
    response = ConsentMiddleware(_view(("_ga", "1")))(navigation)
    assert "_ga" not in response.cookies
    assert response.cookies[COOKIE_NAME]["max-age"] != 0
    image = _request(HTTP_SEC_GPC="1", HTTP_SEC_FETCH_DEST="image")
    assert COOKIE_NAME not in ConsentMiddleware(_view())(image).cookies
    assert logged(log_path) == [("gpc", "", "sv")]


def test_gpc_log_follows_djangos_language(log_path: Any) -> None:
    request = _request(HTTP_SEC_GPC="1", HTTP_SEC_FETCH_DEST="document", HTTP_ACCEPT_LANGUAGE="nb")
    request.LANGUAGE_CODE = "sv"  # type: ignore[attr-defined]  # as LocaleMiddleware sets it
    ConsentMiddleware(_view())(request)
    assert logged(log_path)[-1][2] == "sv"


def test_pages_that_read_the_consent_vary_on_cookie(client: Client) -> None:
    assert "Cookie" in client.get("/nb/", HTTP_HOST=HOST)["Vary"]


def test_the_async_middleware_gates_the_same(settings: Any) -> None:
    async def view(request: HttpRequest) -> HttpResponse:
        response = HttpResponse()
        response.set_cookie("_ga", "1")
        response.set_cookie("csrftoken", "t")
        return response

    middleware = ConsentMiddleware(view)
    assert asyncio.iscoroutinefunction(middleware)
    response = _run(middleware(_request()))
    assert set(response.cookies) == {"csrftoken"}


def test_the_site_under_asgi_gates_and_answers_consent() -> None:
    async def visit() -> tuple[Any, Any]:
        client = AsyncClient(HTTP_HOST=HOST)
        page = await client.get("/nb/")
        choice = await client.post("/consentkit/consent", {"choice": "reject_all", "next": "/nb/"})
        return page, choice

    page, choice = _run(visit())
    assert page.status_code == 200
    assert "lang" not in page.cookies
    assert choice.status_code == 303
    assert COOKIE_NAME in choice.cookies


def test_withdrawal_expires_the_denied_cookies(client: Client) -> None:
    client.post("/consentkit/consent", {"choice": "accept_all", "next": "/nb/"}, HTTP_HOST=HOST)
    client.cookies["_ga"] = "GA1.1.1"
    client.cookies["lang"] = "nb"
    response = client.post("/consentkit/consent", {"choice": "reject_all", "next": "/nb/"}, HTTP_HOST=HOST)
    headers = set_cookies(response)
    for name in ("_ga", "lang"):
        assert f"{name}=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/" in headers
        assert f"{name}=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/; Domain=eksempel.test" in headers
    assert not any(header.startswith(("csrftoken=", "sessionid=")) for header in headers)


def test_the_gatekeeper_is_built_once_from_the_settings(settings: Any) -> None:
    assert gatekeeper() is gatekeeper()
    first = gatekeeper()
    settings.CONSENTKIT_PREFIX = "/samtykke"
    assert gatekeeper() is not first
    assert gatekeeper().prefix == "/samtykke"


PASTED = (
    '<!doctype html><html lang="nb"><meta charset="utf-8"><title>Blåbær</title>'
    '<script async src="https://www.googletagmanager.com/gtag/js?id=G-X"></script>'
    '<iframe src="https://www.youtube.com/embed/x"></iframe><p>Blåbærsyltetøy</p>'
)
INERT_GTAG = (
    '<script async src="https://www.googletagmanager.com/gtag/js?id=G-X" type="text/plain" '
    'data-consentkit-category="analytics" data-consentkit-service="google-analytics"></script>'
)


def _html_view(streamed: bool) -> Callable[[HttpRequest], HttpResponseBase]:
    def view(request: HttpRequest) -> HttpResponseBase:
        body = PASTED.encode()
        if streamed:  # cut inside the script tag and inside a two-byte letter
            return StreamingHttpResponse([body[:70], body[70:92], body[92:]], content_type="text/html; charset=utf-8")
        response = HttpResponse(body, content_type="text/html; charset=utf-8")
        response["Content-Length"] = str(len(body))
        response["ETag"] = '"v1"'
        return response

    return view


def _body(response: HttpResponseBase) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content  # type: ignore[attr-defined]
    return content.decode("utf-8")  # a placeholder's "ø" must come out as UTF-8 too, not as a Latin-1 byte


@pytest.mark.parametrize("streamed", [False, True], ids=["whole", "streamed"])
def test_pasted_trackers_are_held_back_by_the_auto_gate(streamed: bool) -> None:
    response = ConsentMiddleware(_html_view(streamed))(_request())
    html = _body(response)
    assert INERT_GTAG in html
    assert 'data-src="https://www.youtube.com/embed/x"' in html
    assert "kommer fra YouTube (www.youtube.com)" in html  # the service's placeholder, in the page's language
    assert html.endswith("<p>Blåbærsyltetøy</p>")
    if not streamed:
        assert response["Content-Length"] == str(len(response.content))  # type: ignore[attr-defined]
        assert response["ETag"] == 'W/"v1"'  # the body now depends on the cookie


def test_a_visitor_who_allowed_everything_gets_the_page_as_written() -> None:
    cookie = f"{COOKIE_NAME}={_consent_cookie('functional', 'analytics', 'marketing')}"
    response = ConsentMiddleware(_html_view(False))(_request(cookie))
    assert response.content == PASTED.encode()  # type: ignore[attr-defined]
    assert response["ETag"] == '"v1"'


def test_report_mode_changes_nothing(portal_settings: Any) -> None:
    portal_settings.CONSENTKIT_CONFIG = {**portal_settings.CONSENTKIT_CONFIG, "gate": {"html": "report"}}
    response = ConsentMiddleware(_html_view(False))(_request())
    assert response.content == PASTED.encode()  # type: ignore[attr-defined]


def test_the_async_middleware_holds_back_a_streamed_page() -> None:
    async def view(request: HttpRequest) -> HttpResponseBase:
        async def chunks() -> Any:
            for piece in (PASTED[:70], PASTED[70:]):
                yield piece.encode()

        return StreamingHttpResponse(chunks(), content_type="text/html; charset=utf-8")

    async def run() -> str:
        response = await ConsentMiddleware(view)(_request())
        return b"".join([chunk async for chunk in response.streaming_content]).decode()

    assert INERT_GTAG in _run(run())


def test_a_static_html_file_is_held_back_too(tmp_path: Any) -> None:
    """A FileResponse would go out through the server's wsgi.file_wrapper, unread: the rewritten body replaces
    the file, and the file's Content-Length goes."""
    page = tmp_path / "kampanje.html"
    page.write_bytes(PASTED.encode())

    def view(request: HttpRequest) -> HttpResponseBase:
        return FileResponse(page.open("rb"), content_type="text/html; charset=utf-8")

    response = ConsentMiddleware(view)(_request())
    assert response.file_to_stream is None  # type: ignore[attr-defined]
    assert "Content-Length" not in response
    assert INERT_GTAG in _body(response)
