"""Stage 4: a replica's import ended. Apply shapes and tags, clean up, mark the region done."""

from .. import logs
from ..errors import TransientError
from ..images import ImageFacts
from ..manifest import ReplicaSpec, ReplicationManifest
from ..naming import REPLICATED_AT_TAG, image_object, manifest_object
from ..status import StatusRecord
from .context import Outcome, Step
from .object_arrived import desired_freeform, read_manifest


def finish(step: Step, replica: ImageFacts, manifest: ReplicationManifest | None = None) -> Outcome:
    """Finish `replica` from its manifest (read from the landing bucket unless given)."""
    config, objects, region = step.config, step.runtime.objects, step.region
    source_id = replica.replica_of
    object_name = image_object(config.object_prefix, source_id)
    if replica.lifecycle_state in ("IMPORTING", "PROVISIONING"):
        raise TransientError(f"replica still reads {replica.lifecycle_state}")
    manifest = manifest or read_manifest(step, source_id)
    if replica.lifecycle_state != "AVAILABLE":
        objects.delete_pars(region, config.landing_bucket, object_name)
        reason = f"import ended with the replica {replica.lifecycle_state}"
        if manifest is not None:
            step.record(source_id, manifest.source_region, manifest.display_name, lambda r: r.fail(region, "import", reason, step.now))
        return step.outcome("failed", reason, source_image_id=source_id)
    if manifest is None:
        return step.outcome("failed", "manifest missing: cannot apply shapes and tags", source_image_id=source_id)

    apply_spec(step, replica, manifest.spec, desired_freeform(manifest))
    objects.delete_pars(region, config.landing_bucket, object_name)
    record = mark_done(step, manifest, replica.id)
    if config.delete_intermediate_objects:
        objects.delete(region, config.landing_bucket, object_name)
        objects.delete(region, config.landing_bucket, manifest_object(config.object_prefix, source_id))
        if record is not None and record.state == "done":
            # The last region to finish removes the source's export; the others still need it.
            objects.delete(manifest.source_region, config.staging_bucket, object_name)
    logs.info("replica ready", replica_image_id=replica.id, shapes=len(manifest.shapes))
    return step.outcome("done", f"replica {replica.id} is AVAILABLE with {len(manifest.shapes)} shape entries", source_image_id=source_id)


def mark_done(step: Step, manifest: ReplicationManifest, replica_id: str) -> StatusRecord | None:
    """Record this region as done; the update that completes the image sends the notice."""
    region, transition = step.region, {}

    def finished(record: StatusRecord):
        transition["before"] = record.state
        record.end(region, "import", step.now)
        record.begin(region, "finish", step.now)
        record.done(region, replica_id, manifest.spec.fingerprint(), step.now)

    record = step.record(manifest.source_image_id, manifest.source_region, manifest.display_name, finished)
    if record is not None and record.state == "done" and transition.get("before") != "done":
        step.runtime.notifier.publish(
            f"Image {manifest.display_name} replicated",
            {"event": "replication-complete", "source_image_id": manifest.source_image_id, "source_region": manifest.source_region,
             "replicas": {r: t.replica_image_id for r, t in record.targets.items()}},
        )
    return record


def apply_spec(step: Step, replica: ImageFacts, spec: ReplicaSpec, freeform: dict[str, str]) -> bool:
    """Make the replica's shapes and tags equal the spec; return whether anything changed."""
    compute, region = step.runtime.compute, step.region
    present = {entry.shape: entry for entry in compute.list_shapes(region, replica.id)}
    wanted = {entry.shape: entry for entry in spec.shapes}
    changed = False
    for shape, entry in wanted.items():
        if present.get(shape) != entry:
            compute.put_shape(region, replica.id, entry)
            changed = True
    for shape in present.keys() - wanted.keys():
        compute.remove_shape(region, replica.id, shape)
        changed = True
    if replica.freeform_tags != freeform or replica.defined_tags != spec.defined_tags:
        compute.update_tags(region, replica.id, freeform, spec.defined_tags)
        changed = True
    return changed


def provenance_kept(replica: ImageFacts, freeform: dict[str, str]) -> dict[str, str]:
    """Desired freeform tags for a replica under repair: keep the time it was first replicated."""
    stamp = replica.freeform_tags.get(REPLICATED_AT_TAG)
    return {**freeform, REPLICATED_AT_TAG: stamp} if stamp else freeform
