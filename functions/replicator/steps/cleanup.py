"""Either side (reconcile): remove what a finished or abandoned replication left in this region."""

from ..actions import Action
from ..engine import Step, StepContext, StepResult
from ..records.replica import ReplicaRecord
from ..records.source import SourceRecord
from ..runtime import Runtime
from ..subjects import Leftovers, RecordRepair


def run(ctx: StepContext, leftovers: Leftovers) -> StepResult:
    bucket = ctx.config.staging_bucket if leftovers.side == "source" else ctx.config.landing_bucket
    removed = [name for name in leftovers.objects if ctx.runtime.objects.delete(bucket, name)]
    return StepResult("done" if removed else "ignored", f"removed {len(removed)} object(s) from {bucket}")


def new_source(runtime: Runtime, subject: Leftovers | RecordRepair) -> SourceRecord:
    return SourceRecord(source_image_id=subject.source_id, source_region=runtime.region)


def new_replica(runtime: Runtime, subject: Leftovers | RecordRepair) -> ReplicaRecord:
    return ReplicaRecord(source_image_id=subject.source_id, source_region="", target_region=runtime.region)


SOURCE = Step("cleanup", "source", lambda s: s.source_id, new_source, run, action=Action.CLEANUP)
REPLICA = Step("cleanup", "replica", lambda s: s.source_id, new_replica, run, action=Action.CLEANUP)
