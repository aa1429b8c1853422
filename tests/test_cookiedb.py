"""The compact Open Cookie Database that consentkit loads says what the published CSV says."""

from __future__ import annotations

from importlib.resources import files

from consentkit.config.cookiedb import (
    CookieDatabase,
    KnownCookie,
    bundled_database,
    compact_lines,
    parse_compact,
    parse_rows,
)

DATA = files("consentkit").joinpath("data")


def published_rows() -> list[KnownCookie]:
    return parse_rows(DATA.joinpath("open-cookie-database.csv").read_text(encoding="utf-8"))


def test_the_compact_file_is_built_from_the_bundled_csv() -> None:
    rows = published_rows()
    compact = DATA.joinpath("open-cookie-database.tsv").read_text(encoding="utf-8")
    assert compact == "".join(compact_lines(rows)), "run: .venv/bin/python tools/build_cookiedb.py"
    assert parse_compact(compact) == rows


def test_every_name_classifies_as_from_the_csv() -> None:
    rows = published_rows()
    from_csv = CookieDatabase(rows)
    loaded = bundled_database()
    assert len(loaded) == len(from_csv) > 2000
    names = [row.name for row in rows]
    probes = names + [name + "_suffix" for name in names] + ["", "unknown-cookie", "_ga_X1", "_gat_UA-1"]
    for name in probes:
        assert loaded.lookup(name) == from_csv.lookup(name), name
    assert loaded.first_party().lookup("sessionid") == from_csv.first_party().lookup("sessionid")
