"""Does the lazy SDK loader earn its place? Paired cold starts on a real event.

Each run starts a fresh function process (`fdk <entry> handler`, http-stream, reaching the fake
through its loopback endpoint) and times it from spawn to its answer to a real
`com.oraclecloud.computeapi.createimage.end` for a new opted-in image: the export step, with its
calls against the fake (record, PAR, ExportImage, metrics). The two entries run in turns:

A: `functions/func.py`, the image's entry file: the loader installed, then the handler;
B: the same handler imported plainly (`import oci` as the SDK ships it).

Assumes: both processes' calls cost the same (same fake, same event shape, a new image each
run); the machine's slower moments hit both alike (alternation); cold means a new process
with a warm file cache, as a container on a host that ran the image before.
"""

import json
import tempfile
import time
from pathlib import Path

from ocifake import FakeCloud
from replicator_tools.sandbox import deploy

from .coldstart import FUNC_ENTRY, REPO, summary
from .scenarios import SOURCE

# The loader is judged on time by at least this many paired runs: fewer leave the machine's noise
# the size of the gain being judged.
PAIRS = 15
PLAIN = "from replicator.handler import handler  # the SDK imported as it ships\n\n__all__ = ['handler']\n"
TARGET = "us-phoenix-1"


def _first_answer(cloud: FakeCloud, sandbox, entry: str, event: dict, n: int) -> dict:
    started = time.perf_counter()
    fn = cloud.deploy_function(
        SOURCE,
        entry,
        config=sandbox.region_env[SOURCE],
        name=f"bench-{n}",
        compartment_id=sandbox.functions_compartment_id,
    )
    try:
        reply = fn.deliver(event)
        seconds = time.perf_counter() - started
        container = fn.containers[0]
        return {"seconds": seconds, "peak_rss_mb": container.peak_rss_mb(), "result": reply.json().get("result")}
    finally:
        fn.stop()
        cloud.functions.remove(fn)


def plain_entry() -> str:
    """An entry file that imports the handler with `oci` as the SDK ships it (no loader)."""
    entry = Path(tempfile.mkdtemp(prefix="plain-")) / "func.py"
    entry.write_text(PLAIN)
    return str(entry)


def verdict(runs: int = 7) -> dict:
    plain = plain_entry()
    sample = json.loads((REPO / "events" / "samples" / "image-created.json").read_text())
    samples: dict[str, list[dict]] = {"loader": [], "plain": []}
    with FakeCloud(regions=[SOURCE, TARGET]) as cloud:
        compartment = cloud.create_compartment("images")
        # Every image made and AVAILABLE before the deployment exists: no rule hands their
        # creation to another function, so each run's export step finds its image untouched.
        tag = {"replicate-to": TARGET}
        images = [cloud.create_image(SOURCE, compartment, f"bench-{n}", freeform_tags=tag) for n in range(runs * 2 + 2)]
        cloud.run_until_idle()
        sandbox = deploy(cloud, [SOURCE, TARGET], compartment)
        entries = {"loader": str(FUNC_ENTRY), "plain": plain}
        for n, image in enumerate(images):
            name = "loader" if n % 2 == 0 else "plain"
            event = json.loads(json.dumps(sample))
            event["data"]["resourceId"], event["data"]["compartmentId"] = image.id, compartment
            answer = _first_answer(cloud, sandbox, entries[name], event, n)
            if n >= 2:  # the first pair warms the file cache for both alike
                samples[name].append(answer)
    out: dict = {"runs": runs}
    for name, values in samples.items():
        out[name] = {**summary(values), "results": sorted({str(v["result"]) for v in values})}
    out["ratio_loader_to_plain"] = out["loader"]["seconds"] / out["plain"]["seconds"]
    out["memory_ratio_loader_to_plain"] = out["loader"]["peak_rss_mb"] / out["plain"]["peak_rss_mb"]
    return out


if __name__ == "__main__":
    print(json.dumps(verdict(), indent=2))
