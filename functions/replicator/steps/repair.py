"""Either side (reconcile): a record that cannot be read is rebuilt from what is observed."""

from ..subjects import RecordRepair
from .cleanup import new_replica, new_source
from .engine import Step, StepContext, StepResult


def repaired(ctx: StepContext, repair: RecordRepair) -> StepResult:
    """Loading the record rebuilt it (see StepContext.load); nothing else to do."""
    rebuilt = ctx.record is not None and ctx.record.rebuilt_at is not None
    return StepResult(
        "done" if rebuilt else "ignored", "record rebuilt from what is observed" if rebuilt else "record readable"
    )


SOURCE = Step("repair", "source", lambda s: s.source_id, new_source, repaired)
REPLICA = Step("repair", "replica", lambda s: s.source_id, new_replica, repaired)
