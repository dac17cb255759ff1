"""The function package's layers, read from its imports: they only go down.

From the top: the router and the pass (`reconcile/`), the registry, the steps, the engine and
what steps share, then records, gateways and the pure modules. The planner decides from
observations and configuration alone; only `gateways/` talks to the SDK.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "functions" / "replicator"
PACKAGE = "replicator"


def _module_name(path: Path) -> str:
    parts = (PACKAGE, *path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in ROOT.rglob("*.py")}


def _imports(name: str) -> set[str]:
    """Every module `name` imports, at its top or inside a function, that is also of the package, or `oci`."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)
    ours = {m for m in found if m in MODULES}
    sdk = {"oci"} if any(m == "oci" or m.startswith("oci.") for m in found) else set()
    return (ours | sdk) - {name}


GRAPH = {name: _imports(name) for name in MODULES}


def _reach(start: str, graph: dict[str, set[str]] = GRAPH) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for nxt in graph.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def _faces(name: str) -> bool:
    """A package's `__init__` that only describes it (imports nothing) ties nothing together."""
    return MODULES[name].name == "__init__.py"


def test_the_function_package_has_no_import_circle():
    circles = sorted(name for name in MODULES if not _faces(name) and name in _reach(name))
    assert circles == []


def _room(name: str) -> str:
    """A top-level module, or a subpackage taken whole (`gateways`, `records`, `steps`, ...)."""
    return name.split(".")[1] if name != PACKAGE else name


def test_the_subpackages_taken_whole_have_no_import_circle_either():
    """Layers run through folders too: `gateways/` below what it serves, `records/` below the steps.

    Two units (a top-level module, or a subpackage taken whole) that reach each other would make
    the arrows between them run both ways."""
    rooms: dict[str, set[str]] = {}
    for name, imported in GRAPH.items():
        rooms.setdefault(_room(name), set()).update(_room(m) for m in imported if m != "oci")
    for room, imported in rooms.items():
        imported.discard(room)
    assert sorted(room for room in rooms if room in _reach(room, rooms)) == []


# The SDK's table of region names, read as data: names are checked with it everywhere, no call is made.
REGION_NAMES = "replicator.regions"


def test_the_planner_decides_from_observations_and_configuration_alone():
    reached = _reach("replicator.reconcile.plan") - {REGION_NAMES}
    forbidden = sorted(
        m
        for m in reached
        if m == "oci"
        or m.startswith(("replicator.steps", "replicator.gateways", "replicator.reconcile.run"))
        or m in ("replicator.engine", "replicator.runtime", "replicator.registry", "replicator.reconcile.observe")
    )
    assert forbidden == []


@pytest.mark.parametrize("name", sorted(n for n in MODULES if not n.startswith("replicator.gateways")))
def test_only_the_gateways_import_the_sdk(name):
    assert "oci" not in GRAPH[name]


def test_steps_import_neither_the_pass_nor_the_router_nor_the_registry():
    upward = sorted(
        (step, m)
        for step in MODULES
        if step.startswith("replicator.steps.")
        for m in GRAPH[step]
        if m.startswith(("replicator.reconcile", "replicator.router", "replicator.registry", "replicator.handler"))
    )
    assert upward == []


def test_steps_holds_steps_only():
    """Every module of `steps/` declares at least one `Step`; what steps share lives beside them."""
    for name, path in MODULES.items():
        if name.startswith("replicator.steps.") and path.name != "__init__.py":
            assert "= Step(" in path.read_text(), f"{name} declares no step"


TOOLS = Path(__file__).resolve().parents[2] / "tools" / "replicator_tools"


@pytest.mark.parametrize("path", sorted(TOOLS.rglob("*.py")), ids=lambda p: str(p.relative_to(TOOLS)))
def test_the_tools_use_the_function_through_its_public_face_only(path):
    """`replicator.api` names what the tools may use; the function's other modules may move behind it."""
    reached = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and not node.level and node.module:
            reached.add(node.module)
        elif isinstance(node, ast.Import):
            reached.update(alias.name for alias in node.names)
    inside = sorted(m for m in reached if m == PACKAGE or (m.startswith(f"{PACKAGE}.") and m != f"{PACKAGE}.api"))
    assert inside == []


def test_the_public_face_names_only_what_it_holds():
    from replicator import api

    assert sorted(api.__all__) == sorted(set(api.__all__)) and all(hasattr(api, n) for n in api.__all__)


def test_the_pass_runs_steps_through_the_registry_only():
    """What the pass and a step both need (an answer's check, an answer's move) lives beside the
    steps, so that a step is reached from the pass only by the action it declares."""
    direct = sorted(
        (module, imported)
        for module in MODULES
        if module.startswith("replicator.reconcile")
        for imported in GRAPH[module]
        if imported.startswith("replicator.steps")
    )
    assert direct == []
