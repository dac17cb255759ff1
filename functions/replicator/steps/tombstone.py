"""Source region: the source image was deleted. A deletion manifest goes to every target,
and each applies its own IR_ON_SOURCE_DELETED to its replica."""

from datetime import UTC, datetime

from ..actions import Action
from ..cloudevents import EventKind
from ..engine import Step, StepContext, StepResult
from ..manifest import ReplicationManifest
from ..naming import image_object
from ..publish import publish, publish_again
from ..records.source import SourceRecord
from ..runtime import Runtime
from ..subjects import DeletedSource


def blocker(record: SourceRecord) -> str | None:
    if record.closed:
        return f"replication closed: {record.closed}"
    if record.manifest and record.manifest_fingerprint == "deleted":
        return "the deletion was already sent"
    return None


def resend(ctx: StepContext, record: SourceRecord, late: list[str]) -> StepResult:
    """The deletion, unchanged, again to the finished targets it has not reached (its copy failed
    on the way): the same version, so nothing is recorded."""
    assert record.manifest is not None
    issued_at = datetime.fromtimestamp(record.manifest_issued / 1000, UTC)
    manifest = tombstone(record, record.manifest, issued_at, ctx.config.object_prefix)
    sent = publish_again(ctx.runtime, record, manifest, late)
    return StepResult("continued", f"the deletion sent again to {', '.join(sent) or 'none'}")


def tombstone(record: SourceRecord, name: str, now: datetime, config_prefix: str) -> ReplicationManifest:
    return ReplicationManifest(
        kind="delete",
        name=name,
        issued_at=now,
        source_image_id=record.source_image_id,
        source_region=record.source_region,
        source_compartment_id=record.compartment_id or "",
        display_name=record.display_name,
        targets=tuple(sorted(record.targets)),
        object_name=image_object(config_prefix, record.source_image_id),
    )


def run(ctx: StepContext, subject: DeletedSource) -> StepResult:
    if ctx.record is None:
        return StepResult("ignored", "no replication of this image is recorded in this region")
    sent_before: SourceRecord = ctx.record
    if not sent_before.closed and sent_before.manifest_fingerprint == "deleted" and sent_before.manifest:
        late = sent_before.awaiting_deletion()
        if late:
            return resend(ctx, sent_before, late)
    reason = ctx.claim(lambda r: None, blocker)
    if reason:
        return StepResult("ignored", reason)
    record: SourceRecord = ctx.record
    manifest = tombstone(record, str(int(ctx.now.timestamp() * 1000)), ctx.now, ctx.config.object_prefix)
    sent = publish(ctx.runtime, record, manifest)
    if record.export.par_id:
        ctx.runtime.objects.delete_par(ctx.config.staging_bucket, record.export.par_id)
    # The export is of no more use; the manifests are removed once every target has answered.
    ctx.runtime.objects.delete(
        ctx.config.staging_bucket, image_object(ctx.config.object_prefix, record.source_image_id)
    )

    change = lambda r: r.tombstoned(manifest.name, manifest.issued)  # noqa: E731
    return StepResult("continued", f"deletion sent to {', '.join(sent) or 'no target'}", change)


def new_record(runtime: Runtime, subject: DeletedSource) -> SourceRecord:
    return SourceRecord(
        source_image_id=subject.source_id, source_region=runtime.region, display_name=subject.display_name
    )


STEP = Step(
    "tombstone",
    "source",
    run,
    new_record=new_record,
    routes=((EventKind.IMAGE_DELETED, DeletedSource),),
    action=Action.TOMBSTONE,
)
