"""A reconcile pass at scale: N replications from one source region to one target, all settled.

The world is made directly in the fake's backends (what the pipeline would have left: images,
replicas, records, signed answers), then each region's function runs its scheduled pass in
its own process (`fdk functions/func.py handler`, as deployed), each pass in a fresh
container: catch-up passes (each reads at most IR_RECONCILE_MAX_READS records and marks the
settled ones) until one reads none, then the steady state every later hourly pass sees.
Measured per pass: calls, wall time with a per-call latency, the function process's CPU time
and peak memory, and the size of its answer.

Assumes: one compartment of images, one target region; ListImages pages of 1000 (the pass asks
for 1000, the most the API reference gives; whether OCI fills such pages is unconfirmed: with
pages of 100, add 9 calls per 1000 images), ListObjects pages of 1000;
`latency` seconds per call, each call waiting it out (a pass's record reads, settled marks and
steps go out IR_CALL_CONCURRENCY at a time, its listings one page after another); the catch-up
passes run with it up to TIMED_CATCH_UP replications, without it above.
"""

import json
import time
from collections import Counter

from ocifake import FakeCloud, Options
from replicator.config import ReplicatorConfig
from replicator.gateways.clients import Clients
from replicator.integrity import tagged
from replicator.manifest import ReplicaSpec
from replicator.naming import AckName, record_object, records_prefix
from replicator.records.replica import AnswerPart, ReplicaRecord
from replicator.records.source import SourceRecord
from replicator.records.states import ExportState, ImportState, TargetState
from replicator.runtime import Runtime
from replicator_tools.sandbox import RECONCILE_BODY, deploy

from .coldstart import FUNC_ENTRY
from .loader import plain_entry
from .scenarios import SOURCE

TARGET = "us-phoenix-1"


def _settled_world(cloud: FakeCloud, images: int):
    compartment = cloud.create_compartment("images")
    sources, replicas = [], []
    with cloud.lock:
        for n in range(images):
            sources.append(
                cloud.compute(SOURCE).create_image_from_instance(
                    compartment, f"image-{n}", freeform_tags={"replicate-to": TARGET}
                )
            )
    cloud.run_until_idle()  # AVAILABLE before any rule exists: no event starts a replication
    with cloud.lock:
        for source in sources:
            tags = {"replica-of": source.id, "replica-source-region": SOURCE, "replicated-at": "2026-01-01T00:00:00Z"}
            replicas.append(
                cloud.compute(TARGET).create_image_from_instance(compartment, source.display_name, freeform_tags=tags)
            )
    cloud.run_until_idle()
    sandbox = deploy(cloud, [SOURCE, TARGET], compartment)
    return compartment, sandbox, sources, replicas


def _write_records(cloud: FakeCloud, sandbox, sources, replicas) -> None:
    """What a finished replication leaves: both records and the target's signed answer."""
    config: ReplicatorConfig = sandbox.config
    prefix, bucket = config.object_prefix, config.staging_bucket
    operator = Runtime(
        ReplicatorConfig.from_env(sandbox.region_env[SOURCE]),
        Clients(config, SOURCE, sdk_config=cloud.config(SOURCE)),
        clock=cloud.clock.now,
    )
    key = operator.signing_key()
    now = cloud.clock.now()
    issued = int(now.timestamp() * 1000)
    for source, replica in zip(sources, replicas, strict=True):
        # The manifest the pipeline would have sent: the source's tags and shapes as they are.
        facts, shapes = operator.compute.get_image(source.id), operator.compute.list_shapes(source.id)
        spec = ReplicaSpec.of_source(facts, shapes, config.opt_in_tag, config.opt_in_defined)
        ack = tagged(key, AckName(source.id, TARGET, "done", issued, 1, replica.id))
        record = SourceRecord(source_image_id=source.id, source_region=SOURCE, display_name=source.display_name)
        record.export.state, record.export.attempt = ExportState.DONE, 1
        record.issue_manifest("initial", issued, spec.fingerprint(), spec.tags_fingerprint())
        part = record.target(TARGET)
        part.state, part.answer, part.applied_issued, part.replica_image_id = (
            TargetState.DONE,
            ack.object(prefix),
            issued,
            replica.id,
        )
        target = ReplicaRecord(source_image_id=source.id, source_region=SOURCE, target_region=TARGET, state="finished")
        target.display_name, target.applied_issued = source.display_name, issued
        target.import_.state, target.import_.attempt, target.import_.replica_image_id = ImportState.DONE, 1, replica.id
        target.answer = AnswerPart(object=ack.object(prefix), sent_at=now, delivered=True)
        with cloud.lock:
            put = cloud.objectstorage(SOURCE).put_object
            put(
                cloud.namespace,
                bucket,
                record_object(prefix, "source", source.id),
                record.model_dump_json().encode(),
                {},
                emit_event=False,
            )
            put(
                cloud.namespace,
                bucket,
                ack.object(prefix),
                target.model_dump_json(by_alias=True).encode(),
                {},
                emit_event=False,
            )
            cloud.objectstorage(TARGET).put_object(
                cloud.namespace,
                bucket,
                record_object(prefix, "replica", source.id),
                target.model_dump_json(by_alias=True).encode(),
                {},
                emit_event=False,
            )


