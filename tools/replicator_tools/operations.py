"""What an operator can ask for besides reading: another go for a region that gave up."""

from replicator.errors import NotFound
from replicator.naming import acks_prefix
from replicator.records.replica import ReplicaRecord
from replicator.records.source import SourceRecord
from replicator.runtime import Runtime

from .inventory import RuntimeFor


def retry_region(runtime: Runtime, runtime_for: RuntimeFor, source_image_id: str, region: str) -> SourceRecord:
    """Count `region`'s attempts afresh, in the source region and in the target region.

    The next passes start again from what is missing (the export, the copy, the import);
    attempt numbers keep counting, so each new attempt has its own retry token.
    """
    found = runtime.records.read("source", source_image_id)
    source = found.record
    if not isinstance(source, SourceRecord) or region not in source.targets:
        raise NotFound(f"no replication of {source_image_id} to {region} is recorded in {runtime.region}")

    def again(record: SourceRecord) -> None:
        part = record.target(region)
        if part.state not in ("done", "deleted"):
            part.state, part.gave_up, part.failures, part.error, part.permanent, part.answer = (
                "pending",
                False,
                0,
                None,
                False,
                None,
            )
        if record.export.state == "failed":
            record.export.state, record.export.failures, record.export.permanent, record.export.error = (
                "none",
                0,
                False,
                None,
            )
        record.closed = None
        record.touch(runtime.now())

    updated, _ = runtime.records.update("source", source_image_id, again, lambda: source)
    # The region's old answers would be read as new ones by the next pass.
    config = runtime.config
    for old in runtime.objects.list_objects(
        config.staging_bucket, f"{acks_prefix(config.object_prefix, source_image_id)}{region}/"
    ):
        runtime.objects.delete(config.staging_bucket, old.name)

    def fresh(record: ReplicaRecord) -> None:
        record.gave_up, record.error, record.answer = False, None, None
        record.import_.failures, record.import_.permanent = 0, False
        if record.state == "failed":
            record.state = "waiting"
        record.touch(runtime.now())

    target = runtime_for(region)
    if target.records.read("replica", source_image_id).record is not None:
        target.records.update(
            "replica",
            source_image_id,
            fresh,
            lambda: ReplicaRecord(source_image_id=source_image_id, source_region=runtime.region, target_region=region),
        )
    return updated
