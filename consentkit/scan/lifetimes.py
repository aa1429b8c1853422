"""A cookie's measured lifetime as people write it: ``session``, ``90 days``, ``13 months``, ``2 years``."""

from __future__ import annotations

from ..config.durations import PERSISTENT, SESSION, Duration, for_display


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
