"""Counting the consent log for the marketer's view: per UTC day, method and category."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date
from typing import Any

from ..categories import OPTIONAL_CATEGORIES
from .record import ConsentRecord


@dataclass
class DayStats:
    """What the visitors of one UTC day decided; a visitor deciding twice counts twice.

    ``methods`` counts what was pressed; ``withdrew`` how many of those
    decisions took back consent given before (a reject after an accept counts
    in both).
    """

    decisions: int = 0
    withdrew: int = 0
    methods: Counter[str] = field(default_factory=Counter)
    accepted: Counter[str] = field(default_factory=Counter)
    rejected: Counter[str] = field(default_factory=Counter)

    def add(self, record: ConsentRecord) -> None:
        self.decisions += 1
        self.methods[record.method] += 1
        self.withdrew += record.withdrew
        self.accepted.update(record.granted)
        self.rejected.update(record.denied)

    def categories(self) -> list[str]:
        seen = set(self.accepted) | set(self.rejected)
        return [c for c in OPTIONAL_CATEGORIES if c in seen] + sorted(seen - set(OPTIONAL_CATEGORIES))

    def to_json(self, methods: Iterable[str]) -> dict[str, Any]:
        return {
            "decisions": self.decisions,
            "methods": {method: self.methods[method] for method in methods},
            "withdrew": self.withdrew,
            "categories": {c: {"accepted": self.accepted[c], "rejected": self.rejected[c]} for c in self.categories()},
        }


def tally(records: Iterable[ConsentRecord]) -> dict[date, DayStats]:
    """Counts per UTC day, oldest day first; memory grows with the days, not the records."""
    days: defaultdict[date, DayStats] = defaultdict(DayStats)
    for record in records:
        days[record.recorded_at.astimezone(UTC).date()].add(record)
    return dict(sorted(days.items()))
