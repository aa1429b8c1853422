"""Banner impressions: how many page views showed the banner, for the consent rate in the report.

Only sums are kept, per UTC day, locale and policy version; nothing about any
visitor. A process counts in memory and every ``FLUSH_EVERY`` seconds (and at
exit) hands its sums to the log writer, which puts them in the spool beside the
decisions: flushed to disk, shipped in order when the store is up, shipped by
another process if this one is killed. Each spooled sum carries its process's
``source`` and a rising ``sequence``; the store keeps the last sequence added
per source, so a sum shipped twice is added once. A worker killed with SIGKILL
loses only the sums still in its memory: at most its last ``FLUSH_EVERY`` seconds.

Counting a view reads no clock (it runs on every page an undecided visitor sees):
a flush sums the views since the one before under that one's UTC day, and the
thread also flushes just after each UTC midnight, so only views of the few
milliseconds between midnight and that flush are counted on the day before.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from collections import Counter, deque
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Final, NamedTuple, Protocol

from ..forks import Forks
from .store import LogStoreError

log = logging.getLogger("consentkit")

#: How long a store remembers the last sequence of a source that stopped shipping. A sum is shipped
#: again only after a crash between its transaction and noting the spool's offset, and then within
#: seconds, by the next writer; a month is ample.
SOURCES_KEPT: Final = timedelta(days=30)
#: Seconds between hand-overs to the log writer (each one spool line, flushed to disk).
FLUSH_EVERY: Final = 5.0

_SECONDS_A_DAY: Final = 86_400
_EPOCH_ORDINAL: Final = date(1970, 1, 1).toordinal()


def _day_number(when: datetime) -> float:
    """The UTC day of ``when`` as days since 1970-01-01 (Unix time's days, which have no leap seconds)."""
    return float(when.astimezone(UTC).date().toordinal() - _EPOCH_ORDINAL)


def _until_next_flush(every: float, now: float) -> float:
    """Seconds from ``now`` to the next flush: ``every``, or just past the next UTC midnight if that is sooner."""
    return min(every, _SECONDS_A_DAY - now % _SECONDS_A_DAY + 0.001)


def _today() -> float:
    return time.time() // _SECONDS_A_DAY


def _date_of(day: float) -> date:
    return date.fromordinal(_EPOCH_ORDINAL + int(day))


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
        #: One (locale, policy version) per view not yet summed: ``deque.append`` is atomic, so counting
        #: takes no lock and reads no clock. ``flush`` sums them under ``_views_day``.
        self._views: deque[tuple[str, str]] = deque()
        #: The UTC day (``_day_number``) of the views in ``_views``: the day of the last flush, as the
        #: thread flushes at every UTC midnight too, so no midnight falls between two flushes.
        self._views_day = _today()
        #: Sums by (day, locale, policy version) not yet handed over (those of a failed hand-over wait here).
        self._counts: Counter[tuple[float, str, str]] = Counter()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        #: ``Forks.count`` when this process's thread was started (-1: not yet).
        self._started_in = -1
        self._failing = False
        atexit.register(self.close)

    def count(self, locale: str, policy_version: str, when: datetime | None = None) -> None:
        """One page view showed the banner (``when``: at that time, rather than now).

        Runs on every page an undecided visitor sees, so it is one append: no lock, no clock (in a page's
        render, reading the time cost more than the rest), a fork noticed by a counter rather than a
        system call. The day is the flush's business.
        """
        if when is None:
            self._views.append((locale, policy_version))
        else:
            with self._lock:
                self._counts[_day_number(when), locale, policy_version] += 1
        if self._started_in != Forks.count:
            self._start()

    def pending(self) -> int:
        with self._lock:
            return sum(self._counts.values()) + len(self._views)

    def flush(self) -> bool:
        """Hand what was counted to the store; on failure keep it for the next flush. True if all went."""
        with self._lock:
            taken, self._counts = self._counts, Counter()
            day, self._views_day = self._views_day, _today()
            views = self._views
            # As many as there are now, each popped atomically: a view appended meanwhile waits for the next flush.
            taken.update((day, *views.popleft()) for _ in range(len(views)))
        if not taken:
            return True
        counts = [
            ImpressionCount(_date_of(day), locale, version, views) for (day, locale, version), views in taken.items()
        ]
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
            if self._started_in == Forks.count:
                return
            self._started_in = Forks.count
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name="consentkit-impressions", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        # Also just after each UTC midnight, so that a flush's views all fall on one day: only those of the
        # few milliseconds between midnight and the flush are counted on the day before.
        while not self._wake.wait(_until_next_flush(self.every, time.time())):
            try:
                self.flush()
            except Exception:
                log.exception("consentkit: adding banner impressions failed; retrying later")

    def close(self) -> None:
        """Stop the thread and add what is left."""
        if self._thread is not None and self._started_in == Forks.count:  # this process's thread
            self._wake.set()
            self._thread.join(5)
            self._thread = None
            self._started_in = -1
        try:
            self.flush()
        except Exception:
            log.exception("consentkit: adding the last banner impressions failed")
