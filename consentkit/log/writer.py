"""Getting decisions from the request path into the store.

``SpoolWriter`` appends each decision to the process's spool file (flushed to
disk before the response is sent) and ships the spool to the store from a
background thread, in batches, in order. When the store is down, slow, locked,
read-only or deleted, the spool grows and visitors notice nothing; the outage
is logged once, with the backlog, and the backlog drains by itself when the
store is back. The same thread ships the files of dead processes (a worker
killed with SIGKILL) that it finds in the spool folder. Banner impression sums
take the same path (``add_impressions``), numbered so that a store adds each once.

``DirectWriter`` writes to the store in the request, for a store passed in
code (tests, an in-memory log) without a spool.
"""

from __future__ import annotations

import atexit
import itertools
import logging
import os
import secrets
import threading
import time
from collections.abc import Sequence
from typing import Final, Protocol, cast

from .impressions import ImpressionCount, ImpressionStore, SpooledImpressions
from .record import ConsentRecord
from .spool import Spool, SpoolFile, impressions_line, pending_in, record_line, text_line
from .store import ConsentStore, KeptText, LogStoreError

log = logging.getLogger("consentkit")

#: Records per transaction: large enough for thousands a second, small enough to commit quickly.
BATCH: Final = 1000
#: Seconds between looks for the spools of dead processes.
ORPHAN_SCAN: Final = 5.0
#: Seconds between attempts while the store is failing, doubling up to the longest.
RETRY_FIRST: Final = 0.2
RETRY_LONGEST: Final = 2.0


class LogWriter(Protocol):
    def append(self, record: ConsentRecord, text: KeptText | None) -> None:
        """Take ``record`` (and its text, the first time a process sees that hash) for the log, or raise."""

    def add_impressions(self, counts: Sequence[ImpressionCount]) -> None:
        """Take banner impression sums for a store that keeps them; raise LogStoreError if that fails."""

    def start(self) -> None:
        """Begin shipping in this process (once per process; cheap to call on every request)."""

    def flush(self, timeout: float) -> bool:
        """Wait until what was taken has reached the store; False if not within ``timeout`` seconds."""

    def close(self) -> None: ...


class DirectWriter:
    """Writes to the store in the caller's thread; a failure raises, to be reported by the caller."""

    def __init__(self, store: ConsentStore) -> None:
        self.store = store

    def append(self, record: ConsentRecord, text: KeptText | None) -> None:
        self.store.append_batch([record], [text] if text else [])

    def add_impressions(self, counts: Sequence[ImpressionCount]) -> None:
        _impression_store(self.store).add_impressions(counts)

    def start(self) -> None:
        pass

    def flush(self, timeout: float = 0) -> bool:
        return True

    def close(self) -> None:
        self.store.close()


class Shipper:
    """Ships spool files to a store, one batch per transaction; no thread of its own (the CLI's drain)."""

    def __init__(self, store: ConsentStore, spool: Spool) -> None:
        self.store = store
        self.spool = spool

    def ship_file(self, spool_file: SpoolFile, *, final: bool) -> int:
        """Ship what ``spool_file`` holds beyond its shipped offset; the records shipped.

        Raises LogStoreError (after noting it in the file's state) if the store fails.
        """
        shipped = 0
        start = spool_file.shipped()
        while True:
            batch = spool_file.read(start, BATCH, final=final)
            if batch.end == start:
                return shipped
            if batch.damaged:
                log.error(
                    "consentkit: %d damaged line(s) in the spool file %s could not be shipped and are lost",
                    batch.damaged,
                    spool_file.path,
                )
            try:
                if batch.records or batch.texts:
                    self.store.append_batch(batch.records, batch.texts)
                if batch.impressions and keeps_impressions(self.store):
                    _impression_store(self.store).add_spooled_impressions(batch.impressions)
            except LogStoreError as error:
                spool_file.write_state(start, str(error))
                raise
            spool_file.write_state(batch.end)
            shipped += len(batch.records)
            start = batch.end

    def ship_orphans(self) -> int:
        """Ship and delete the files of dead processes; the records shipped."""
        shipped = 0
        for orphan in self.spool.orphans():
            try:
                shipped += self.ship_file(orphan, final=True)
            except BaseException:
                orphan.close()
                raise
            orphan.remove()
        return shipped


