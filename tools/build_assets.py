"""Build consentkit/static/ from assets/: each commented source, minified. Run: ``make assets``.

Scripts go through terser, stylesheets through esbuild, both pinned here and installed
from npm into .cache/minifiers on first use. ``assets/built.json`` records, for each served
file, the SHA-256 of its source and of its build, so that a test can tell without any
minifier that the committed build is the one of the committed source.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent
SOURCES = ROOT / "assets"
STATIC = ROOT / "consentkit" / "static"
MANIFEST = SOURCES / "built.json"
NPM_PREFIX = ROOT / ".cache" / "minifiers"

#: The minifiers, pinned: a new version may minify differently, so it changes the build.
MINIFIERS = {"terser": "5.51.2", "esbuild": "0.28.2"}

#: Every served file: consentkit.js and consentkit.css on every page; consentkit-services.js only
#: where the config enables a service, consentkit-gcm.js where Google Consent Mode is on,
#: consentkit-dark.css with color_scheme = "auto"; consentkit-notice.css with the notice.
ASSETS = (
    "consentkit.js",
    "consentkit.css",
    "consentkit-services.js",
    "consentkit-gcm.js",
    "consentkit-dark.css",
    "consentkit-notice.css",
)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def installed_version(package: str) -> str | None:
    metadata = NPM_PREFIX / "node_modules" / package / "package.json"
    return json.loads(metadata.read_text(encoding="utf-8"))["version"] if metadata.exists() else None


def install_minifiers() -> None:
    """The pinned minifiers into .cache/minifiers, unless they are there already."""
    if all(installed_version(package) == version for package, version in MINIFIERS.items()):
        return
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("`make assets` needs npm (Node.js) to install its minifiers: apt-get install npm")
    pinned = [f"{package}@{version}" for package, version in MINIFIERS.items()]
    quiet = ["--no-audit", "--no-fund", "--loglevel=error"]
    subprocess.run([npm, "install", "--prefix", str(NPM_PREFIX), *quiet, *pinned], check=True)  # noqa: S603


def minify(name: str) -> bytes:
    """The source of ``name`` minified; ECMAScript 2020 is what the script's browsers all run."""
    source = str(SOURCES / name)
    tools = NPM_PREFIX / "node_modules" / ".bin"
    if name.endswith(".js"):
        command = [str(tools / "terser"), source, "--ecma", "2020", "--compress", "passes=2", "--mangle"]
    else:
        command = [str(tools / "esbuild"), source, "--minify", "--log-level=warning"]
    result = subprocess.run(command, capture_output=True, check=False)  # noqa: S603 (the pinned minifiers)
    if result.returncode or result.stderr:  # a warning too: the sources are ours to fix
        raise SystemExit(f"assets/{name} does not minify:\n{result.stderr.decode(errors='replace')}")
    return result.stdout.rstrip(b"\n") + b"\n"


def manifest_entry(name: str) -> dict[str, str]:
    """What the manifest records of ``name`` as it is now in assets/ and in consentkit/static/."""
    return {
        "source": sha256((SOURCES / name).read_bytes()),
        "built": sha256((STATIC / name).read_bytes()),
    }


def build() -> None:
    install_minifiers()
    for name in ASSETS:
        (STATIC / name).write_bytes(minify(name))
    manifest = {"minifiers": MINIFIERS, "files": {name: manifest_entry(name) for name in ASSETS}}
    MANIFEST.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    build()
    print(f"built {', '.join(ASSETS)} into {STATIC.relative_to(ROOT)}", file=sys.stderr)
