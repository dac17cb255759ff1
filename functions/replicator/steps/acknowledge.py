"""Source region: a target's answer landed in the staging bucket. Record it; once every target
has answered, remove the export and its manifests and send one notice.

The answer's object name says what it is (outcome, manifest, attempt, replica), so the
source reads its body only to report a failure's reason.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from .. import integrity, logs
from ..decision import decide
from ..errors import NotFound
from ..naming import AckName, acks_prefix, image_object, manifests_prefix
from ..records.replica import ReplicaRecord
from ..records.source import ANSWERED, SourceRecord
from ..records.store import parse
from ..runtime import Runtime
from ..tenancies import place
from .engine import Step, StepContext, StepResult


def _known(runtime: Runtime, ack: AckName) -> bool:
    """Whether the answer names a target of this deployment, or of a tenancy configured here."""
    alias = place(ack.target).alias
    return alias is None or any(p.alias == alias for p in runtime.config.tenancies)


def signed_by_its_target(runtime: Runtime, ack: AckName) -> bool:
    """Whether a target of this deployment wrote the answer (one of another tenancy: with the key that
    tenancy shares). The one check of an answer, for the pass, the router and the operator's views."""
    return _known(runtime, ack) and runtime.verified(
        place(ack.target).alias, lambda key: integrity.genuine_ack(key, ack)
    )


# What an answer that cannot be believed may still mean for the region: a replica gone, or never made.
# A `done` that does not verify promises something; not believing it is enough.
WARNING_OUTCOMES = ("failed", "refused", "lost", "deleted", "retired")


@dataclass(frozen=True)
class Judged:
    """A replication's answers, checked.

    `believed`: signed by their target. `doubted`: from a target of this deployment but unsigned with the
    key here: forged, or signed under another key than this region holds now (a secret rotated on one
    side only, this one or the target's). They are kept, never acted on; one reporting a replica
    missing keeps its target from counting as protected meanwhile. Once the keys agree they verify
    again, or their target signs them again and the doubted one, whose signed twin is believed, is
    `superseded`. `forged`: from a tenancy not configured here. `unchecked`: none could be checked
    (the key unreadable)."""

    believed: list[AckName] = field(default_factory=list)
    doubted: list[AckName] = field(default_factory=list)
    forged: list[AckName] = field(default_factory=list)
    superseded: list[AckName] = field(default_factory=list)
    unchecked: list[AckName] = field(default_factory=list)

    @property
    def doubted_targets(self) -> set[str]:
        """The targets a doubted answer may report a replica missing in: not protected while it is."""
        return {a.target for a in self.doubted if a.outcome in WARNING_OUTCOMES}


def _content(ack: AckName) -> tuple:
    return (ack.target, ack.outcome, ack.issued, ack.attempt, ack.replica)


def judge(answers: list[AckName], known: Callable[[AckName], bool], signed: Callable[[AckName], bool]) -> Judged:
    """Sort `answers` as `Judged` says, from `known` (its target is ours) and `signed` (it verifies)."""
    out = Judged()
    unsigned: list[AckName] = []
    for ack in answers:
        if not known(ack):
            out.forged.append(ack)
        elif signed(ack):
            out.believed.append(ack)
        else:
            unsigned.append(ack)
    twins = {_content(a) for a in out.believed}
    for ack in unsigned:
        (out.superseded if _content(ack) in twins else out.doubted).append(ack)
    return out


def judged(runtime: Runtime, answers: list[AckName], *, bucket: str | None = None, remove: bool = True) -> Judged:
    """`judge` with this region's keys; with `remove`, the forgeries and the superseded are removed
    from `bucket` (staging by default). The operator's views pass `remove=False`: they change nothing."""
    found = judge(answers, lambda a: _known(runtime, a), lambda a: signed_by_its_target(runtime, a))
    for ack in found.doubted:
        logs.warning(
            "answer does not verify with the signing key here: kept, not acted on (a forgery, or its target "
            "signed it with another key: compare IR_SIGNING_SECRET_ID in both regions)",
            answer=ack.object(runtime.config.object_prefix).rsplit("/", 1)[-1],
            target_region=ack.target,
        )
    if remove:
        for ack in [*found.forged, *found.superseded]:
            _quarantine(runtime, ack, bucket)
    return found


def genuine(runtime: Runtime, ack: AckName, bucket: str | None = None) -> bool:
    """`signed_by_its_target`, for one answer alone (its event). In staging, one from a tenancy not
    configured here is quarantined (removed); another that does not verify is left for the pass, which
    judges it with its replication's other answers (`judged`). In `bucket` (the landing bucket, where
    another tenancy's answers arrive before they are moved) whatever does not verify is quarantined."""
    if signed_by_its_target(runtime, ack):
        return True
    if bucket is not None or not _known(runtime, ack):
        _quarantine(runtime, ack, bucket)
    return False


def _quarantine(runtime: Runtime, ack: AckName, bucket: str | None) -> None:
    name = ack.object(runtime.config.object_prefix)
    logs.warning(
        "answer not signed by its target; quarantined"
        if _known(runtime, ack)
        else "answer from a tenancy not configured here; quarantined",
        answer=name.rsplit("/", 1)[-1],
        target_region=ack.target,
    )
    runtime.objects.delete(bucket or runtime.config.staging_bucket, name)


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
        runtime.notifier.publish(
            f"Replica of {record.display_name} in {ack.target} was deleted",
            {
                "event": "replica-deleted",
                "source_image_id": ack.source_id,
                "source_region": runtime.region,
                "target_region": ack.target,
                # Which replica: each new one there is a new import attempt, so two deletions read apart.
                "import_attempt": ack.attempt,
                "action": "replicating again" if on_deleted == "recreate" else "reported only",
            },
        )
        return StepResult("continued", f"{ack.target}'s replica was deleted; {on_deleted}")
    if owner.get("failed"):
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
    if owner.get("replicated"):
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
        "done",
        f"every target answered: done in {', '.join(sorted(done)) or 'none'}"
        + (f", failed in {', '.join(failed)}" if failed else ""),
    )


def remove_intermediates(runtime: Runtime, source_id: str) -> list[str]:
    """The export and its manifests in staging: every target has its own copy or its answer."""
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
    for name in names:
        if runtime.objects.delete(config.staging_bucket, name):
            removed.append(name)
    return removed


def new_record(runtime: Runtime, ack: AckName) -> SourceRecord:
    return SourceRecord(source_image_id=ack.source_id, source_region=runtime.region)


STEP = Step("acknowledge", "source", lambda a: a.source_id, new_record, run)

__all__ = ["STEP", "acks_prefix", "remove_intermediates"]
