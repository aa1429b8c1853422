"""The browser layer's size budgets, and that the served files are the builds of their sources."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

from consentkit.render.renderer import STATIC_FILES

ROOT = Path(__file__).parent.parent


def load_script(relative_path: str) -> ModuleType:
    """A script of the repository (not a package module) loaded as a module."""
    spec = importlib.util.spec_from_file_location(Path(relative_path).stem, ROOT / relative_path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_script_and_style_of_every_page_fit_in_three_kilobytes_gzipped() -> None:
    payload = load_script("benchmarks/payload.py")
    sizes = payload.gzip_sizes(payload.EVERY_PAGE)
    assert set(sizes) == {"consentkit.js", "consentkit.css"}
    assert all(size > 500 for size in sizes.values())  # both measured, neither empty
    assert sum(sizes.values()) <= payload.BUDGET == 3_000


def test_what_only_some_sites_or_pages_load_has_budgets_of_its_own() -> None:
    payload = load_script("benchmarks/payload.py")
    sizes = payload.gzip_sizes(tuple(payload.OPTIONAL_BUDGETS))
    assert set(sizes) | set(payload.EVERY_PAGE) == set(STATIC_FILES)  # every served file has a budget
    for name, size in sizes.items():
        assert 100 < size <= payload.OPTIONAL_BUDGETS[name], name


def test_the_served_files_are_the_builds_of_their_sources() -> None:
    """assets/built.json records the SHA-256 of each source and of its build: `make assets` if this fails."""
    build_assets = load_script("tools/build_assets.py")
    assert set(build_assets.ASSETS) == set(STATIC_FILES)
    manifest = json.loads(build_assets.MANIFEST.read_text(encoding="utf-8"))
    assert manifest["minifiers"] == build_assets.MINIFIERS
    assert manifest["files"] == {name: build_assets.manifest_entry(name) for name in build_assets.ASSETS}
    served = {path.name for path in build_assets.STATIC.iterdir()}
    assert served == set(STATIC_FILES)  # nothing stale left beside them


def test_the_served_files_are_minified_and_the_sources_readable() -> None:
    build_assets = load_script("tools/build_assets.py")
    for name in build_assets.ASSETS:
        source = (build_assets.SOURCES / name).read_text(encoding="utf-8")
        built = (build_assets.STATIC / name).read_text(encoding="utf-8")
        assert built.count("\n") == 1, name  # one line
        assert "/*" not in built, name  # no comment left
        assert len(built) < 0.8 * len(source), name
        # The source says what it is and where its build goes; names stay whole there.
        assert "make assets" in source, name
        assert source.count("\n") > 10, name
