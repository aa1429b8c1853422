"""Checking a recorded text hash: against the texts kept in the log, and against the config now.

``consentkit log verify`` prints what these find; they only compare.
"""

from __future__ import annotations

import difflib
import json

from ..config import Config
from .record import ConsentRecord, text_hash_of


def texts_of(canonical: str) -> list[str]:
    """The texts in a canonical document, one per line (a document that is not one comes out whole)."""
    try:
        texts = json.loads(canonical)["texts"]
    except (ValueError, KeyError, TypeError):
        return [canonical]
    return [str(text) for text in texts] if isinstance(texts, list) else [canonical]


def check_archive(stored: str | None, recorded_hash: str) -> tuple[bool, str]:
    """Whether the stored texts are intact, and a line saying so."""
    if stored is None:
        return False, "archive: MISSING: no texts are stored for this hash"
    actual = text_hash_of(stored)
    if actual != recorded_hash:
        return False, f"archive: TAMPERED: the stored texts hash to {actual}, not to the recorded hash"
    return True, "archive: intact: the stored texts hash to the recorded hash"


def compare_with_config(record: ConsentRecord, config: Config, rendered: str | None, shown: str | None) -> list[str]:
    """How the texts the config renders now compare with those shown (``shown``: the intact stored texts)."""
    if rendered is None:
        return [
            f"config:  at policy version {config.policy_version}, the record at {record.policy_version}, "
            "so the config cannot re-render the text shown;",
            "         the stored texts are the proof" if shown else "         and no intact stored text proves it",
            f"         (to re-render it, pass --config with a config at policy version {record.policy_version})",
        ]
    if text_hash_of(rendered) == record.text_hash:
        return ["config:  verified: the current config renders exactly the text shown"]
    lines = [
        f"config:  CHANGED: the texts changed since, under the same policy version {record.policy_version};",
        "         raise policy_version when the texts change, so that visitors are asked again",
    ]
    if shown is None:
        return [*lines, "         (the differences cannot be shown without the stored texts)"]
    diff = difflib.unified_diff(texts_of(shown), texts_of(rendered), "shown", "current config", lineterm="", n=0)
    return [*lines, *(f"         {line}" for line in diff if not line.startswith(("---", "+++", "@@")))]
