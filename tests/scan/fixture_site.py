"""A shop that is NOT protected by consentkit and sets trackers every way real sites do.

One WSGI app answers for every host, chosen by the ``Host`` header: the shop itself
(``shop.fixture.test``) and local stubs for the real tracker hosts it uses. Chromium reaches
them all on 127.0.0.1 through ``--host-resolver-rules``, over TLS with the self-signed
certificate next to this file (a test-only key; the browser is told to ignore the error), so
that ``Secure`` and ``SameSite=None`` cookies work and the scanner classifies by the real hosts.

What it sets, and how (the scan tests check each):

- ``_gcl_au`` (Google Ads) and ``fixture_cart`` by the shop's own ``Set-Cookie``;
- ``_ga`` by ``document.cookie`` from gtag.js on www.googletagmanager.com, and ``_ga_FIX1``
  from the same script 1.5 s later;
- ``_hjid`` in localStorage from Hotjar's script, ``fixture_draft`` in sessionStorage inline;
- ``VISITOR_INFO1_LIVE`` by a YouTube iframe's own ``Set-Cookie`` (third party);
- ``_fbp`` from the Meta Pixel on /products/widget, two links from the start;
- ``fixture_newsletter`` on /from-sitemap, a page only the sitemap (through sitemap.xml's index) links to;
- a pixel from bat.bing.com, a host only the Open Cookie Database knows (no preset);
- after a click on ``#accept``: ``fixture_consent`` (inline script) and ``li_fat_id`` (LinkedIn).
"""

from __future__ import annotations

import ssl
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

HERE = Path(__file__).parent
SHOP = "shop.fixture.test"
TRACKER_HOSTS = (
    "www.googletagmanager.com",
    "static.hotjar.com",
    "www.youtube.com",
    "connect.facebook.net",
    "snap.licdn.com",
    "bat.bing.com",
)
#: Chromium's resolver: the shop and the stubbed trackers to 127.0.0.1, everything else nowhere.
HOST_RULES = "--host-resolver-rules=" + ", ".join(
    ["MAP *.test 127.0.0.1", *(f"MAP {host} 127.0.0.1" for host in TRACKER_HOSTS), "MAP * ~NOTFOUND"]
)

GTAG = """
document.cookie = "_ga=GA1.1.111.222; path=/; domain=fixture.test; max-age=63072000";
setTimeout(function () {
  document.cookie = "_ga_FIX1=GS1.1.333; path=/; domain=fixture.test; max-age=63072000";
}, 1500);
"""
HOTJAR = 'localStorage.setItem("_hjid", "f1x7-ur3");'
FBEVENTS = 'document.cookie = "_fbp=fb.1.111.222; path=/; domain=fixture.test; max-age=7776000";'
LINKEDIN = 'document.cookie = "li_fat_id=abc; path=/; domain=fixture.test; max-age=2592000";'

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title} · Fixture shop</title>
<script src="https://www.googletagmanager.com:{port}/gtag/js?id=G-FIX1"></script>
<script src="https://static.hotjar.com:{port}/c/hotjar-1.js"></script>
<script>
  sessionStorage.setItem("fixture_draft", "1");
  function loadInsight() {{
    var script = document.createElement("script");
    script.src = "https://snap.licdn.com:{port}/li.lms-analytics/insight.min.js";
    document.head.appendChild(script);
  }}
  if (document.cookie.indexOf("fixture_consent=yes") >= 0) loadInsight();
</script>
{head}
</head><body>
<div id="banner">We use cookies. <button id="accept" type="button">OK</button></div>
<script>
  document.getElementById("accept").addEventListener("click", function () {{
    document.cookie = "fixture_consent=yes; path=/; max-age=31536000";
    loadInsight();
  }});
