"""Compile the gettext catalogs in ``locales/`` into the package at build time.

The ``.mo`` files are build output (git ignores them): the wheel carries
them, and an editable install finds them in the source tree.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from hatchling.builders.hooks.plugin.interface import BuildHookInterface


def compile_catalogs(root: Path) -> list[Path]:
    """Write ``consentkit/locales/<lang>/LC_MESSAGES/<domain>.mo`` for each ``.po``; return them.

    The domains are ``consentkit`` (what visitors see) and ``report`` (the marketers' report).
    """
    written = []
    for po_path in sorted((root / "locales").glob("*/LC_MESSAGES/*.po")):
        locale, domain = po_path.parent.parent.name, po_path.stem
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=locale, domain=domain)
        mo_path = root / "consentkit" / "locales" / locale / "LC_MESSAGES" / f"{domain}.mo"
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        with mo_path.open("wb") as mo_file:
            write_mo(mo_file, catalog, use_fuzzy=False)
        written.append(mo_path)
    return written


class CatalogBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel":
            return
        root = Path(self.root)
        for mo_path in compile_catalogs(root):
            build_data["force_include"][str(mo_path)] = str(mo_path.relative_to(root))


if __name__ == "__main__":
    for path in compile_catalogs(Path(__file__).parent):
        print(f"compiled {path}")
