"""A damaged or lost record rebuilt from what the cloud shows, for either side of a replication.

The source side from its image, its export and the answers that verify; the target side from
the newest manifest that verifies and the replica it names. A step whose record cannot be read
(or, for the steps that expect one, is missing) starts from this instead of from nothing, so
what the record knew (an export made, notices sent) is not done twice.
"""

from .answer_checks import judged
from .decision import decide
from .errors import NotFound
from .landing import newest_landed_manifest
from .naming import Side, acks_prefix, image_object, parse_ack
from .records.replica import ReplicaRecord
from .records.source import COMPLETE, REPLICATED, SourceRecord
from .runtime import Runtime


def rebuild_source(runtime: Runtime, source_id: str) -> SourceRecord | None:
    """The source side of a replication as the cloud shows it: the image, its export, the answers."""
    config = runtime.config
    try:
        image = runtime.compute.get_image(source_id)
    except NotFound:
        image = None
    record = SourceRecord(source_image_id=source_id, source_region=runtime.region)
    if image is not None:
        record.display_name, record.compartment_id, record.size_in_mbs = (
            image.display_name,
            image.compartment_id,
            image.size_in_mbs,
        )
        for target in decide(image, runtime.region, config).targets:
            record.target(target)
    exported = runtime.objects.head(config.staging_bucket, image_object(config.object_prefix, source_id))
    if exported is not None:
        record.observed_export("done", exported.size)
    elif image is not None and image.lifecycle_state == "EXPORTING":
        record.observed_export("running")
    listed = runtime.objects.list_objects(config.staging_bucket, acks_prefix(config.object_prefix, source_id))
    answers = judged(runtime, [a for a in (parse_ack(config.object_prefix, o.name) for o in listed) if a]).believed
    record.manifest_issued = max((a.issued for a in answers), default=0)
    if exported is None and answers and record.export.state == "none":
        # Answers that verify prove an export ran; its object is gone because the replication
        # cleaned it up. Without this the record would read as never exported, and a refresh
        # would start the replication again only to be told every target already answered.
        record.observed_export("done")
    now = runtime.now()
    for ack in sorted(answers, key=lambda a: a.rank):
        record.apply_answer(
            ack,
            ack.object(config.object_prefix),
            now,
            on_replica_deleted=config.on_replica_deleted,
            max_attempts=config.max_attempts,
        )
    if exported is not None:
        # Whoever completes a replication sends its notices and then removes the export: with the
        # export still there, they are still due (the next answer, or the pass, sends them).
        record.notices = [n for n in record.notices if n != REPLICATED and not n.startswith(COMPLETE)]
    if image is None and record.targets and all(p.state == "deleted" for p in record.targets.values()):
        record.close("source image deleted")
    return record


def rebuild_replica(runtime: Runtime, source_id: str) -> ReplicaRecord | None:
    """The target side as the cloud shows it: what landed here, and the replica if there is one."""
    config = runtime.config
    found = newest_landed_manifest(runtime, source_id)
    if found is None:
        return None
    manifest, name = found
    record = ReplicaRecord(
        source_image_id=source_id,
        source_region=manifest.source_region,
        target_region=runtime.region,
        display_name=manifest.display_name,
    )
    record.manifest, record.manifest_object = manifest, name
    compartment = config.target_compartment_id or manifest.source_compartment_id
    replicas = [i for i in runtime.compute.list_images(compartment, manifest.display_name) if i.replica_of == source_id]
    if replicas:
        replica = replicas[0]
        record.observed_import(replica.id)
    return record


def rebuild(runtime: Runtime, side: Side, source_id: str) -> SourceRecord | ReplicaRecord | None:
    """The record of `side` as the cloud shows it, or None when nothing of it is there."""
    return (rebuild_source if side == "source" else rebuild_replica)(runtime, source_id)
