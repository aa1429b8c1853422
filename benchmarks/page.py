"""Time a page's widgets add: the banner, the dialog, the settings link and three ``{% consent %}`` blocks.

One page, written twice for each template language: once with consentkit's
widgets (``consentkit.head()``, ``consentkit.body()`` and three gated blocks:
an analytics script in ``<head>``, a YouTube iframe with an ``{% else %}``
text, a Meta Pixel image), and once as the same page without consentkit (the
three blocks' contents written out plainly). Both are served by the same app
behind the same ``ConsentMiddleware``, so the figure is what the widgets add
to a page, not what the middleware adds to a request (``benchmarks/middleware.py``
times that). The two routes take turns round by round, so both see the same
load on a shared machine.

Jinja: a Flask app with ``ConsentKit``. Django: a Django project with
``consentkit.django.ConsentMiddleware`` and ``{% load consentkit %}``. Each is
timed for an undecided visitor (banner shown, every block held back) and for a
visitor who allowed analytics only (no banner, two blocks held back). The
script prints CPU µs per page (best / median of the rounds), the time added
(the best round with the widgets minus the best without, and the same of the
medians), the ratio with / without, and the Django figure over the Jinja one.
The HTML auto-gate is off in both (``benchmarks/autogate.py`` times it).

Targets: at most 30 µs added (Jinja); Django within 1.5x of Jinja.

Run: ``make bench`` (or ``.venv/bin/python benchmarks/page.py [--rounds 15] [--calls 500]``).
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tomllib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from timing import time_rounds
from werkzeug.test import Client

from consentkit.config.load import Config, parse_config

ROOT = Path(__file__).resolve().parent.parent
SECRET = "page-benchmark-key-0123456789abcdef"  # noqa: S105 (a throwaway key for a benchmark)

Environ = dict[str, Any]
App = Callable[[Environ, Callable[..., Any]], Iterable[bytes]]

#: The gated contents, written out plainly in the page without consentkit.
ANALYTICS = '<script async src="https://www.googletagmanager.com/gtag/js?id=G-DEMO123"></script>'
VIDEO = '<iframe src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ" title="Slik betaler du"></iframe>'
VIDEO_ELSE = "<p>Videoen vises når du tillater YouTube.</p>"
PIXEL = '<img src="https://www.facebook.com/tr?id=1234567890123&amp;ev=PageView" alt="" width="1" height="1">'


def page(*, head: str, body: str, gated: Callable[[str, str, str], str]) -> str:
    """The page in either template language: ``gated(name, content, otherwise)`` writes one block."""
    return (
        '<!doctype html><html lang="nb"><head><meta charset="utf-8"><title>Faktura {{ number }}</title>'
        f"{head}{gated('analytics', ANALYTICS, '')}</head><body>{body}"
        "<main><h1>Faktura {{ number }}</h1><p>Beløpet forfaller {{ due }}. Du kan betale med kort eller "
        "avtalegiro.</p><table><tr><th>Kravet</th><td>1 250 kr</td></tr><tr><th>Gebyr</th><td>35 kr</td></tr>"
        f"</table>{gated('youtube', VIDEO, VIDEO_ELSE)}<p>Spørsmål? Ring oss.</p>"
        f"{gated('marketing', PIXEL, '')}</main></body></html>"
    )


def plain(name: str, content: str, otherwise: str) -> str:
    return content


def gated_block(name: str, content: str, otherwise: str) -> str:
    fallback = f"{{% else %}}{otherwise}" if otherwise else ""
    return f'{{% consent "{name}" %}}{content}{fallback}{{% endconsent %}}'


# The block tag reads the same in both languages.
JINJA_PAGE = page(head="{{ consentkit.head() }}", body="{{ consentkit.body() }}", gated=gated_block)
DJANGO_PAGE = "{% load consentkit %}" + page(
    head="{% consentkit_head %}", body="{% consentkit_body %}", gated=gated_block
)
PLAIN = page(head="", body="", gated=plain)

CONTEXT = {"number": 123, "due": "1. desember"}


class NullStore:
    """A log that keeps nothing: the benchmark times rendering, not the consent log. It takes banner
    impressions as the built-in stores do, so a page showing the banner counts one, as on a real site."""

    def append(self, record: object) -> None:
        pass

    def add_impressions(self, counts: object) -> None:
        pass

    def add_spooled_impressions(self, spooled: object) -> None:
        pass

    def append_batch(self, records: object, texts: object = ()) -> None:
        pass

    def keep_text(self, text_hash: str, canonical: str) -> None:
        pass


def example_config() -> Config:
    """The example site's config with the HTML auto-gate off: it would rewrite both pages (and hold back
    the plain page's trackers too); ``benchmarks/autogate.py`` times it."""
    data = tomllib.loads((ROOT / "examples" / "flask_site" / "consentkit.toml").read_text())
    data["gate"]["html"] = "off"
    return parse_config(data)


