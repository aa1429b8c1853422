"""Build consentkit/static/ from assets/: the same code without comments.

The served files stay readable (same lines, same names), they just do not spend
the payload budget on comments. In consentkit.js, comments are whole lines
starting with "//", or end-of-line comments after two spaces and "//"; in
consentkit.css, every ``/* ... */``. Run: ``make assets``.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent
SOURCE = ROOT / "assets" / "consentkit.js"
BUILT = ROOT / "consentkit" / "static" / "consentkit.js"
STYLE_SOURCE = ROOT / "assets" / "consentkit.css"
STYLE_BUILT = ROOT / "consentkit" / "static" / "consentkit.css"
HEADER = (
    "/* consentkit.js, built from assets/consentkit.js (comments removed): edit that file, then `make assets`. */\n"
)
STYLE_HEADER = "/* consentkit.css, built from assets/consentkit.css: edit that file, then `make assets`. */\n"

_WHOLE_LINE = re.compile(r"^\s*//.*$")
_END_OF_LINE = re.compile(r"  // .*$")
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)


def build(source: str) -> str:
    lines = []
    for line in source.splitlines():
        if _WHOLE_LINE.match(line):
            continue
        lines.append(_END_OF_LINE.sub("", line).rstrip())
    return HEADER + "\n".join(lines) + "\n"


def build_style(source: str) -> str:
    lines = [line.strip() for line in _CSS_COMMENT.sub("", source).splitlines()]
    return STYLE_HEADER + "\n".join(line for line in lines if line) + "\n"


if __name__ == "__main__":
    BUILT.write_text(build(SOURCE.read_text(encoding="utf-8")), encoding="utf-8")
    STYLE_BUILT.write_text(build_style(STYLE_SOURCE.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"built {BUILT.relative_to(ROOT)} and {STYLE_BUILT.relative_to(ROOT)}", file=sys.stderr)
