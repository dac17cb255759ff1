"""`ocifake serve` started as a user starts it: the installed console script, a fresh process, HTTPS."""

import json
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
        process.terminate()
        process.wait(timeout=30)
