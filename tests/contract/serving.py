"""`ocifake serve` started as a user starts it: the installed console script, a fresh process, HTTPS."""

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SERVER = Path(sys.executable).parent / "ocifake"


@contextmanager
def served(folder: Path, regions: str, *extra: str) -> Iterator[dict]:
    """The server for `regions` (comma-separated), its clock frozen, writing its config into `folder`;
    what it printed when ready (port, config file, CA bundle, tenancy, namespace). `extra`: more
    arguments of `ocifake serve` (`--image`, say)."""
    process = subprocess.Popen(
        [str(SERVER), "serve", "--regions", regions, "--tls", "--speed", "0", "--dir", str(folder), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line, process.stderr.read() if process.stderr else "no output"
        yield json.loads(line)
    finally:
        started = {pid: command(pid) for pid in descendants(process.pid)}  # the functions' fdk processes
        process.terminate()  # SIGTERM, as `kill` or a service manager stops it
        process.wait(timeout=30)
        left = [line for pid, line in started.items() if alive(pid) and command(pid) == line]
        assert not left, f"processes outlived `ocifake serve`: {left}"


def _parents() -> dict[int, int]:
    found = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            found[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])  # the field after the state
    return found


def descendants(pid: int) -> list[int]:
    """Every process `pid` started, and theirs (Linux's /proc; none where there is no /proc)."""
    if not os.path.isdir("/proc"):
        return []
    parents, found, todo = _parents(), [], [pid]
    while todo:
        of = todo.pop()
        children = [child for child, parent in parents.items() if parent == of]
        found += children
        todo += children
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has ended; only its exit status is left to collect


def command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()[:200]
    except OSError:
        return str(pid)
