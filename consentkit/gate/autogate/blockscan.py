"""``BlockScan``: many patterns searched in one pass over bytes by Hyperscan (the ``hyperscan`` package: Vectorscan,
the open-source fork of Intel's SIMD regex engine).

Compiling a database takes Hyperscan tens of milliseconds to a few tenths of a
second, so ``compiled`` keeps one per set of patterns in a process: configs
with the same tracker hosts (every test's, every site's worker) share it. It
is shared by every thread that serves a page; a Hyperscan scan needs scratch
space that no other scan uses at the same time (the scan runs without the
GIL), so each thread gets its own copy.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import lru_cache
from typing import Final, cast

import hyperscan

CASELESS: Final = hyperscan.HS_FLAG_CASELESS
#: Report a pattern once per scan: enough to know it is there.
ONCE: Final = hyperscan.HS_FLAG_SINGLEMATCH
#: Patterns with an id from here on end the scan at their first match: the answer is known.
STOP: Final = 1 << 16

#: Each match that did not stop the scan: (pattern id, offset just past the match).
Matches = list[tuple[int, int]]


def _collect(pattern: int, _start: int, end: int, _flags: int, found: object) -> bool:
    cast(Matches, found).append((pattern, end))
    return pattern >= STOP


class BlockScan:
    """Compiled ``(pattern, id, flags)`` triples (patterns as bytes, matched byte by byte)."""

    def __init__(self, patterns: Sequence[tuple[bytes, int, int]]) -> None:
        self._database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        expressions, ids, flags = zip(*patterns, strict=True)
        self._database.compile(expressions=expressions, ids=ids, elements=len(patterns), flags=flags)
        self._local = threading.local()

    def matches(self, data: bytes) -> Matches | None:
        """The matches in ``data``, in the order found; None if a pattern whose id is ``STOP`` or more matched."""
        try:
            scratch = self._local.scratch
        except AttributeError:
            scratch = self._local.scratch = hyperscan.Scratch(self._database)
        found: Matches = []
        try:
            self._database.scan(data, _collect, 0, found, scratch)
        except hyperscan.ScanTerminated:
            return None
        return found


@lru_cache(maxsize=32)
def compiled(patterns: tuple[tuple[bytes, int, int], ...]) -> BlockScan:
    """The ``BlockScan`` of ``patterns``, compiled once per process."""
    return BlockScan(patterns)
