"""The examples' signing key: from ``SECRET_KEY``, else a random one made on first start.

consentkit refuses a short or published key, so the examples carry none: the
first start writes 32 random bytes (hex) to a git-ignored ``.secret_key`` file
next to the example and says so; later starts reuse it, so consent cookies
survive a restart. A real site reads its key from its own secret store.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

KEY_FILE = ".secret_key"


def example_secret_key(folder: Path) -> str:
    """``$SECRET_KEY``, or the key kept in ``folder/.secret_key`` (made on first use)."""
    from_environment = os.environ.get("SECRET_KEY")
    if from_environment:
        return from_environment
    path = folder / KEY_FILE
    try:
        # O_EXCL: two processes starting at once cannot both write, and neither reads half a key.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    key = secrets.token_hex(32)
    with os.fdopen(descriptor, "w", encoding="ascii") as file:
        file.write(key + "\n")
    print(f"consentkit example: made a random secret key in {path} (kept for later starts; SECRET_KEY overrides it)")
    return key
