"""consentkit against django-cookie-consent, on one harness in one run.

The same Django project serves a JSON view and a template view, each setting
an analytics cookie (``_ga``) for a visitor who declined analytics. It is
timed bare, behind django-cookie-consent (``CleanCookiesMiddleware``, its
cookie groups in an in-memory SQLite database, the template asking
``cookie_group_accepted``), and behind consentkit's ``ConsentMiddleware``
wrapping the same WSGI handler. The three take turns round by round; the
script prints CPU µs per request and the time each adds (the best round with
the library minus the best without, and the same of the medians), and the ratio
of the two libraries' additions.

django-cookie-consent and Django are installed only into this script's own
throwaway venv (``benchmarks/.cache/peers-venv``, made with ``python -m venv``
and pip, so it needs the PyPI registry); the project's venv never gets them.

Run: ``.venv/bin/python benchmarks/peers.py [--rounds 9]``.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import subprocess
import sys
import tomllib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from timing import time_rounds

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / "benchmarks" / ".cache" / "peers-venv"
PEER_PACKAGES = ["django-cookie-consent==1.0.0"]
CALLS = 2_000
SECRET = "peers-benchmark-key-0123456789abcdef"  # noqa: S105 (a throwaway key for a benchmark)


def ensure_venv() -> Path:
    """The benchmark's own venv: the peer, and consentkit with the dependencies its pyproject.toml
    declares (installed again whenever that file changes, so a new dependency never goes missing)."""
    python = VENV / "bin" / "python"
    installed = VENV / "installed-for"
    wanted = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    if not installed.exists() or installed.read_text(encoding="utf-8") != wanted:
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", *PEER_PACKAGES, "-e", str(ROOT)], check=True)
        installed.write_text(wanted, encoding="utf-8")
    return python


def configure_django() -> None:
    import django  # type: ignore[import-not-found, unused-ignore]
    from django.conf import settings  # type: ignore[import-not-found, unused-ignore]

    settings.configure(
        DEBUG=False,
        SECRET_KEY=SECRET,
        ALLOWED_HOSTS=["*"],
        ROOT_URLCONF=__name__,
        INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "cookie_consent"],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
        CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
        MIDDLEWARE=[],
        TEMPLATES=[
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
            }
        ],
        USE_TZ=True,
    )
    django.setup()


PAGE = (
    "{% load cookie_consent_tags %}<!doctype html><title>Peers</title><main>"
    '{% if request|cookie_group_accepted:"analytics" %}<script src="/ga.js"></script>{% endif %}'
    "<p>Invoice {{ number }}</p></main>"
)


def json_view(request: Any) -> Any:
    from django.http import JsonResponse  # type: ignore[import-not-found, unused-ignore]

    response = JsonResponse({"ok": True})
    response.set_cookie("_ga", "GA1.1.2.3")
    return response


def page_view(request: Any) -> Any:
    from django.http import HttpResponse  # type: ignore[import-not-found, unused-ignore]
    from django.template import engines  # type: ignore[import-not-found, unused-ignore]

    response = HttpResponse(engines["django"].from_string(PAGE).render({"number": 123}, request))
    response.set_cookie("_ga", "GA1.1.2.3")
    return response


urlpatterns: list[Any] = []


def handler(middleware: list[str]) -> Callable[..., Iterable[bytes]]:
    from django.conf import settings  # type: ignore[import-not-found, unused-ignore]
    from django.core.handlers.wsgi import WSGIHandler  # type: ignore[import-not-found, unused-ignore]

    settings.MIDDLEWARE = middleware
    made: Callable[..., Iterable[bytes]] = WSGIHandler()
    return made


def check_response(app: Callable[..., Iterable[bytes]], environ: dict[str, Any]) -> None:
    """Each setup answers 200; only a visitor who declined analytics is timed, so _ga must not leave
    consentkit (django-cookie-consent lets it out on the first response: the figure shows that too)."""
    seen: list[Any] = []
    b"".join(app(environ, lambda status, headers, exc_info=None: seen.append((status, headers))))
    status, headers = seen[-1]
    if not status.startswith("200"):
        raise SystemExit(f"the benchmark's view answered {status}")
    leaks = any(name.lower() == "set-cookie" and value.lstrip().startswith("_ga=") for name, value in headers)
    print(f"  {app.__class__.__name__}: {status}, _ga {'set' if leaks else 'held back'}")


def inside(rounds: int) -> None:
    sys.path.insert(0, str(ROOT))
    configure_django()
    from django.core.management import call_command  # type: ignore[import-not-found, unused-ignore]
    from django.urls import path  # type: ignore[import-not-found, unused-ignore]

    call_command("migrate", verbosity=0)
    from cookie_consent.models import Cookie, CookieGroup  # type: ignore[import-not-found, unused-ignore]

    group = CookieGroup.objects.create(varname="analytics", name="Analytics", is_deletable=True)
    Cookie.objects.create(cookiegroup=group, name="_ga", domain="", path="/")
    urlpatterns.extend([path("api/invoices/123", json_view), path("invoices/123", page_view)])

    from consentkit import ConsentMiddleware
    from consentkit.config.load import parse_config

    # The example site's config, which declares _ga as analytics.
    config = parse_config(tomllib.loads((ROOT / "examples" / "flask_site" / "consentkit.toml").read_text()))
    bare = handler([])
    peer = handler(["cookie_consent.middleware.CleanCookiesMiddleware"])
    ours = ConsentMiddleware(handler([]), config, SECRET, store=_NullStore())  # type: ignore[arg-type]
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "GET",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "HTTP_HOST": "127.0.0.1:8000",
        "wsgi.url_scheme": "http",
        "wsgi.input": None,
        "HTTP_COOKIE": "cookie_consent=analytics=-1",
    }
    for app in (bare, peer, ours):
        check_response(app, {**environ, "PATH_INFO": "/invoices/123", "wsgi.input": io.BytesIO()})
    print(f"Python {sys.version.split()[0]}, {rounds} rounds of {CALLS:,} requests; CPU µs per request, best / median")
    for label, path_info in (("JSON view", "/api/invoices/123"), ("template view", "/invoices/123")):
        environ["wsgi.input"] = io.BytesIO()
        bare_t, peer_t, ours_t = time_rounds(
            [(app, {**environ, "PATH_INFO": path_info}) for app in (bare, peer, ours)], rounds, CALLS
        )
        # Added: the best round with the library minus the best round without (and the same of the medians).
        peer_added = (min(peer_t) - min(bare_t), statistics.median(peer_t) - statistics.median(bare_t))
        ours_added = (min(ours_t) - min(bare_t), statistics.median(ours_t) - statistics.median(bare_t))
        print(
            f"  {label:14} bare {min(bare_t):6.1f} / {statistics.median(bare_t):6.1f}   "
            f"django-cookie-consent adds {peer_added[0]:6.1f} / {peer_added[1]:6.1f}   "
            f"consentkit adds {ours_added[0]:6.1f} / {ours_added[1]:6.1f}   "
            f"consentkit / peer {ours_added[0] / peer_added[0]:4.2f} / {ours_added[1] / peer_added[1]:4.2f}"
        )


class _NullStore:
    def append(self, record: object) -> None:
        pass

    def keep_text(self, text_hash: str, canonical: str) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.inside:
        inside(arguments.rounds)
        return
    python = ensure_venv()
    command = [str(python), __file__, "--inside", "--rounds", str(arguments.rounds)]
    sys.exit(subprocess.run(command, env={**os.environ, "PYTHONPATH": str(ROOT)}).returncode)


if __name__ == "__main__":
    main()
