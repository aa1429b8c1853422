"""Build consentkit/static/consentkit.js from assets/consentkit.js: the same code without comments.

The served file stays readable (same lines, same names), it just does not spend
the 5 KB budget on comments. Comments in the source are whole lines starting with
"//", or end-of-line comments after two spaces and "//". Run: ``make assets``.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent
SOURCE = ROOT / "assets" / "consentkit.js"
BUILT = ROOT / "consentkit" / "static" / "consentkit.js"
HEADER = (
    "/* consentkit.js, built from assets/consentkit.js (comments removed): edit that file, then `make assets`. */\n"
)

_WHOLE_LINE = re.compile(r"^\s*//.*$")
_END_OF_LINE = re.compile(r"  // .*$")


def build(source: str) -> str:
    lines = []
    for line in source.splitlines():
        if _WHOLE_LINE.match(line):
            continue
        lines.append(_END_OF_LINE.sub("", line).rstrip())
    return HEADER + "\n".join(lines) + "\n"


if __name__ == "__main__":
    BUILT.write_text(build(SOURCE.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"built {BUILT.relative_to(ROOT)}", file=sys.stderr)
