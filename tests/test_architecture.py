"""The package's shape, read from its source (issue 18): no import cycle, small
modules, and the query layer never reaching up into the HTTP layer.

Imports are read with ``ast`` (every ``import`` statement, also those inside
functions, and a module's parent packages, whose ``__init__`` runs first), so
a cycle hidden in a function body counts as one.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "kg"
MAX_LINES = 400
LOWER_LAYERS = ("kg.store", "kg.query", "kg.curation", "kg.release", "kg.rdf", "kg.validation")
"""Modules the HTTP layer calls; none of them may import ``kg.web``."""


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


MODULES = _modules()


def _imported(name: str, path: Path) -> set[str]:
    """The kg modules ``name`` imports, with the packages each import initialises."""
    found: set[str] = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            targets = [base] + [f"{base}.{a.name}" for a in node.names]
        else:
            continue
        for target in targets:
            parts = target.split(".")
            found.update(".".join(parts[:i]) for i in range(2, len(parts) + 1) if ".".join(parts[:i]) in MODULES)
    found.discard(name)
    return found


GRAPH = {name: _imported(name, path) for name, path in MODULES.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    out.append(sorted(component))
    return out


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_the_import_reader_sees_imports_inside_functions() -> None:
    # kg.web.server imports the build only inside current_release (first start)
    assert "kg.release.build" in GRAPH["kg.web.server"]


def test_no_import_cycle_inside_kg() -> None:
    cycles = _cycles(GRAPH)
    assert not cycles, "import cycles: " + "; ".join(
        " ↔ ".join(c) + " (" + ", ".join(f"{a}→{b}" for a in c for b in sorted(GRAPH[a] & set(c))) + ")" for c in cycles)


@pytest.mark.parametrize("name", sorted(n for n in MODULES if n.startswith(LOWER_LAYERS)))
def test_lower_layers_never_import_the_http_layer(name: str) -> None:
    assert not {m for m in GRAPH[name] if m == "kg.web" or m.startswith("kg.web.")}


def test_no_module_is_over_400_lines() -> None:
    long = {name: n for name, path in MODULES.items() if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, f"modules over {MAX_LINES} lines: {long}"


TOP_LEVEL = {"kg", "kg.__main__", "kg.cli", "kg.config", "kg.errors", "kg.folding"}
"""The only modules at the top of ``kg/``: entry points and what every stage shares (docs/architecture.md)."""


def test_every_module_lives_in_its_stage_package() -> None:
    loose = {name for name in MODULES if name.count(".") == 1 and name not in TOP_LEVEL and not (PACKAGE / name.split(".")[1]).is_dir()}
    assert not loose, f"modules at the top of kg/ that belong in a stage package (docs/architecture.md): {sorted(loose)}"


def _private_imports(path: Path) -> list[str]:
    """``from kg.x import _name``: a module reaching into another's private parts."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("kg"):
            out += [f"{node.module}.{a.name}" for a in node.names if a.name.startswith("_") and not a.name.startswith("__")]
    return out


def test_the_module_map_names_every_module_and_no_other() -> None:
    """docs/architecture.md's module map is how a newcomer finds a file: it must not
    fall behind the package (a new module unnamed) nor name one that left."""
    doc = (PACKAGE.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    section = doc.partition("\n## Module map\n")[2].partition("\n## ")[0]
    named = {line.split("`")[1] for line in section.splitlines() if line.startswith("| `kg/")}
    present = {str(p.relative_to(PACKAGE.parent)) for p in PACKAGE.rglob("*.py") if p.name != "__init__.py"}
    assert sorted(present - named) == [], "modules missing from the module map in docs/architecture.md"
    assert sorted(named - present) == [], "the module map names modules that do not exist"


def test_the_private_import_reader_sees_one() -> None:
    tmp = PACKAGE.parent / "tests" / "_private_import_probe.py"
    try:
        tmp.write_text("from kg.web.documents import _suffix\n", encoding="utf-8")
        assert _private_imports(tmp) == ["kg.web.documents._suffix"]
    finally:
        tmp.unlink()


def test_no_module_imports_another_ones_private_names() -> None:
    """A name one module needs from another is public (one suffix parser, not a
    borrowed ``_suffix``; one progress printer, not a borrowed ``_stderr``)."""
    found = {name: hits for name, path in MODULES.items() if (hits := _private_imports(path))}
    assert not found, f"private names imported across modules: {found}"


def _untyped_state(path: Path) -> list[str]:
    """``getattr``/``hasattr``/``setattr`` on a state or context, and ``.app.state``
    read directly: the lazy, untyped caches the typed ``ReleaseContext`` replaced."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        lazy_cache = (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("getattr", "hasattr", "setattr")
                      and bool(node.args) and any(w in ast.unparse(node.args[0]) for w in ("state", "ctx", "context(")))
        raw_state = isinstance(node, ast.Attribute) and node.attr == "state" and "app" in ast.unparse(node.value)
        if lazy_cache or raw_state:
            out.append(f"{path.name}:{node.lineno}: {ast.unparse(node)}")
    return out


def test_the_state_reader_sees_a_lazy_cache() -> None:
    tmp = PACKAGE.parent / "tests" / "_state_probe.py"
    try:
        tmp.write_text("x = getattr(request.app.state, 'urls', None)\ny = scope['app'].state\n", encoding="utf-8")
        assert len(_untyped_state(tmp)) == 3
    finally:
        tmp.unlink()


def test_the_http_layer_keeps_its_release_in_one_typed_context() -> None:
    """Everything per release is a typed field of ``kg.web.context.ReleaseContext``,
    reached through ``context(request)`` (or ``current(app)``); only that module
    touches ``app.state``, and no handler makes a cache with ``getattr``/``setattr``."""
    found = {name: hits for name, path in MODULES.items() if name != "kg.web.context" and (hits := _untyped_state(path))}
    assert not found, f"untyped per-release state outside kg.web.context: {found}"
