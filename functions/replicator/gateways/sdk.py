"""The oci SDK, loaded part by part on first use instead of all at `import oci`.

`import oci` runs the package's `__init__`: every signer, the pagination helpers (and
through them the DNS service), the FIPS switch; and a service package's `__init__` imports
all its clients and every model (728 of them for Compute) to build the table the SDK
deserializes with. A function uses a few clients and a few dozen models.

Here the packages the function uses are registered without running their `__init__`: a
name is imported when it is first used, and a service's type mapping (the SDK's table of
model name to class) resolves a name when the SDK first looks it up. That relies on the
layout of those `__init__` files (imports only, plus, in the root, the FIPS switch and
the table of lazily imported services) and on how `BaseClient` merges type mappings;
`layout_problems()` says what no longer fits. When something does not fit, or when FIPS
mode would act (it patches the crypto library as `oci` is imported), or when `oci` is
already imported, `oci` is imported as usual.
"""

import ast
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

# The packages whose __init__ the function skips; their other modules load as usual.
LAZY_PACKAGES = (
    "oci",
    "oci.auth",
    "oci.auth.signers",
    "oci.core",
    "oci.core.models",
    "oci.object_storage",
    "oci.object_storage.models",
    "oci.ons",
    "oci.ons.models",
    "oci.work_requests",
    "oci.work_requests.models",
    "oci.monitoring",
    "oci.monitoring.models",
)
FIPS_VARIABLES = ("FIPS_LIBCRYPTO_PATH", "OCI_PYTHON_SDK_FIPS_LIBCRYPTO_PATH")
MERGE_CALL = "merge_type_mappings(self.primitive_type_map, type_mapping)"

Target = tuple[str, str | None]  # (module to import, attribute of it, or None for the module itself)
status = "not installed"


class LayoutChanged(Exception):
    """The installed oci is not laid out as the loader expects."""


class LazyTypeMapping(dict):
    """A model name -> class table that imports a model the first time the SDK asks for it."""

    def __init__(self, pending: dict[str, Target] | None = None):
        super().__init__()
        self._pending = dict(pending or {})

    def __missing__(self, name: str) -> Any:
        if name not in self._pending:
            raise KeyError(name)
        module, attr = self._pending.pop(name)
        value = getattr(importlib.import_module(module), attr) if attr else importlib.import_module(module)
        self[name] = value
        return value

    def __contains__(self, name: object) -> bool:
        return dict.__contains__(self, name) or name in self._pending

    def get(self, name: Any, default: Any = None) -> Any:
        # dict.get bypasses __missing__: resolve a pending name as indexing would.
        try:
            return self[name]
        except KeyError:
            return default

    def absorb(self, other: dict) -> None:
        if isinstance(other, LazyTypeMapping):
            self._pending.update(other._pending)
        dict.update(self, other)


def merge_type_mappings(*dictionaries: dict) -> LazyTypeMapping:
    """BaseClient's merge of type tables, keeping lazy entries lazy (its own copies them eagerly)."""
    merged = LazyTypeMapping()
    for dictionary in dictionaries:
        merged.absorb(dictionary)
    return merged


class LazyPackage(types.ModuleType):
    """A package whose `__init__` is not run: its names are imported on first use."""

    def __init__(
        self, name: str, directory: Path, names: dict[str, Target] | None, mappings: dict[str, dict[str, Target]] | None
    ):
        super().__init__(name)
        self.__path__ = [str(directory)]
        self.__file__ = str(directory / "__init__.py")
        self.__package__ = name
        spec = importlib.machinery.ModuleSpec(name, None, is_package=True)
        spec.submodule_search_locations = [str(directory)]
        self.__spec__ = spec
        self._names = names
        self._mappings = mappings

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        if self._names is None or self._mappings is None:
            # A models package: its (long) layout is read the first time one of its names is used.
            self._names, self._mappings = read_layout(self.__name__, Path(str(self.__file__)))
        if name in self._mappings:
            value: Any = LazyTypeMapping(self._mappings[name])
        elif name in self._names:
            module, attr = self._names[name]
            value = getattr(importlib.import_module(module), attr) if attr else importlib.import_module(module)
        else:
            raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")
        setattr(self, name, value)
        return value


