"""Source region: the image's tags, name or shape compatibility changed.

If it never replicated and now opts in, that is a late start (the export). If it did,
its replicas follow: a newer manifest goes to every target. An image that no longer opts
in closes its replication; its replicas stay as they are.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

from .. import logs
from ..actions import Action
from ..cloudevents import EventKind
from ..engine import Step, StepContext, StepResult
from ..manifest import ReplicaSpec
from ..publish import issued, publish, publish_again
from ..records.source import SourceRecord
from ..subjects import SourceImage
from ..transfer import transfer_entries
from . import export
from .distribute import build_manifest, copy_to


def blocker(record: SourceRecord, fingerprint: str, new_targets: list[str]) -> str | None:
    if record.manifest_fingerprint == fingerprint and not new_targets:
        return "the replicas already carry these tags and shapes"
    return None


def with_targets(new_targets: list[str], now: datetime, wanted: str | None = None):
    return lambda r: r.add_targets(new_targets, now, wanted)


def closed(reason: str):
    return lambda r: r.close(reason)


def resend(
    ctx: StepContext, subject: SourceImage, record: SourceRecord, behind: list[str], silent: Sequence[str] = ()
) -> StepResult:
    """The newest manifest, unchanged, again to the finished targets still on an older one (its copy
    did not land): the same version, so nothing else is sent or recorded. A `silent` target (its copy
    landed, no answer came) gets the image first, unless it still holds it: a target that refused
    the manifest removed the image that came with it."""
    assert record.manifest is not None
    runtime = ctx.runtime
    entries = transfer_entries(runtime, subject.image.id, list(silent), record.export.attempt, ctx.now, reuse=True)
    for target in silent:
        with logs.bound(target_region=target):
            result = copy_to(runtime, target, [entries[target]])
            logs.info("image sent again", state=result.state, reason=result.error)
    manifest = build_manifest(
        ctx,
        subject.image,
        tuple(sorted(record.targets)),
        record.export.object_size or 0,
        None,
        record.export.attempt,
        name=record.manifest,
    ).model_copy(update={"issued_at": datetime.fromtimestamp(record.manifest_issued / 1000, UTC)})
    sent = publish_again(ctx.runtime, record, manifest, behind)
    return StepResult("continued", f"the newest manifest sent again to {', '.join(sent) or 'none'}")


def run(ctx: StepContext, subject: SourceImage) -> StepResult:
    record: SourceRecord | None = ctx.record
    decision, image, config = subject.decision, subject.image, ctx.config
    if record is None or (record.export.state == "none" and not record.export.attempt):
        return export.run(ctx, subject)  # a late opt-in: the replication starts now
    if not decision.opted_in:
        if record.closed:
            return StepResult("ignored", decision.reason)
        return StepResult("ignored", f"replication closed: {decision.reason}", closed("no longer opted in"))
    if record.export.state != "done":
        return StepResult(
            "in_progress", "the replication is under way; its manifest will carry the newest tags and shapes"
        )
    spec = ReplicaSpec.of_source(
        image, ctx.runtime.compute.list_shapes(image.id), config.opt_in_tag, config.opt_in_defined
    )
    new_targets = [t for t in decision.targets if t not in record.targets]
    silent = record.silent(set(decision.targets), ctx.now)
    behind = sorted({*record.behind(set(decision.targets)), *silent})
    if behind and not new_targets and record.manifest and record.manifest_fingerprint == spec.fingerprint():
        return resend(ctx, subject, record, behind, silent)
    reason = ctx.claim(
        with_targets(new_targets, ctx.now, spec.fingerprint()), lambda r: blocker(r, spec.fingerprint(), new_targets)
    )
    if reason:
        return StepResult("ignored", reason)
    record = ctx.record
    assert record is not None
    manifest = build_manifest(
        ctx,
        image,
        tuple(sorted(record.targets)),
        record.export.object_size or 0,
        None,
        record.export.attempt,
        name=str(int(ctx.now.timestamp() * 1000)),
    )
    sent = publish(ctx.runtime, record, manifest)

    change = issued(manifest)
    if new_targets:
        return StepResult(
            "continued",
            f"new target region(s) {', '.join(new_targets)}: the next pass exports and copies; "
            f"manifest sent to {', '.join(sent) or 'none'}",
            change,
        )
    return StepResult("continued", f"newer tags and shapes sent to {', '.join(sent) or 'no target yet'}", change)


# A change seen for an image whose record is missing is a late opt-in, or the record was removed by hand
# after the replication ran: rebuilt from what is observed, it goes on where it was.
STEP = Step(
    "refresh",
    "source",
    run,
    new_record=export.new_record,
    rebuilds_missing=True,
    routes=((EventKind.IMAGE_CHANGED, SourceImage),),
    action=Action.REFRESH,
)
