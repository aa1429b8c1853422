"""The package's rooms import one way: from the request path down to the values it uses.

README's ARCHITECTURE section describes the rooms; these tests keep the code to it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "consentkit"

#: Each room may import its own modules and those of the rooms ranked below it.
RANKS = {
    # The import paths Django settings name (INSTALLED_APPS, MIDDLEWARE): re-exports of integrations.django.
    "django": 7,
    "integrations": 6,
    "cli": 6,
    # The scanner drives a browser against a site and classifies with the gate and the config.
    "scan": 6,
    "gate": 5,
    "render": 4,
    "log": 3,
    "config": 2,
    # The values everything shares: consent.py, categories.py, messages.py, forks.py.
    "": 1,
}
#: The package's front: re-exports only.
FACADES = {
    "consentkit",
    "consentkit.flask",
    "consentkit.__main__",
    "consentkit.django",
    "consentkit.django.apps",
    "consentkit.django.urls",
    "consentkit.django.jinja2",
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, *, with_type_only: bool) -> set[str]:
    """consentkit modules imported by ``path``; ``if TYPE_CHECKING:`` blocks count only when asked."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and getattr(child.test, "id", None) == "TYPE_CHECKING" and not with_type_only:
                continue
            if isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package.split(".")
                    base = base[: len(base) - (child.level - 1)]
                    target = ".".join([*base, child.module] if child.module else base)
                else:
                    target = child.module or ""
                if target.startswith("consentkit"):
                    found.add(target)
                    found.update(f"{target}.{alias.name}" for alias in child.names)
            elif isinstance(child, ast.Import):
                found.update(alias.name for alias in child.names if alias.name.startswith("consentkit"))
            visit(child)

    visit(tree)
    return found


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in PACKAGE.rglob("*.py")}


def _room(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in RANKS) else ""


def _graph(*, with_type_only: bool) -> dict[str, set[str]]:
    modules = _modules()
    return {
        name: {target for target in _imports(path, with_type_only=with_type_only) if target in modules}
        for name, path in modules.items()
    }


@pytest.mark.parametrize("with_type_only", [False, True], ids=["runtime", "with-type-checking"])
def test_no_import_cycles(with_type_only: bool) -> None:
    graph = _graph(with_type_only=with_type_only)
    for facade in FACADES:
        graph.pop(facade, None)
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def walk(node: str, trail: list[str]) -> None:
        state[node] = 1
        for target in sorted(graph.get(node, ())):
            if target in FACADES or target == node or node.startswith(target + "."):
                continue  # a package's own __init__ is not a cycle through its modules
            if state.get(target) == 1:
                cycles.append([*trail[trail.index(target) :], target] if target in trail else [node, target])
            elif target not in state:
                walk(target, [*trail, target])
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            walk(module, [module])
    assert cycles == []


def test_rooms_import_downwards_only() -> None:
    wrong = []
    for module, targets in _graph(with_type_only=False).items():
        if module in FACADES:
            continue
        rank = RANKS.get(_room(module), 0)
        for target in targets:
            if RANKS.get(_room(target), 0) > rank:
                wrong.append(f"{module} -> {target}")
    assert sorted(wrong) == []


def test_rooms_are_known() -> None:
    rooms = {path.name for path in PACKAGE.iterdir() if (path / "__init__.py").exists()}
    unranked = rooms - set(RANKS)
    assert unranked == set(), "add each new room to RANKS and to README's ARCHITECTURE section"