def _pass(
    cloud: FakeCloud, sandbox, region: str, latency: float, entry: str = str(FUNC_ENTRY), env: dict | None = None
) -> dict:
    """One scheduled pass in a fresh container (its peak memory its own), `latency` s per call;
    `entry`: the function's entry file (the image's, with the lazy SDK loader, by default); `env`:
    settings over the region's."""
    fn = cloud.deploy_function(
        region,
        entry,
        config={**sandbox.region_env[region], **(env or {})},
        name="bench-reconcile",
        compartment_id=sandbox.functions_compartment_id,
    )
    cloud.options.call_latency_seconds = latency
    try:
        before, cpu = len(cloud.calls), fn.containers[0].cpu_seconds()
        started = time.perf_counter()
        reply = fn.deliver(RECONCILE_BODY)
        wall = time.perf_counter() - started
        calls = [c for c in cloud.calls[before:] if c.region == region]
        records = records_prefix(sandbox.config.object_prefix, "source" if region == SOURCE else "replica")
        body = reply.json()
        return {
            "calls": len(calls),
            "by_operation": dict(Counter(c.operation for c in calls).most_common()),
            # Records read (a pass also reads its own last report, once, whatever the fleet).
            "reads": sum(c.operation == "GetObject" and records in c.params.get("objectName", "") for c in calls),
            "writes": sum(c.operation in ("PutObject", "DeleteObject") for c in calls),
            "wall_seconds": round(wall, 2),
            "cpu_seconds": round(fn.containers[0].cpu_seconds() - cpu, 2),
            "peak_rss_mb": round(fn.containers[0].peak_rss_mb(), 1),
            "answer_bytes": len(reply.body),
            "steps": body.get("steps_total"),
            "deferred": body.get("deferred"),
            "exposed": body.get("exposed"),
        }
    finally:
        cloud.options.call_latency_seconds = 0.0
        fn.stop()
        cloud.functions.remove(fn)


# Catch-up passes are timed with the per-call latency up to this size (each reads 1,000 records
# and leaves as many marks: most of a minute of real waiting per pass). Above it they run without
# it, reading 5,000 records each (fifty passes would take most of an hour): what they cost is not
# the product's as deployed, only the steady pass they lead to is.
TIMED_CATCH_UP = 20000
FAST_CATCH_UP_READS = 5000


def passes(images: int, latency: float = 0.05) -> dict:
    """Two scheduled passes in each region over `images` settled replications."""
    timed = images <= TIMED_CATCH_UP
    catch_up_latency = latency if timed else 0.0
    catch_up_env = None if timed else {"IR_RECONCILE_MAX_READS": str(FAST_CATCH_UP_READS)}
    options = Options(custom_image_limit=10 * images + 100)
    with FakeCloud(regions=[SOURCE, TARGET], options=options) as cloud:
        _compartment, sandbox, sources, replicas = _settled_world(cloud, images)
        _write_records(cloud, sandbox, sources, replicas)
        out: dict = {"images": images, "latency_seconds": latency}
        for region in (SOURCE, TARGET):
            catch_up = []
            while True:  # passes until one reads no record: each reads at most IR_RECONCILE_MAX_READS
                found = _pass(cloud, sandbox, region, catch_up_latency, env=catch_up_env)
                catch_up.append(found)
                if found["reads"] == 0 or len(catch_up) >= 100:
                    break
            out[f"{region}/catch_up"] = {
                "passes": len(catch_up),
                "calls": sum(p["calls"] for p in catch_up),
                "peak_rss_mb": max(p["peak_rss_mb"] for p in catch_up),
                "cpu_seconds": round(sum(p["cpu_seconds"] for p in catch_up), 2),
                "latency_seconds": catch_up_latency,
                "max_reads": FAST_CATCH_UP_READS if catch_up_env else None,
                "longest_wall_seconds": max(p["wall_seconds"] for p in catch_up),
                "most_calls": max(p["calls"] for p in catch_up),
            }
            out[f"{region}/steady"] = _pass(cloud, sandbox, region, latency)
            # The same pass with the SDK imported as it ships: what the loader saves a pass.
            plain = _pass(cloud, sandbox, region, 0.0, plain_entry())
            out[f"{region}/steady_plain_sdk"] = {k: plain[k] for k in ("calls", "cpu_seconds", "peak_rss_mb")}
        return out


if __name__ == "__main__":
    import sys

    print(json.dumps(passes(int(sys.argv[1]) if len(sys.argv) > 1 else 300), indent=2))
