"""The layout is the flow (docs/ARCHITECTURE.md): records → judge → render → cli, read from
the source itself. Every import counts, those inside functions included."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "duchu"

# Layers from the bottom up; a module may import its own layer and the ones below it.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("base", ("duchu", "duchu.problems", "duchu.errors", "duchu.messages", "duchu.paths")),
    ("base", ("duchu.platform", "duchu.answers")),
    ("git", ("duchu.git",)),
    ("records", ("duchu.records",)),
    ("judge", ("duchu.judge",)),
    ("render", ("duchu.render",)),
    ("hooks", ("duchu.hooks",)),
    ("cli", ("duchu.cli", "duchu.launch", "duchu.__main__")),
]
ORDER = ["base", "git", "records", "judge", "render", "hooks", "cli"]
# what a renderer may take from the records: their types and how their dates are written,
# never reading, loading or checking
RENDER_MAY_USE_FROM_RECORDS = ("duchu.records.models", "duchu.records.dates")


def layer_of(module: str) -> str:
    best = ("", "")
    for layer, prefixes in LAYERS:
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > len(best[1]):
                best = (layer, prefix)
    assert best[0], f"{module} belongs to no layer"
    return best[0]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path) -> Iterator[tuple[int, str, list[str]]]:
    """(line, module imported, names taken from it) for every import in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = (
        module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    )
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("duchu"):
                    yield node.lineno, alias.name, []
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            if target.startswith("duchu"):
                names = [alias.name for alias in node.names]
                # "from duchu.judge import status" imports the module duchu.judge.status
                yield node.lineno, target, names


def sources() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_every_module_has_a_layer() -> None:
    for path in sources():
        layer_of(module_name(path))


@pytest.mark.parametrize("path", sources(), ids=lambda p: str(p.relative_to(PACKAGE.parent)))
def test_imports_run_one_way(path: Path) -> None:
    """cli → hooks → render → judge → records → git → base; nothing imports upward."""
    here = module_name(path)
    mine = ORDER.index(layer_of(here))
    wrong = []
    for line, target, names in imports(path):
        theirs = ORDER.index(layer_of(target))
        if theirs > mine:
            wrong.append(f"{path.name}:{line} imports {target} ({layer_of(target)})")
        reads_records = layer_of(here) == "render" and layer_of(target) == "records"
        if reads_records and not target.startswith(RENDER_MAY_USE_FROM_RECORDS):
            wrong.append(f"{path.name}:{line}: a renderer reads records ({target})")
        if layer_of(here) == "render" and layer_of(target) == "judge":
            # a renderer takes judged values and their types, never a judging function
            called = [n for n in names if n[:1].islower() and not n.isupper()]
            if called:
                wrong.append(f"{path.name}:{line}: a renderer judges ({target}: {called})")
    assert wrong == []


def test_no_import_cycle_between_modules() -> None:
    graph: dict[str, set[str]] = {}
    known = {module_name(p) for p in sources()}
    for path in sources():
        edges = graph.setdefault(module_name(path), set())
        for _line, target, names in imports(path):
            for candidate in [f"{target}.{n}" for n in names] + [target]:
                if candidate in known and candidate != module_name(path):
                    edges.add(candidate)
                    break
    # packages' __init__ may gather their modules; only module-to-module cycles count
    seen: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        seen[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if seen.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in seen:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        seen[node] = 2
        return None

    for node in sorted(graph):
        if node not in seen:
            cycle = visit(node)
            assert cycle is None, " → ".join(cycle)


MAX_MODULE_LINES = 800


@pytest.mark.parametrize("path", sources(), ids=lambda p: str(p.relative_to(PACKAGE.parent)))
def test_no_module_over_800_lines(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_MODULE_LINES, f"{path.name} has {lines} lines"


def test_a_command_body_is_short() -> None:
    """cli/ modules parse, call, render, exit: no function there over 40 lines of body."""
    long = []
    for path in sorted((PACKAGE / "cli").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and node.body:
                first = node.body[0]
                # the body starts after the docstring, the signature is not the body
                if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                    start = node.body[1].lineno if len(node.body) > 1 else first.end_lineno
                else:
                    start = first.lineno
                lines = (node.end_lineno or start) - (start or 0) + 1
                if lines > 40:
                    long.append(f"{path.name}:{node.name} ({lines} lines)")
    assert long == []
