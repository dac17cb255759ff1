"""Either side (reconcile): remove what a finished or abandoned replication left in this region."""

from ..actions import Action
from ..engine import Step, StepContext, StepResult
from ..subjects import Leftovers


def run(ctx: StepContext, leftovers: Leftovers) -> StepResult:
    bucket = ctx.config.staging_bucket if leftovers.side == "source" else ctx.config.landing_bucket
    removed = [name for name in leftovers.objects if ctx.runtime.objects.delete(bucket, name)]
    return StepResult("completed" if removed else "ignored", f"removed {len(removed)} object(s) from {bucket}")


SOURCE = Step("cleanup", "source", run, action=Action.CLEANUP)
REPLICA = Step("cleanup", "replica", run, action=Action.CLEANUP)
