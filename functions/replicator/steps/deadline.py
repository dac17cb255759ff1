"""Source region (reconcile): a target that never answered after its copy landed is given up on.

A region with a landing bucket but no working replicator (no function, no Events rule on the
bucket, no schedule) receives the copy and says nothing. After `IR_TARGET_DEADLINE_HOURS`
the source stops waiting: the region is failed with a reason that names the likely causes,
one notice goes out, and the source's export and manifests are cleaned up as for any
answered replication. The copies in that region's landing bucket are its own to remove: its
bucket's lifecycle rule expires them (`intermediate_retention_days`), since no function here
calls another region.
"""

from .. import notices
from ..actions import Action
from ..engine import Step, StepContext, StepResult
from ..records.source import SourceRecord
from ..subjects import CopyCheck
from ..tenancies import key_setting


def given_up(target: str, hours: float):
    error = (
        f"no answer from {target} within {hours:g} h after its copy landed: is the replicator deployed "
        "there (its function, the Events rule on its landing bucket, its reconcile schedule), and does it "
        f"refuse the manifest's signature (compare {key_setting(target)})?"
    )
    return lambda r: r.give_up_silent_target(target, error)


def run(ctx: StepContext, check: CopyCheck) -> StepResult:
    record: SourceRecord | None = ctx.record
    hours = ctx.config.target_deadline_hours
    if record is None or not record.overdue(check.target, ctx.now, hours):
        return StepResult("ignored", "no overdue answer")
    reason = ctx.claim(
        given_up(check.target, hours),
        lambda r: None if r.overdue(check.target, ctx.now, hours) else "answered meanwhile",
    )
    if reason:
        return StepResult("ignored", reason)
    error = ctx.record.targets[check.target].error if ctx.record else None
    if not notices.first_telling(ctx.runtime, check.source_id, notices.failed(check.target)):
        return StepResult("errored", error or "")
    ctx.runtime.notifier.publish(
        f"Replication of {record.display_name} to {check.target} failed",
        {
            "event": "replication-failed",
            "source_image_id": check.source_id,
            "source_region": ctx.runtime.region,
            "target_region": check.target,
            "error": error,
        },
    )
    return StepResult("errored", error or "")


STEP = Step("deadline", "source", run, action=Action.DEADLINE)
