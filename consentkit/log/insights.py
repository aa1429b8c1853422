"""What visitors chose, counted for the marketer's report (``consentkit log report``).

Records are first reduced to ``DecisionGroup`` counts: one per distinct
combination of day, button, locale, policy version and what was granted. A
busy site has millions of records but only thousands of such groups, so a
store that can group in SQL (``grouped_decisions``) hands them over without
building a million record objects; any other store is counted record by
record. Everything after that works on groups.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Final, NamedTuple, Protocol

from ..categories import OPTIONAL_CATEGORIES
from .impressions import ImpressionCount
from .record import ConsentRecord

#: What a visitor can press or send, in the order the report stacks them.
CHOICES: Final = ("accept_all", "reject_all", "custom", "withdraw", "gpc")


class DecisionGroup(NamedTuple):
    """``decisions`` decisions that agree in everything the report looks at."""

    day: date
    choice: str
    locale: str
    policy_version: str
    granted: tuple[str, ...]
    denied: tuple[str, ...]
    services_granted: tuple[str, ...]
    services_denied: tuple[str, ...]
    decisions: int
    #: Whether these decisions took back categories granted before (a reject after an accept, say).
    withdrew: bool = False


class GroupingStore(Protocol):
    def grouped_decisions(self, since: datetime | None, until: datetime | None) -> Iterable[DecisionGroup]: ...


def choice_of(record: ConsentRecord) -> str:
    """The button the visitor pressed (or GPC); a record from before this was kept says ``withdraw``."""
    return record.method


GroupKey = tuple[date, str, str, str, tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...], bool]


def group_records(
    records: Iterable[ConsentRecord], since: datetime | None = None, until: datetime | None = None
) -> Iterator[DecisionGroup]:
    """Group records in memory: for stores that cannot group themselves."""
    counts: Counter[GroupKey] = Counter()
    for record in records:
        if (since is not None and record.recorded_at < since) or (until is not None and record.recorded_at >= until):
            continue
        counts[
            (
                record.recorded_at.astimezone(UTC).date(),
                choice_of(record),
                record.locale,
                record.policy_version,
                record.granted,
                record.denied,
                record.services_granted,
                record.services_denied,
                bool(record.withdrawn),
            )
        ] += 1
    for (
        day,
        choice,
        locale,
        version,
        granted,
        denied,
        services_granted,
        services_denied,
        withdrew,
    ), count in counts.items():
        yield DecisionGroup(
            day, choice, locale, version, granted, denied, services_granted, services_denied, count, withdrew
        )


@dataclass
class Share:
    """Of the decisions that were asked about something, how many granted it."""

    granted: int = 0
    asked: int = 0

    @property
    def rate(self) -> float | None:
        return self.granted / self.asked if self.asked else None

    def to_json(self) -> dict[str, Any]:
        return {"granted": self.granted, "asked": self.asked, "rate": _rounded(self.rate)}


@dataclass
class Breakdown:
    """Decisions by button for one slice (a day, a locale, a policy version), with banner impressions."""

    choices: Counter[str] = field(default_factory=Counter)
    #: Decisions that took back something granted before, whatever was pressed.
    withdrawals: int = 0
    impressions: int = 0
    first_day: date | None = None
    last_day: date | None = None

    @property
    def decisions(self) -> int:
        return sum(self.choices.values())

    def rate(self, choice: str) -> float | None:
        return self.choices[choice] / self.decisions if self.decisions else None

    def add(self, day: date, choice: str, count: int) -> None:
        self.choices[choice] += count
        self.first_day = day if self.first_day is None else min(self.first_day, day)
        self.last_day = day if self.last_day is None else max(self.last_day, day)

    def to_json(self) -> dict[str, Any]:
        return {
            "decisions": self.decisions,
            "choices": {choice: self.choices[choice] for choice in _ordered(self.choices)},
            "accept_all_rate": _rounded(self.rate("accept_all")),
            "reject_all_rate": _rounded(self.rate("reject_all")),
            "withdrawals": self.withdrawals,
            "impressions": self.impressions,
            "first_day": str(self.first_day) if self.first_day else None,
            "last_day": str(self.last_day) if self.last_day else None,
        }


@dataclass
class Insights:
    """Every number the report shows; ``to_json`` is ``consentkit log report --format json``."""

    since: datetime | None = None
    until: datetime | None = None
    by_day: defaultdict[date, Breakdown] = field(default_factory=lambda: defaultdict(Breakdown))
    by_locale: defaultdict[str, Breakdown] = field(default_factory=lambda: defaultdict(Breakdown))
    by_policy: defaultdict[str, Breakdown] = field(default_factory=lambda: defaultdict(Breakdown))
    categories: defaultdict[str, defaultdict[date, Share]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(Share))
    )
    services: defaultdict[str, defaultdict[date, Share]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(Share))
    )
    #: How many optional categories each decision granted: 0 → n decisions ...
    categories_granted: Counter[int] = field(default_factory=Counter)

    @property
    def total(self) -> Breakdown:
        total = Breakdown()
        for day, breakdown in self.by_day.items():
            for choice, count in breakdown.choices.items():
                total.add(day, choice, count)
            total.withdrawals += breakdown.withdrawals
            total.impressions += breakdown.impressions
        return total

    @property
    def days(self) -> list[date]:
        return sorted(self.by_day)

    def median_categories_granted(self) -> float | None:
        """The median number of optional categories granted per decision."""
        total = sum(self.categories_granted.values())
        if not total:
            return None
        middle: list[int] = []
        seen = 0
        for granted in sorted(self.categories_granted):
            seen += self.categories_granted[granted]
            # The lower middle for an even total is at (total - 1) // 2, the upper at total // 2.
            while len(middle) < 2 and seen > [(total - 1) // 2, total // 2][len(middle)]:
                middle.append(granted)
        return sum(middle) / 2

    def consent_rate(self) -> float | None:
        """Decisions that granted at least one optional category, per banner impression."""
        impressions = self.total.impressions
        if not impressions:
            return None
        granting = sum(count for granted, count in self.categories_granted.items() if granted > 0)
        return granting / impressions

    def ordered_categories(self) -> list[str]:
        return [c for c in OPTIONAL_CATEGORIES if c in self.categories] + sorted(
            set(self.categories) - set(OPTIONAL_CATEGORIES)
        )

    def to_json(self) -> dict[str, Any]:
        total = self.total
        return {
            "since": _moment(self.since),
            "until": _moment(self.until),
            "headline": {
                "decisions": total.decisions,
                "accept_all_rate": _rounded(total.rate("accept_all")),
                "reject_all_rate": _rounded(total.rate("reject_all")),
                "median_categories_granted": self.median_categories_granted(),
                "impressions": total.impressions,
                "consent_rate_per_impression": _rounded(self.consent_rate()),
            },
            "days": [{"date": str(day), **self.by_day[day].to_json()} for day in self.days],
            "categories": {
                category: {str(day): share.to_json() for day, share in sorted(self.categories[category].items())}
                for category in self.ordered_categories()
            },
            "services": {
                service: {str(day): share.to_json() for day, share in sorted(shares.items())}
                for service, shares in sorted(self.services.items())
            },
            "locales": {locale: self.by_locale[locale].to_json() for locale in sorted(self.by_locale)},
            "policy_versions": {
                version: breakdown.to_json()
                for version, breakdown in sorted(self.by_policy.items(), key=lambda item: item[1].first_day or date.min)
            },
        }


def summarize(
    groups: Iterable[DecisionGroup],
    impressions: Iterable[ImpressionCount] = (),
    *,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Insights:
    """Fold decision groups and impression counters into the report's numbers."""
    insights = Insights(since=since, until=until)
    for group in groups:
        for breakdown in (
            insights.by_day[group.day],
            insights.by_locale[group.locale],
            insights.by_policy[group.policy_version],
        ):
            breakdown.add(group.day, group.choice, group.decisions)
            breakdown.withdrawals += group.decisions if group.withdrew else 0
        _count_shares(insights.categories, group.granted, group.denied, group.day, group.decisions)
        _count_shares(insights.services, group.services_granted, group.services_denied, group.day, group.decisions)
        insights.categories_granted[len(group.granted)] += group.decisions
    for impression in impressions:
        insights.by_day[impression.day].impressions += impression.views
        insights.by_locale[impression.locale].impressions += impression.views
        insights.by_policy[impression.policy_version].impressions += impression.views
    return insights


def _count_shares(
    shares: defaultdict[str, defaultdict[date, Share]],
    granted: tuple[str, ...],
    denied: tuple[str, ...],
    day: date,
    count: int,
) -> None:
    for name in granted:
        share = shares[name][day]
        share.granted += count
        share.asked += count
    for name in denied:
        shares[name][day].asked += count


def _ordered(choices: Counter[str]) -> list[str]:
    return [c for c in CHOICES if c in choices] + sorted(set(choices) - set(CHOICES))


def _rounded(rate: float | None) -> float | None:
    return None if rate is None else round(rate, 4)


def _moment(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z") if moment else None


def insights_from(store: object, since: datetime | None = None, until: datetime | None = None) -> Insights:
    """The report's numbers from any store; grouped in the database when the store can."""
    grouping = getattr(store, "grouped_decisions", None)
    if callable(grouping):
        groups: Iterable[DecisionGroup] = grouping(since, until)
    else:
        groups = group_records(store.records(since), since, until)  # type: ignore[attr-defined]
    counting = getattr(store, "impressions", None)
    impressions: Iterable[ImpressionCount] = counting(since, until) if callable(counting) else ()
    return summarize(groups, impressions, since=since, until=until)
