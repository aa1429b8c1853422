"""Time added per request by ConsentMiddleware (target: at most 10 µs).

Calls the WSGI callables directly (no server, no network) so that only the
middleware's own work is measured: a bare app against the same app behind the
middleware, with a valid consent cookie and a non-HTML response, and again for
a response that sets three cookies (one necessary, one analytics, one marketing
that the visitor refused).

A verified consent cookie is cached, so a returning visitor's requests skip
the HMAC; the last line switches the cache off to show the first request of a
visitor, whose signature is checked.

Run: ``make bench`` (or ``.venv/bin/python benchmarks/middleware.py``).
Prints the best and the median of several rounds, in microseconds per request.
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
ROUNDS = 15
CALLS = 20_000

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


def per_request_us(app: App, environ: Environ) -> tuple[float, float]:
    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        pass

    timings = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        for _ in range(CALLS):
            for _chunk in app(dict(environ), start_response):
                pass
        timings.append((time.perf_counter() - started) / CALLS * 1e6)
    return min(timings), statistics.median(timings)


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
    print(f"Python {sys.version.split()[0]}, {ROUNDS} rounds of {CALLS:,} requests; µs per request (best / median)")
    three = ("session=abc; Path=/; HttpOnly", "_ga=GA1.1.2.3; Path=/", "_fbp=fb.1.2.3; Path=/")
    cases = [("no cookies set", (), True), ("three cookies set", three, True), ("three, cache off", three, False)]
    for label, cookies, cached in cases:
        bare = json_app(cookies)
        gated = ConsentMiddleware(bare, config, "benchmark-key-" + "0" * 32, store=NullStore())  # type: ignore[arg-type]
        if not cached:
            gated.codec._verified = _NeverKeeps()
        with_cookie = {**environ, "HTTP_COOKIE": f"{consent_cookie(gated)}; session=abc"}
        bare_best, bare_median = per_request_us(bare, with_cookie)
        gated_best, gated_median = per_request_us(gated, with_cookie)
        print(
            f"  {label:18} bare {bare_best:5.2f} / {bare_median:5.2f}   "
            f"behind middleware {gated_best:5.2f} / {gated_median:5.2f}   "
            f"added {gated_best - bare_best:5.2f} / {gated_median - bare_median:5.2f}"
        )


if __name__ == "__main__":
    main()
