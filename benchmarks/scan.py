"""Pages per minute of ``consentkit scan`` on a local 30-page site, against a bare Playwright crawl.

The site (served here on 127.0.0.1, reached as ``bench.scan.test``) has 40 pages, each linking to
the next three and loading a script that writes a cookie and a localStorage key, so the crawl
does what it does on a real site: follows links, records who set each cookie, reads storage.
Both sides use the same Chromium with a fresh profile per round and ``--wait 0``; the baseline
opens the same 30 URLs with ``goto`` and waits for network idle, no more, so the ratio is what the
scanner's own recording costs. A real scan waits ``--wait`` seconds more per page (default 2).

Run: ``.venv/bin/python benchmarks/scan.py [ROUNDS]``. Prints best and median of the rounds.
"""

from __future__ import annotations

import statistics
import sys
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from playwright.sync_api import sync_playwright
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from consentkit.scan.browser import open_context
from consentkit.scan.classify import ScanClassifier
from consentkit.scan.crawler import ScanOptions, scan
from consentkit.scan.visitor import NETWORK_IDLE_CAP_MS, BrowserOptions

PAGES = 30
HOST = "bench.scan.test"
RULES = "--host-resolver-rules=MAP *.test 127.0.0.1, MAP * ~NOTFOUND"

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Page {n}</title>
<script src="/track.js?page={n}"></script></head>
<body><h1>Page {n}</h1><p>{links}</p></body></html>"""
SCRIPT = 'document.cookie = "seen_{n}=1; path=/; max-age=86400"; localStorage.setItem("visits_{n}", "1");'


class _Quiet(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    request = Request(environ)
    if request.path == "/track.js":
        n = int(request.args.get("page", "0"))
        response = Response(SCRIPT.format(n=n), content_type="text/javascript")
    else:
        n = int(request.path.strip("/p") or 0) if request.path.startswith("/p") else 0
        links = " ".join(f'<a href="/p{m}">Page {m}</a>' for m in range(n + 1, n + 4))
        response = Response(PAGE.format(n=n, links=links), content_type="text/html")
    return response(environ, start_response)


def timed_scan(url: str) -> tuple[float, int]:
    options = ScanOptions(url, pages=PAGES, browser=BrowserOptions(extra_args=(RULES,), wait=0))
    started = time.perf_counter()
    result = scan(options, ScanClassifier())
    return time.perf_counter() - started, len(result.pages)


def timed_baseline(urls: list[str]) -> float:
    started = time.perf_counter()
    with sync_playwright() as playwright, open_context(playwright, extra_args=(RULES,)) as context:
        page = context.pages[0] if context.pages else context.new_page()
        for url in urls:
            page.goto(url, wait_until="load")
            page.wait_for_load_state("networkidle", timeout=NETWORK_IDLE_CAP_MS)
    return time.perf_counter() - started


def per_minute(seconds: list[float]) -> tuple[float, float]:
    return PAGES * 60 / min(seconds), PAGES * 60 / statistics.median(seconds)


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://{HOST}:{server.server_port}/"
    scans: list[float] = []
    bare: list[float] = []
    urls: list[str] = []
    for _ in range(rounds):  # interleaved, so that a busy moment of the machine hits both sides alike
        seconds, pages = timed_scan(url)
        assert pages == PAGES, pages
        scans.append(seconds)
        urls = urls or [url] + [f"{url}p{n}" for n in range(1, PAGES)]
        bare.append(timed_baseline(urls))
    server.shutdown()
    scan_best, scan_median = per_minute(scans)
    bare_best, bare_median = per_minute(bare)
    print(f"{PAGES}-page crawl, --wait 0, {rounds} rounds; pages per minute (best / median)")
    print(f"  bare Playwright crawl:  {bare_best:6.0f} / {bare_median:6.0f}")
    print(f"  consentkit scan:        {scan_best:6.0f} / {scan_median:6.0f}")
    best_ratio = min(scans) / min(bare)
    median_ratio = statistics.median(scans) / statistics.median(bare)
    print(f"  scan time / bare time:  {best_ratio:6.2f} / {median_ratio:6.2f}")


if __name__ == "__main__":
    main()
