"""A cookie's measured lifetime as people write it (``session``, ``90 days``, ``13 months``, ``2 years``),
and whether it outlives the lifetime a config declares."""

from __future__ import annotations

from typing import Final

from ..config.durations import PERSISTENT, SESSION, Duration, for_display

#: Days per unit as people mean them when they declare a lifetime: a month is a twelfth of a year, so
#: "13 months" covers consentkit's own 395 days (the config's 30-day month would make it 390).
DAYS_PER_UNIT: Final = {"minute": 1 / 1440, "hour": 1 / 24, "day": 1.0, "week": 7.0, "month": 365 / 12, "year": 365.0}
#: A measured lifetime this much longer than the declared one counts as longer (clock and rounding slack).
LIFETIME_SLACK_DAYS: Final = 1.0


def as_written(days: float | None, kind: str = "cookie") -> Duration:
    """``days`` left when the cookie was first seen (None: a session cookie), rounded as a person would.

    Storage has no expiry: local storage is ``persistent``, session storage lives for the session.
    """
    if kind == "local_storage":
        return PERSISTENT
    if days is None or kind == "session_storage":
        return SESSION
    minutes = max(1, round(days * 1440))
    if minutes < 60:
        return Duration(minutes, "minute")
    if minutes < 1440:
        return Duration(round(minutes / 60), "hour")
    return for_display(Duration(round(days), "day"))


def outlives(declared: Duration, days: float | None) -> str | None:
    """Why a cookie that lives ``days`` (None: a session cookie) outlives its ``declared`` lifetime, or None.

    Both sides are given in days too, since "13 months" can be less than a cookie read as "13 months".
    """
    if days is None:
        return None
    real = f"{as_written(days)} ({days:.0f} days)"
    if declared.amount is None or declared.unit not in DAYS_PER_UNIT:
        return f"declared to last {declared} but lasts {real}"
    limit = declared.amount * DAYS_PER_UNIT[declared.unit]
    if days <= limit + LIFETIME_SLACK_DAYS:
        return None
    return f"declared to last {declared} ({limit:.0f} days) but lasts {real}"
