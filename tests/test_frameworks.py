"""Web frameworks' own session, CSRF, language and message cookies are strictly necessary (issue 8, item 9).

Wrapped around Django as README says, consentkit used to block Django's
``sessionid`` (filed under Instagram by the Open Cookie Database) and
``csrftoken`` (undeclared), and the admin login answered 403.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from typing import Any

import pytest
from werkzeug.test import Client

from consentkit import ConsentMiddleware
from consentkit.config.frameworks import FRAMEWORK_COOKIES, framework_cookie
from consentkit.config.load import parse_config

from .conftest import BASE_TOML, SECRET, ListStore

Environ = dict[str, Any]


def django_like_admin(environ: Environ, start_response: Callable[..., Any]) -> list[bytes]:
    """The cookies Django's admin sets: a CSRF token on the form, then a session, a message, a language."""
    if environ["REQUEST_METHOD"] == "GET":
        start_response("200 OK", [("Set-Cookie", "csrftoken=abc123; Max-Age=31449600; Path=/; SameSite=Lax")])
        return [b"<form method=post>"]
    start_response(
        "302 Found",
        [
            ("Location", "/admin/"),
            ("Set-Cookie", "sessionid=s3ss10n; HttpOnly; Max-Age=1209600; Path=/; SameSite=Lax"),
            ("Set-Cookie", 'messages="W1siX19qc29uX21lc3NhZ2UiXV0:1abc"; HttpOnly; Path=/; SameSite=Lax'),
            ("Set-Cookie", "django_language=nb; Path=/; SameSite=Lax"),
            ("Set-Cookie", "_ga=GA1.1.1.2; Path=/; Max-Age=63072000"),
        ],
    )
    return [b""]


def test_djangos_own_cookies_pass_the_gate_undeclared_before_any_decision() -> None:
    """None of these is declared in the site's config; only the tracker is held back."""
    config = parse_config(tomllib.loads(BASE_TOML))
    assert not {"sessionid", "csrftoken", "messages", "django_language"} & {cookie.name for cookie in config.cookies}
    client = Client(ConsentMiddleware(django_like_admin, config, SECRET, store=ListStore()))
    form = client.get("/admin/login/")
    login = client.post("/admin/login/", data={"username": "a", "password": "b"})
    assert [value.split("=", 1)[0] for value in form.headers.getlist("Set-Cookie")] == ["csrftoken"]
    assert [value.split("=", 1)[0] for value in login.headers.getlist("Set-Cookie")] == [
        "sessionid",
        "messages",
        "django_language",
    ]


def test_every_row_of_the_table_names_a_framework_and_a_purpose() -> None:
    assert len({name for name, _, _ in FRAMEWORK_COOKIES}) == len(FRAMEWORK_COOKIES)
    assert all(framework and purpose for _, framework, purpose in FRAMEWORK_COOKIES)


@pytest.mark.parametrize(
    ("name", "framework"),
    [
        ("sessionid", "Django"),
        ("csrftoken", "Django"),
        ("django_language", "Django"),
        ("messages", "Django"),
        ("session", "Flask"),
        ("beaker.session.id", "Bottle"),
        ("PHPSESSID", "PHP"),
        ("JSESSIONID", "Java servlets"),
        ("ASP.NET_SessionId", "ASP.NET"),
        (".AspNetCore.Session", "ASP.NET Core"),
        (".AspNetCore.Antiforgery.x1y2", "ASP.NET Core"),
        ("__RequestVerificationToken", "ASP.NET MVC"),
        ("_myapp_session", "Ruby on Rails"),
        ("laravel_session", "Laravel"),
        ("XSRF-TOKEN", "Laravel"),
        ("connect.sid", "Express"),
    ],
)
def test_each_framework_cookie_names_its_framework(name: str, framework: str) -> None:
    found = framework_cookie(name)
    assert found is not None
    assert framework in found.framework


def test_a_name_that_only_resembles_a_framework_cookie_is_not_one() -> None:
    assert framework_cookie("sessionid_tracker") is None
    assert framework_cookie("_ga") is None


def config_declaring(name: str, category: str) -> list[str]:
    data = tomllib.loads(BASE_TOML)
    data["cookies"][0]["name"] = name
    data["cookies"][0]["category"] = category
    return [warning for warning in parse_config(data).warnings if warning.startswith("cookies[0]:")]


@pytest.mark.parametrize("name", ["sessionid", "csrftoken", "JSESSIONID", "connect.sid", "_myapp_session"])
def test_a_framework_cookie_declared_necessary_does_not_warn(name: str) -> None:
    assert config_declaring(name, "necessary") == []


@pytest.mark.parametrize("name", ["_ga", "_fbp", "IDE", "__utmz"])
def test_a_known_tracker_declared_functional_warns(name: str) -> None:
    [warning] = config_declaring(name, "functional")
    assert f'"{name}" is a known' in warning
    assert "declared functional" in warning
    assert "docs/compliance.md item 9" in warning
