"""docs/development.md describes the layout that is there: every path it names exists, every
service package of the fake is named, and its links resolve."""

import re
from fnmatch import fnmatch
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "development.md"
SKIP = {".venv", "build", ".git", "node_modules", ".terraform"}


def _paths() -> set[str]:
    found = set()
    for path in ROOT.rglob("*"):
        parts = path.relative_to(ROOT).parts
        if SKIP.intersection(parts) or any(p.endswith(".egg-info") for p in parts):
            continue
        rel = "/".join(parts)
        found.add(rel + ("/" if path.is_dir() else ""))
    return found


def _layout_rows() -> list[str]:
    text = PAGE.read_text()
    table = text.split("## Layout", 1)[1].split("\n## ", 1)[0]
    return [line for line in table.splitlines() if line.startswith("| `")]


def test_every_file_and_folder_the_layout_names_exists():
    paths = _paths()
    named = {t for row in _layout_rows() for t in re.findall(r"`([^`\s]+)`", row)}
    files = {t for t in named if re.search(r"(/|\.py|\.json|\.tf|\.yaml|\.toml)$", t)}
    missing = sorted(t for t in files if not any(fnmatch(p, t) or fnmatch(p, "*/" + t) for p in paths))
    assert not missing, f"docs/development.md names what is not there: {missing}"


def test_every_service_package_of_the_fake_is_named():
    row = next(r for r in _layout_rows() if r.startswith("| `ocifake/`"))
    packages = sorted(p.parent.name for p in (ROOT / "ocifake/src/ocifake").glob("*/service.py"))
    assert packages and all(f"`{p}/`" in row for p in packages), packages


def test_links_resolve_from_the_page_s_folder():
    for target in re.findall(r"\]\(([^)#\s]+)", PAGE.read_text()):
        if "://" not in target:
            assert (PAGE.parent / target).exists(), target


def test_every_module_and_package_of_the_function_is_named():
    row = next(r for r in _layout_rows() if r.startswith("| `functions/`"))
    package = ROOT / "functions" / "replicator"
    names = {p.name for p in package.glob("*.py") if p.name != "__init__.py"}
    names |= {f"{p.name}/" for p in package.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    missing = sorted(n for n in names if f"`{n}`" not in row and f"`{n[:-1]}/" not in row)
    assert not missing, f"docs/development.md does not say what these are: {missing}"
