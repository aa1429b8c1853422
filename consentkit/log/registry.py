"""Opening a log store by URL.

Only SQLite is built in. Another database plugs in by implementing
``ConsentStore`` and registering its URL scheme in ``STORES``.
"""

from __future__ import annotations

from collections.abc import Callable

from .store import ConsentStore, LogStoreError


def _open_sqlite(url: str) -> ConsentStore:
    from .sqlite import SQLiteStore

    return SQLiteStore(url.removeprefix("sqlite:///"))


#: URL scheme (the part before ``://``) to a function that opens a store.
STORES: dict[str, Callable[[str], ConsentStore]] = {"sqlite": _open_sqlite}


def open_store(url: str) -> ConsentStore:
    scheme = url.partition("://")[0]
    opener = STORES.get(scheme)
    if opener is None:
        raise LogStoreError(f"no consent log store for {scheme!r} URLs; available: {', '.join(sorted(STORES))}")
    return opener(url)
