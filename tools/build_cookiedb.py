"""Write ``consentkit/data/open-cookie-database.tsv``: the rows of the bundled CSV that consentkit uses.

The CSV (568 KB, with descriptions and retention periods) stays as published,
under its license; reading it took most of ``load_config``. The TSV keeps only
what classification reads, one row per line in the CSV's order (merging
depends on it): name, consentkit category, platform, 1 for a prefix, domain.
``tests/test_cookiedb.py`` fails when the two disagree.

Run after updating the CSV: ``.venv/bin/python tools/build_cookiedb.py``.
"""

from __future__ import annotations

from pathlib import Path

from consentkit.config.cookiedb import compact_lines, parse_rows

DATA = Path(__file__).parent.parent / "consentkit" / "data"


def main() -> None:
    rows = parse_rows((DATA / "open-cookie-database.csv").read_text(encoding="utf-8"))
    (DATA / "open-cookie-database.tsv").write_text("".join(compact_lines(rows)), encoding="utf-8")
    print(f"wrote {len(rows)} rows to {DATA / 'open-cookie-database.tsv'}")


if __name__ == "__main__":
    main()