def flask_app(config: Config) -> App:
    from flask import Flask, render_template
    from jinja2 import DictLoader

    from consentkit.flask import ConsentKit

    app = Flask(__name__)
    app.config.update(SECRET_KEY=SECRET, CONSENTKIT_CONFIG=config)
    # Templates from a loader, compiled once, as a deployed site's are.
    app.jinja_loader = DictLoader({"plain.html": PLAIN, "page.html": JINJA_PAGE})
    ConsentKit(app, store=NullStore())
    app.add_url_rule("/plain", "plain", lambda: render_template("plain.html", **CONTEXT))
    app.add_url_rule("/page", "page", lambda: render_template("page.html", **CONTEXT))
    return app


def django_app(config: Config) -> App:
    import django
    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler
    from django.http import HttpRequest, HttpResponse
    from django.template import engines
    from django.urls import include, path

    def view(source: str) -> Callable[[HttpRequest], HttpResponse]:
        compiled: list[Any] = []

        def render(request: HttpRequest) -> HttpResponse:
            if not compiled:  # compiled once, as a deployed site's cached loader does
                compiled.append(engines["django"].from_string(source))
            return HttpResponse(compiled[0].render(CONTEXT, request))

        return render

    urlpatterns.extend(
        [
            path("plain", view(PLAIN)),
            path("page", view(DJANGO_PAGE)),
            path("consentkit/", include("consentkit.django.urls")),
        ]
    )
    settings.configure(
        DEBUG=False,
        SECRET_KEY=SECRET,
        ALLOWED_HOSTS=["*"],
        ROOT_URLCONF=__name__,
        INSTALLED_APPS=["consentkit.django"],
        MIDDLEWARE=["consentkit.django.ConsentMiddleware"],
        TEMPLATES=[
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "OPTIONS": {
                    "context_processors": ["django.template.context_processors.request"],
                },
            }
        ],
        CONSENTKIT_CONFIG=config,
        USE_TZ=True,
    )
    django.setup()
    from consentkit.integrations.django.conf import gatekeeper

    gatekeeper().store = NullStore()  # type: ignore[assignment]
    return WSGIHandler()


urlpatterns: list[Any] = []


def fetch(app: App, environ: Environ) -> str:
    """The page's HTML, to check once that each route renders what it should."""
    seen: list[str] = []
    body = b"".join(app({**environ, "wsgi.input": io.BytesIO()}, lambda status, headers, exc=None: seen.append(status)))
    if not seen or not seen[-1].startswith("200"):
        raise SystemExit(f"{environ['PATH_INFO']} answered {seen}")
    return body.decode()


def consent_cookie(app: App, categories: list[str]) -> str:
    response = Client(app).post("/consentkit/consent", data={"choice": "custom", "category": categories})
    return response.headers["Set-Cookie"].split(";")[0]


def environ_for(cookie: str) -> Environ:
    return {
        "REQUEST_METHOD": "GET",
        "QUERY_STRING": "",
        "SCRIPT_NAME": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_ACCEPT": "text/html",
        "HTTP_ACCEPT_LANGUAGE": "nb-NO,nb;q=0.9,en;q=0.8",
        "HTTP_COOKIE": cookie,
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.input": io.BytesIO(),  # a GET's body is never read, so the requests can share it
    }


def added(label: str, app: App, environ: Environ, rounds: int, calls: int) -> list[float]:
    page_html = fetch(app, {**environ, "PATH_INFO": "/page"})
    if "consentkit-dialog" not in page_html or "consentkit-fallback" not in page_html:
        raise SystemExit(f"{label}: the page lacks its widgets")
    without, with_ = time_rounds(
        [(app, {**environ, "PATH_INFO": "/plain"}), (app, {**environ, "PATH_INFO": "/page"})], rounds, calls
    )
    extra = [min(with_) - min(without), statistics.median(with_) - statistics.median(without)]
    print(
        f"  {label:26} without {min(without):6.1f} / {statistics.median(without):6.1f}   "
        f"with {min(with_):6.1f} / {statistics.median(with_):6.1f}   "
        f"added {extra[0]:5.1f} / {extra[1]:5.1f} µs   "
        f"ratio {min(with_) / min(without):4.2f} / {statistics.median(with_) / statistics.median(without):4.2f}"
    )
    return extra


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--calls", type=int, default=500)
    arguments = parser.parse_args()
    config = example_config()
    jinja, django = flask_app(config), django_app(config)
    print(
        f"Python {sys.version.split()[0]}, {arguments.rounds} rounds of {arguments.calls:,} pages; "
        "CPU µs per page, best / median of the rounds (added: with minus without, of the best and of the medians)"
    )
    figures: dict[str, dict[str, list[float]]] = {}
    for visitor, categories in (("undecided", None), ("allowed analytics", ["analytics"])):
        for engine, app in (("Jinja", jinja), ("Django", django)):
            cookie = "" if categories is None else consent_cookie(app, categories)
            label = f"{engine}, {visitor}"
            figures.setdefault(visitor, {})[engine] = added(
                label, app, environ_for(cookie), arguments.rounds, arguments.calls
            )
    for visitor, by_engine in figures.items():
        best, median = (django / jinja for django, jinja in zip(by_engine["Django"], by_engine["Jinja"], strict=True))
        print(f"  Django / Jinja added, {visitor}: {best:4.2f} best, {median:4.2f} median (target 1.5)")


if __name__ == "__main__":
    main()
