"""The spool: an append-only file per process that every decision reaches before its response leaves.

A decision is one JSON line (so are the texts it was shown, the first time,
and a process's banner impression sums every few seconds), written with a
single ``write`` and flushed to disk (``fdatasync``) before the visitor's
response is sent, so a worker killed right after answering has lost nothing it
answered. A background writer
(``writer.py``) ships the lines to the store and notes how far it got in a
``.state`` file beside each spool file.

Files are named ``<pid>-<random>.spool``. The process that writes a file holds
an exclusive ``flock`` on it for as long as it lives; the kernel releases the
lock when the process ends, however it ends (SIGKILL included). So a spool file
that can be locked belongs to a dead process, and whoever locks it first ships
it and deletes it: two processes never ship the same file.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Final

from .impressions import ImpressionCount, SpooledImpressions
from .record import ConsentRecord, format_utc, utc_now
from .store import KeptText

SUFFIX: Final = ".spool"
_NAME: Final = re.compile(r"(\d+)-[0-9a-f]{8}\.spool")
#: How much of a spool file one read takes in.
_CHUNK: Final = 1 << 20
#: One decoder for every line: ``json.loads`` would also guess each line's encoding (the spool's is UTF-8).
_DECODER: Final = json.JSONDecoder()


def record_line(record: ConsentRecord) -> bytes:
    return json.dumps({"record": record.to_json()}, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


def text_line(text: KeptText) -> bytes:
    return json.dumps({"text": list(text)}, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


def impressions_line(spooled: SpooledImpressions) -> bytes:
    counts = [[count.day.isoformat(), count.locale, count.policy_version, count.views] for count in spooled.counts]
    data = {"impressions": {"source": spooled.source, "sequence": spooled.sequence, "counts": counts}}
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


def _impressions(data: dict[str, Any]) -> SpooledImpressions:
    counts = tuple(
        ImpressionCount(date.fromisoformat(day), str(locale), str(version), int(views))
        for day, locale, version, views in data["counts"]
    )
    return SpooledImpressions(str(data["source"]), int(data["sequence"]), counts)


@dataclass
class Batch:
    """Complete lines read from a spool file, and the offset just after the last of them."""

    records: list[ConsentRecord] = field(default_factory=list)
    texts: list[KeptText] = field(default_factory=list)
    #: Banner impression sums among the lines (not counted against a read's limit: they are few).
    impressions: list[SpooledImpressions] = field(default_factory=list)
    end: int = 0
    #: Lines that are not a record or a text (a damaged file), reported by the writer.
    damaged: int = 0


def _parse(line: bytes, batch: Batch) -> None:
    try:
        data: Any = _DECODER.decode(line.decode("utf-8"))
        if "record" in data:
            batch.records.append(ConsentRecord.from_json(data["record"]))
        elif "impressions" in data:
            batch.impressions.append(_impressions(data["impressions"]))
        else:
            text_hash, canonical = data["text"]
            batch.texts.append((str(text_hash), str(canonical)))
    except (ValueError, KeyError, TypeError):
        batch.damaged += 1


class SpoolFile:
    """One spool file, open and locked: this process's own, or one adopted from a dead process."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self.fd = fd
        self.state_path = path.with_suffix(".state")
        #: The offset shipped up to, kept here instead of in a state file once the file was deleted.
        self.detached_offset: int | None = None
        state = self.state()
        #: The last failure to ship this file, kept after recovery for ``consentkit log status``.
        self.last_error: tuple[str, str] | None = (
            (str(state["error"]), str(state["error_at"])) if state.get("error") else None
        )

    @property
    def pid(self) -> int:
        match = _NAME.fullmatch(self.path.name)
        return int(match.group(1)) if match else 0

    def size(self) -> int:
        return os.fstat(self.fd).st_size

    def state(self) -> dict[str, Any]:
        """``shipped`` (the offset shipped up to), ``error`` and ``error_at`` of the last failure."""
        try:
            data = json.loads(self.state_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {"shipped": 0}
        return data if isinstance(data, dict) else {"shipped": 0}

    def shipped(self) -> int:
        if self.detached_offset is not None:
            return self.detached_offset
        offset = self.state().get("shipped", 0)
        # An offset past the end means the file was emptied after the state was written: start again.
        return offset if isinstance(offset, int) and 0 <= offset <= self.size() else 0

    def write_state(self, shipped: int, error: str | None = None) -> None:
        """Note the offset shipped up to (and a new failure).

        Written aside and renamed, so a reader never sees half a state; not
        fsync'd, as a lost state only means records are shipped again, which
        the record ids make harmless.
        """
        if error is not None:
            self.last_error = (error, format_utc(utc_now()))
        if self.detached_offset is not None:
            self.detached_offset = shipped
            return
        error, error_at = self.last_error or (None, None)
        state = {"shipped": shipped, "error": error, "error_at": error_at}
        temporary = self.state_path.with_suffix(f".state-{os.getpid()}")
        temporary.write_text(json.dumps(state), encoding="utf-8")
        temporary.replace(self.state_path)

    def read(self, start: int, limit: int, *, final: bool = False) -> Batch:
        """Up to ``limit`` records (with the texts among them) of the complete lines from ``start`` on.

        ``final`` (a dead process's file) also takes a last line without its
        newline, as damaged: nobody will finish it.
        """
        batch = Batch(end=start)
        while len(batch.records) < limit:
            chunk = os.pread(self.fd, _CHUNK, batch.end)
            if not chunk:
                break
            complete = chunk.rfind(b"\n") + 1
            if complete == 0:
                if final or len(chunk) == _CHUNK:
                    batch.damaged += 1
                    batch.end += len(chunk)
                    continue
                break
            for line in chunk[:complete].splitlines(keepends=True):
                _parse(line, batch)
                batch.end += len(line)
                if len(batch.records) >= limit:
                    break
        return batch

    def pending(self) -> int:
        """Records written but not yet shipped (counts lines, so texts too; they are few)."""
        start = self.shipped()
        count = 0
        while chunk := os.pread(self.fd, _CHUNK, start):
            count += chunk.count(b'{"record"')
            start += len(chunk)
        return count

    def oldest_pending(self) -> ConsentRecord | None:
        batch = self.read(self.shipped(), 1, final=True)
        return batch.records[0] if batch.records else None

    def remove(self) -> None:
        """Delete the file and its state, then let go of the lock."""
        for path in (self.path, self.state_path):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
        self.close()

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


class Spool:
    """A spool folder: this process's own file in it, and the files of processes that died."""

    def __init__(self, folder: str | Path, *, fsync: bool = True) -> None:
        self.folder = Path(folder)
        self.fsync = fsync
        self._own: SpoolFile | None = None
        self._own_pid = 0
        self._lock = threading.Lock()

    def own(self) -> SpoolFile:
        """This process's file, created on first use (and again in a forked child)."""
        if self._own is not None and self._own_pid == os.getpid():
            return self._own
        with self._lock:
            if self._own is None or self._own_pid != os.getpid():
                self._own = self._create()
                self._own_pid = os.getpid()
            return self._own

    def own_if_open(self) -> SpoolFile | None:
        """This process's file if it has one yet."""
        return self._own if self._own_pid == os.getpid() else None

    def _create(self) -> SpoolFile:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = f"{os.getpid()}-{secrets.token_hex(4)}{SUFFIX}"
        # Locked under a name no one adopts, then renamed: never visible unlocked.
        hidden = self.folder / f".{name}"
        fd = os.open(hidden, os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_EXCL, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        hidden.rename(self.folder / name)
        return SpoolFile(self.folder / name, fd)

    def append(self, line: bytes) -> None:
        """Add one line to this process's file and flush it to disk; raises OSError if that fails."""
        own = self.own()
        with self._lock:  # never between the writer's size check and its truncation
            os.write(own.fd, line)
        if self.fsync:
            os.fdatasync(own.fd)

    def retire_if_deleted(self) -> SpoolFile | None:
        """This process's file, if someone deleted it (or its folder): the next decision goes to a new file,
        and the old one, still open, is returned to be shipped to its end from memory."""
        with self._lock:
            own = self.own_if_open()
            if own is None:
                return None
            opened = os.fstat(own.fd)
            try:
                current = os.stat(own.path)
            except OSError:
                current = None
            if current is not None and (current.st_dev, current.st_ino) == (opened.st_dev, opened.st_ino):
                return None
            own.detached_offset = 0  # its state file went with it: ship it all (record ids make that safe)
            self._own = None
            return own

    def truncate_if_shipped(self, own: SpoolFile, shipped: int) -> bool:
        """Empty this process's file if everything in it is shipped (keeps it from growing forever)."""
        with self._lock:
            if own.size() != shipped:
                return False
            own.write_state(0)  # first: a crash between the two then ships the file again, harmlessly
            os.ftruncate(own.fd, 0)
            return True

    def files(self) -> list[Path]:
        """Every spool file in the folder, oldest process first (by modification time)."""
        try:
            paths = [path for path in self.folder.iterdir() if _NAME.fullmatch(path.name)]
        except OSError:
            return []
        return sorted(paths, key=_mtime)

    def orphans(self) -> Iterator[SpoolFile]:
        """The files of dead processes, each locked for the caller while it is handled."""
        own = self._own.path if self._own is not None and self._own_pid == os.getpid() else None
        for path in self.files():
            if path != own and (orphan := adopt(path)) is not None:
                yield orphan

    def close(self) -> None:
        with self._lock:
            if self._own is not None and self._own_pid == os.getpid():
                self._own.close()
            self._own = None


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def adopt(path: Path) -> SpoolFile | None:
    """Lock ``path`` if no living process holds it; None if one does, or it is gone."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_APPEND)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        opened, current = os.fstat(fd), os.stat(path)
        if (opened.st_dev, opened.st_ino) != (current.st_dev, current.st_ino):
            raise OSError("shipped and deleted by another process meanwhile")
    except OSError:
        os.close(fd)
        return None
    return SpoolFile(path, fd)


def is_alive(path: Path) -> bool:
    """Whether a living process holds ``path`` (takes and gives back the lock to find out)."""
    adopted = adopt(path)
    if adopted is None:
        return path.exists()
    adopted.close()
    return False


def pending_in(path: Path) -> int:
    """Records not yet shipped in the spool file at ``path`` (0 if it is gone)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return 0
    spool_file = SpoolFile(path, fd)
    try:
        return spool_file.pending()
    finally:
        spool_file.close()


@dataclass(frozen=True)
class FileStatus:
    """What ``consentkit log status`` shows of one spool file."""

    path: Path
    pid: int
    running: bool
    pending: int
    oldest: ConsentRecord | None
    last_error: tuple[str, str] | None


def file_status(path: Path) -> FileStatus | None:
    """The status of the spool file at ``path``; None if it went away meanwhile."""
    running = is_alive(path)
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    spool_file = SpoolFile(path, fd)
    try:
        return FileStatus(
            path, spool_file.pid, running, spool_file.pending(), spool_file.oldest_pending(), spool_file.last_error
        )
    finally:
        spool_file.close()
