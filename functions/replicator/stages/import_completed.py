"""Stage 4: a replica's import ended. Apply shapes and tags, clean up, mark the region done."""

from .. import logs
from ..errors import TransientError
from ..images import ImageFacts
from ..naming import image_object, manifest_object
from .context import Outcome, Step
from .object_arrived import desired_freeform, read_manifest


def finish(step: Step, replica: ImageFacts) -> Outcome:
    config, objects, compute, region = step.config, step.runtime.objects, step.runtime.compute, step.region
    source_id = replica.replica_of
    object_name = image_object(config.object_prefix, source_id)
    if replica.lifecycle_state in ("IMPORTING", "PROVISIONING"):
        raise TransientError(f"replica still reads {replica.lifecycle_state}")
    manifest = read_manifest(step, source_id)
    if replica.lifecycle_state != "AVAILABLE":
        objects.delete_pars(region, config.landing_bucket, object_name)
        reason = f"import ended with the replica {replica.lifecycle_state}"
        if manifest is not None:
            step.record(source_id, manifest.source_region, manifest.display_name, lambda r: r.fail(region, "import", reason, step.now))
        return step.outcome("failed", reason, source_image_id=source_id)
    if manifest is None:
        return step.outcome("failed", "manifest missing: cannot apply shapes and tags", source_image_id=source_id)

    present = set(compute.list_shapes(region, replica.id))
    for entry in manifest.shapes:
        if entry not in present:
            compute.put_shape(region, replica.id, entry)
    freeform = desired_freeform(manifest)
    if replica.freeform_tags != freeform or replica.defined_tags != manifest.defined_tags:
        compute.update_tags(region, replica.id, freeform, manifest.defined_tags)
    objects.delete_pars(region, config.landing_bucket, object_name)

    def finished(record):
        record.end(region, "import", step.now)
        record.begin(region, "finish", step.now)
        record.done(region, replica.id, step.now)

    record = step.record(source_id, manifest.source_region, manifest.display_name, finished)
    if config.delete_intermediate_objects:
        objects.delete(region, config.landing_bucket, object_name)
        objects.delete(region, config.landing_bucket, manifest_object(config.object_prefix, source_id))
        if record is not None and record.state == "done":
            # The last region to finish removes the source's export; the others still need it.
            objects.delete(manifest.source_region, config.staging_bucket, object_name)
    logs.info("replica ready", replica_image_id=replica.id, shapes=len(manifest.shapes))
    return step.outcome("done", f"replica {replica.id} is AVAILABLE with {len(manifest.shapes)} shape entries", source_image_id=source_id)