# ----- reading the layout ------------------------------------------------------------------------
def _root() -> Path:
    spec = importlib.util.find_spec("oci")
    if spec is None or not spec.submodule_search_locations:
        raise LayoutChanged("oci is not installed as a package")
    return Path(next(iter(spec.submodule_search_locations)))


def _directory(root: Path, package: str) -> Path:
    return root.joinpath(*package.split(".")[1:])


def _imports(package: str, node: ast.ImportFrom, names: dict[str, Target]) -> None:
    if node.module == "__future__":
        return
    if node.level != 1:
        raise LayoutChanged(f"{package}: absolute import at line {node.lineno}")
    for alias in node.names:
        local = alias.asname or alias.name
        if node.module:
            names[local] = (f"{package}.{node.module}", alias.name)
        else:
            names[local] = (f"{package}.{alias.name}", None)


def _root_extras(node: ast.AST, names: dict[str, Target]) -> bool:
    """What the root __init__ may hold besides imports: `import os, sys`, the FIPS call, the service table."""
    if isinstance(node, ast.Import) and {a.name for a in node.names} <= {"os", "sys"}:
        return True
    if (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Call)
        and ast.unparse(node.value) == "fips.enable_fips_mode()"
    ):
        return True
    if isinstance(node, ast.If):
        for inner in ast.walk(node):
            if isinstance(inner, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "__all__" for t in inner.targets
            ):
                if not isinstance(inner.value, ast.List):
                    raise LayoutChanged("oci: __all__ is not a list")
                for item in inner.value.elts:
                    if isinstance(item, ast.Constant) and isinstance(item.value, str) and item.value not in names:
                        names[item.value] = (f"oci.{item.value}", None)
        return True
    return False


def read_layout(package: str, init: Path) -> tuple[dict[str, Target], dict[str, dict[str, Target]]]:
    """The names a package's `__init__` offers and its type mappings, or LayoutChanged."""
    tree = ast.parse(init.read_text(), str(init))
    names: dict[str, Target] = {}
    mappings: dict[str, dict[str, Target]] = {}
    for node in tree.body:
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            continue
        if isinstance(node, ast.ImportFrom):
            _imports(package, node, names)
            continue
        if isinstance(node, ast.Try) and node.body and all(isinstance(inner, ast.ImportFrom) for inner in node.body):
            # An optional import (its handler tolerates a missing extra): imported on use, if used.
            for inner in node.body:
                _imports(package, inner, names)  # type: ignore[arg-type]
            continue
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            target = node.targets[0].id
            if target == "__all__":
                continue
            if target.endswith("_type_mapping") and isinstance(node.value, ast.Dict):
                table: dict[str, Target] = {}
                for key, value in zip(node.value.keys, node.value.values, strict=False):
                    if not (
                        isinstance(key, ast.Constant)
                        and isinstance(key.value, str)
                        and isinstance(value, ast.Name)
                        and value.id in names
                    ):
                        raise LayoutChanged(f"{package}: {target} holds something other than imported names")
                    table[key.value] = names[value.id]
                mappings[target] = table
                continue
        if package == "oci" and _root_extras(node, names):
            continue
        raise LayoutChanged(f"{package}: unexpected {type(node).__name__} at line {node.lineno} of {init.name}")
    return names, mappings


