"""The consent log: proof of every decision (docs/compliance.md item 12)."""

from .record import ConsentRecord as ConsentRecord
from .registry import open_store as open_store
from .store import ConsentStore as ConsentStore
from .store import LogStoreError as LogStoreError
