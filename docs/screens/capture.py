"""Capture the operator CLI's screens from a real terminal (tmux) at 80 and 120 columns.

    python docs/screens/capture.py            # rewrite the committed screens in docs/screens/
    python docs/screens/capture.py --out DIR  # write them elsewhere (the test compares the two)

Each screen is the installed `image-replicator` console script run in a fresh tmux window of
that size against the embedded fake cloud (`--fake`), captured as the terminal shows it. A
layout change shows up in review as a change of these files.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
WIDTHS = (80, 120)
HEIGHT = 60
SCREENS = {
    "status": ["--fake", "status"],
    "status-in-flight": ["--fake", "--in-flight", "status"],
    "summary": ["--fake", "status", "--summary"],
    "plan": ["--fake", "plan"],
    "demo": ["demo"],
}


def console_script() -> str:
    found = Path(sys.executable).parent / "image-replicator"
    return str(found) if found.exists() else shutil.which("image-replicator") or "image-replicator"


def capture(argv: list[str], width: int, height: int = HEIGHT) -> str:
    """What a `width`-column terminal shows once the command has run (the demo: its last screens)."""
    session = f"screens-{uuid.uuid4().hex[:8]}"
    done = f"{session}-done"
    command = " ".join(shlex.quote(a) for a in [console_script(), *argv])
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OCI_", "IR_", "TMUX"))}
    # The same screens on every run: set iteration orders fixed (the clock already starts on a fixed minute).
    env |= {"TERM": "xterm-256color", "COLUMNS": str(width), "LINES": str(height), "PYTHONHASHSEED": "0"}
    script = f"{command}; tmux wait-for -S {done}; sleep 3600"
    socket = ["-L", session]  # a server of its own: nothing of the caller's tmux is touched
    subprocess.run(
        ["tmux", *socket, "-f", "/dev/null", "new-session", "-d", "-s", session, "-x", str(width), "-y", str(height)],
        env=env,
        check=True,
    )
    try:
        subprocess.run(["tmux", *socket, "set-option", "-t", session, "history-limit", "5000"], check=True)
        subprocess.run(["tmux", *socket, "respawn-pane", "-k", "-t", session, "sh", "-c", script], env=env, check=True)
        subprocess.run(["tmux", *socket, "wait-for", done], check=True, timeout=300)
        shown = subprocess.run(
            ["tmux", *socket, "capture-pane", "-p", "-t", session, "-S", "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    finally:
        subprocess.run(["tmux", *socket, "kill-server"], check=False, capture_output=True)
    lines = [line.rstrip() for line in shown.splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines) + "\n"


def capture_all(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, argv in SCREENS.items():
        for width in WIDTHS:
            path = out / f"{name}-{width}.txt"
            path.write_text(capture(argv, width))
            written.append(path)
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="where to write the screens (default: docs/screens)")
    args = parser.parse_args()
    if shutil.which("tmux") is None:
        print("tmux is not installed: the screens are captured from a real terminal", file=sys.stderr)
        return 1
    for path in capture_all(args.out):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
