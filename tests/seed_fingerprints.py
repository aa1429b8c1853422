"""Fingerprints of the seed policies' sentences, so tests can prove no sentence was copied.

The seeds are other companies' texts and stay out of this repository; only a
SHA-256 of each normalised sentence is kept. Regenerate with:
``python -m tests.seed_fingerprints ../shared/seeds > tests/fixtures/seed-sentences.sha256``
"""

from __future__ import annotations

import hashlib
import re
import sys
from collections.abc import Iterator
from pathlib import Path

FINGERPRINTS = Path(__file__).parent / "fixtures" / "seed-sentences.sha256"
MIN_WORDS = 6


def sentences(text: str) -> Iterator[str]:
    """Sentences of at least MIN_WORDS words, lower-cased with whitespace collapsed."""
    for sentence in re.split(r"(?<=[.!?])\s+|\n{2,}", text):
        normalised = " ".join(sentence.lower().split())
        if len(normalised.split()) >= MIN_WORDS:
            yield normalised


def fingerprint(sentence: str) -> str:
    return hashlib.sha256(sentence.encode("utf-8")).hexdigest()


def known_fingerprints() -> set[str]:
    return set(FINGERPRINTS.read_text(encoding="ascii").split())


if __name__ == "__main__":
    found = {fingerprint(s) for path in sorted(Path(sys.argv[1]).glob("*.txt")) for s in sentences(path.read_text())}
    print("\n".join(sorted(found)))
