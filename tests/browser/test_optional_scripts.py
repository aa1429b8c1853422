"""A site without third-party services or Consent Mode: consentkit.js and consentkit.css alone do the work.

The example portals enable services, so the rest of the browser suite runs with
consentkit-services.js and consentkit-gcm.js loaded; this page checks the
always-loaded pair on its own.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import BrowserContext, expect
from werkzeug.serving import make_server

from consentkit import ConsentMiddleware, widgets_for

from ..conftest import config_from
from .conftest import SITE_HOST, cookie_names

Factory = Callable[..., ConsentMiddleware]


def plain_page(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """A page with consentkit's head and body, and an analytics snippet held back until it is allowed."""
    widgets = widgets_for(environ)
    html = (
        f"<!doctype html><html lang='nb'><head><meta charset='utf-8'><title>Side</title>{widgets.head()}</head>"
        f"<body>{widgets.body()}<main><h1>Side</h1>"
        "<script type='text/plain' data-consentkit-category='analytics'>window.analyticsRan = true;</script>"
        "</main></body></html>"
    )
    start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
    return [html.encode()]


def test_a_site_without_services_loads_only_the_script_and_style_of_every_page(
    make_middleware: Factory, new_context: Callable[..., BrowserContext]
) -> None:
    middleware = make_middleware(plain_page, cfg=config_from(services=[]))
    server = make_server("127.0.0.1", 0, middleware, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        page = new_context().new_page()
        requested: list[str] = []
        errors: list[str] = []
        page.on("request", lambda request: requested.append(urlsplit(request.url).path))
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"http://{SITE_HOST}:{server.server_port}/")
        # Cookies a refused category's scripts left: a plain name and one of a declared glob (tracker_*).
        page.evaluate("document.cookie = 'lang=nb; path=/'; document.cookie = 'tracker_x=1; path=/'")
        page.click("#consentkit-banner summary")
        page.check('#consentkit-banner input[value="analytics"]')
        page.locator('#consentkit-banner button[value="custom"]').click()
        expect(page.locator("#consentkit-banner")).to_be_hidden()
        expect(page.locator("h1")).to_have_text("Side")  # no reload: the snippet ran in place
        assert page.evaluate("window.analyticsRan") is True
        assert not {"lang", "tracker_x"} & cookie_names(page.context)
        # Withdrawing from the dialog works the same without the services' script.
        page.evaluate("window.consentkit.open()")
        page.locator('#consentkit-dialog button[value="reject_all"]').click()
        expect(page.locator("#consentkit-dialog")).to_be_hidden()
        assert page.evaluate("window.consentkit.get().categories.analytics") is False
        served = sorted({path.rsplit("/", 1)[1] for path in requested if "/consentkit/static/" in path})
        assert served == ["consentkit.css", "consentkit.js"]
        assert errors == []
    finally:
        server.shutdown()
