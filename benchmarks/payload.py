"""What consentkit adds to a page: consentkit.js + consentkit.css, gzip -9 (budget: 5,000 bytes).

    .venv/bin/python benchmarks/payload.py            # consentkit only
    .venv/bin/python benchmarks/payload.py --peers    # also download and measure the peers from npm

Sizes come from the `gzip -9 -n` command (as the issue measures them), or from
Python's zlib at level 9 where that command is missing. With --peers, the peers'
published files are fetched from registry.npmjs.org into benchmarks/.cache and
measured the same way, so the comparison is like for like.
"""

from __future__ import annotations

import argparse
import gzip
import io
import shutil
import subprocess
import sys
import tarfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).parent.parent
STATIC = ROOT / "consentkit" / "static"
OURS = ("consentkit.js", "consentkit.css")
BUDGET = 5_000
CACHE = Path(__file__).parent / ".cache"

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


def our_sizes() -> dict[str, int]:
    return {name: gzipped_size((STATIC / name).read_bytes()) for name in OURS}


def peer_size(url: str, members: tuple[str, ...]) -> int:
    CACHE.mkdir(exist_ok=True)
    tarball = CACHE / url.rsplit("/", 1)[1]
    if not tarball.exists():
        with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 (a fixed https URL)
            tarball.write_bytes(response.read())
    total = 0
    with tarfile.open(fileobj=io.BytesIO(tarball.read_bytes()), mode="r:gz") as archive:
        for member in members:
            extracted = archive.extractfile(member)
            if extracted is None:
                raise SystemExit(f"{member} is not a file in {url}")
            total += gzipped_size(extracted.read())
    return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--peers", action="store_true", help="also measure the peers (downloads from npm)")
    args = parser.parse_args()
    sizes = our_sizes()
    total = sum(sizes.values())
    for name, size in sizes.items():
        print(f"{name:32} {size:6,} bytes gzip -9")
    verdict = "within" if total <= BUDGET else "OVER"
    print(f"{'consentkit, script and style':32} {total:6,} bytes  (budget {BUDGET:,}: {verdict})")
    if args.peers:
        for label, url, members in PEERS:
            print(f"{label:32} {peer_size(url, members):6,} bytes")
    return 0 if total <= BUDGET else 1


if __name__ == "__main__":
    sys.exit(main())
