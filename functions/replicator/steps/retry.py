"""Either side (an operator's `image-replicator retry`): count a given-up region's attempts afresh.

A step like the others, so that it claims the record (standing down while another step
holds it) and writes it through the engine; the source side also removes the region's old
answers, which the next pass would otherwise read as new ones. The next passes start again
from what is missing (the export, the copy, the import); attempt numbers keep counting, so
each new attempt has its own retry token.
"""

from ..engine import Step, StepContext, StepResult
from ..naming import acks_prefix
from ..records.replica import ReplicaRecord
from ..records.source import SourceRecord
from ..subjects import RetryRequest

# A region in one of these states has nothing to try again.
SETTLED_STATES = {
    "done": "its replica is there",
    "retired": "retention retired its replica, as a newer version of its family is kept there",
    "deleted": "the source was deleted",
}


def counted_afresh(region: str):
    return lambda r: r.count_afresh(region)


def replica_afresh(record: ReplicaRecord) -> None:
    record.count_afresh()


def run_source(ctx: StepContext, request: RetryRequest) -> StepResult:
    record: SourceRecord | None = ctx.record
    if record is None or request.region not in record.targets:
        return StepResult("ignored", f"no replication to {request.region} is recorded here")
    if record.manifest_fingerprint == "deleted":
        return StepResult("ignored", "the source image was deleted: its deletion is all that is sent")
    state = record.targets[request.region].state
    if state in SETTLED_STATES:
        # Its answers are what the record stands on: removing them would unlearn a replica (or its
        # retirement by retention, its deletion with the source) for nothing to try again.
        return StepResult("ignored", f"{request.region} is {state}: {SETTLED_STATES[state]}")
    reason = ctx.claim(counted_afresh(request.region))
    if reason:
        return StepResult("in_progress", reason)
    config = ctx.config
    for old in ctx.runtime.objects.list_objects(
        config.staging_bucket, f"{acks_prefix(config.object_prefix, request.source_id)}{request.region}/"
    ):
        ctx.runtime.objects.delete(config.staging_bucket, old.name)
    return StepResult("completed", f"{request.region} is counted afresh")


def run_replica(ctx: StepContext, request: RetryRequest) -> StepResult:
    if ctx.record is None:
        return StepResult("ignored", "no replication is recorded in this region")
    reason = ctx.claim(replica_afresh)
    if reason:
        return StepResult("in_progress", reason)
    return StepResult("completed", "the import is counted afresh")


SOURCE = Step("retry", "source", run_source)
REPLICA = Step("retry", "replica", run_replica)
