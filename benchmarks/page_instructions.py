"""Count the CPU instructions a page's widgets add: ``benchmarks/page.py``'s pages, under valgrind.

Time on a shared machine moves with the load (other processes take the caches
and the cores' turbo); the number of instructions a page runs does not. Each
route of ``page.py`` (the page with consentkit's widgets and the same page
without, Jinja and Django, for an undecided visitor and one who allowed
analytics) is served in a process of its own under valgrind's cachegrind,
once for ``--pages`` pages and once for none; the difference over ``--pages``
is the instructions per page. Address randomization, hash randomization and
the garbage collector are off, so a run counts the same figure every time.
Instructions are not time (encoding the response runs many cheap ones), but
two builds compare fairly on them.

Run: ``.venv/bin/python benchmarks/page_instructions.py [--pages 1000]`` (needs ``valgrind`` and ``setarch``).
"""

from __future__ import annotations

import argparse
import gc
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

from page import consent_cookie, django_app, environ_for, example_config, fetch, flask_app

ROUTES = ("/plain", "/page")
VISITORS = {"undecided": "", "allowed analytics": "analytics"}
_TOTAL = re.compile(r"I\s+refs:\s+([\d,]+)")


def serve(engine: str, categories: str, route: str, pages: int) -> None:
    """The child: build the app, then serve ``route`` ``pages`` times after a warm-up."""
    config = example_config()
    app = flask_app(config) if engine == "Jinja" else django_app(config)
    environ = {**environ_for(consent_cookie(app, categories.split(",")) if categories else ""), "PATH_INFO": route}
    fetch(app, environ)

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: object = None) -> None:
        pass

    gc.collect()
    gc.disable()
    for _ in range(50 + pages):
        body = app(dict(environ), start_response)
        for _chunk in body:
            pass
        getattr(body, "close", lambda: None)()


def instructions(engine: str, categories: str, route: str, pages: int) -> int:
    """Instructions of one child process under cachegrind."""
    command = ["setarch", "-R", "valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null"]
    command += [sys.executable, __file__, "--serve", engine, categories or "-", route, str(pages)]
    run = subprocess.run(
        command, capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"}, check=False
    )
    found = _TOTAL.search(run.stderr)
    if run.returncode != 0 or found is None:
        raise SystemExit(f"{engine} {route}: valgrind failed\n{run.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def per_page(engine: str, categories: str, route: str, pages: int) -> float:
    with ThreadPoolExecutor(2) as pool:
        none, many = pool.map(lambda count: instructions(engine, categories, route, count), (0, pages))
    return (many - none) / pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--serve", nargs=4, metavar=("ENGINE", "CATEGORIES", "ROUTE", "PAGES"), help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.serve:
        engine, categories, route, pages = arguments.serve
        serve(engine, "" if categories == "-" else categories, route, int(pages))
        return
    if not (shutil.which("valgrind") and shutil.which("setarch")):
        raise SystemExit("needs valgrind and setarch (apt-get install valgrind util-linux)")
    print(f"Python {sys.version.split()[0]}, {arguments.pages:,} pages per count; thousands of instructions per page")
    added: dict[str, dict[str, float]] = {}
    for visitor, categories in VISITORS.items():
        for engine in ("Jinja", "Django"):
            without, with_ = (per_page(engine, categories, route, arguments.pages) / 1000 for route in ROUTES)
            added.setdefault(visitor, {})[engine] = with_ - without
            label = f"{engine}, {visitor}"
            print(f"  {label:26} without {without:6.1f}k   with {with_:6.1f}k   added {with_ - without:6.1f}k")
    for visitor, by_engine in added.items():
        print(f"  Django / Jinja added, {visitor}: {by_engine['Django'] / by_engine['Jinja']:4.2f}")


if __name__ == "__main__":
    main()
