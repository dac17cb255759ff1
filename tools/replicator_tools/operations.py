"""What an operator can ask for besides reading: another go for a region that gave up."""

from replicator.api import SETTLED_STATES, NotFound, PermanentError, Runtime, SourceRecord, TransientError, place, retry

from .inventory import RuntimeFor

__all__ = ["SETTLED_STATES", "retry_region"]


def retry_region(runtime: Runtime, runtime_for: RuntimeFor, source_image_id: str, region: str) -> SourceRecord:
    """Count `region`'s attempts afresh, in the source region and in the target region (steps/retry.py);
    for a region of another tenancy, in the source region only."""
    found = runtime.records.read("source", source_image_id).record
    if not isinstance(found, SourceRecord) or region not in found.targets:
        raise NotFound(f"no replication of {source_image_id} to {region} is recorded in {runtime.region}")
    outcome = retry(runtime, "source", source_image_id, region)
    if outcome.result == "in_progress":
        raise TransientError(f"not now: {outcome.reason}; try again in a few minutes")
    if outcome.result == "ignored":
        raise PermanentError(f"nothing to retry: {outcome.reason}")
    if place(region).alias is None:
        # A region of another tenancy counts its own attempts: its operators retry there.
        retry(runtime_for(region), "replica", source_image_id, region)
    updated = runtime.records.read("source", source_image_id).record
    assert isinstance(updated, SourceRecord)
    return updated
