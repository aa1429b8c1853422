"""A site behind ConsentMiddleware for tests under a real server (``tests.hostile_app:app``).

- ``/raw?<header>``: answers with the percent-encoded ``Set-Cookie`` value of its
  query (latin-1, as WSGI headers are), *without* the gate: what a browser does
  with the header itself.
- ``/gated?<header>``: the same behind the gate.
- ``/consentkit/...``: consentkit's own URLs.
- anything else: an HTML page that reads the consent while it streams, with
  the banner, and sets a tracker cookie.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING
from urllib.parse import unquote_to_bytes

from consentkit import ConsentMiddleware, widgets_for

from .conftest import SECRET, ListStore, config_from

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment


def echo_set_cookie(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    header = unquote_to_bytes(environ.get("QUERY_STRING", "")).decode("latin-1")
    start_response("200 OK", [("Content-Type", "text/plain"), ("Cache-Control", "no-store"), ("Set-Cookie", header)])
    return [b"ok"]


def page(environ: WSGIEnvironment, start_response: StartResponse) -> Iterator[bytes]:
    start_response(
        "200 OK",
        [("Content-Type", "text/html; charset=utf-8"), ("Set-Cookie", "_ga=GA1.1.1.2; Path=/; Max-Age=63072000")],
    )
    widgets = widgets_for(environ)
    yield f"<!doctype html><html lang={widgets.locale}><head>{widgets.head()}</head><body>".encode()
    yield f"{widgets.body()}<p>analytics: {widgets.allows('analytics')}</p></body></html>".encode()


gated_echo = ConsentMiddleware(echo_set_cookie, config_from(), SECRET, store=ListStore())
gated_page = ConsentMiddleware(page, config_from(), SECRET, store=ListStore())


def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    path = environ.get("PATH_INFO", "")
    if path == "/raw":
        return echo_set_cookie(environ, start_response)
    if path == "/gated":
        return gated_echo(environ, start_response)
    return gated_page(environ, start_response)
