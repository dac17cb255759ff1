"""Target region: a replica's import ended. Check it, apply shapes and tags, clean up, answer.

An `.end` event proves nothing: the replica's lifecycle state says whether the import
worked. A failed import is an attempt used; the reconcile pass starts the next one, up
to IR_MAX_ATTEMPTS, after which this region gives up and answers so.
"""

from functools import partial

from ..actions import Action
from ..cloudevents import EventKind
from ..engine import Step, StepContext, StepResult
from ..errors import NotFound
from ..fanout import fan_out
from ..images import ImageFacts
from ..landing import newest_landed_manifest
from ..manifest import ReplicationManifest
from ..naming import SOURCE_REGION_TAG, image_object, manifest_object
from ..records.replica import ReplicaRecord
from ..replica_spec import apply_manifest
from ..runtime import Runtime
from ..subjects import Replica
from . import family
from .answer import answered, send


def finished_already(record: ReplicaRecord, replica_id: str, issued: int) -> str | None:
    if record.state in ("finished", "withdrawn") and record.applied_issued >= issued:
        return f"replica already {record.state}"
    if record.import_.replica_image_id not in (None, replica_id):
        return f"this image is not the current attempt's replica ({record.import_.replica_image_id})"
    return None


def remove_landed(runtime: Runtime, record: ReplicaRecord | None, source_id: str, manifest_name: str | None) -> None:
    """The landed image and manifests: the replica no longer needs them."""
    config = runtime.config
    names = {image_object(config.object_prefix, source_id), manifest_object(config.object_prefix, source_id)}
    for name in (manifest_name, record.manifest_object if record else None):
        if name:
            names.add(name)
    fan_out(
        [partial(runtime.objects.delete, config.landing_bucket, name) for name in sorted(names)],
        config.call_concurrency,
    )


def run(ctx: StepContext, subject: Replica) -> StepResult:
    """No claim: every call here is idempotent (PUTs, deletes, a copy that never overwrites), and
    the record's change is applied with an etag condition, so a parallel duplicate costs calls,
    never a wrong result."""
    runtime, config, replica = ctx.runtime, ctx.config, subject.image
    if replica.lifecycle_state in ("IMPORTING", "PROVISIONING"):
        return StepResult("postponed", f"replica still reads {replica.lifecycle_state}", retry=True)
    record: ReplicaRecord | None = ctx.record
    manifest: ReplicationManifest | None = record.manifest if record else None
    name = record.manifest_object if record else None
    if manifest is None:
        found = newest_landed_manifest(runtime, subject.source_id)
        if found is None:
            if record is None and replica.lifecycle_state == "AVAILABLE" and source_region(replica):
                return adopt(ctx, replica)
            return StepResult("ignored", "no record and no manifest of this replication here")
        manifest, name = found
        if record is None and replica.lifecycle_state == "AVAILABLE" and replica.carried_issued > manifest.issued:
            # An older manifest landed again after this region lost its record: the replica says it
            # carries a newer one, whose tags must not be undone. What landed goes; the record is
            # made again from the replica.
            remove_landed(runtime, None, subject.source_id, name)
            return adopt(ctx, replica)
    if record is not None:
        reason = finished_already(record, replica.id, manifest.issued)
        if reason:
            return StepResult("ignored", reason)
    if replica.lifecycle_state != "AVAILABLE":
        return failed(ctx, subject, record, manifest, name or "")
    applied = apply_manifest(runtime.compute, replica, manifest, concurrency=runtime.config.call_concurrency)
    if record is not None and record.import_.par_id:
        runtime.objects.delete_par(config.landing_bucket, record.import_.par_id)
    remove_landed(runtime, record, subject.source_id, name)
    if manifest.kind == "delete":
        return source_deleted(ctx, manifest, name or "", replica.id)

    def finished(r: ReplicaRecord) -> None:
        r.finished(manifest, name or "", ctx.now, replica.id, applied.refused)
        answered("done", config.object_prefix, ctx.now, ctx.runtime)(r)

    refused = f"; refused here: {', '.join(sorted(applied.refused))}" if applied.refused else ""

    def answer_then_family(c: StepContext) -> None:
        send(c)
        family.follow(c, manifest, replica)  # its family's latest mark and retention

    return StepResult(
        "completed",
        f"replica {replica.id} is AVAILABLE with {len(manifest.shapes) - len(applied.refused)} shape entries{refused}",
        finished,
        after=answer_then_family,
    )


