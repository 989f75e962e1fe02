"""The package's structure: data flows one way, with no import cycle, and no module or function
grows past its limits.

Layers, from the bottom up (a module may import modules of its own layer or below, never above):

    declarations  timeline, parameters, outputs, targets, data, version
    mechanisms    mechanisms.*         pure rules on plain numbers and small state objects
    world         world, interventions, history, scenario
    agents        agents.*             decisions, through their own instruments or model.act
    observers     observe              what a run reports, read-only
    model         model                the order of events in a month
    runs          runs, compare, progress, docgen
    charts        charts.*             chart descriptions shared by the app and the classroom
    interfaces    cli, ui.*, classroom.*, sweeps.*, validation.*, handouts

Imports under ``if TYPE_CHECKING:`` are annotations only and are not counted.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "magnetdiplomacy"
PACKAGE = "magnetdiplomacy"

LAYERS = {
    "declarations": ("timeline", "parameters", "outputs", "targets", "data", "version", "lazy"),
    "mechanisms": ("mechanisms",),
    "world": ("world", "interventions", "history", "scenario"),
    "agents": ("agents",),
    "observers": ("observe",),
    "model": ("model",),
    "runs": ("runs", "compare", "progress", "docgen", "attribution"),
    "charts": ("charts",),
    "interfaces": ("cli", "ui", "classroom", "sweeps", "validation", "handouts", "inference"),
}
LAYER_RANK = {name: rank for rank, name in enumerate(LAYERS)}
RANK = {top: LAYER_RANK[name] for name, tops in LAYERS.items() for top in tops}
# Limits of size (lines); modules or functions over them must be listed here with a reason.
MODULE_LINES = 500
FUNCTION_LINES = 60


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(SRC.rglob("*.py"))}


def _type_checking_block(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def _resolve(module: str, node: ast.ImportFrom | ast.Import, is_package: bool, known: set[str]) -> list[str]:
    """Modules an import statement loads: ``from x import y`` loads ``x.y`` if that is a module,
    else ``x``."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level == 0:
        base = node.module or ""
    else:
        parts = module.split(".")
        keep = len(parts) - node.level + (1 if is_package else 0)
        base = ".".join(parts[:keep] + ([node.module] if node.module else []))
    return [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]


def imports(module: str, path: Path, known: set[str]) -> set[str]:
    """Package modules ``module`` imports at run time (anywhere in the file, TYPE_CHECKING excluded)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip: set[int] = set()
    for node in ast.walk(tree):
        if _type_checking_block(node):
            skip |= {id(child) for child in ast.walk(node)}
    found = set()
    for node in ast.walk(tree):
        if id(node) in skip or not isinstance(node, ast.Import | ast.ImportFrom):
            continue
        for name in _resolve(module, node, path.name == "__init__.py", known):
            if name in known and name != module:
                found.add(name)
    return found


@pytest.fixture(scope="module")
def graph() -> nx.DiGraph:
    found = modules()
    known = set(found)
    g = nx.DiGraph()
    for module, path in found.items():
        g.add_node(module)
        for target in imports(module, path, known):
            g.add_edge(module, target)
    return g


def layer(module: str) -> int:
    parts = module.split(".")
    if len(parts) == 1:  # the package itself
        return LAYER_RANK["interfaces"]
    return RANK[parts[1]]


def test_every_module_has_a_layer():
    unknown = [m for m in modules() if m != PACKAGE and m.split(".")[1] not in RANK]
    assert unknown == []


def test_no_import_cycle(graph):
    cycles = list(nx.simple_cycles(graph))
    assert cycles == []


def test_nothing_imports_a_layer_above_it(graph):
    upward = [(a, b) for a, b in graph.edges if a != PACKAGE and layer(b) > layer(a)]
    assert upward == []


def test_mechanisms_import_only_declarations_and_each_other(graph):
    allowed = {LAYER_RANK["declarations"], LAYER_RANK["mechanisms"]}
    wrong = [(a, b) for a, b in graph.edges if a.startswith(f"{PACKAGE}.mechanisms") and layer(b) not in allowed]
    assert wrong == []


def test_agents_act_through_the_model_not_the_action_registry(graph):
    wrong = [
        (a, b)
        for a, b in graph.edges
        if a.startswith(f"{PACKAGE}.agents") and b.split(".")[1] in ("interventions", "scenario", "history", "model")
    ]
    assert wrong == []


def _top(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_the_app_and_the_classroom_do_not_import_each_other(graph):
    wrong = [(a, b) for a, b in graph.edges if {_top(a), _top(b)} == {"ui", "classroom"}]
    assert wrong == []


def _long_functions(path: Path) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = node.end_lineno - node.lineno + 1
            if length > FUNCTION_LINES:
                out.append((node.name, length))
    return out


def test_no_module_over_the_limit():
    long = {
        module_name(p): n
        for p in SRC.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MODULE_LINES
    }
    assert long == {}


def test_no_function_over_the_limit():
    long = {module_name(p): found for p in SRC.rglob("*.py") if (found := _long_functions(p))}
    assert long == {}
