"""Stage 2: an export ended. Check the object, write manifests, start one copy per target region."""

from .. import logs
from ..decision import Decision, decide
from ..errors import TransientError
from ..images import ImageFacts
from ..manifest import ReplicationManifest, replica_tags
from ..naming import SOURCE_META, SOURCE_REGION_META, image_object, manifest_object
from .context import IMAGE_GONE, Outcome, Step

EXPORT_LOST_OBJECT = "export finished without writing its object"


def handle(step: Step) -> Outcome:
    image_id = step.event.image_id()
    with logs.bound(source_image_id=image_id):
        config, region = step.config, step.region
        object_name = image_object(config.object_prefix, image_id)
        image = step.event_image()
        if image is None:
            step.runtime.objects.delete_pars(region, config.staging_bucket, object_name)
            return step.outcome("ignored", IMAGE_GONE, source_image_id=image_id)
        decision = decide(image, region, step.config)
        if not decision.opted_in:
            return step.outcome("ignored", decision.reason, source_image_id=image_id)
        if image.lifecycle_state == "EXPORTING":
            raise TransientError("export event arrived while the image still reads EXPORTING")
        if not decision.replicate:
            step.runtime.objects.delete_pars(region, config.staging_bucket, object_name)
            return step.outcome("skipped", decision.reason, source_image_id=image_id)
        return distribute(step, image, decision)


def distribute(step: Step, image: ImageFacts, decision: Decision, *, restart: bool = False) -> Outcome:
    """Write the manifest and start the copy into every target region's landing bucket.

    Targets whose copy is already under way are left alone, unless `restart` (the reconciler,
    which has seen that copy fail) asks for a new one.
    """
    config, objects, region = step.config, step.runtime.objects, step.region
    object_name = image_object(config.object_prefix, image.id)
    exported = objects.head(region, config.staging_bucket, object_name)
    objects.delete_pars(region, config.staging_bucket, object_name)
    if exported is None:

        def lost(record):
            for target in decision.targets:
                record.fail(target, "export", EXPORT_LOST_OBJECT, step.now)

        step.record(image.id, region, image.display_name, lost)
        return step.outcome("failed", EXPORT_LOST_OBJECT, source_image_id=image.id)

    status, _ = step.runtime.status.read(step.status_location(image.id, region))
    manifest = build_manifest(step, image, exported.size, exported.md5)
    started: dict[str, str | None] = {}
    for target in decision.targets:
        entry = status.targets.get(target) if status else None
        if not restart and entry is not None and entry.state in ("in_progress", "done") and entry.stage in ("copy", "import", "finish"):
            logs.info("copy already under way", target_region=target, stage=entry.stage)
            continue
        with logs.bound(target_region=target):
            objects.put(target, config.landing_bucket, manifest_object(config.object_prefix, image.id), manifest.to_bytes())
            started[target] = objects.copy(
                region, config.staging_bucket, object_name, target, config.landing_bucket, {SOURCE_META: image.id, SOURCE_REGION_META: region}
            )

    def copying(record):
        for target in decision.targets:
            record.end(target, "export", step.now)
        for target, work_request in started.items():
            record.begin(target, "copy", step.now, work_request_id=work_request)

    step.record(image.id, region, image.display_name, copying)
    if not started:
        return step.outcome("in_progress", "copies already under way", source_image_id=image.id)
    return step.outcome("continued", f"copying to {', '.join(started)}", source_image_id=image.id)


def build_manifest(step: Step, image: ImageFacts, size: int, md5: str | None) -> ReplicationManifest:
    config = step.config
    freeform, defined = replica_tags(image, config.opt_in_tag, config.opt_in_defined)
    return ReplicationManifest(
        source_image_id=image.id,
        source_region=step.region,
        source_compartment_id=image.compartment_id,
        display_name=image.display_name,
        operating_system=image.operating_system,
        operating_system_version=image.operating_system_version,
        launch_mode=image.launch_mode,
        freeform_tags=freeform,
        defined_tags=defined,
        shapes=tuple(step.runtime.compute.list_shapes(step.region, image.id)),
        object_name=image_object(config.object_prefix, image.id),
        object_size=size,
        object_md5=md5,
        exported_at=step.now,
        status=step.status_location(image.id, step.region),
    )
