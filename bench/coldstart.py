"""Cold start and memory of a function container, measured against two references in the same run.

A: `fdk functions/func.py handler`, a fresh process (http-stream over its unix socket), timed
   from spawn to its first answer (not to the socket opening), with the resource principal
   files a container has, and no fake in the process: the production path.
B: a trivial fdk handler, started and timed the same way: the fdk's own floor.
C: `python -c "import oci"`: what loading the whole SDK costs.

The three run in turns (A B C A B C …), so a slower moment of the machine hits them alike;
medians and the ratios of medians are reported. Peak memory is the process's VmHWM.
"""

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

from ocifake import FakeCloud
from ocifake.functions.fdk_process import UnixConnection

from .scenarios import SOURCE

REPO = Path(__file__).resolve().parent.parent
FUNC_ENTRY = REPO / "functions" / "func.py"  # the function image's entry file

TRIVIAL = textwrap.dedent(
    """
    from fdk import response


    def handler(ctx, data=None):
        return response.Response(ctx, response_data="ok")
    """
)
_PEAK = (
    "import sys; "
    "print(next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM')) / 1024, file=sys.stderr)"
)


def _peak_rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmHWM")) / 1024


def _call(sock_path: str, body: bytes) -> str:
    conn = UnixConnection(sock_path)
    try:
        conn.request(
            "POST",
            "/call",
            body=body,
            headers={
                "Fn-Call-Id": "bench",
                "Fn-Deadline": "2099-01-01T00:00:00.000Z",
                "Content-Type": "application/json",
            },
        )
        reply = conn.getresponse()
        return f"{reply.status} {reply.read()[:120].decode(errors='replace')}"
    finally:
        conn.close()


def first_answer(entry: str, env: dict[str, str], body: bytes = b"{}") -> dict:
    """Spawn `fdk entry handler` and time it to its first answer; its peak memory then."""
    workdir = tempfile.mkdtemp(prefix="coldstart-")
    sock_path = os.path.join(workdir, "lsnr.sock")
    fdk = shutil.which("fdk", path=os.path.dirname(sys.executable)) or "fdk"
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("OCI_", "FN_", "IR_"))}
    started = time.perf_counter()
    process = subprocess.Popen(
        [fdk, entry, "handler"],
        env={**clean, **env, "FN_FORMAT": "http-stream", "FN_LISTENER": f"unix:{sock_path}"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=os.path.dirname(entry),
    )
    try:
        while not os.path.exists(sock_path):
            if process.poll() is not None:
                raise RuntimeError(f"{entry} exited at start")
            time.sleep(0.002)  # a real process binding its socket
        reply = _call(sock_path, body)
        seconds = time.perf_counter() - started
        return {"seconds": seconds, "peak_rss_mb": _peak_rss_mb(process.pid), "answered": reply}
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


def import_oci() -> dict:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", f"import oci; {_PEAK}"], capture_output=True, text=True, check=True)
    return {"seconds": time.perf_counter() - started, "peak_rss_mb": float(done.stderr.strip().splitlines()[-1])}


def summary(values: list[dict]) -> dict:
    """Median, minimum and maximum time and median peak memory of paired samples."""
    return {
        "seconds": statistics.median(v["seconds"] for v in values),
        "seconds_min": min(v["seconds"] for v in values),
        "seconds_max": max(v["seconds"] for v in values),
        "peak_rss_mb": statistics.median(v["peak_rss_mb"] for v in values),
    }


def paired(runs: int = 7) -> dict:
    """A, B and C in turns, `runs` times each; medians and ratios."""
    with FakeCloud(regions=[SOURCE]) as cloud:
        env = {**cloud.resource_principal_env(SOURCE), "IR_NAMESPACE": cloud.namespace}
        trivial = Path(tempfile.mkdtemp(prefix="trivial-")) / "func.py"
        trivial.write_text(TRIVIAL)
        samples: dict[str, list[dict]] = {"function": [], "trivial": [], "import_oci": []}
        first_answer(str(FUNC_ENTRY), env)  # warm the file cache once, for all three alike
        for _ in range(runs):
            samples["function"].append(first_answer(str(FUNC_ENTRY), env))
            samples["trivial"].append(first_answer(str(trivial), {}))
            samples["import_oci"].append(import_oci())
    out: dict[str, Any] = {name: summary(values) for name, values in samples.items()}
    out["function"]["answered"] = samples["function"][0]["answered"]
    out["ratio_to_import_oci"] = out["function"]["seconds"] / out["import_oci"]["seconds"]
    out["ratio_to_trivial"] = out["function"]["seconds"] / out["trivial"]["seconds"]
    out["runs"] = runs
    return out


def first_real_event() -> dict:
    """A function process under the fake answering a real image event: its memory after it."""
    with FakeCloud(regions=[SOURCE]) as cloud:
        compartment = cloud.create_compartment("images")
        image = cloud.create_image(SOURCE, compartment, "plain")
        cloud.run_until_idle()
        fn = cloud.deploy_function(SOURCE, str(FUNC_ENTRY), config={"IR_NAMESPACE": cloud.namespace})
        event = json.loads((REPO / "events" / "samples" / "image-created.json").read_text())
        event["data"]["resourceId"] = image.id
        reply = fn.deliver(event)
        container = fn.containers[0]
        return {"peak_rss_mb": container.peak_rss_mb(), "status": reply.status, "result": reply.json().get("result")}


def import_breakdown(top: int = 6) -> list[tuple[str, float]]:
    """Where the handler's import time goes: each module's own time, summed by top-level package."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import replicator.handler"],
        capture_output=True,
        text=True,
        check=True,
    )
    totals: dict[str, float] = {}
    for line in done.stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[0].startswith("import time:") and parts[0].split(":")[1].strip().isdigit():
            package = parts[2].strip().split(".")[0]
            totals[package] = totals.get(package, 0.0) + int(parts[0].split(":")[1]) / 1e6
    return sorted(totals.items(), key=lambda kv: kv[1], reverse=True)[:top]
