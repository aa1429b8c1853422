"""The gate under a real gunicorn: what a visitor's browser would receive over the wire."""

from __future__ import annotations

from urllib.request import Request, urlopen

from tests.realserver import gunicorn


def test_tracker_cookie_never_leaves_gunicorn_before_consent() -> None:
    """COMPLIANCE item 1: the first response of a real server carries no tracker Set-Cookie."""
    env = {"SECRET_KEY": "x" * 40}
    with (
        gunicorn("examples.wsgi_app:create_app()", env=env) as server,
        urlopen(Request(server.url("/"), headers={"Accept-Language": "nb"})) as response,
    ):
        cookies = response.headers.get_all("Set-Cookie") or []
        body = response.read().decode()
    assert response.status == 200
    assert not any(cookie.startswith("_ga=") for cookie in cookies)
    assert 'type="text/plain"' in body
