"""Target region: a finished replica is gone (deleted by someone, not by the replicator).

The region no longer protects the image: the record says so and the source is answered
`lost`, so that it counts the region exposed from now on and, unless configured to only
report (`IR_ON_REPLICA_DELETED=report`), replicates again. The next copy that lands is
imported as a new attempt. Reached from the replica's `deleteimage` event and from the
pass, which sees the replica missing from the region's image listing. An import whose image
is gone before its finish was recorded (a finish that died, then a deletion) is lost alike:
nothing else would ever end it.
"""

from datetime import datetime

from ..actions import Action
from ..cloudevents import EventKind
from ..engine import Step, StepContext, StepResult, chain
from ..errors import NotFound
from ..records.replica import ReplicaRecord
from ..runtime import Runtime
from ..subjects import LostReplica
from .answer import answered, send


def blocker(record: ReplicaRecord, subject: LostReplica) -> str | None:
    if record.state == "importing" and record.import_.replica_image_id in (None, subject.replica_id or None):
        return None  # the import's image went before its finish was recorded (a finish that died, say)
    if record.state != "finished":
        return f"the replica is {record.state}, not finished"
    if record.import_.replica_image_id != subject.replica_id:
        return "not the replica this region finished"
    return None


def lost(now: datetime):
    return lambda r: r.mark_lost(now)


def adopted(subject: LostReplica):
    return lambda r: r.adopted(subject.replica_id, source_region=subject.source_region)


def unrecorded(record: ReplicaRecord, subject: LostReplica) -> str | None:
    """A record made just now for a replica this region no longer has a record of (see run)."""
    if record.state == "queued" and record.import_.replica_image_id is None:
        return None
    return blocker(record, subject)


def run(ctx: StepContext, subject: LostReplica) -> StepResult:
    record: ReplicaRecord | None = ctx.record
    # Without a record (removed by hand), the deleted replica's own tags still say it was ours and
    # where its source is: the loss is answered all the same, naming the replica, which the
    # source recognises as the one it holds done.
    adopt = record is None and bool(subject.source_region and subject.replica_id)
    if record is None and not adopt:
        return StepResult("ignored", "no replication of this image is recorded in this region")
    reason = blocker(record, subject) if record is not None else None
    if reason:
        return StepResult("ignored", reason)
    # The listing or an event says it is gone; the image itself decides (a listing can lag).
    try:
        image = ctx.runtime.compute.get_image(subject.replica_id) if subject.replica_id else None
    except NotFound:
        image = None
    if image is not None and image.lifecycle_state != "DELETED":
        return StepResult("ignored", f"the replica exists ({image.lifecycle_state})")
    prefix = ctx.config.object_prefix
    change = chain(lost(ctx.now), answered("lost", prefix, ctx.now, ctx.runtime))
    if adopt:
        change = chain(adopted(subject), change)
    reason = ctx.claim(change, lambda r: (unrecorded if adopt else blocker)(r, subject))
    if reason:
        return StepResult("ignored", reason)
    return StepResult("completed", f"replica {subject.replica_id} is gone; the source region is told", after=send)


def new_record(runtime: Runtime, subject: LostReplica) -> ReplicaRecord:
    return ReplicaRecord(
        source_image_id=subject.source_id, source_region=subject.source_region, target_region=runtime.region
    )


STEP = Step(
    "lost", "replica", run, new_record=new_record, routes=((EventKind.IMAGE_DELETED, LostReplica),), action=Action.LOST
)
