"""What consentkit adds to a page, gzip -9 and brotli: the script and stylesheet of every page
(budget: 3,000 bytes gzip -9), then what only some sites or pages load, each with a budget of its own.

    .venv/bin/python benchmarks/payload.py            # consentkit only
    .venv/bin/python benchmarks/payload.py --peers    # also download and measure the peers from npm

gzip sizes come from the `gzip -9 -n` command (as the issue measures them), or from
Python's zlib at level 9 where that command is missing; brotli sizes (quality 11) from
the `brotli` module, the `consentkit[brotli]` extra, which the development install
has (without it the column says so). With --peers, the peers' published files are
fetched from registry.npmjs.org into benchmarks/.cache and measured the same way, so
the comparison is like for like.
"""

from __future__ import annotations

import argparse
import gzip
import importlib
import io
import shutil
import subprocess
import sys
import tarfile
import urllib.request
from collections.abc import Callable, Iterable
from pathlib import Path

ROOT = Path(__file__).parent.parent
STATIC = ROOT / "consentkit" / "static"
CACHE = Path(__file__).parent / ".cache"

#: Loaded on every page that has consentkit's head(), and their budget together (gzip -9).
EVERY_PAGE = ("consentkit.js", "consentkit.css")
BUDGET = 3_000
#: Loaded only where they are needed, each within its own budget (gzip -9): the services' switches
#: and off switches where the config enables a service, Google Consent Mode where it turns it on,
#: the dark palette with color_scheme = "auto", and the notice's stylesheet with the notice.
OPTIONAL_BUDGETS = {
    "consentkit-services.js": 600,
    "consentkit-gcm.js": 400,
    "consentkit-dark.css": 200,
    "consentkit-notice.css": 500,
}
#: What each page of a site with Google services (so Consent Mode too) loads, as the example portal does.
GOOGLE_SITE = (*EVERY_PAGE, "consentkit-services.js", "consentkit-gcm.js")

#: Peer, its npm tarball, and the files a site loads from it.
PEERS = [
    (
        "vanilla-cookieconsent 3.1.0",
        "https://registry.npmjs.org/vanilla-cookieconsent/-/vanilla-cookieconsent-3.1.0.tgz",
        ("package/dist/cookieconsent.umd.js", "package/dist/cookieconsent.css"),
    ),
    (
        "Osano cookieconsent 3.1.1",
        "https://registry.npmjs.org/cookieconsent/-/cookieconsent-3.1.1.tgz",
        ("package/build/cookieconsent.min.js", "package/build/cookieconsent.min.css"),
    ),
    ("klaro 0.7.22", "https://registry.npmjs.org/klaro/-/klaro-0.7.22.tgz", ("package/dist/klaro.js",)),
]


def gzipped_size(data: bytes) -> int:
    command = shutil.which("gzip")
    if command:
        return len(subprocess.run([command, "-9", "-n", "-c"], input=data, capture_output=True, check=True).stdout)
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def brotli_compressor() -> Callable[[bytes], int] | None:
    """Brotli at its best quality, or None without the optional ``brotli`` module."""
    try:
        brotli = importlib.import_module("brotli")
    except ImportError:
        return None
    return lambda data: len(brotli.compress(data, quality=11))


def gzip_sizes(names: Iterable[str]) -> dict[str, int]:
    return {name: gzipped_size((STATIC / name).read_bytes()) for name in names}


def brotli_sizes(names: Iterable[str]) -> dict[str, int] | None:
    compressed = brotli_compressor()
    if compressed is None:
        return None
    return {name: compressed((STATIC / name).read_bytes()) for name in names}


def peer_sizes(url: str, members: tuple[str, ...]) -> tuple[int, int | None]:
    """The peer's files, gzip -9 and brotli (None without the module), added up."""
    CACHE.mkdir(exist_ok=True)
    tarball = CACHE / url.rsplit("/", 1)[1]
    if not tarball.exists():
        with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 (a fixed https URL)
            tarball.write_bytes(response.read())
    compressed = brotli_compressor()
    gzipped, brotli = 0, 0
    with tarfile.open(fileobj=io.BytesIO(tarball.read_bytes()), mode="r:gz") as archive:
        for member in members:
            extracted = archive.extractfile(member)
            if extracted is None:
                raise SystemExit(f"{member} is not a file in {url}")
            data = extracted.read()
            gzipped += gzipped_size(data)
            brotli += compressed(data) if compressed else 0
    return gzipped, brotli if compressed else None


def _verdict(size: int, budget: int) -> str:
    return f"budget {budget:,}: {'within' if size <= budget else 'OVER'}"


def _row(label: str, gzipped: int, brotli: int | None, note: str = "") -> str:
    shown = f"{brotli:6,}" if brotli is not None else "     -"
    return f"{label:32} {gzipped:6,}   {shown}   {note}".rstrip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--peers", action="store_true", help="also measure the peers (downloads from npm)")
    args = parser.parse_args()
    names = (*EVERY_PAGE, *OPTIONAL_BUDGETS)
    gzipped = gzip_sizes(names)
    brotli = brotli_sizes(names)
    print(f"{'bytes':32} {'gzip -9':>6}   {'brotli':>6}" + ("" if brotli else "   (pip install brotli)"))
    for name in EVERY_PAGE:
        print(_row(name, gzipped[name], brotli[name] if brotli else None))
    total = sum(gzipped[name] for name in EVERY_PAGE)
    brotli_total = sum(brotli[name] for name in EVERY_PAGE) if brotli else None
    print(_row("every page: script and style", total, brotli_total, _verdict(total, BUDGET)))
    print("only where needed:")
    for name, budget in OPTIONAL_BUDGETS.items():
        print(_row(f"  {name}", gzipped[name], brotli[name] if brotli else None, _verdict(gzipped[name], budget)))
    google_brotli = sum(brotli[name] for name in GOOGLE_SITE) if brotli else None
    print(_row("a site with Google services", sum(gzipped[name] for name in GOOGLE_SITE), google_brotli))
    within = total <= BUDGET and all(gzipped[name] <= budget for name, budget in OPTIONAL_BUDGETS.items())
    if args.peers:
        print("peers (every file a site loads):")
        for label, url, members in PEERS:
            print(_row(f"  {label}", *peer_sizes(url, members)))
    return 0 if within else 1


if __name__ == "__main__":
    sys.exit(main())
