"""Time added per request by ConsentMiddleware (targets: 1 µs undecided, 2 µs cached, 5 µs first request).

Calls the WSGI callables directly (no server, no network) so that only the
middleware's own work is measured: a bare app against the same app behind the
middleware, interleaved round by round so that both see the same load on a
shared machine. The figures are the time added (gated minus bare) and the
ratio gated / bare, of the best rounds and of the median ones; a target counts
as met when the best rounds are within it.

The middleware is the one a site gets from its config with nothing switched
off: the example site's ``consentkit.toml`` (three categories, three services,
``[gate] html = "auto"``, ``honor_gpc``, undeclared cookies blocked), its log
on SQLite in a temporary folder behind the spool and its shipping thread, with
banner impressions counted. The script prints what is on.

Cases, each a JSON response but the last: a visitor without a consent cookie
(undecided); a returning visitor whose verified cookie is cached; the first
request of a visitor (the codec's cache of verified cookies switched off,
``cache_size = 0``, so every request checks the signature and decodes the
payload; what each pattern of category bits means stays remembered, as it is
for every visitor after a site's first few); a new visitor on every request
with the cache on (5,096 cookies of as many visitors taken in turn, more than
the 4,096 the cache keeps, so each is verified, then remembered in a cache that
is emptied whenever it is full, as a busy site's is); a response setting
three cookies (one necessary, one analytics, one marketing the visitor
refused), cached; and an HTML page for a visitor who granted everything, where
the auto-gate has nothing to hold back and the body passes unread.

The shared machine's speed varies by up to about 1.8 times from one moment to the next, so the
script also prints a speed factor for its own run: the bare app's best time (the same pure-Python
request in every case: an environ copied, an app called, its body read and closed) against
``REFERENCE_BARE_US``, its figure on the idle machine in README. A figure divided by the factor
reads as it would have at README's speed; the targets are judged on the measured figures alone.

Run: ``make bench`` (or ``.venv/bin/python benchmarks/middleware.py``; ``--quick`` for fewer rounds).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from timing import time_rounds_over
from werkzeug.test import Client

from consentkit import ConsentMiddleware
from consentkit.config import Config
from consentkit.config.load import parse_config
from consentkit.consent import COOKIE_NAME, Consent, granted_set, new_consent_id
from consentkit.gate.endpoints import SECURITY_HEADERS

ROOT = Path(__file__).parent.parent
CONFIG = ROOT / "examples" / "flask_site" / "consentkit.toml"
SECRET_KEY = "benchmark-key-" * 3
#: The bare app's best µs per request on the idle machine (README, "Performance"): the speed reference.
REFERENCE_BARE_US = 0.36

Environ = dict[str, Any]
App = Callable[[Environ, Callable[..., Any]], Iterable[bytes]]

ENVIRON: Environ = {
    "REQUEST_METHOD": "GET",
    "SCRIPT_NAME": "",
    "PATH_INFO": "/api/invoices/123",
    "QUERY_STRING": "",
    "SERVER_NAME": "127.0.0.1",
    "SERVER_PORT": "8000",
    "SERVER_PROTOCOL": "HTTP/1.1",
    "HTTP_HOST": "127.0.0.1:8000",
    "HTTP_ACCEPT": "application/json",
    "HTTP_ACCEPT_LANGUAGE": "nb-NO,nb;q=0.9,en;q=0.8",
    "HTTP_USER_AGENT": "Mozilla/5.0 (X11; Linux x86_64) benchmark",
    "wsgi.url_scheme": "http",
}


@dataclass(frozen=True)
class Case:
    label: str
    #: Set-Cookie headers the app's response carries.
    cookies: tuple[str, ...]
    #: "none" (no consent cookie), "cached" (verified before), "first" (verified on every request, the
    #: cache off) or "new" (a cookie never seen before on every request, the cache on).
    consent: str
    #: The issue's target for the time added, in µs.
    target: float | None
    #: The button the visitor pressed, for a case with a consent cookie.
    choice: str = "custom"
    content_type: str = "application/json"


THREE_COOKIES = ("session=abc; Path=/; HttpOnly", "_ga=GA1.1.2.3; Path=/", "_fbp=fb.1.2.3; Path=/")
CASES = (
    Case("undecided", (), "none", 1.0),
    Case("cached cookie", (), "cached", 2.0),
    Case("first request", (), "first", 5.0),
    Case("new cookie, cached", (), "new", None),
    Case("three cookies set", THREE_COOKIES, "cached", None),
    # The auto-gate is on, but a visitor who granted everything has nothing held back: the body passes unread.
    Case("HTML, all granted", (), "cached", None, choice="accept_all", content_type="text/html; charset=utf-8"),
)


def json_app(cookies: tuple[str, ...], content_type: str = "application/json") -> App:
    headers = [("Content-Type", content_type), ("Content-Length", "2")]
    headers += [("Set-Cookie", cookie) for cookie in cookies]

    def app(environ: Environ, start_response: Callable[..., Any]) -> Iterable[bytes]:
        start_response("200 OK", list(headers))
        return [b"{}"]

    return app


def site_config(folder: Path) -> Config:
    """The example site's config, its log (SQLite and the spool) in ``folder``."""
    return parse_config(tomllib.loads(CONFIG.read_text(encoding="utf-8")), base_dir=folder, source=str(CONFIG))


