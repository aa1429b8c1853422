"""The Django example portal: login, language, admin, all with optional cookies refused."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from .conftest import HOST

pytestmark = pytest.mark.django_db


@pytest.fixture
def visitor() -> Client:
    """A browser that rejected everything optional, with Django's CSRF checks on."""
    client = Client(enforce_csrf_checks=True, HTTP_HOST=HOST, HTTP_ACCEPT_LANGUAGE="nb")
    assert client.post("/consentkit/consent", {"choice": "reject_all"}).status_code == 303
    return client


def _csrf(client: Client, path: str) -> str:
    client.get(path)
    return client.cookies["csrftoken"].value


def test_login_with_case_number_and_pin_after_reject(visitor: Client) -> None:
    token = _csrf(visitor, "/nb/logg-inn")
    response = visitor.post("/nb/logg-inn", {"case": "12345678", "pin": "1234", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    page = visitor.get(response["Location"])
    assert "Sak 12345678" in page.content.decode()
    assert {"sessionid", "csrftoken", "consentkit"} <= set(visitor.cookies)
    assert "lang" not in visitor.cookies  # functional, refused


def test_admin_login_after_reject(visitor: Client) -> None:
    User.objects.create_superuser("saksbehandler", "sb@eksempel.no", "hemmelig-passord-123")
    token = _csrf(visitor, "/admin/login/")
    response = visitor.post(
        "/admin/login/?next=/admin/",
        {"username": "saksbehandler", "password": "hemmelig-passord-123", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    assert visitor.get("/admin/").status_code == 200


def test_set_language_switches_and_its_cookie_is_necessary(visitor: Client) -> None:
    token = _csrf(visitor, "/nb/personvern")
    response = visitor.post(
        "/i18n/setlang/", {"language": "sv", "next": "/nb/personvern", "csrfmiddlewaretoken": token}
    )
    assert response["Location"] == "/sv/personvern"
    assert visitor.cookies["django_language"].value == "sv"
    page = visitor.get("/sv/personvern").content.decode()
    assert 'lang="sv"' in page
    assert "Dataskydd och kakor" in page


def test_trackers_are_inert_until_allowed(client: Client) -> None:
    html = client.get("/nb/", HTTP_HOST=HOST).content.decode()
    # The base template pastes the vendors' tags as they are: the auto-gate holds them back.
    assert "{#" not in html  # no template comment left as text
    assert "{%" not in html
    assert 'type="text/plain" data-consentkit-category="analytics"' in html
    assert 'type="text/plain" data-consentkit-category="marketing"' in html
    assert '<img height="1" width="1" alt="" data-src="https://www.facebook.com/tr?id=1234567890123' in html
    assert 'data-src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"' in html
    client.post("/consentkit/consent", {"choice": "accept_all"}, HTTP_HOST=HOST)
    html = client.get("/nb/", HTTP_HOST=HOST).content.decode()
    assert 'src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"' in html
    assert "data-consentkit-category" not in html


def test_root_follows_the_remembered_language(client: Client, settings: Any) -> None:
    assert client.get("/", HTTP_HOST=HOST, HTTP_ACCEPT_LANGUAGE="sv")["Location"] == "/sv/"
    client.cookies["lang"] = "nb"
    assert client.get("/", HTTP_HOST=HOST, HTTP_ACCEPT_LANGUAGE="sv")["Location"] == "/nb/"