def failed(
    ctx: StepContext, subject: Replica, record: ReplicaRecord | None, manifest: ReplicationManifest, name: str
) -> StepResult:
    runtime, config, replica = ctx.runtime, ctx.config, subject.image
    if record is None or record.import_.state != "running":
        return StepResult("ignored", "this attempt's end is already recorded")
    attempt = record.import_.attempt
    if record.import_.par_id:
        runtime.objects.delete_par(config.landing_bucket, record.import_.par_id)
    why = f"import ended with the replica {replica.lifecycle_state}"
    gives_up = record.gives_up_on_failure(ctx.now, config.max_attempts, config.patience)
    if gives_up:
        remove_landed(runtime, record, subject.source_id, name)

    def change(r: ReplicaRecord) -> None:
        if r.import_failed(attempt, replica.id, why, ctx.now, config.max_attempts, config.patience):
            answered("failed", config.object_prefix, ctx.now, ctx.runtime)(r)

    if gives_up:
        return StepResult("errored", f"gave up after {record.import_.failures + 1} attempts: {why}", change, after=send)
    return StepResult("errored", f"{why}; the next pass tries again", change)


def source_region(replica: ImageFacts) -> str:
    return replica.freeform_tags.get(SOURCE_REGION_TAG, "")


def adopt(ctx: StepContext, replica: ImageFacts) -> StepResult:
    """A finished replica whose record is gone (removed by hand): its tags say it is ours and whose it
    is, so the record is made again as finished, without answering (the source has its answer).
    A later loss of it is then seen, and answered, as any other's."""
    reason = ctx.claim(
        lambda r: r.adopted(replica.id, replica.carried_issued, source_region(replica), replica.display_name),
        lambda r: None if r.state == "queued" else r.state,
    )
    if reason:
        return StepResult("ignored", f"already recorded ({reason})")
    return StepResult("completed", f"replica {replica.id} adopted: its record was missing")


def source_deleted(ctx: StepContext, manifest: ReplicationManifest, name: str, replica_id: str | None) -> StepResult:
    """IR_ON_SOURCE_DELETED: keep the replica, or delete it (only if it is ours)."""
    runtime, config = ctx.runtime, ctx.config
    outcome = "replica kept"
    if config.on_source_deleted == "delete" and replica_id:
        try:
            replica = runtime.compute.get_image(replica_id)
            if replica.replica_of == manifest.source_image_id and replica.lifecycle_state != "DELETED":
                runtime.compute.delete_image(replica_id)
                outcome = "replica deleted"
        except NotFound:
            outcome = "replica already gone"
    runtime.objects.delete(config.landing_bucket, name)
    runtime.objects.delete(config.landing_bucket, image_object(config.object_prefix, manifest.source_image_id))

    def change(r: ReplicaRecord) -> None:
        r.source_deleted(manifest.issued)
        answered("deleted", config.object_prefix, ctx.now, ctx.runtime)(r)

    return StepResult("completed", f"source deleted: {outcome}", change, after=send)


def new_record(runtime: Runtime, subject: Replica) -> ReplicaRecord:
    return ReplicaRecord(
        source_image_id=subject.source_id,
        source_region=source_region(subject.image),
        target_region=runtime.region,
        display_name=subject.image.display_name,
    )


STEP = Step(
    "finish",
    "replica",
    run,
    new_record=new_record,
    routes=((EventKind.IMAGE_AVAILABLE, Replica),),
    action=Action.FINISH,
)
