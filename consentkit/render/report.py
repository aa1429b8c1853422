"""The consent report: one self-contained HTML file for the site's marketers.

No script, no external request: styles are inline and charts are inline SVG
(``charts.py``), each beside a table with its numbers, so the file opens from
disk, prints well and reads with a screen reader.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from babel import Locale
from babel.dates import format_date, format_skeleton
from babel.numbers import format_decimal, format_percent
from markupsafe import Markup

from ..log.insights import CHOICES, Insights
from .charts import PALETTE, share_lines, split_bars, stacked_bars
from .i18n import translations
from .renderer import template_environment
from .report_texts import ReportTexts
from .texts import Texts


@dataclass(frozen=True)
class Chart:
    """One chart and the table of its numbers: ``rows`` of cells under ``columns``."""

    title: str
    svg: Markup
    legend: Sequence[tuple[str, str]]
    columns: Sequence[str]
    rows: Sequence[Sequence[str]]
    note: str = ""


class ReportRenderer:
    """Renders ``Insights`` as HTML in one locale (nb, sv or en)."""

    def __init__(self, locale: str, site: str) -> None:
        self.locale = locale
        self.site = site
        self.t = ReportTexts(locale)
        self.visitor_texts = Texts(locale, translations(locale), {})

    def render(self, insights: Insights, generated: datetime) -> str:
        total = insights.total
        template = template_environment(autoescape=True).get_template("consentkit/report.html")
        return template.render(
            locale=self.locale,
            t=self.t,
            subtitle=self.t("subtitle", site=self.site, period=self._period(insights)),
            headline=self._headline(insights),
            charts=self._charts(insights) if total.decisions or total.impressions else [],
            footer=self.t("footer", date=format_date(generated.date(), "long", locale=self.locale)),
        )

    # Numbers and dates as the locale writes them.
    def _percent(self, rate: float | None) -> str:
        return "–" if rate is None else format_percent(rate, "#,##0 %", locale=self.locale)

    def _count(self, value: float) -> str:
        return format_decimal(value, locale=self.locale)

    def _day(self, day: date) -> str:
        return format_skeleton("MMMd", day, locale=self.locale)

    def _period(self, insights: Insights) -> str:
        if insights.since is None and insights.until is None:
            return self.t("period_all")
        days = insights.days
        since = insights.since.date() if insights.since else (days[0] if days else None)
        # ``until`` is exclusive; the report names the last day it covers.
        until = (insights.until - timedelta(microseconds=1)).date() if insights.until else (days[-1] if days else None)
        if since is None or until is None:
            return self.t("period_all")
        return self.t(
            "period_between",
            since=format_date(since, "long", locale=self.locale),
            until=format_date(until, "long", locale=self.locale),
        )

    def _headline(self, insights: Insights) -> list[tuple[str, str]]:
        total = insights.total
        median = insights.median_categories_granted()
        tiles = [
            (self.t("decisions"), self._count(total.decisions)),
            (self.t("accept_all_rate"), self._percent(total.rate("accept_all"))),
            (self.t("reject_all_rate"), self._percent(total.rate("reject_all"))),
            (self.t("median_categories"), "–" if median is None else self._count(median)),
        ]
        if total.impressions:
            tiles.append((self.t("impressions"), self._count(total.impressions)))
            tiles.append((self.t("consent_rate"), self._percent(insights.consent_rate())))
        return tiles

    def _choice_names(self, choices: Sequence[str]) -> list[str]:
        return [self.t(f"choice_{choice}") if choice in CHOICES else choice for choice in choices]

    def _charts(self, insights: Insights) -> list[Chart]:
        charts = [self._decisions_chart(insights), self._share_chart(insights, "categories")]
        if insights.services:
            charts.append(self._share_chart(insights, "services"))
        charts.append(self._split_chart(insights, "locales"))
        charts.append(self._split_chart(insights, "policies"))
        return charts

    def _present_choices(self, insights: Insights) -> list[str]:
        seen = set().union(*(breakdown.choices for breakdown in insights.by_day.values()))
        return [c for c in CHOICES if c in seen] + sorted(seen - set(CHOICES))

    def _decisions_chart(self, insights: Insights) -> Chart:
        days = insights.days
        choices = self._present_choices(insights)
        names = self._choice_names(choices)
        show_impressions = insights.total.impressions > 0
        rows = []
        for day in days:
            breakdown = insights.by_day[day]
            row = [self._day(day), *(self._count(breakdown.choices[c]) for c in choices)]
            row.append(self._count(breakdown.decisions))
            row.append(self._count(breakdown.withdrawals))
            if show_impressions:
                row.append(self._count(breakdown.impressions))
            rows.append(row)
        columns = [self.t("column_date"), *names, self.t("column_total"), self.t("column_withdrew")]
        if show_impressions:
            columns.append(self.t("impressions"))
        return Chart(
            title=self.t("chart_decisions"),
            svg=stacked_bars(
                self.t("chart_decisions"),
                [self._day(day) for day in days],
                [insights.by_day[day].choices for day in days],
                choices,
                self._count,
            ),
            legend=list(zip(names, PALETTE, strict=False)),
            columns=columns,
            rows=rows,
        )

    def _share_chart(self, insights: Insights, kind: str) -> Chart:
        days = insights.days
        shares = insights.categories if kind == "categories" else insights.services
        names = insights.ordered_categories() if kind == "categories" else sorted(shares)
        labels = [self.visitor_texts.category(name) if kind == "categories" else name for name in names]
        series = [[shares[name][day].rate if day in shares[name] else None for day in days] for name in names]
        rows = [[self._day(day), *(self._share_cell(shares[name].get(day)) for name in names)] for day in days]
        title = self.t("chart_categories" if kind == "categories" else "chart_services")
        return Chart(
            title=title,
            svg=share_lines(title, [self._day(day) for day in days], series, self._percent),
            legend=list(zip(labels, PALETTE, strict=False)),
            columns=[self.t("column_date"), *labels],
            rows=rows,
        )

    def _share_cell(self, share: Any) -> str:
        if share is None or not share.asked:
            return "–"
        return f"{self._percent(share.rate)} ({self._count(share.granted)}/{self._count(share.asked)})"

    def _split_chart(self, insights: Insights, kind: str) -> Chart:
        choices = self._present_choices(insights)
        names = self._choice_names(choices)
        if kind == "locales":
            slices = sorted(insights.by_locale.items())
            labels = [self._language(locale) for locale, _ in slices]
            columns = [self.t("column_language"), *names, self.t("column_total"), self.t("impressions")]
            extra: list[list[str]] = [[] for _ in slices]
            title, note = self.t("chart_locales"), ""
        else:
            slices = sorted(insights.by_policy.items(), key=lambda item: item[1].first_day or date.min)
            labels = [version for version, _ in slices]
            columns = [
                self.t("column_version"),
                self.t("column_in_use"),
                *names,
                self.t("column_total"),
                self.t("impressions"),
            ]
            extra = [[self._in_use(breakdown.first_day, breakdown.last_day)] for _, breakdown in slices]
            title, note = self.t("chart_policies"), self.t("policies_note")
        rows = [
            [
                label,
                *more,
                *(self._count_and_share(breakdown.choices[c], breakdown.decisions) for c in choices),
                self._count(breakdown.decisions),
                self._count(breakdown.impressions),
            ]
            for label, more, (_, breakdown) in zip(labels, extra, slices, strict=True)
        ]
        return Chart(
            title=title,
            svg=split_bars(title, [(label, b.choices) for label, (_, b) in zip(labels, slices, strict=True)], choices),
            legend=list(zip(names, PALETTE, strict=False)),
            columns=columns,
            rows=rows,
            note=note,
        )

    def _count_and_share(self, count: int, total: int) -> str:
        return f"{self._count(count)} ({self._percent(count / total if total else None)})"

    def _in_use(self, first: date | None, last: date | None) -> str:
        if first is None or last is None:
            return "–"
        return f"{self._day(first)}–{self._day(last)}" if first != last else self._day(first)

    def _language(self, locale: str) -> str:
        try:
            name = Locale.parse(locale).get_display_name(self.locale)
        except (ValueError, TypeError):
            name = None
        return f"{name} ({locale})" if name else locale
