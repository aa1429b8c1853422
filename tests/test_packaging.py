"""What the built wheel and sdist carry: one build of both, read back from the archives."""

from __future__ import annotations

import ast
import fnmatch
import importlib.metadata
import re
import subprocess
import sys
import tarfile
import tomllib
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


def _python_files(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*.py") if "__pycache__" not in path.parts]


def _needed_by_tests(root: Path) -> set[str]:
    """Repository paths the tests import or name, and those the scripts they load name in turn.

    A top-level module a test imports (``examples``, ``tests``), and any string in a test that is a
    path of the repository (``"benchmarks/payload.py"``, ``"README.md"``, the ``"examples"`` in
    ``ROOT / "examples" / ...``); scripts found that way (tools/build_assets.py) are read the same way.
    """
    needed: set[str] = set()
    queue = _python_files(root / "tests")
    seen: set[Path] = set()
    while queue:
        script = queue.pop()
        if script in seen:
            continue
        seen.add(script)
        for node in ast.walk(ast.parse(script.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name.split(".")[0] for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [node.module.split(".")[0]]
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                names = [node.value]
            for name in names:
                if not name or name.startswith((".", "/")) or any(char.isspace() for char in name) or len(name) > 200:
                    continue
                for candidate in (name, f"{name}.py"):
                    path = root / candidate
                    if path.exists() and path.resolve().is_relative_to(root) and path.resolve() != root:
                        needed.add(candidate)
                        if path.suffix == ".py" and path.is_file():
                            queue.append(path)
    return needed


def _ignored(root: Path) -> list[str]:
    """The patterns of the repository's .gitignore, which the sdist leaves out too."""
    lines = (root / ".gitignore").read_text(encoding="utf-8").splitlines()
    return [line.strip().rstrip("/") for line in lines if line.strip() and not line.startswith("#")]


def _files_under(root: Path, relative: str) -> set[str]:
    """The files in ``relative`` (file or folder) that git tracks: without what builds and runs leave behind
    (.gitignore), and without README's screenshots (docs/ is read for docs/compliance.md)."""
    path = root / relative
    found = [path] if path.is_file() else [child for child in path.rglob("*") if child.is_file()]
    ignored = _ignored(root)

    def kept(child: Path) -> bool:
        name = str(child.relative_to(root))
        parts = child.relative_to(root).parts
        return child.suffix != ".png" and not any(
            fnmatch.fnmatch(name, pattern)
            or name.startswith(f"{pattern}/")
            or any(fnmatch.fnmatch(part, pattern) for part in parts)
            for pattern in ignored
        )

    return {str(child.relative_to(root)) for child in found if kept(child)}


def test_the_unpacked_sdist_holds_every_file_the_tests_need(built: Built, tmp_path: Path) -> None:
    """The sdist's own tests run: examples/, benchmarks/, tools/, assets/ and the Makefile go in with them."""
    needed = _needed_by_tests(ROOT)
    assert {"examples", "benchmarks/payload.py", "tools/build_assets.py", "assets", "README.md"} <= needed
    with tarfile.open(built.sdist) as sdist:
        sdist.extractall(tmp_path, filter="data")
    (unpacked,) = tmp_path.iterdir()
    wanted = set().union(*(_files_under(ROOT, relative) for relative in needed | {"tests", "Makefile"}))
    assert sorted(name for name in wanted if not (unpacked / name).is_file()) == []
    # And from inside the sdist, its tests need nothing more than the repository's do.
    assert _needed_by_tests(unpacked) <= needed


def _third_party_imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module.split(".")[0])
    return {name for name in found if name not in sys.stdlib_module_names and name not in {"consentkit", "_typeshed"}}


def _requirement_names(requirements: list[str]) -> set[str]:
    return {re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0].lower() for requirement in requirements}


def test_every_import_is_declared_and_flask_is_an_extra() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    core = _requirement_names(project["dependencies"])
    distributions = importlib.metadata.packages_distributions()
    flask_module = ROOT / "consentkit" / "integrations" / "flask.py"
    brotli_module = ROOT / "consentkit" / "gate" / "autogate" / "encoding.py"
    django_app = ROOT / "consentkit" / "integrations" / "django"
    django_extra = _requirement_names(project["optional-dependencies"]["django"])
    scan_room = ROOT / "consentkit" / "scan"
    for path in _python_files(ROOT / "consentkit"):
        for module in _third_party_imports(path):
            if path == flask_module and module in {"flask", "flask_babel"}:
                continue  # the extra itself, and Flask-Babel when the app has it
            if path == brotli_module and module == "brotli":
                continue  # the [brotli] extra, imported where it is used; without it br passes unread
            if scan_room in path.parents and module == "playwright":
                continue  # the scan extra, imported only where the browser is driven
            (distribution,) = {name.lower() for name in distributions[module]}
            if path.is_relative_to(django_app) and distribution in django_extra:
                continue  # the Django app imports what the [django] extra declares
            assert distribution in core, f"{path.relative_to(ROOT)} imports {module}, which is not a dependency"
    assert "flask" not in core
    assert _requirement_names(project["optional-dependencies"]["flask"]) == {"flask"}
    assert _requirement_names(project["optional-dependencies"]["brotli"]) == {"brotli"}
    assert _requirement_names(project["optional-dependencies"]["scan"]) == {"playwright"}


def test_without_flask_the_middleware_works_and_the_extension_names_its_extra() -> None:
    script = """
import sys
sys.modules["flask"] = None  # as if Flask were not installed
from werkzeug.test import Client
from consentkit import ConsentMiddleware, load_config
from consentkit.cli.main import main

def app(environ, start_response):
    start_response("200 OK", [("Set-Cookie", "_ga=1; Path=/"), ("Set-Cookie", "sessionid=s; Path=/")])
    return [b"ok"]

config = load_config("examples/flask_site/consentkit.toml")
from tests.conftest import ListStore
response = Client(ConsentMiddleware(app, config, "k" * 32, store=ListStore())).get("/")
print(response.status_code, response.headers.getlist("Set-Cookie"))
try:
    import consentkit.flask
except ImportError as error:
    print(error)
"""
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.splitlines() == [
        "200 ['sessionid=s; Path=/']",
        "consentkit.flask needs Flask, which is an extra: pip install 'consentkit[flask]' "
        "(plain WSGI sites use consentkit.ConsentMiddleware without it)",
    ]


def test_make_demo_installs_the_package_with_flask_and_no_development_tools(tmp_path: Path) -> None:
    """``make demo`` in a fresh checkout: what it would run (``make -n``), not the development extras."""
    dry_run = ["make", "-n", "demo", f"VENV={tmp_path / 'venv'}"]
    result = subprocess.run(dry_run, cwd=ROOT, capture_output=True, text=True, check=True)
    installs = [line for line in result.stdout.splitlines() if "pip install" in line and "--upgrade pip" not in line]
    assert installs == [f"{tmp_path / 'venv'}/bin/python -m pip install --quiet -e '.[flask]'"]
    assert "[dev]" not in result.stdout
