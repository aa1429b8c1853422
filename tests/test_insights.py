"""The numbers behind ``consentkit log report``: counted the same way in SQL and in memory."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from consentkit.log import ConsentRecord
from consentkit.log.insights import (
    ImpressionCount,
    group_records,
    insights_from,
    summarize,
)
from consentkit.log.sqlite import _GROUPED, SQLiteStore

EVERYTHING = ("functional", "analytics", "marketing")
DAY1 = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
DAY2 = DAY1 + timedelta(days=1)


def record(
    when: datetime,
    method: str,
    granted: tuple[str, ...] = (),
    *,
    locale: str = "nb",
    policy: str = "v1",
) -> ConsentRecord:
    denied = tuple(category for category in EVERYTHING if category not in granted)
    return ConsentRecord("id", when, policy, "sha256:" + "0" * 64, granted, denied, method, locale)


def test_choices_per_day_and_headline_rates() -> None:
    records = [
        record(DAY1, "accept_all", EVERYTHING),
        record(DAY1, "reject_all"),
        record(DAY1, "reject_all"),
        record(DAY2, "custom", ("analytics",)),
    ]
    insights = summarize(group_records(records))
    assert insights.days == [date(2026, 11, 2), date(2026, 11, 3)]
    assert dict(insights.by_day[date(2026, 11, 2)].choices) == {"accept_all": 1, "reject_all": 2}
    headline = insights.to_json()["headline"]
    assert headline["decisions"] == 4
    assert headline["accept_all_rate"] == 0.25
    assert headline["reject_all_rate"] == 0.5
    # Granted per decision: 3, 0, 0, 1 -> the middle two are 0 and 1.
    assert headline["median_categories_granted"] == 0.5


def test_category_share_counts_only_decisions_that_were_asked() -> None:
    records = [record(DAY1, "accept_all", EVERYTHING), record(DAY1, "custom", ("analytics",))]
    shares = summarize(group_records(records)).to_json()["categories"]
    assert shares["analytics"]["2026-11-02"] == {"granted": 2, "asked": 2, "rate": 1.0}
    assert shares["marketing"]["2026-11-02"] == {"granted": 1, "asked": 2, "rate": 0.5}
    assert list(shares) == list(EVERYTHING)


def test_service_shares_come_from_records_that_carry_services() -> None:
    youtube_only = ConsentRecord(
        "id",
        DAY1,
        "v1",
        "sha256:0",
        (),
        EVERYTHING,
        "custom",
        "sv",
        services_granted=("youtube",),
        services_denied=("meta-pixel",),
    )
    services = summarize(group_records([youtube_only])).to_json()["services"]
    assert services == {
        "meta-pixel": {"2026-11-02": {"granted": 0, "asked": 1, "rate": 0.0}},
        "youtube": {"2026-11-02": {"granted": 1, "asked": 1, "rate": 1.0}},
    }


def test_splits_by_locale_and_policy_version_with_the_days_each_version_was_used() -> None:
    records = [
        record(DAY1, "accept_all", EVERYTHING, locale="sv", policy="v1"),
        record(DAY2, "reject_all", locale="nb", policy="v2"),
        record(DAY2 + timedelta(days=2), "reject_all", locale="nb", policy="v2"),
    ]
    report = summarize(group_records(records)).to_json()
    assert report["locales"]["sv"]["choices"] == {"accept_all": 1}
    assert report["locales"]["nb"]["reject_all_rate"] == 1.0
    assert list(report["policy_versions"]) == ["v1", "v2"]
    assert report["policy_versions"]["v2"]["first_day"] == "2026-11-03"
    assert report["policy_versions"]["v2"]["last_day"] == "2026-11-05"


def test_consent_rate_is_decisions_granting_anything_per_banner_impression() -> None:
    records = [record(DAY1, "accept_all", EVERYTHING), record(DAY1, "custom", ("analytics",)), record(DAY1, "gpc")]
    impressions = [ImpressionCount(date(2026, 11, 2), "nb", "v1", 8)]
    report = summarize(group_records(records), impressions).to_json()
    assert report["headline"]["impressions"] == 8
    assert report["headline"]["consent_rate_per_impression"] == 0.25
    assert report["days"][0]["impressions"] == 8


def test_without_impressions_there_is_no_consent_rate() -> None:
    assert summarize(group_records([record(DAY1, "gpc")])).to_json()["headline"]["consent_rate_per_impression"] is None


def test_empty_log_reports_zero_and_no_median() -> None:
    headline = summarize(()).to_json()["headline"]
    assert headline["decisions"] == 0
    assert headline["median_categories_granted"] is None
    assert headline["accept_all_rate"] is None


_records = st.lists(
    st.builds(
        record,
        when=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 31), timezones=st.just(UTC)).map(
            lambda moment: moment.replace(microsecond=0)
        ),
        method=st.sampled_from(("accept_all", "reject_all", "custom", "withdraw", "gpc")),
        granted=st.sets(st.sampled_from(EVERYTHING)).map(lambda found: tuple(c for c in EVERYTHING if c in found)),
        locale=st.sampled_from(("nb", "sv", "en")),
        policy=st.sampled_from(("v1", "v2")),
    ),
    max_size=40,
)


@settings(max_examples=40, deadline=None)
@given(records=_records, cut=st.integers(min_value=0, max_value=364))
def test_sqlite_groups_in_sql_exactly_as_counting_record_by_record(
    tmp_path_factory: object, records: list[ConsentRecord], cut: int
) -> None:
    folder = Path(tmp_path_factory.mktemp("log"))  # type: ignore[attr-defined]
    store = SQLiteStore(str(folder / "log.sqlite3"))
    try:
        for item in records:
            store.append(item)
        since = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=cut)
        until = since + timedelta(days=60)
        in_sql = insights_from(store, since, until).to_json()
        in_memory = summarize(group_records(records, since, until), since=since, until=until).to_json()
        assert in_sql == in_memory
        assert insights_from(store).to_json() == summarize(group_records(records)).to_json()
    finally:
        store.close()


def test_a_reject_after_an_accept_counts_as_a_reject_that_withdrew(tmp_path_factory: object) -> None:
    """What was pressed is kept (issue: 'reject_all 0 although the button was pressed'), withdrawals beside it."""
    from dataclasses import replace

    withdrawing = replace(record(DAY1, "reject_all"), withdrawn=EVERYTHING)
    records = [record(DAY1, "accept_all", EVERYTHING), withdrawing]
    day = summarize(group_records(records)).to_json()["days"][0]
    assert day["choices"] == {"accept_all": 1, "reject_all": 1}
    assert day["withdrawals"] == 1
    store = SQLiteStore(str(Path(tmp_path_factory.mktemp("log")) / "log.sqlite3"))  # type: ignore[attr-defined]
    store.append_batch(records)
    assert insights_from(store).to_json()["days"][0]["withdrawals"] == 1
    store.close()


def test_sqlite_counts_in_one_pass_over_the_report_index_without_sorting(tmp_path: Path) -> None:
    """What keeps a million records under 5 s (issue 15): the table is not read and nothing is sorted."""
    path = tmp_path / "log.sqlite3"
    SQLiteStore(str(path)).append(record(DAY1, "accept_all", EVERYTHING))
    with closing(sqlite3.connect(path)) as connection:
        for bounds in (("", "~", "", "~"), ("2026-11-02", "2026-11-03", "2026-11-02T12", "2026-11-03")):
            plan = " ".join(row[3] for row in connection.execute(f"EXPLAIN QUERY PLAN {_GROUPED}", bounds))
            assert "USING COVERING INDEX consent_log_report" in plan
            assert "TEMP B-TREE" not in plan
