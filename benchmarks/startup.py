"""Start-up costs: ``import consentkit`` against ``import flask``, and ``load_config``.

Imports are timed inside fresh interpreters (``python -c``, the clock read
around the import statement alone, in CPU time: on a shared machine wall time
also counts other processes' turns), taking turns round by round so that all
see the same load: ``import consentkit``, what a site imports
(``from consentkit import ConsentMiddleware, load_config``), and ``import
flask``. ``load_config`` is timed in this process with the Open Cookie
Database dropped from memory before each call, as on a worker's first load,
against parsing the same file with ``tomllib`` alone.

Targets: ``import consentkit`` no slower than ``import flask``; ``load_config`` under 5 ms.

Run: ``make bench`` (or ``.venv/bin/python benchmarks/startup.py [--rounds 20]``).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
import tomllib
from collections.abc import Callable
from pathlib import Path

from consentkit.config import load_config
from consentkit.config.cookiedb import (
    CookieDatabase,
    bundled_database,
    bundled_first_party_database,
    parse_compact,
    parse_rows,
)

ROOT = Path(__file__).parent.parent
CONFIG = ROOT / "examples" / "flask_site" / "consentkit.toml"
DATA = ROOT / "consentkit" / "data"


def import_ms(statement: str) -> float:
    """CPU ms of ``statement`` alone, in a fresh interpreter."""
    code = f"import time; started = time.process_time(); {statement}; print(time.process_time() - started)"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    return float(out) * 1e3


def call_ms(function: Callable[[], object]) -> float:
    """CPU ms of one call, in this thread."""
    started = time.thread_time()
    function()
    return (time.thread_time() - started) * 1e3


def first_load_config() -> object:
    bundled_database.cache_clear()
    bundled_first_party_database.cache_clear()
    return load_config(CONFIG)


def show(label: str, times: list[float], baseline: list[float], baseline_label: str) -> None:
    ratios = [time_ / base for time_, base in zip(times, baseline, strict=True)]
    print(
        f"  {label:20} {min(times):7.2f} / {statistics.median(times):7.2f} ms   "
        f"{baseline_label} {min(baseline):7.2f} / {statistics.median(baseline):7.2f} ms   "
        f"ratio {min(ratios):4.2f} / {statistics.median(ratios):4.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=20)
    rounds = parser.parse_args().rounds
    consentkit, middleware, flask = [], [], []
    for _ in range(rounds):
        consentkit.append(import_ms("import consentkit"))
        middleware.append(import_ms("from consentkit import ConsentMiddleware, load_config"))
        flask.append(import_ms("import flask"))
    loads, parses = [], []
    text = CONFIG.read_text(encoding="utf-8")
    for _ in range(rounds):
        loads.append(call_ms(first_load_config))
        parses.append(call_ms(lambda: tomllib.loads(text)))
    compact, published = [], []
    for _ in range(rounds):
        compact.append(call_ms(lambda: CookieDatabase(parse_compact((DATA / "open-cookie-database.tsv").read_text()))))
        published.append(call_ms(lambda: CookieDatabase(parse_rows((DATA / "open-cookie-database.csv").read_text()))))
    print(f"Python {sys.version.split()[0]}, {rounds} rounds; CPU ms, best / median (ratio: consentkit / baseline)")
    show("import consentkit", consentkit, flask, "import flask")
    show("+ middleware, config", middleware, flask, "import flask")
    show("load_config (cold)", loads, parses, "tomllib alone")
    show("cookie database", compact, published, "from the CSV")


if __name__ == "__main__":
    main()
