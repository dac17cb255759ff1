"""Target region: retention deletes a finished replica, a newer version of its family being kept.

Only a replica this region's record names as the one the product finished is deleted; the
record says `retired` (and the source is answered so) before the image goes, so that the pass
never takes the deletion for a loss, and the image goes only `RETIRE_GRACE` later, so that the
source has stopped reporting the version protected here before it is gone (the custom-image
limit, which needs the room, deletes at once). A record already retired whose image still
exists is deleted by the pass once the grace is over, without a second answer.
"""

from contextlib import suppress
from datetime import datetime

from ..actions import Action
from ..engine import Step, StepContext, StepResult, chain
from ..errors import NotFound, PermanentError
from ..families import RETIRE_GRACE
from ..records.replica import ReplicaRecord
from ..subjects import RetireReplica
from ..telemetry.catalog import Dimension, Metric
from ..telemetry.points import point
from .answer import answered, send


def blocker(record: ReplicaRecord, subject: RetireReplica) -> str | None:
    if record.import_.replica_image_id != subject.replica_id:
        return "not the replica this region finished: never deleted by retention"
    if record.state not in ("finished", "pruned"):
        return f"the replica is {record.state}, not finished"
    return None


def retired(now: datetime, reason: str):
    return lambda r: r.retire(now, reason)


def run(ctx: StepContext, subject: RetireReplica) -> StepResult:
    record: ReplicaRecord | None = ctx.record
    if record is None:
        return StepResult("ignored", "no record of this replica here: not made by the replicator, never deleted")
    reason = blocker(record, subject)
    if reason:
        return StepResult("ignored", reason)
    after = None
    if record.state == "finished":
        prefix = ctx.config.object_prefix

        def still_finished(r: ReplicaRecord) -> str | None:
            return blocker(r, subject) or (None if r.state == "finished" else f"already {r.state}")

        refusal = ctx.claim(
            chain(retired(ctx.now, subject.reason), answered("retired", prefix, ctx.now, ctx.runtime)), still_finished
        )
        if refusal:
            return StepResult("ignored", refusal)
        after = send
    retired_at = record.retired_at if record.state == "pruned" else ctx.now
    if not subject.at_once and (retired_at is None or ctx.now - retired_at < RETIRE_GRACE):
        return StepResult(
            "in_progress",
            f"retired ({subject.reason}); the source is answered now, the replica deleted once "
            f"{RETIRE_GRACE.total_seconds() / 3600:g} h have passed",
            after=after,
        )
    try:
        ctx.runtime.compute.delete_image(subject.replica_id)
    except NotFound:
        # Gone already (a parallel invocation), or the deletion was refused: IAM answers a
        # refused DeleteImage as 404 too. The image itself says which.
        with suppress(NotFound):
            still = ctx.runtime.compute.get_image(subject.replica_id)
            if still.lifecycle_state not in ("DELETED", "DELETING"):
                raise PermanentError(
                    f"DeleteImage of {subject.replica_id} refused: the functions lack the 'delete-replicas' "
                    "policy statement (Terraform grants it when retention is on)"
                ) from None
    if after is not None:  # counted once, by the invocation that retired it
        dims = {
            Dimension.SOURCE_REGION: record.source_region or None,
            Dimension.TARGET_REGION: ctx.runtime.region,
            Dimension.COMPARTMENT_ID: record.manifest.source_compartment_id if record.manifest else None,
        }
        ctx.runtime.metrics.add([point(Metric.REPLICAS_RETIRED, 1, ctx.now, dims)])
    return StepResult("completed", f"replica {subject.replica_id} deleted: {subject.reason}", after=after)


STEP = Step("retire", "replica", run, action=Action.RETIRE)