def gated(app: App, config: Config) -> ConsentMiddleware:
    middleware = ConsentMiddleware(app, config, SECRET_KEY)
    middleware.store.migrate()  # what `consentkit log migrate` does before a site goes live
    return middleware


def consent_cookie(middleware: ConsentMiddleware, choice: str = "custom") -> str:
    """A fresh decision (with "custom", analytics granted), posted as a browser would; its ``name=value``."""
    client = Client(middleware)
    response = client.post("/consentkit/consent", data={"choice": choice, "category": ["analytics"]})
    return response.headers["Set-Cookie"].split(";")[0]


def new_cookies(middleware: ConsentMiddleware, count: int) -> list[str]:
    """``count`` consent cookies (``name=value``) of as many visitors: more than the codec keeps verified
    (4,096), so that taken in turn, each is a first sight, verified, then remembered in a full cache."""
    codec = middleware.codec
    consent = Consent(
        decided=True, granted=granted_set({"analytics"}), policy_version=codec.policy_version, method="custom"
    )
    return [f"{COOKIE_NAME}={codec.dumps(replace(consent, consent_id=new_consent_id()))}" for _ in range(count)]


def describe(middleware: ConsentMiddleware) -> str:
    config = middleware.config
    features = [
        f"[gate] html = {config.gate.html!r}",
        f"honor_gpc = {str(config.honor_gpc).lower()}",
        f"undeclared_cookies = {config.undeclared_cookies!r}",
        f"categories {', '.join(config.categories)}",
        f"services {', '.join(config.service_categories)}",
        f"log {type(middleware.store).__name__} behind {type(middleware.log_writer).__name__}",
        f"banner impressions {'counted' if middleware.impressions is not None else 'not counted'}",
        f"security headers on consentkit's own answers ({len(SECURITY_HEADERS)})",
    ]
    return "; ".join(features)


def main() -> None:
    quick = "--quick" in sys.argv[1:]
    rounds, calls = (25, 1_000) if quick else (41, 5_000)
    load = os.getloadavg()[0]
    print(
        f"Python {sys.version.split()[0]}, {rounds} rounds of {calls:,} requests, load average {load:.2f}; "
        "best / median of the rounds"
    )
    with tempfile.TemporaryDirectory(prefix="consentkit-bench-") as folder:
        config = site_config(Path(folder))
        met = []
        bare_bests: list[float] = []
        added_bests: list[tuple[str, float]] = []
        for number, case in enumerate(CASES):
            bare = json_app(case.cookies, case.content_type)
            middleware = gated(bare, config)
            if number == 0:
                print(f"The default middleware of {CONFIG.relative_to(ROOT)}: {describe(middleware)}")
            header = "session=abc"
            if case.consent != "none":
                header = f"{consent_cookie(middleware, case.choice)}; {header}"
            if case.consent == "first":
                middleware.codec.cache_size = 0
            environs = [{**ENVIRON, "HTTP_COOKIE": header}] * calls
            if case.consent == "new":
                environs = [
                    {**ENVIRON, "HTTP_COOKIE": f"{cookie}; session=abc"}
                    for cookie in new_cookies(middleware, max(calls, middleware.codec.cache_size + 1_000))
                ]
            try:
                bare_times, gated_times = time_rounds_over([(bare, environs), (middleware, environs)], rounds)
            finally:
                middleware.close()
            best = (min(bare_times), min(gated_times))
            bare_bests.append(best[0])
            median = (statistics.median(bare_times), statistics.median(gated_times))
            goal = ""
            if case.target is not None:
                verdict = "met" if best[1] - best[0] <= case.target else "NOT met"
                met.append(f"{case.label} {verdict}")
                added_bests.append((case.label, best[1] - best[0]))
                goal = f"  target {case.target:.0f} µs: {verdict}"
            print(
                f"  {case.label:18} bare {best[0]:5.2f} / {median[0]:5.2f} µs   "
                f"added {best[1] - best[0]:5.2f} / {median[1] - median[0]:5.2f} µs   "
                f"ratio {best[1] / best[0]:5.2f} / {median[1] / median[0]:5.2f}{goal}"
            )
    print(speed_line(min(bare_bests), added_bests))
    print("Targets (best rounds): " + "; ".join(met))


def speed_line(bare_best: float, added_bests: list[tuple[str, float]]) -> str:
    """This run's machine speed against README's idle machine, and the targets' figures at that speed."""
    factor = bare_best / REFERENCE_BARE_US
    at_reference = "; ".join(f"{label} {added / factor:.2f}" for label, added in added_bests)
    return (
        f"Machine speed: the bare app's best is {bare_best:.2f} µs, {factor:.2f} times its {REFERENCE_BARE_US} µs "
        f"on the idle machine (README); at that speed the added µs (best) would read: {at_reference}"
    )


if __name__ == "__main__":
    main()