</script>
<h1>{title}</h1>
{body}
</body></html>
"""

PAGES = {
    "/": (
        "Home",
        "",
        '<p><a href="/products">Products</a> · <a href="/about#team">About</a> · '
        '<a href="mailto:x@fixture.test">Mail</a></p>'
        '<iframe src="https://www.youtube.com:{port}/embed/fixture" title="Video"></iframe>'
        '<img src="https://bat.bing.com:{port}/action/0?ti=fixture" alt="" width="1" height="1">',
    ),
    "/products": ("Products", "", '<p><a href="/products/widget">The widget</a> · <a href="/">Home</a></p>'),
    "/products/widget": (
        "The widget",
        '<script src="https://connect.facebook.net:{port}/en_US/fbevents.js"></script>',
        '<p><a href="/products">Back</a></p>',
    ),
    "/about": ("About", "", '<p><a href="/">Home</a> <a href="/report.pdf">Report</a></p>'),
    "/from-sitemap": ("Newsletter", "", "<p>Only the sitemap links here.</p>"),
}

# A sitemap index, as most CMSs publish, naming the sitemap of the pages (and one elsewhere, not read).
SITEMAP_INDEX = """<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://shop.fixture.test:{port}/sitemap-pages.xml</loc></sitemap>
<sitemap><loc>https://www.youtube.com:{port}/sitemap.xml</loc></sitemap>
</sitemapindex>
"""
SITEMAP = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>https://shop.fixture.test:{port}/</loc></url>
<url><loc>https://shop.fixture.test:{port}/from-sitemap</loc></url>
</urlset>
"""


def shop(request: Request, port: int) -> Response:
    if request.path == "/sitemap.xml":
        return Response(SITEMAP_INDEX.format(port=port), content_type="application/xml")
    if request.path == "/sitemap-pages.xml":
        return Response(SITEMAP.format(port=port), content_type="application/xml")
    if request.path not in PAGES:
        return Response("not found", status=404)
    title, head, body = PAGES[request.path]
    html = PAGE.format(title=title, head=head.format(port=port), body=body.format(port=port), port=port)
    response = Response(html, content_type="text/html; charset=utf-8")
    if request.path == "/":
        response.headers.add("Set-Cookie", "_gcl_au=1.1.999; Domain=fixture.test; Path=/; Max-Age=7776000; Secure")
        response.headers.add("Set-Cookie", "fixture_cart=empty; Path=/; HttpOnly; Secure; SameSite=Lax")
    if request.path == "/from-sitemap":
        response.headers.add("Set-Cookie", "fixture_newsletter=seen; Path=/; Max-Age=86400")
    return response


def tracker(host: str, request: Request) -> Response:
    if host == "www.youtube.com":
        response = Response("<!doctype html><p>video</p>", content_type="text/html")
        response.headers.add(
            "Set-Cookie", "VISITOR_INFO1_LIVE=v1; Domain=.youtube.com; Path=/; Max-Age=15552000; Secure; SameSite=None"
        )
        return response
    scripts = {
        "www.googletagmanager.com": GTAG,
        "static.hotjar.com": HOTJAR,
        "connect.facebook.net": FBEVENTS,
        "snap.licdn.com": LINKEDIN,
    }
    return Response(scripts.get(host, ""), content_type="text/javascript")


@dataclass
class FixtureSite:
    port: int

    @property
    def url(self) -> str:
        return f"https://{SHOP}:{self.port}/"

    def page(self, path: str) -> str:
        return f"https://{SHOP}:{self.port}{path}"


def make_app(port_holder: list[int]) -> object:
    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        host = request.host.partition(":")[0]
        response = shop(request, port_holder[0]) if host == SHOP else tracker(host, request)
        return response(environ, start_response)

    return app


@contextmanager
def serve() -> Iterator[FixtureSite]:
    """The shop and its trackers over TLS on 127.0.0.1, on a free port."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(HERE / "fixture-cert.pem", HERE / "fixture-key.pem")
    port: list[int] = [0]
    server = make_server("127.0.0.1", 0, make_app(port), threaded=True, ssl_context=context)  # type: ignore[arg-type]
    port[0] = server.server_port
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield FixtureSite(server.server_port)
    finally:
        server.shutdown()
