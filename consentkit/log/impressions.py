"""Banner impressions: how many page views showed the banner, for the consent rate in the report.

Only sums are kept, per UTC day, locale and policy version; nothing about any
visitor. A process counts in memory and every ``FLUSH_EVERY`` seconds (and at
exit) hands its sums to the log writer, which puts them in the spool beside the
decisions: flushed to disk, shipped in order when the store is up, shipped by
another process if this one is killed. Each spooled sum carries its process's
``source`` and a rising ``sequence``; the store keeps the last sequence added
per source, so a sum shipped twice is added once. A worker killed with SIGKILL
loses only the sums still in its memory: at most its last ``FLUSH_EVERY`` seconds.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Final, NamedTuple, Protocol

from .store import LogStoreError

log = logging.getLogger("consentkit")

#: How long a store remembers the last sequence of a source that stopped shipping. A sum is shipped
#: again only after a crash between its transaction and noting the spool's offset, and then within
#: seconds, by the next writer; a month is ample.
SOURCES_KEPT: Final = timedelta(days=30)
#: Seconds between hand-overs to the log writer (each one spool line, flushed to disk).
FLUSH_EVERY: Final = 5.0


class ImpressionCount(NamedTuple):
    """How many page views showed the banner, per day, locale and policy version."""

    day: date
    locale: str
    policy_version: str
    views: int


def days_of(since: datetime | None, until: datetime | None) -> tuple[date, date]:
    """The whole UTC days a period touches: its first day, and the first day after it (``until`` is exclusive).

    Impressions are kept per day, so a period starting mid-day counts that day's, as the report's days do.
    """
    first = since.astimezone(UTC).date() if since else date.min
    after = (until.astimezone(UTC) - timedelta(microseconds=1)).date() + timedelta(days=1) if until else date.max
    return first, after


class SpooledImpressions(NamedTuple):
    """Sums as one process spooled them: ``sequence`` rises with each hand-over of ``source``."""

    source: str
    sequence: int
    counts: tuple[ImpressionCount, ...]


class ImpressionSink(Protocol):
    def add_impressions(self, counts: Sequence[ImpressionCount]) -> None:
        """Add ``counts`` to the stored sums (or take them to be); raise LogStoreError if that fails."""


class ImpressionStore(ImpressionSink, Protocol):
    def add_spooled_impressions(self, spooled: Sequence[SpooledImpressions]) -> None:
        """Add each spooled sum whose sequence is above the last one added for its source, in one transaction."""

    def impressions(self, since: datetime | None, until: datetime | None) -> Iterator[ImpressionCount]:
        """The stored sums for the days from ``since`` up to ``until``."""


class ImpressionCounter:
    """Counts banner impressions in this process and hands them to ``store`` (the log writer) now and then."""

    def __init__(self, store: ImpressionSink, every: float = FLUSH_EVERY) -> None:
        self.store = store
        self.every = every
        self._counts: Counter[tuple[date, str, str]] = Counter()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._thread_pid = 0
        self._failing = False
        atexit.register(self.close)

    def count(self, locale: str, policy_version: str, when: datetime | None = None) -> None:
        """One page view showed the banner (cheap: a dictionary increment under a lock)."""
        day = (when or datetime.now(UTC)).astimezone(UTC).date()
        with self._lock:
            self._counts[day, locale, policy_version] += 1
        if self._thread_pid != os.getpid():
            self._start()

    def pending(self) -> int:
        with self._lock:
            return sum(self._counts.values())

    def flush(self) -> bool:
        """Hand what was counted to the store; on failure keep it for the next flush. True if all went."""
        with self._lock:
            taken, self._counts = self._counts, Counter()
        if not taken:
            return True
        counts = [ImpressionCount(day, locale, version, views) for (day, locale, version), views in taken.items()]
        try:
            self.store.add_impressions(counts)
        except LogStoreError as error:
            with self._lock:
                self._counts.update(taken)
            if not self._failing:
                log.error(
                    "consentkit: cannot add banner impressions to the consent log (%s); %d wait in memory "
                    "and are added when it is back; reported once per outage",
                    error,
                    sum(taken.values()),
                )
            self._failing = True
            return False
        self._failing = False
        return True

    def _start(self) -> None:
        # First count in this process, or in a forked child: threads do not survive a fork.
        with self._lock:
            if self._thread_pid == os.getpid():
                return
            self._thread_pid = os.getpid()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name="consentkit-impressions", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._wake.wait(self.every):
            try:
                self.flush()
            except Exception:
                log.exception("consentkit: adding banner impressions failed; retrying later")

    def close(self) -> None:
        """Stop the thread and add what is left."""
        if self._thread is not None and self._thread_pid == os.getpid():
            self._wake.set()
            self._thread.join(5)
            self._thread = None
            self._thread_pid = 0
        try:
            self.flush()
        except Exception:
            log.exception("consentkit: adding the last banner impressions failed")
