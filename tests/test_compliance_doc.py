"""docs/compliance.md: the document every "docs/compliance.md item N" in code, templates and tests points to."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCUMENT = ROOT / "docs" / "compliance.md"
CITATION = re.compile(r"docs/compliance\.md,? items? ((?:\d+(?:, | and )?)+)")


def _items() -> set[int]:
    return {int(number) for number in re.findall(r"^### (\d+)\. ", DOCUMENT.read_text(encoding="utf-8"), re.M)}


def _tracked_text_files() -> list[Path]:
    """The files that may cite the document (CHANGELOG tells history and may name the old file)."""
    found = [ROOT / "README.md"]
    for folder in ("consentkit", "tests", "assets", "examples", "docs"):
        found += [
            path
            for path in (ROOT / folder).rglob("*")
            if path.suffix in {".py", ".html", ".md", ".js", ".css", ".toml"} and path != Path(__file__)
        ]
    return found


def test_the_document_numbers_the_fifteen_requirements_in_order() -> None:
    assert sorted(_items()) == list(range(1, 16))


def test_every_citation_names_an_item_that_exists() -> None:
    items = _items()
    cited: dict[str, set[int]] = {}
    for path in _tracked_text_files():
        for match in CITATION.finditer(path.read_text(encoding="utf-8")):
            cited.setdefault(str(path.relative_to(ROOT)), set()).update(map(int, re.findall(r"\d+", match[1])))
    assert cited, "nothing cites docs/compliance.md"
    assert {name: numbers - items for name, numbers in cited.items() if numbers - items} == {}


def test_nothing_cites_the_old_file_that_ships_nowhere() -> None:
    old = [str(path.relative_to(ROOT)) for path in _tracked_text_files() if "COMPLIANCE.md" in path.read_text("utf-8")]
    assert old == []


def test_every_test_and_file_the_document_names_exists() -> None:
    """The document says where each requirement is tested; a renamed test must not leave it pointing nowhere."""
    text = DOCUMENT.read_text(encoding="utf-8")
    files = set(re.findall(r"`(tests/[\w/]+\.py)`", text))
    assert sorted(name for name in files if not (ROOT / name).is_file()) == []
    defined = {
        match
        for path in (ROOT / "tests").rglob("test_*.py")
        for match in re.findall(r"^def (test_\w+)", path.read_text(encoding="utf-8"), re.M)
    }
    named = set(re.findall(r"`(test_\w+)`", text))
    assert named, "the document names no test"
    assert sorted(named - defined) == []
