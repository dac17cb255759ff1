"""Source region: a target's answer landed in the staging bucket. Record it; once every target
has answered, remove the export and its manifests and send one notice.

The answer's object name says what it is (outcome, manifest, attempt, replica), so the
source reads its body only to report a failure's reason.
"""

from datetime import datetime

from .. import notices
from ..actions import Action
from ..cloudevents import EventKind
from ..decision import decide
from ..engine import Step, StepContext, StepResult
from ..errors import NotFound
from ..naming import AckName, acks_prefix, image_object, is_ticket_object, manifests_prefix
from ..records.replica import ReplicaRecord
from ..records.source import ANSWERED, SourceRecord
from ..records.store import parse
from ..runtime import Runtime
from ..transfer import remove_transfer_pars


def blocker(record: SourceRecord, ack: AckName) -> str | None:
    if not record.takes(ack):
        return "this answer (or a newer one) is already recorded"
    return None


def applied(ack: AckName, name: str, now: datetime, owner: dict, on_replica_deleted: str, max_attempts: int):
    """Record the answer; whoever makes the record complete owns the cleanup and the notices."""

    def change(record: SourceRecord) -> None:
        due = record.apply_answer(ack, name, now, on_replica_deleted=on_replica_deleted, max_attempts=max_attempts)
        owner.clear()
        owner.update(dict.fromkeys(due, True))

    return change


def failure_reason(ctx: StepContext, name: str) -> str:
    found = ctx.runtime.objects.get(ctx.config.staging_bucket, name)
    if found is None:
        return "unknown"
    answer, _ = parse("replica", found[0])
    if isinstance(answer, ReplicaRecord):
        return answer.error or answer.import_.error or "unknown"
    return "unknown"


def still_asked(runtime: Runtime, ack: AckName) -> bool:
    """Whether the source still asks for the region whose replica was deleted (read now: its tags
    may have changed since the replication began)."""
    try:
        image = runtime.compute.get_image(ack.source_id)
    except NotFound:
        # Deleted, or the read refused (OCI answers both alike): asked still. A deleted source is
        # not replicated again anyway (its pass sends the deletion instead).
        return True
    decision = decide(image, runtime.region, runtime.config)
    # An image being exported again (for a new target, say) asks for its targets all the same.
    return ack.target in (*decision.targets, *decision.pending)


def run(ctx: StepContext, ack: AckName) -> StepResult:
    config, runtime = ctx.config, ctx.runtime
    name = ack.object(config.object_prefix)
    if ctx.record is None:
        return StepResult("ignored", "no replication of this image is recorded in this region")
    if ack.target not in ctx.record.targets:
        return StepResult("ignored", f"{ack.target} is not a target of this replication")
    owner: dict = {}
    on_deleted = config.on_replica_deleted
    if ack.outcome == "lost" and on_deleted == "recreate" and not still_asked(runtime, ack):
        on_deleted = "report"  # a region the source no longer asks for is not given a replica again
    # Not exclusive: an answer is recorded whatever else is under way on the replication.
    reason = ctx.claim(
        applied(ack, name, ctx.now, owner, on_deleted, config.max_attempts),
        lambda r: blocker(r, ack),
        exclusive=False,
    )
    if reason:
        return StepResult("ignored", reason)
    record: SourceRecord = ctx.record
    if ack.outcome == "lost":
        # Told once per replica, even when the target answers its loss again (its record removed by hand).
        if not notices.first_telling(runtime, ack.source_id, notices.deleted(ack.target, ack.replica, ack.attempt)):
            return StepResult("continued", f"{ack.target}'s replica was deleted (already told); {on_deleted}")
        runtime.notifier.publish(
            f"Replica of {record.display_name} in {ack.target} was deleted",
            {
                "event": "replica-deleted",
                "source_image_id": ack.source_id,
                "source_region": runtime.region,
                "target_region": ack.target,
                # Which replica: its OCID where the answer names it (a replica made again after its
                # record was removed by hand starts its attempts afresh), and its import attempt.
                "replica_image_id": ack.replica if ack.replica.startswith("ocid1.") else None,
                "import_attempt": ack.attempt,
                "action": "replicating again" if on_deleted == "recreate" else "reported only",
            },
        )
        return StepResult("continued", f"{ack.target}'s replica was deleted; {on_deleted}")
    if owner.get("failed") and notices.first_telling(runtime, ack.source_id, notices.failed(ack.target)):
        error = failure_reason(ctx, name)
        runtime.notifier.publish(
            f"Replication of {record.display_name} to {ack.target} failed",
            {
                "event": "replication-failed",
                "source_image_id": ack.source_id,
                "source_region": runtime.region,
                "target_region": ack.target,
                "error": error,
            },
        )
    if not owner.get("complete"):
        waiting = [t for t, p in record.targets.items() if p.state not in ANSWERED]
        return StepResult(
            "continued", f"{ack.target} answered {ack.outcome}; waiting for {', '.join(waiting) or 'nothing'}"
        )
    remove_intermediates(runtime, ack.source_id)
    done = {t: p.replica_image_id for t, p in record.targets.items() if p.state == "done"}
    failed = sorted(t for t, p in record.targets.items() if p.state == "failed")
    if record.closed and record.manifest_fingerprint == "deleted":
        # The source is gone and every target answered its deletion: nothing is told of it again.
        notices.forget(runtime, ack.source_id, notices.told(record))
    elif owner.get("replicated") and notices.first_telling(runtime, ack.source_id, notices.REPLICATED):
        runtime.notifier.publish(
            f"Image {record.display_name} replicated" + (f" (failed in {', '.join(failed)})" if failed else ""),
            {
                "event": "replication-complete",
                "source_image_id": ack.source_id,
                "source_region": runtime.region,
                "replicas": done,
                "failed": failed,
            },
        )
    return StepResult(
        "completed",
        f"every target answered: done in {', '.join(sorted(done)) or 'none'}"
        + (f", failed in {', '.join(failed)}" if failed else ""),
    )


def remove_intermediates(runtime: Runtime, source_id: str) -> list[str]:
    """The export and its manifests (and tickets, with their PARs) in staging: every target has its own
    copy or its answer."""
    config = runtime.config
    removed = []
    names = [
        image_object(config.object_prefix, source_id),
        *(
            o.name
            for o in runtime.objects.list_objects(
                config.staging_bucket, manifests_prefix(config.object_prefix, source_id)
            )
        ),
    ]
    if any(is_ticket_object(config.object_prefix, source_id, name) for name in names):
        # The PARs first: one left on the name would read a later export of the same image.
        removed += remove_transfer_pars(runtime, source_id)
    for name in names:
        if runtime.objects.delete(config.staging_bucket, name):
            removed.append(name)
    return removed


STEP = Step("acknowledge", "source", run, routes=((EventKind.OBJECT_WRITTEN, AckName),), action=Action.ACKNOWLEDGE)

__all__ = ["STEP", "acks_prefix", "remove_intermediates"]
