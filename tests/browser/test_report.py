"""The consent report opened from disk in Chromium: it draws, asks for nothing, and logs no error."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from consentkit.log.insights import ImpressionCount, group_records, summarize
from consentkit.render.report import ReportRenderer
from tests.test_insights import DAY1, EVERYTHING, record

from .conftest import screenshot_path


def _month_of_decisions() -> str:
    records = []
    for day in range(30):
        when = DAY1 + timedelta(days=day)
        records += [record(when, "accept_all", EVERYTHING)] * (20 + day % 7)
        records += [record(when, "reject_all", locale="sv")] * (12 + day % 5)
        records += [record(when, "custom", ("analytics",), policy="v2" if day > 14 else "v1")] * 6
        records += [record(when, "gpc", locale="en")] * 2
    impressions = [ImpressionCount((DAY1 + timedelta(days=day)).date(), "nb", "v1", 90) for day in range(30)]
    insights = summarize(group_records(records), impressions)
    return ReportRenderer("nb", "Eksempel Inkasso AS").render(insights, datetime(2026, 12, 2, tzinfo=UTC))


@pytest.mark.parametrize(
    "viewport", [{"width": 1280, "height": 900}, {"width": 375, "height": 667}], ids=["desktop", "phone"]
)
def test_report_opens_from_disk_without_requests_or_console_errors(
    browser: Browser, tmp_path: Path, viewport: dict[str, int]
) -> None:
    report = tmp_path / "report.html"
    report.write_text(_month_of_decisions(), encoding="utf-8")
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    requests: list[str] = []
    problems: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda message: problems.append(message.text) if message.type in ("error", "warning") else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(report.as_uri())
    page.wait_for_load_state("networkidle")
    assert requests == [report.as_uri()]
    assert problems == []
    assert page.locator("svg[role=img]").count() == 4
    # Every chart is drawn with something in it, and the page never scrolls sideways.
    assert page.locator("svg[role=img] rect, svg[role=img] path").count() > 60
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    page.screenshot(path=screenshot_path(f"report-nb-{viewport['width']}.png"), full_page=True)
    context.close()
