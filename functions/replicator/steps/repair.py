"""Either side (reconcile): a record that cannot be read, or that is missing while the cloud shows its
replication, is rebuilt from what is observed."""

from ..actions import Action
from ..engine import Step, StepContext, StepResult
from ..subjects import RecordRepair


def repaired(ctx: StepContext, repair: RecordRepair) -> StepResult:
    """Loading the record rebuilt it (see StepContext.load); a missing one is rebuilt by claiming it."""
    if ctx.record is None:
        reason = ctx.claim(lambda record: None)
        return (
            StepResult("ignored", reason)
            if reason
            else StepResult("completed", "missing record rebuilt from what is observed")
        )
    rebuilt = ctx.record.rebuilt_at is not None
    return StepResult(
        "completed" if rebuilt else "ignored", "record rebuilt from what is observed" if rebuilt else "record readable"
    )


SOURCE = Step("repair", "source", repaired, rebuilds_missing=True, action=Action.REPAIR)
REPLICA = Step("repair", "replica", repaired, rebuilds_missing=True, action=Action.REPAIR)
