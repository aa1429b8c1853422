"""What the built wheel and sdist carry: one build of both, read back from the archives."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Built:
    wheel: Path
    sdist: Path


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-d", str(out)], cwd=ROOT, check=True, capture_output=True
    )
    return Built(wheel=next(out.glob("*.whl")), sdist=next(out.glob("*.tar.gz")))


def test_the_wheel_carries_the_compliance_document_that_warnings_cite(built: Built) -> None:
    """docs/compliance.md is at the same relative path inside the installed package."""
    with zipfile.ZipFile(built.wheel) as wheel:
        shipped = wheel.read("consentkit/docs/compliance.md").decode("utf-8")
    assert shipped == (ROOT / "docs" / "compliance.md").read_text(encoding="utf-8")
