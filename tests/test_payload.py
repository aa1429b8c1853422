"""The browser layer's size budget: consentkit.js and consentkit.css together at most 5,000 bytes gzipped."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).parent.parent


def load_script(relative_path: str) -> ModuleType:
    """A script of the repository (not a package module) loaded as a module."""
    spec = importlib.util.spec_from_file_location(Path(relative_path).stem, ROOT / relative_path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_script_and_style_fit_in_five_kilobytes_gzipped() -> None:
    payload = load_script("benchmarks/payload.py")
    sizes = payload.our_sizes()
    assert set(sizes) == {"consentkit.js", "consentkit.css"}
    assert all(size > 500 for size in sizes.values())  # both measured, neither empty
    assert sum(sizes.values()) <= payload.BUDGET == 5_000


def test_the_served_script_is_built_from_its_source() -> None:
    """consentkit/static/consentkit.js is assets/consentkit.js without comments; run `make assets` if this fails."""
    build_assets = load_script("tools/build_assets.py")
    source = build_assets.SOURCE.read_text(encoding="utf-8")
    built = build_assets.build(source)
    assert build_assets.BUILT.read_text(encoding="utf-8") == built
    assert "//" not in built.replace("https://", "")  # every comment went
    assert len(built) < len(source)


def test_the_served_stylesheet_is_built_from_its_source() -> None:
    """consentkit/static/consentkit.css is assets/consentkit.css without comments; `make assets` if this fails."""
    build_assets = load_script("tools/build_assets.py")
    built = build_assets.build_style(build_assets.STYLE_SOURCE.read_text(encoding="utf-8"))
    assert build_assets.STYLE_BUILT.read_text(encoding="utf-8") == built
    assert built.count("/*") == 1  # only the header that says where the source is
