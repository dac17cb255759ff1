"""Cold start and memory of the function, as the Fn container starts it, against a bare `import oci`."""

import json
import re
import subprocess
import sys
import tempfile
import time

from ocifake import FakeCloud
from ocifake.functions.fdk_process import FdkProcess as FdkFunction
from replicator.rules import REPO_ROOT
from replicator.sandbox import FUNC_ENTRY

from .scenarios import SOURCE

# VmHWM, not ru_maxrss: the latter keeps the parent's size from before exec.
_PEAK = "import sys; print(next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM')) / 1024, file=sys.stderr)"


def bare_import_oci() -> dict:
    """The floor: a Python process that only imports the SDK."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", f"import oci; {_PEAK}"], capture_output=True, text=True, check=True)
    return {"seconds": time.perf_counter() - started, "peak_rss_mb": float(done.stderr.strip().splitlines()[-1])}


def function_first_answer(*, with_cloud_call: bool) -> dict:
    """Start `fdk func.py handler` and time it until it answers its first event.

    Without a cloud call the event is one the handler rejects by itself, and the process runs
    without ocifake's interception: the production path exactly. With a cloud call the first
    event is a real image event, answered through the fake (whose interception adds its import).
    """
    with FakeCloud(regions=[SOURCE]) as cloud:
        compartment = cloud.create_compartment("images")
        image = cloud.create_image(SOURCE, compartment, "plain")
        cloud.run_until_idle()
        fn = FdkFunction(cloud, SOURCE, str(FUNC_ENTRY), "handler", {}, "coldstart", endpoint="" if not with_cloud_call else _loopback(cloud), workdir=tempfile.mkdtemp(dir=cloud._tmp))
        started = time.perf_counter()
        fn.start()
        if with_cloud_call:
            event = json.loads((REPO_ROOT / "events" / "samples" / "image-created.json").read_text())
            event["data"]["resourceId"] = image.id
            reply = fn(event)
        else:
            reply = fn.invoke(b"{}")
        seconds = time.perf_counter() - started
        peak = fn.peak_rss_mb()
        fn.stop()
        return {"seconds": seconds, "peak_rss_mb": peak, "status": reply.status}


def _loopback(cloud) -> str:
    from ocifake.functions.loopback import LoopbackServer

    server = LoopbackServer(cloud)
    server.start()
    cloud._loopback = server
    return server.url


def import_breakdown(top: int = 6) -> list[tuple[str, float]]:
    """Where the handler's import time goes: each module's own time, summed by top-level package."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", "import replicator.handler"], capture_output=True, text=True, check=True)
    totals: dict[str, float] = {}
    for line in done.stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+\d+ \|\s*(\S+)", line)
        if match:
            package = match.group(2).split(".")[0]
            totals[package] = totals.get(package, 0.0) + int(match.group(1)) / 1e6
    return sorted(totals.items(), key=lambda kv: kv[1], reverse=True)[:top]