def _scan_models(init: Path) -> str | None:
    """A quick look at a models package's __init__ (imports, `__all__`, one type mapping); None if it fits.

    The full parse waits for the first use of the package (read_layout); the guard test runs it on all.
    """
    in_mapping = False
    for number, line in enumerate(init.read_text().splitlines(), 1):
        if not line or line.startswith("#") or line.startswith("from .") or line.startswith("from __future__ "):
            continue
        if in_mapping:
            in_mapping = line != "}"
            if in_mapping and not line.startswith("    "):
                return f"unexpected line {number} in its type mapping"
            continue
        if line.endswith("_type_mapping = {"):
            in_mapping = True
            continue
        if line.startswith("__all__"):
            continue
        return f"unexpected line {number} of __init__.py"
    return None


def read_layouts(
    thorough: bool = False,
) -> tuple[dict[str, tuple[dict[str, Target] | None, dict[str, dict[str, Target]] | None]], list[str]]:
    """Every lazy package's layout (a models package's is read on first use), and what does not fit the loader."""
    layouts: dict = {}
    problems: list[str] = []
    try:
        root = _root()
    except LayoutChanged as exc:
        return layouts, [str(exc)]
    for package in LAZY_PACKAGES:
        init = _directory(root, package) / "__init__.py"
        if not init.exists():
            problems.append(f"{package}: no __init__.py")
            continue
        try:
            if package.endswith(".models") and not thorough:
                problem = _scan_models(init)
                if problem:
                    raise LayoutChanged(f"{package}: {problem}")
                layouts[package] = (None, None)
            else:
                layouts[package] = read_layout(package, init)
        except (LayoutChanged, SyntaxError) as exc:
            problems.append(str(exc))
    base_client = root / "base_client.py"
    text = base_client.read_text() if base_client.exists() else ""
    if "def merge_type_mappings(" not in text or text.count(MERGE_CALL) != 1 or text.count("merge_type_mappings(") != 2:
        problems.append("oci.base_client no longer merges type mappings as the loader expects")
    return layouts, problems


def layout_problems() -> list[str]:
    """What in the installed oci does not fit the loader (empty: it fits), every file read in full."""
    return read_layouts(thorough=True)[1]


# ----- installing --------------------------------------------------------------------------------
def install(
    environ: dict[str, str] | None = None, import_oci: Callable[[], Any] | None = None, modules: dict | None = None
) -> str:
    """Register the lazy packages (or import oci as usual); return which of the two happened and why."""
    global status
    environ = dict(os.environ) if environ is None else environ
    import_oci = import_oci or (lambda: importlib.import_module("oci"))
    modules = sys.modules if modules is None else modules
    if "oci" in modules:
        status = "normal: oci was already imported"
        return status
    if any(environ.get(v) for v in FIPS_VARIABLES):
        import_oci()
        status = "normal: FIPS mode"
        return status
    layouts, problems = read_layouts()
    if problems:
        import_oci()
        status = f"normal: {problems[0]}"
        return status
    root = _root()
    packages = {}
    for package in LAZY_PACKAGES:
        names, mappings = layouts[package]
        packages[package] = LazyPackage(package, _directory(root, package), names, mappings)
    modules.update(packages)
    for package, module in packages.items():
        parent, _, child = package.rpartition(".")
        if parent in packages:
            setattr(packages[parent], child, module)
    # BaseClient brings the whole HTTP stack: patch it when the first client needs it, not now.
    sys.meta_path.insert(0, _AfterImport("oci.base_client", _lazy_merges))
    status = "lazy"
    return status


def _lazy_merges(base_client: types.ModuleType) -> None:
    base_client.merge_type_mappings = merge_type_mappings  # type: ignore[attr-defined]


class _AfterImport(importlib.abc.MetaPathFinder):
    """Runs `then(module)` right after `name` is imported, whoever imports it."""

    def __init__(self, name: str, then: Callable[[types.ModuleType], None]):
        self._name, self._then = name, then

    def find_spec(self, fullname, path, target=None):
        if fullname != self._name:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:
            return None
        original, then = spec.loader.exec_module, self._then

        def exec_module(module):
            original(module)
            then(module)

        spec.loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec
