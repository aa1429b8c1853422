"""Opening a log store by URL.

SQLite is built in; PostgreSQL needs the ``consentkit[postgres]`` extra.
Another database plugs in by implementing ``ConsentStore`` and registering
its URL scheme in ``STORES``.
"""

from __future__ import annotations

from collections.abc import Callable

from .store import ConsentStore, LogStoreError


def _open_sqlite(url: str) -> ConsentStore:
    from .sqlite import SQLiteStore

    return SQLiteStore(url.removeprefix("sqlite:///"))


def _open_postgres(url: str) -> ConsentStore:
    try:
        from .postgres import PostgresStore
    except ImportError as error:
        raise LogStoreError(
            f"a postgresql:// consent log needs psycopg 3 and psycopg_pool ({error.name} is missing); "
            "install them with: pip install 'consentkit[postgres]'"
        ) from error
    return PostgresStore(url)


#: URL scheme (the part before ``://``) to a function that opens a store.
STORES: dict[str, Callable[[str], ConsentStore]] = {
    "sqlite": _open_sqlite,
    "postgresql": _open_postgres,
    "postgres": _open_postgres,
}


def open_store(url: str) -> ConsentStore:
    scheme = url.partition("://")[0]
    opener = STORES.get(scheme)
    if opener is None:
        raise LogStoreError(f"no consent log store for {scheme!r} URLs; available: {', '.join(sorted(STORES))}")
    return opener(url)
