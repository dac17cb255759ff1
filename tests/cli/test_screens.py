"""The committed screens (docs/screens/, captured from a real terminal by docs/screens/capture.py):
at 80 columns every row of status, status --summary and plan says whose it is, its state and
where; and the script, run again, draws the same screens."""

import importlib.util
import re
import shutil
from pathlib import Path

import pytest

from replicator.regions import is_region

SCREENS = Path(__file__).resolve().parents[2] / "docs" / "screens"
NAMES = {"web-server", "batch-worker", "vendor-appliance", "scratch-build"}
STATES = ("done", "failed:", "export", "copy", "import", "finish", "pending", "deleted", "retired", "skipped")


def screen(name: str) -> list[str]:
    return (SCREENS / name).read_text().splitlines()


def table_rows(lines: list[str]) -> list[list[str]]:
    """The rows under a table's rule, up to the blank line that ends it."""
    start = next(i for i, line in enumerate(lines) if line.strip().startswith("─")) + 1
    rows = []
    for line in lines[start:]:
        if not line.strip():
            break
        rows.append(line.split())
    return rows


@pytest.mark.parametrize("name", ["status-80.txt", "status-in-flight-80.txt"])
def test_at_80_columns_every_status_row_shows_the_image_its_region_and_its_state(name):
    rows = table_rows(screen(name))
    assert len(rows) == 4
    for row in rows:
        assert row[0] in NAMES and is_region(row[1]) and row[2].startswith(STATES), row
    assert all(len(line) <= 80 for line in screen(name))


def test_at_80_columns_every_summary_line_shows_the_image_its_state_and_its_regions():
    states = (["PROTECTED"], ["GIVEN_UP"], ["LAGGING"])
    lines = [line for line in screen("summary-80.txt") if line.split()[:1] in states]
    assert len(lines) == 3
    for line in lines:
        words = line.replace(",", " ").split()
        assert words[1] in NAMES and any(is_region(w) for w in words[2:]), line
    assert all(len(line) <= 80 for line in screen("summary-80.txt"))


def test_at_80_columns_every_plan_row_shows_the_image_its_decision_and_its_targets_or_reason():
    rows = table_rows(screen("plan-80.txt"))
    assert {r[0] for r in rows} == NAMES
    for row in rows:
        decision = " ".join(row[1:4]) if row[1] == "not" else row[1]
        rest = row[4:] if row[1] == "not" else row[2:]
        assert decision in ("replicate", "skip", "not opted in") and rest, row
        assert decision != "replicate" or all(is_region(r.rstrip(",")) for r in rest), row


def _masked(text: str, name: str) -> list[str]:
    """A screen as compared: digits as '#' (which copy starts first, and so every time after it,
    is a race between two threads); the demo from its final table on (before it, the order of
    the regions' progress lines follows the same race)."""
    lines = text.splitlines()
    if name.startswith("demo-"):
        lines = lines[next(i for i, line in enumerate(lines) if line.startswith("Replication status after")) :]
    return [re.sub(r"\d+", "#", line) for line in lines]


@pytest.mark.contract
@pytest.mark.skipif(shutil.which("tmux") is None, reason="the screens are captured from a real terminal (tmux)")
def test_the_capture_script_draws_the_committed_screens(tmp_path):
    spec = importlib.util.spec_from_file_location("capture", SCREENS / "capture.py")
    assert spec and spec.loader
    capture = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(capture)
    written = capture.capture_all(tmp_path)
    assert {p.name for p in written} == {p.name for p in SCREENS.glob("*.txt")}
    for path in written:
        assert _masked(path.read_text(), path.name) == _masked((SCREENS / path.name).read_text(), path.name), (
            f"docs/screens/{path.name} is stale: run python docs/screens/capture.py"
        )