class SpoolWriter:
    """The spool in front of a store, and the thread that empties it."""

    def __init__(self, store: ConsentStore, spool: Spool) -> None:
        self.store = store
        self.spool = spool
        self.shipper = Shipper(store, spool)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._idle = threading.Condition()
        self._thread: threading.Thread | None = None
        self._thread_pid = 0
        self._stopping = False
        self._outage_since: float | None = None
        self._next_scan = 0.0
        #: Files of this process that were deleted while open, shipped to their end before they are let go.
        self._retired: list[SpoolFile] = []
        #: Who spools banner impressions (this process, renamed in a forked child) and how many times so far.
        self._impressions_lock = threading.Lock()
        self._source_pid = 0
        self._source = ""
        self._sequence = itertools.count(1)
        atexit.register(self.close)

    def append(self, record: ConsentRecord, text: KeptText | None) -> None:
        """Spool the record, flushed to disk; if the spool cannot be written, write to the store directly."""
        self._ensure_thread()
        lines = (text_line(text) if text else b"") + record_line(record)
        try:
            self.spool.append(lines)
        except OSError as error:
            self._report_unwritable_spool(error)
            self.store.append_batch([record], [text] if text else [])
            return
        self._wake.set()

    def add_impressions(self, counts: Sequence[ImpressionCount]) -> None:
        """Spool banner impression sums, flushed to disk, to be shipped with the decisions exactly once.

        Numbered per process under a lock, so that the spool holds them in rising order; if the spool
        cannot be written, they go to the store directly (unnumbered: nothing can replay them).
        """
        self._ensure_thread()
        with self._impressions_lock:
            if self._source_pid != os.getpid():
                self._source_pid, self._source = os.getpid(), f"{os.getpid()}-{secrets.token_hex(8)}"
                self._sequence = itertools.count(1)
            spooled = SpooledImpressions(self._source, next(self._sequence), tuple(counts))
            try:
                self.spool.append(impressions_line(spooled))
                return
            except OSError as error:
                self._report_unwritable_spool(error)
        _impression_store(self.store).add_impressions(counts)

    def _report_unwritable_spool(self, error: OSError) -> None:
        log.error("consentkit: cannot write the spool in %s (%s); writing to the store", self.spool.folder, error)

    def start(self) -> None:
        """Start shipping (also the files of dead processes) in this process, if not yet started."""
        if self._thread_pid != os.getpid() or self._thread is None:
            self._ensure_thread()

    def _ensure_thread(self) -> None:
        if self._thread_pid == os.getpid() and self._thread is not None:
            return
        # First use, or a forked child: threads do not survive a fork.
        self._thread_pid = os.getpid()
        self._stopping = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="consentkit-log-writer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        delay = RETRY_FIRST
        while not self._stopping:
            # Cleared before the round: a decision spooled from here on is shipped by it or wakes the next.
            self._wake.clear()
            try:
                busy = self._ship_round()
            except LogStoreError as error:
                self._report_outage(error)
                # A failing store is retried at its own pace, not once per decision spooled meanwhile.
                self._stop.wait(delay)
                delay = min(delay * 2, RETRY_LONGEST)
                continue
            except Exception:
                log.exception("consentkit: the consent log writer failed; retrying")
                self._stop.wait(RETRY_LONGEST)
                continue
            delay = RETRY_FIRST
            self._report_recovery()
            if not busy:
                with self._idle:
                    self._idle.notify_all()
                self._wake.wait(1.0)

    def _ship_round(self) -> bool:
        """Ship this process's file, and now and then dead processes' files; whether anything was shipped."""
        if (retired := self.spool.retire_if_deleted()) is not None:
            log.error(
                "consentkit: the spool file %s was deleted while in use; its decisions are shipped from memory and "
                "new ones go to a new file",
                retired.path,
            )
            self._retired.append(retired)
        shipped = 0
        while self._retired:
            shipped += self.shipper.ship_file(self._retired[0], final=True)
            self._retired.pop(0).close()
        own = self.spool.own_if_open()
        shipped += self.shipper.ship_file(own, final=False) if own is not None else 0
        if own is not None and own.size():  # also a file of banner impression sums alone
            self.spool.truncate_if_shipped(own, own.shipped())
        if time.monotonic() >= self._next_scan:
            shipped += self.shipper.ship_orphans()
            self._next_scan = time.monotonic() + ORPHAN_SCAN
        return shipped > 0

    def _report_outage(self, error: LogStoreError) -> None:
        if self._outage_since is not None:
            return
        self._outage_since = time.monotonic()
        backlog = sum(pending_in(path) for path in self.spool.files())
        log.error(
            "consentkit: cannot write the consent log (%s); %d decision(s) wait in the spool %s and are shipped "
            "when it is back; this is reported once per outage",
            error,
            backlog,
            self.spool.folder,
        )

    def _report_recovery(self) -> None:
        if self._outage_since is None:
            return
        log.warning(
            "consentkit: the consent log %s is writable again after %.1f s; the spool's backlog is shipped",
            self.store.describe(),
            time.monotonic() - self._outage_since,
        )
        self._outage_since = None

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until this process's spool is shipped; False if it was not within ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        own = self.spool.own_if_open()
        if own is None:
            return True
        while own.shipped() < own.size():
            if time.monotonic() >= deadline:
                return False
            self._wake.set()
            with self._idle:
                self._idle.wait(0.05)
        return True

    def close(self) -> None:
        """Stop the thread after a last attempt to ship; a file left over is shipped by whoever runs next."""
        if self._thread is None or self._thread_pid != os.getpid():
            return
        self._stopping = True
        self._stop.set()
        self._wake.set()
        self._thread.join(5)
        self._thread = None
        own = self.spool.own_if_open()
        if own is None:
            return
        try:
            self.shipper.ship_file(own, final=False)
        except LogStoreError:
            self.spool.close()
            return
        if own.shipped() == own.size():
            own.remove()
        self.spool.close()


def keeps_impressions(store: object) -> bool:
    """Whether ``store`` keeps banner impressions (both built-in stores do; a site's own may not)."""
    return callable(getattr(store, "add_spooled_impressions", None)) and callable(
        getattr(store, "add_impressions", None)
    )


def _impression_store(store: ConsentStore) -> ImpressionStore:
    """``store`` as one that keeps banner impressions; LogStoreError if it does not."""
    if not keeps_impressions(store):
        raise LogStoreError(f"the consent log {store.describe()} does not keep banner impressions")
    return cast(ImpressionStore, store)


def drain(store: ConsentStore, spool: Spool, wait: float) -> tuple[int, int]:
    """Ship the spools of dead processes now, and wait up to ``wait`` seconds for running processes'
    writers to ship theirs; the records shipped here, and those still waiting.

    Raises LogStoreError if the store cannot be written.
    """
    shipper = Shipper(store, spool)
    shipped = shipper.ship_orphans()
    deadline = time.monotonic() + wait
    while True:
        waiting = sum(pending_in(path) for path in spool.files())
        if waiting == 0 or time.monotonic() >= deadline:
            return shipped, waiting
        time.sleep(0.2)
        shipped += shipper.ship_orphans()  # a process may have ended meanwhile
