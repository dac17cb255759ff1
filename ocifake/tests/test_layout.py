"""The fake's packages import downwards only: no circle, not even through imports made for types.

A service's backend is typed against `core.platform.Platform`, never against `FakeCloud`, so
the cloud that gathers the services is the only module that knows them all.
"""

import ast
from pathlib import Path

import ocifake

ROOT = Path(ocifake.__file__).parent


def _name(path: Path) -> str:
    parts = ("ocifake", *path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_name(p): p for p in ROOT.rglob("*.py") if "bootstrap" not in p.parts}


def _imports(name: str) -> set[str]:
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):  # TYPE_CHECKING blocks included
        if isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
            target = (f"{base}.{node.module}" if node.module else base) if node.level else node.module or ""
            found |= {target, *(f"{target}.{alias.name}" for alias in node.names)}
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return {m for m in found if m in MODULES} - {name}


GRAPH = {name: _imports(name) for name in MODULES}


def _reach(start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for nxt in GRAPH[todo.pop()] - seen:
            seen.add(nxt)
            todo.append(nxt)
    return seen


def test_no_module_of_the_fake_reaches_itself_through_its_imports():
    # The package's own __init__ is its public face: it gathers, and nothing inside imports it.
    assert sorted(name for name in MODULES if name != "ocifake" and name in _reach(name)) == []


def test_no_service_imports_the_cloud_that_gathers_them():
    services = [name for name in MODULES if name.count(".") >= 2 and not name.startswith("ocifake.core.")]
    assert sorted(name for name in services if "ocifake.cloud" in GRAPH[name]) == []
