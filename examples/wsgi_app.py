"""The consent gate around a plain WSGI app, no Flask.

The app sets Google Analytics' ``_ga`` cookie from the server (as server-side
tagging does) and renders its page with Jinja. ConsentMiddleware removes the
cookie from the response until the visitor allows analytics, and the
``{% consent %}`` tag keeps the script inert. Run: ``python -m examples.wsgi_app``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from jinja2 import Environment

from consentkit import ConsentExtension, ConsentMiddleware, load_config, widgets_for
from consentkit.log import ConsentStore

from .secret_key import example_secret_key

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

CONFIG = Path(__file__).parent / "flask_site" / "consentkit.toml"

PAGE = Environment(extensions=[ConsentExtension], autoescape=True).from_string(
    """<!doctype html>
<html lang="{{ consentkit.locale }}">
<head><meta charset="utf-8"><title>consentkit + WSGI</title>{{ consentkit.head() }}
{% consent "analytics" %}
<script async src="https://www.googletagmanager.com/gtag/js?id=G-DEMO123"></script>
{% endconsent %}
</head>
<body>
{{ consentkit.body() }}
<h1>WSGI</h1>
<p>analytics: {{ "on" if consentkit.allows("analytics") else "off" }}</p>
<p>{{ consentkit.settings_link() }}</p>
</body>
</html>"""
)


def site(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    html = PAGE.render(consentkit=widgets_for(environ)).encode("utf-8")
    start_response(
        "200 OK",
        [
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Length", str(len(html))),
            # Set unconditionally on purpose: the gate decides whether it leaves.
            ("Set-Cookie", "_ga=GA1.1.1234567890.1700000000; Path=/; Max-Age=63072000; SameSite=Lax"),
        ],
    )
    return [html]


def create_app(store: ConsentStore | None = None) -> WSGIApplication:
    secret = example_secret_key(Path(__file__).parent)
    return ConsentMiddleware(site, load_config(CONFIG), secret_key=secret, store=store)


if __name__ == "__main__":
    from wsgiref.simple_server import make_server

    port = int(os.environ.get("PORT", "8001"))
    print(f"consentkit WSGI example: http://127.0.0.1:{port}/")
    make_server("127.0.0.1", port, create_app()).serve_forever()
