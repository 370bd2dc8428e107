"""The package's shape holds: each stage imports only earlier stages, and the README names every module."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

PACKAGE = ROOT / "publish"
BASE = {"publish", "publish.model", "publish.tree", "publish.diagnostics", "publish.output", "publish.progress",
        "publish.collector",
        "publish.cache", "publish.names", "publish.xml_chars", "publish.cores"}
"""Shared by every stage: the model, its tree helpers, and support that knows no stage."""
STAGES = ("theme", "read", "resolve", "render", "author")
"""In pipeline order; a stage may import the base, itself and the stages before it, except that
render (the backends) may not import read or resolve: the resolved model is all it gets; author
(the tools that edit sources) comes after resolve and never renders."""
ORCHESTRATION = {"publish.build", "publish.release", "publish.serve", "publish.cli", "publish.__main__"}
MAY_IMPORT = {
    "theme": {"theme"},
    "read": {"theme", "read"},
    "resolve": {"theme", "read", "resolve"},
    "render": {"theme", "render"},
    "author": {"theme", "read", "resolve", "author"},
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every module of the package that ``path`` imports, as absolute names."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("publish")}
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            target = ".".join(base + ([node.module] if node.module else []))
            if target.startswith("publish"):
                found.add(target)
                found |= {f"{target}.{a.name}" for a in node.names if _is_module(f"{target}.{a.name}")}
    return found


def _is_module(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _stage(module: str) -> str:
    if module in BASE:
        return "base"
    if module in ORCHESTRATION:
        return "orchestration"
    return module.split(".")[1]


MODULES = sorted(PACKAGE.rglob("*.py"))


def _violations(module: str, imported: set[str]) -> set[str]:
    """The imports of ``module`` that go against the flow."""
    stage = _stage(module)
    if module == "publish.model":
        return imported
    if stage == "base":
        return {m for m in imported if _stage(m) != "base"}
    if stage == "orchestration":
        return set()
    if stage not in STAGES:
        return {f"{module} belongs to no stage"}
    return {m for m in imported if _stage(m) not in MAY_IMPORT[stage] | {"base"}}


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_each_module_imports_only_earlier_stages(path: Path) -> None:
    imported = {m for m in _imports(path) if m != "publish" and _is_module(m)}
    assert _violations(_module_name(path), imported) == set()


@pytest.mark.parametrize(("module", "imported"), [
    ("publish.model", {"publish.tree"}),
    ("publish.render.pdf", {"publish.resolve.resolver"}),
    ("publish.render.epub", {"publish.read.reader"}),
    ("publish.read.entries", {"publish.resolve.collation"}),
    ("publish.theme.theme", {"publish.render.pdf"}),
    ("publish.output", {"publish.resolve.anchors"}),
])
def test_imports_against_the_flow_are_found(module: str, imported: set[str]) -> None:
    assert _violations(module, imported) == imported


def test_relative_imports_are_read_as_absolute_names() -> None:
    imports = _imports(PACKAGE / "render" / "docx" / "backend.py")
    assert {"publish.model", "publish.theme.languages", "publish.render", "publish.render.docx.reference"} <= imports


def test_the_readme_module_table_names_every_module() -> None:
    """Each module is named in a row of the table: by its path, or by its name in a row that
    names its folder (``publish/theme/theme.py``, ``units.py``)."""
    rows = [line for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines() if line.startswith("|")]

    def named(path: Path) -> bool:
        folder = f"publish/{path.parent.relative_to(PACKAGE).as_posix()}/".replace("publish/./", "publish/")
        return any(str(path.relative_to(ROOT)) in row or (folder in row and f"`{path.name}`" in row) or
                   (path.name == "__init__.py" and (folder in row or f"`{folder.removeprefix('publish/')}`" in row))
                   for row in rows)

    assert [str(p.relative_to(ROOT)) for p in MODULES if p.name != "__main__.py" and not named(p)] == []
