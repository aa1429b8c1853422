"""Cookie lifetimes as written in config files: ``session`` or ``13 months``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

#: Seconds per unit; months and years are calendar averages, as browsers and
#: providers count them loosely anyway.
UNIT_SECONDS: Final[dict[str, int]] = {
    "minute": 60,
    "hour": 3_600,
    "day": 86_400,
    "week": 7 * 86_400,
    "month": 30 * 86_400,
    "year": 365 * 86_400,
}

UNITS: Final = tuple(UNIT_SECONDS)

_DURATION = re.compile(r"^\s*(\d{1,6})\s+([a-z]+?)s?\s*$")


class DurationError(ValueError):
    """A duration string that is neither ``session`` nor a number and a unit."""


@dataclass(frozen=True)
class Duration:
    """How long a cookie or storage key lives.

    ``amount`` and ``unit`` keep what the author wrote so the notice can show
    "13 months" rather than a rounded conversion. No amount means a session
    cookie (deleted when the browser closes), or with unit ``persistent`` a
    storage key that stays until it is deleted.
    """

    amount: int | None = None
    unit: str | None = None

    @property
    def is_session(self) -> bool:
        return self.amount is None and self.unit is None

    @property
    def is_persistent(self) -> bool:
        return not self.is_session

    @property
    def seconds(self) -> int | None:
        if self.amount is None or self.unit is None:
            return None
        return self.amount * UNIT_SECONDS[self.unit]

    def __str__(self) -> str:
        if self.amount is None:
            return self.unit or "session"
        return f"{self.amount} {self.unit}{'' if self.amount == 1 else 's'}"


def for_display(duration: Duration) -> Duration:
    """The same lifetime in the unit a reader expects.

    Hours that make whole days become days, long runs of days become months
    or years (395 days read "13 months", not "1 year"), and 12 months become
    a year. Anything that does not divide evenly keeps the author's unit.
    """
    amount, unit = duration.amount, duration.unit
    if amount is None or unit is None:
        return duration
    if unit == "minute" and amount % 60 == 0:
        amount, unit = amount // 60, "hour"
    if unit == "hour" and amount % 24 == 0:
        amount, unit = amount // 24, "day"
    if unit == "day" and amount % 365 == 0:
        amount, unit = amount // 365, "year"
    elif unit == "day" and amount >= 60:
        amount, unit = round(amount / (365 / 12)), "month"
    if unit == "month" and amount % 12 == 0:
        amount, unit = amount // 12, "year"
    return Duration(amount, unit)


SESSION: Final = Duration()
PERSISTENT: Final = Duration(None, "persistent")


def parse_duration(text: str) -> Duration:
    """Parse ``session``, ``persistent`` or ``<whole number> <unit>`` (singular or plural).

    Raises DurationError with a message naming what is allowed.
    """
    keyword = text.strip().lower()
    if keyword == "session":
        return SESSION
    if keyword == "persistent":
        return PERSISTENT
    match = _DURATION.match(text.lower())
    if match is None or match.group(2) not in UNIT_SECONDS:
        raise DurationError(
            f'"{text}" is not a duration; expected "session", "persistent" or a whole number and a unit '
            f'({", ".join(UNITS)}), for example "13 months"'
        )
    amount = int(match.group(1))
    if amount == 0:
        raise DurationError(f'"{text}" is zero; a cookie that lives no time is not set at all')
    return Duration(amount, match.group(2))
