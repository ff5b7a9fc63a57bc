"""Bounds on what the sources may hold, so that time and memory follow the size of
the input, not what it expands to, and every writer gets what it can carry.

Each check names the file and line and says what to do (a :class:`SourceError`);
normalising (control characters) warns instead. All of it runs before the first
output is written.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from .errors import SourceError

# A YAML file may share values through aliases (`&a` … `*a`), but everything they
# expand to counts: a kilobyte of nested aliases would otherwise unfold into
# billions of values (the "billion laughs"). An edition.yaml holds a few hundred.
MAX_YAML_VALUES = 10_000


def check_yaml_expansion(root: yaml.Node | None, path: Path, first_line: int = 1) -> None:
    """Refuse YAML whose aliases expand past :data:`MAX_YAML_VALUES` values, or refer
    to themselves, before anything constructs (or prints) the expanded value.

    Works on the composed node graph, where an alias is a shared node, so it costs
    time in the size of the text. Iterative: nesting depth cannot overflow the stack.
    """
    if root is None:
        return
    sizes: dict[int, int] = {}  # id(node) -> values it expands to
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            on_path.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in _children(node))
            if sizes[key] > MAX_YAML_VALUES:
                _refuse_expansion(node, path, first_line)
            continue
        if key in sizes:
            continue
        if key in on_path:
            raise SourceError(
                path,
                "a YAML alias (`*name`) refers to the value that holds it",
                line=first_line + node.start_mark.line,
                hint="write the value out instead of the alias",
            )
        on_path.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in sizes)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _refuse_expansion(node: yaml.Node, path: Path, first_line: int) -> None:
    raise SourceError(
        path,
        f"the YAML aliases (`*name`) expand to more than {MAX_YAML_VALUES:,} values",
        line=first_line + node.start_mark.line,
        hint="write the values out, or use fewer nested aliases",
    )
