"""The package's layout is the pipeline: stages in order, each importing only the ones
before it, no import circle, and an import inside a function only for load time, with
its reason. The graph is read from the code by grimp (every import statement, those in
functions and under TYPE_CHECKING included)."""

from __future__ import annotations

import ast
from pathlib import Path

import grimp
import pytest
from conftest import ROOT

# Earliest first: a stage may import the ones before it, never one after.
STAGES = ("base", "read", "document", "language", "writers", "run", "commands")
# Outside the stages: the root (CODE, DEFAULT_STYLES) and the entry point.
ROOTS = {"publisher", "publisher.__main__"}


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("publisher", include_external_packages=False)


def backward_imports(graph: grimp.ImportGraph) -> list[str]:
    """Each import of a later stage by an earlier one, as 'importer -> imported (line)'."""
    layers = [f"publisher.{stage}" for stage in reversed(STAGES)]
    found = []
    for dependency in graph.find_illegal_dependencies_for_layers(layers=layers):
        for route in dependency.routes:
            for importer, imported in zip(route.heads, route.tails, strict=False):
                found.append(f"{importer} -> {imported}")
            found.append(f"{dependency.importer} -> {dependency.imported} via {route.middle}")
    # The root package is below every stage: it may import none of them.
    for module in graph.find_modules_directly_imported_by("publisher"):
        found.append(f"publisher -> {module}")
    return sorted(set(found))


def circles(graph: grimp.ImportGraph) -> list[list[str]]:
    """The import circles between modules (strongly connected components of two or
    more modules, or a module importing itself), by Tarjan's algorithm."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(module: str) -> None:
        nonlocal counter
        index[module] = low[module] = counter
        counter += 1
        stack.append(module)
        on_stack.add(module)
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            itself = module in graph.find_modules_directly_imported_by(module)
            if len(component) > 1 or itself:
                found.append(sorted(component))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def test_every_module_is_in_a_stage(graph):
    stray = [
        m
        for m in graph.modules
        if m not in ROOTS and m.split(".")[1] not in STAGES and not m.startswith("publisher.data")
    ]
    assert stray == []


def test_no_stage_imports_a_later_one(graph):
    assert backward_imports(graph) == []


def test_no_import_circle(graph):
    assert circles(graph) == []


def test_the_checks_catch_a_backward_import_and_a_circle():
    graph = grimp.build_graph("publisher", include_external_packages=False)
    graph.add_import(
        importer="publisher.base.errors",
        imported="publisher.commands.cli",
        line_number=1,
        line_contents="from publisher.commands.cli import main",
    )
    assert any("publisher.base.errors" in found for found in backward_imports(graph))
    assert any("publisher.base.errors" in circle for circle in circles(graph))
    graph.remove_import(importer="publisher.base.errors", imported="publisher.commands.cli")
    graph.add_import(importer="publisher.read.sources", imported="publisher.read.images")
    graph.add_import(importer="publisher.read.images", imported="publisher.read.sources")
    assert circles(graph) == [["publisher.read.images", "publisher.read.sources"]]
    assert backward_imports(graph) == []  # within one stage: a circle, not a backward import


def lazy_imports_without_reason(path: Path, root: Path = ROOT) -> list[str]:
    """Imports inside functions with no comment on their line or the two above (a run
    of such imports shares the comment above its first)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    tree = ast.parse("\n".join(lines))
    found = []
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        previous_end = None
        for node in ast.walk(function):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            start = node.lineno - 1
            near = lines[max(0, start - 2) : node.end_lineno]
            follows = previous_end is not None and previous_end == start - 1
            if not follows and not any("#" in line for line in near):
                found.append(f"{path.relative_to(root)}:{node.lineno}: {lines[start].strip()}")
            previous_end = node.end_lineno - 1
    return found


def test_every_lazy_import_says_why():
    found = []
    for path in sorted((ROOT / "publisher").rglob("*.py")):
        found += lazy_imports_without_reason(path)
    assert found == []


def test_the_lazy_import_check_fails_without_a_reason(tmp_path):
    module = tmp_path / "m.py"
    module.write_text(
        "def f():\n    x = 1\n    y = 2\n    import json\n    import csv\n\n"
        "def g():\n    # load time: only g needs it\n    import json\n    import csv\n",
        encoding="utf-8",
    )
    assert [line.split(": ", 1)[1] for line in lazy_imports_without_reason(module, tmp_path)] == [
        "import json"
    ]
