"""Banner impressions: counted by the middleware, summed in the log, shown as the consent rate in the report."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from werkzeug.test import Client

from consentkit import ConsentExtension, ConsentMiddleware, widgets_for
from consentkit.log import open_store
from consentkit.log.impressions import ImpressionCount, ImpressionCounter, SpooledImpressions
from consentkit.log.insights import group_records, insights_from, summarize
from consentkit.log.sqlite import SQLiteStore

from .conftest import SECRET, config_from
from .test_insights import DAY1, EVERYTHING, record

TODAY = datetime.now(UTC).date()


def page_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """A page that shows the banner to an undecided visitor, as a site's base template does."""
    from jinja2 import Environment

    html = Environment(extensions=[ConsentExtension], autoescape=True).from_string(
        "<!doctype html><html><body>{{ consentkit.body() }}<p>page</p></body></html>"
    )
    start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
    return [html.render(consentkit=widgets_for(environ)).encode()]


def test_page_views_that_show_the_banner_are_summed_per_day_locale_and_version(tmp_path: Path) -> None:
    store = SQLiteStore(str(tmp_path / "log.sqlite3"))
    middleware = ConsentMiddleware(page_app, config_from(), SECRET, store=store)
    undecided = Client(middleware)
    for language in ("nb", "nb", "sv"):
        assert "consentkit-banner" in undecided.get("/", headers={"Accept-Language": language}).text
    decided = Client(middleware)
    decided.post("/consentkit/consent", data={"choice": "reject_all"})
    assert "consentkit-banner" not in decided.get("/").text  # no banner, no impression
    assert middleware.impressions is not None
    assert middleware.impressions.flush()
    assert sorted(store.impressions(None, None)) == [
        ImpressionCount(TODAY, "nb", "2026-11-01", 2),
        ImpressionCount(TODAY, "sv", "2026-11-01", 1),
    ]
    # The sums grow; they are never rows per visitor.
    undecided.get("/", headers={"Accept-Language": "nb"})
    middleware.close()
    assert ImpressionCount(TODAY, "nb", "2026-11-01", 3) in list(store.impressions(None, None))


def test_with_a_spool_the_sums_go_through_it_and_reach_the_log_once(tmp_path: Path) -> None:
    store = SQLiteStore(str(tmp_path / "log.sqlite3"))
    middleware = ConsentMiddleware(page_app, config_from(), SECRET, store=store, spool=tmp_path / "spool")
    assert middleware.impressions is not None
    undecided = Client(middleware)
    for _ in range(3):
        undecided.get("/", headers={"Accept-Language": "sv"})
    assert middleware.impressions.flush()  # spooled
    middleware.close()  # the last sums and the spool are shipped
    assert list(store.impressions(None, None)) == [ImpressionCount(TODAY, "sv", "2026-11-01", 3)]
    assert list((tmp_path / "spool").iterdir()) == []


def test_the_report_sets_decisions_against_impressions(tmp_path: Path) -> None:
    store = SQLiteStore(str(tmp_path / "log.sqlite3"))
    for item in [record(DAY1, "accept_all", EVERYTHING), record(DAY1, "reject_all")]:
        store.append(item)
    store.add_impressions([ImpressionCount(DAY1.date(), "nb", "v1", 8)])
    headline = insights_from(store).to_json()["headline"]
    assert headline["impressions"] == 8
    assert headline["consent_rate_per_impression"] == 0.125


def test_impressions_of_a_period_are_those_of_its_days(tmp_path: Path) -> None:
    store = SQLiteStore(str(tmp_path / "log.sqlite3"))
    days = [date(2026, 11, day) for day in (1, 2, 3)]
    store.add_impressions([ImpressionCount(day, "nb", "v1", day.day) for day in days])
    since = datetime(2026, 11, 2, tzinfo=UTC)
    assert [count.views for count in store.impressions(since, since + timedelta(days=1))] == [2]
    assert sum(count.views for count in store.impressions(since, None)) == 5


def test_counts_wait_in_memory_while_the_log_cannot_be_written(tmp_path: Path) -> None:
    # A folder where the database file should be: SQLite cannot open it, as with a broken mount.
    broken = tmp_path / "log.sqlite3"
    broken.mkdir()
    counter = ImpressionCounter(SQLiteStore(str(broken)), every=3600)
    for _ in range(4):
        counter.count("nb", "v1")
    assert not counter.flush()
    assert counter.pending() == 4
    working = SQLiteStore(str(tmp_path / "working.sqlite3"))
    counter.store = working
    assert counter.flush()
    assert counter.pending() == 0
    assert [count.views for count in working.impressions(None, None)] == [4]
    counter.close()


