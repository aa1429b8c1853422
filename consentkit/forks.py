"""What happens to this process at a fork: a forked child (a gunicorn worker) has none of its parent's
threads, so whatever started one there (the log's shipping, the banner impressions' flushing) must
start it again in the child.

``Forks.count`` is how many forks this process is from the one that imported consentkit: a hot path
that keeps the count it started at notices a fork with one compare, no system call. ``Forks.after``
runs a callback in each child as well.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import ClassVar


class Forks:
    count = 0
    #: Run in each forked child, after the count has gone up.
    _callbacks: ClassVar[list[Callable[[], None]]] = []

    @classmethod
    def after(cls, callback: Callable[[], None]) -> None:
        """Run ``callback`` in every child this process forks from now on."""
        cls._callbacks.append(callback)

    @classmethod
    def forked(cls) -> None:
        """What a child runs right after the fork (registered with ``os.register_at_fork``)."""
        cls.count += 1
        for callback in cls._callbacks:
            callback()


if hasattr(os, "register_at_fork"):  # not on Windows, which has no fork
    os.register_at_fork(after_in_child=Forks.forked)
