"""What an operator can ask for besides reading: another go for a region that gave up."""

from replicator.errors import NotFound, PermanentError, TransientError
from replicator.records.source import SourceRecord
from replicator.router import REBUILD
from replicator.runtime import Runtime
from replicator.steps import retry
from replicator.steps.engine import execute
from replicator.steps.retry import SETTLED_STATES
from replicator.subjects import RetryRequest
from replicator.tenancies import place

from .inventory import RuntimeFor

__all__ = ["SETTLED_STATES", "retry_region"]


def retry_region(runtime: Runtime, runtime_for: RuntimeFor, source_image_id: str, region: str) -> SourceRecord:
    """Count `region`'s attempts afresh, in the source region and in the target region (steps/retry.py);
    for a region of another tenancy, in the source region only."""
    found = runtime.records.read("source", source_image_id).record
    if not isinstance(found, SourceRecord) or region not in found.targets:
        raise NotFound(f"no replication of {source_image_id} to {region} is recorded in {runtime.region}")
    request = RetryRequest(source_image_id, region)
    outcome = execute(retry.SOURCE, runtime, request, rebuild=REBUILD["source"])
    if outcome.result == "in_progress":
        raise TransientError(f"not now: {outcome.reason}; try again in a few minutes")
    if outcome.result == "ignored":
        raise PermanentError(f"nothing to retry: {outcome.reason}")
    if place(region).alias is None:
        # A region of another tenancy counts its own attempts: its operators retry there.
        execute(retry.REPLICA, runtime_for(region), request, rebuild=REBUILD["replica"])
    updated = runtime.records.read("source", source_image_id).record
    assert isinstance(updated, SourceRecord)
    return updated
