"""The WSGI timing loop the benchmarks share: CPU µs per request, the apps taking turns round by round."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

Environ = dict[str, Any]
App = Callable[[Environ, Callable[..., Any]], Iterable[bytes]]


def time_rounds(apps: list[tuple[App, Environ]], rounds: int, calls: int) -> list[list[float]]:
    """``time_rounds_over`` with the same environ for every request."""
    return time_rounds_over([(app, [environ] * calls) for app, environ in apps], rounds)


def time_rounds_over(apps: list[tuple[App, list[Environ]]], rounds: int) -> list[list[float]]:
    """µs per request of each (app, environs), one list per app, the apps taking turns within each round;
    a round is one request per environ, in their order.

    The clock is this thread's CPU time: on a shared machine, the time the scheduler gives other
    processes in the middle of a round is not counted. Each request gets a copy of its environ and its
    body is read to the end and closed, as a WSGI server does.
    """

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        pass

    timings: list[list[float]] = [[] for _ in apps]
    for _ in range(rounds):
        for (app, environs), times in zip(apps, timings, strict=True):
            started = time.thread_time()
            for environ in environs:
                body = app(dict(environ), start_response)
                for _chunk in body:
                    pass
                close = getattr(body, "close", None)
                if close is not None:
                    close()
            times.append((time.thread_time() - started) / len(environs) * 1e6)
    return timings
