"""Time added per request by ConsentMiddleware (targets: 1 µs undecided, 2 µs cached, 5 µs first request).

Calls the WSGI callables directly (no server, no network) so that only the
middleware's own work is measured: a bare app against the same app behind the
middleware, interleaved round by round so that both see the same load on a
shared machine. The figures are the time added (gated minus bare) and the
ratio gated / bare, best and median of the rounds.

Cases: a visitor without a consent cookie (undecided); a returning visitor whose
verified cookie is cached; the first request of a visitor (the cache switched
off, so every request checks the signature and decodes the payload); and a
response setting three cookies (one necessary, one analytics, one marketing the
visitor refused), cached.

Run: ``make bench`` (or ``.venv/bin/python benchmarks/middleware.py``).
"""

from __future__ import annotations

import statistics
import sys
import time
import tomllib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from werkzeug.test import Client

from consentkit import ConsentMiddleware
from consentkit.config.load import parse_config

ROOT = Path(__file__).parent.parent
ROUNDS = 9
CALLS = 10_000

Environ = dict[str, Any]
App = Callable[[Environ, Callable[..., Any]], Iterable[bytes]]


class NullStore:
    def append(self, record: object) -> None:
        pass

    def keep_text(self, text_hash: str, canonical: str) -> None:
        pass


class _NeverKeeps(dict[str, Any]):
    """Stands in for the codec's cache so that every request verifies the signature."""

    def __setitem__(self, key: str, value: Any) -> None:
        pass


def json_app(cookies: tuple[str, ...]) -> App:
    headers = [("Content-Type", "application/json"), ("Content-Length", "2")]
    headers += [("Set-Cookie", cookie) for cookie in cookies]

    def app(environ: Environ, start_response: Callable[..., Any]) -> Iterable[bytes]:
        start_response("200 OK", list(headers))
        return [b"{}"]

    return app


def time_rounds(apps: list[App], environ: Environ) -> list[list[float]]:
    """µs per request of each app, one list per app, the apps taking turns within each round."""

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        pass

    timings: list[list[float]] = [[] for _ in apps]
    for _ in range(ROUNDS):
        for app, times in zip(apps, timings, strict=True):
            started = time.perf_counter()
            for _ in range(CALLS):
                for _chunk in app(dict(environ), start_response):
                    pass
            times.append((time.perf_counter() - started) / CALLS * 1e6)
    return timings


def consent_cookie(middleware: ConsentMiddleware) -> str:
    client = Client(middleware)
    response = client.post("/consentkit/consent", data={"choice": "custom", "category": ["analytics"]})
    return response.headers["Set-Cookie"].split(";")[0]


def main() -> None:
    config = parse_config(tomllib.loads((ROOT / "examples" / "flask_site" / "consentkit.toml").read_text()))
    environ: Environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/api/invoices/123",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_ACCEPT": "application/json",
        "HTTP_ACCEPT_LANGUAGE": "nb-NO,nb;q=0.9,en;q=0.8",
        "wsgi.url_scheme": "http",
    }
    print(f"Python {sys.version.split()[0]}, {ROUNDS} rounds of {CALLS:,} requests; best / median of the rounds")
    three = ("session=abc; Path=/; HttpOnly", "_ga=GA1.1.2.3; Path=/", "_fbp=fb.1.2.3; Path=/")
    cases = [
        ("undecided", (), "none", 1.0),
        ("cached cookie", (), "cached", 2.0),
        ("first request", (), "first", 5.0),
        ("three cookies set", three, "cached", None),
    ]
    for label, cookies, cookie, target in cases:
        bare = json_app(cookies)
        gated = ConsentMiddleware(bare, config, "benchmark-key-" * 3, store=NullStore())  # type: ignore[arg-type]
        if cookie == "first":
            gated.codec._verified = _NeverKeeps()
        header = "session=abc" if cookie == "none" else f"{consent_cookie(gated)}; session=abc"
        bare_times, gated_times = time_rounds([bare, gated], {**environ, "HTTP_COOKIE": header})
        added = [gated_time - bare_time for bare_time, gated_time in zip(bare_times, gated_times, strict=True)]
        ratios = [gated_time / bare_time for bare_time, gated_time in zip(bare_times, gated_times, strict=True)]
        goal = f"  (target {target:.0f} µs)" if target else ""
        print(
            f"  {label:18} bare {min(bare_times):5.2f} / {statistics.median(bare_times):5.2f} µs   "
            f"added {min(added):5.2f} / {statistics.median(added):5.2f} µs   "
            f"ratio {min(ratios):4.2f} / {statistics.median(ratios):4.2f}{goal}"
        )


if __name__ == "__main__":
    main()