def test_postgresql_keeps_impressions_and_groups_decisions_like_sqlite(pg_url: str, tmp_path: Path) -> None:
    records = [
        record(DAY1, "accept_all", EVERYTHING),
        record(DAY1, "custom", ("analytics",), locale="sv"),
        record(DAY1 + timedelta(days=1), "gpc", policy="v2"),
    ]
    postgres, sqlite = open_store(pg_url), SQLiteStore(str(tmp_path / "log.sqlite3"))
    try:
        for store in (postgres, sqlite):
            store.append_batch(records)
            store.add_impressions([ImpressionCount(DAY1.date(), "nb", "v1", 5)])  # type: ignore[attr-defined]
            store.add_impressions([ImpressionCount(DAY1.date(), "nb", "v1", 2)])  # type: ignore[attr-defined]
        from_postgres, from_sqlite = insights_from(postgres).to_json(), insights_from(sqlite).to_json()
        assert (
            from_postgres
            == from_sqlite
            == summarize(group_records(records), [ImpressionCount(DAY1.date(), "nb", "v1", 7)]).to_json()
        )
        assert from_postgres["headline"]["impressions"] == 7
    finally:
        postgres.close()
        sqlite.close()


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_a_spooled_sum_is_added_once_per_source_and_sequence(kind: str, tmp_path: Path, request: Any) -> None:
    url = request.getfixturevalue("pg_url") if kind == "postgresql" else f"sqlite:///{tmp_path / 'log.sqlite3'}"
    store: Any = open_store(url)
    day = DAY1.date()

    def spooled(source: str, sequence: int, views: int) -> SpooledImpressions:
        return SpooledImpressions(source, sequence, (ImpressionCount(day, "nb", "v1", views),))

    try:
        store.add_spooled_impressions([spooled("a", 1, 1), spooled("a", 2, 10)])
        # A replay of both, with what came after them, and another process's sum with its own numbers.
        store.add_spooled_impressions(
            [spooled("a", 1, 1), spooled("a", 2, 10), spooled("a", 3, 100), spooled("b", 1, 1000)]
        )
        store.add_impressions([ImpressionCount(day, "nb", "v1", 10_000)])  # unnumbered: always added
        assert [count.views for count in store.impressions(None, None)] == [11_111]
    finally:
        store.close()


def test_a_count_falls_on_its_utc_day_and_the_sums_are_handed_over_with_that_date(tmp_path: Path) -> None:
    store = SQLiteStore(str(tmp_path / "log.sqlite3"))
    counter = ImpressionCounter(store, every=3600)
    oslo = timezone(timedelta(hours=1))
    counter.count("nb", "v1", datetime(2026, 12, 31, 23, 30, tzinfo=UTC))
    counter.count("nb", "v1", datetime(2027, 1, 1, 0, 30, tzinfo=oslo))  # 23:30 UTC the day before
    counter.count("sv", "v1", datetime(1970, 1, 1, 0, 0, tzinfo=UTC))
    counter.count("sv", "v1")  # now
    assert counter.flush()
    kept = {(count.day, count.locale): count.views for count in store.impressions(None, None)}
    assert kept == {(date(2026, 12, 31), "nb"): 2, (date(1970, 1, 1), "sv"): 1, (datetime.now(UTC).date(), "sv"): 1}
    counter.close()


def test_a_forked_worker_starts_its_own_thread_on_its_first_count(tmp_path: Path) -> None:
    from consentkit.forks import Forks

    counter = ImpressionCounter(SQLiteStore(str(tmp_path / "log.sqlite3")), every=3600)
    counter.count("nb", "v1")
    first = counter._thread
    assert first is not None
    assert first.is_alive()
    before = Forks.count
    child = os.fork()
    if child == 0:  # the hook registered with os.register_at_fork has run in the child
        os._exit(0 if Forks.count == before + 1 else 1)
    assert os.waitpid(child, 0)[1] == 0
    Forks.forked()  # what that hook does in a child: the next count starts a thread again
    counter.count("nb", "v1")
    second = counter._thread
    assert second is not None
    assert second is not first
    assert second.is_alive()
    counter.count("nb", "v1")
    assert counter._thread is second  # started once per fork
    counter.close()


def test_counts_from_many_threads_while_flushing_are_neither_lost_nor_doubled(tmp_path: Path) -> None:
    import threading

    store = SQLiteStore(str(tmp_path / "log.sqlite3"))
    counter = ImpressionCounter(store, every=3600)
    threads = [threading.Thread(target=lambda: [counter.count("nb", "v1") for _ in range(5_000)]) for _ in range(4)]
    for thread in threads:
        thread.start()
    while any(thread.is_alive() for thread in threads):
        assert counter.flush()
    assert counter.flush()
    assert counter.pending() == 0
    assert sum(count.views for count in store.impressions(None, None)) == 20_000
    counter.close()


def test_a_flush_counts_its_views_on_the_day_of_the_flush_before_and_the_thread_flushes_at_midnight(
    tmp_path: Path,
) -> None:
    from consentkit.log import impressions

    store = SQLiteStore(str(tmp_path / "log.sqlite3"))
    counter = ImpressionCounter(store, every=3600)
    today = impressions._today()
    counter._views_day = today - 1  # as if the last flush ran just before midnight
    counter.count("nb", "v1")
    counter.count("nb", "v1")
    assert counter.flush()
    counter.count("nb", "v1")
    assert counter.flush()
    kept = {count.day: count.views for count in store.impressions(None, None)}
    assert kept == {impressions._date_of(today - 1): 2, impressions._date_of(today): 1}
    midnight = 20_000 * 86_400.0
    assert impressions._until_next_flush(5.0, midnight - 2.0) == pytest.approx(2.001)
    assert impressions._until_next_flush(5.0, midnight - 60.0) == 5.0
    assert impressions._until_next_flush(5.0, midnight) == 5.0
    counter.close()
