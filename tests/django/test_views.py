"""consentkit's URLs as Django views: the same answers as under the WSGI middleware."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from consentkit.consent import COOKIE_NAME

from .conftest import HOST, log_path, logged

__all__ = ["log_path"]


@pytest.fixture
def strict_client() -> Client:
    """A client that Django's CSRF middleware checks, as it does a browser."""
    return Client(enforce_csrf_checks=True, HTTP_HOST=HOST)


def test_the_banners_form_needs_no_django_csrf_token(strict_client: Client, log_path: Any) -> None:
    response = strict_client.post("/consentkit/consent", {"choice": "reject_all", "next": "/sv/", "locale": "sv"})
    assert response.status_code == 303
    assert response["Location"] == "/sv/"
    assert response["Cache-Control"] == "no-store"
    assert COOKIE_NAME in response.cookies
    assert logged(log_path) == [("reject_all", "", "sv")]


def test_other_posts_still_need_the_csrf_token(strict_client: Client) -> None:
    assert strict_client.post("/nb/logg-inn", {"case": "12345678", "pin": "1234"}).status_code == 403


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        pytest.param({"HTTP_ORIGIN": "https://evil.example"}, 403, id="other-origin"),
        pytest.param({"HTTP_ORIGIN": "null"}, 403, id="null-origin"),
        pytest.param({"HTTP_REFERER": "https://evil.example/page"}, 403, id="other-referer"),
        pytest.param({"HTTP_ORIGIN": f"http://{HOST}"}, 303, id="own-origin"),
    ],
)
def test_the_origin_check_stays(strict_client: Client, headers: dict[str, str], status: int) -> None:
    response = strict_client.post("/consentkit/consent", {"choice": "accept_all"}, **headers)  # type: ignore[arg-type]
    assert response.status_code == status
    assert (COOKIE_NAME in response.cookies) is (status == 303)


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        pytest.param({"choice": "everything"}, None, id="unknown-choice"),
        pytest.param('{"choice": "custom", "categories": "analytics"}', "application/json", id="categories-not-a-list"),
        pytest.param("[1, 2", "application/json", id="broken-json"),
        pytest.param({"choice": "custom", "category": ["necessary"]}, None, id="necessary-is-not-optional"),
    ],
)
def test_bad_choices_get_a_clear_400(client: Client, data: Any, content_type: str | None) -> None:
    options = {"content_type": content_type} if content_type else {}
    response = client.post("/consentkit/consent", data, HTTP_HOST=HOST, **options)
    assert response.status_code == 400
    assert COOKIE_NAME not in response.cookies


def test_a_body_over_the_limit_is_refused_unread(client: Client) -> None:
    response = client.post(
        "/consentkit/consent",
        {"choice": "accept_all", "next": "/" + "x" * 9000},
        HTTP_HOST=HOST,
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 413
    assert "error" in response.json()


def test_json_choice_and_state(client: Client) -> None:
    response = client.post(
        "/consentkit/consent",
        {"choice": "custom", "categories": ["analytics"]},
        content_type="application/json",
        HTTP_HOST=HOST,
    )
    assert response.json()["categories"]["analytics"] is True
    state = client.get("/consentkit/consent", HTTP_HOST=HOST).json()
    assert state["decided"] is True
    assert state["categories"] == {"necessary": True, "functional": False, "analytics": True, "marketing": False}


def test_the_notice_page_is_in_djangos_language(client: Client) -> None:
    # LocaleMiddleware reads the language cookie; Accept-Language says otherwise.
    client.cookies["django_language"] = "sv"
    response = client.get("/consentkit/notice", HTTP_HOST=HOST, HTTP_ACCEPT_LANGUAGE="nb")
    assert response["Content-Language"] == "sv"
    assert "csrftoken" in response.content.decode()  # Django's cookies are listed with their purposes


def test_the_notice_lang_parameter_wins(client: Client) -> None:
    assert (
        client.get("/consentkit/notice?lang=nb", HTTP_HOST=HOST, HTTP_ACCEPT_LANGUAGE="sv")["Content-Language"] == "nb"
    )


def test_static_files_are_cached_and_conditional(client: Client) -> None:
    response = client.get("/consentkit/static/consentkit.js", HTTP_HOST=HOST)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    again = client.get("/consentkit/static/consentkit.js", HTTP_HOST=HOST, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    assert again.content == b""
    assert client.get("/consentkit/static/secrets.py", HTTP_HOST=HOST).status_code == 404


def test_the_urls_have_names() -> None:
    assert reverse("consentkit:consent") == "/consentkit/consent"
    assert reverse("consentkit:notice") == "/consentkit/notice"
    assert reverse("consentkit:static", args=["consentkit.css"]) == "/consentkit/static/consentkit.css"


def test_secret_key_fallbacks_verify_old_cookies(settings: Any) -> None:
    """Settings are read once, when Django loads the middleware: each client below is a restarted server."""
    old, new = "old-key-old-key-old-key-old-key-old-key-old-key", "new-key-new-key-new-key-new-key-new-key-new-key"
    settings.SECRET_KEY = old
    signed_with_old = Client(HTTP_HOST=HOST).post("/consentkit/consent", {"choice": "accept_all"}).cookies
    settings.SECRET_KEY = new
    after_rotation = Client(HTTP_HOST=HOST)
    after_rotation.cookies = signed_with_old
    assert after_rotation.get("/consentkit/consent").json()["decided"] is False
    settings.SECRET_KEY_FALLBACKS = [old]
    with_fallback = Client(HTTP_HOST=HOST)
    with_fallback.cookies = signed_with_old
    assert with_fallback.get("/consentkit/consent").json()["decided"] is True
