"""Stage 3: an image object landed in this region's landing bucket. Import it with CreateImage."""

from datetime import timedelta

import oci
from pydantic import ValidationError

from .. import logs
from ..errors import Conflict, PermanentError, ReplicatorError
from ..images import ImageFacts
from ..manifest import ReplicationManifest
from ..naming import PROVENANCE_TAG, REPLICATED_AT_TAG, SOURCE_META, SOURCE_REGION_TAG, manifest_object, par_name, retry_token, source_id_from_object
from .context import Outcome, Step


def handle(step: Step) -> Outcome:
    details = step.event.object_details()
    config = step.config
    object_name = step.event.data.resource_name
    if details.bucket_name != config.landing_bucket:
        return step.outcome("ignored", f"object event for bucket {details.bucket_name}, not the landing bucket")
    source_id = source_id_from_object(config.object_prefix, object_name)
    if source_id is None:
        return step.outcome("ignored", "not an image object of this project")
    with logs.bound(source_image_id=source_id):
        manifest = read_manifest(step, source_id)
        if manifest is None:
            return step.outcome("failed", "manifest missing or unreadable beside the image object", source_image_id=source_id)
        return start_import(step, manifest)


def read_manifest(step: Step, source_id: str) -> ReplicationManifest | None:
    found = step.runtime.objects.get(step.region, step.config.landing_bucket, manifest_object(step.config.object_prefix, source_id))
    if found is None:
        return None
    try:
        manifest = ReplicationManifest.from_bytes(found[0])
    except ValidationError as exc:
        logs.error("manifest invalid", reason=str(exc.errors()[0]["msg"]))
        return None
    return manifest if manifest.source_image_id == source_id else None


def find_replica(step: Step, manifest: ReplicationManifest) -> ImageFacts | None:
    """This region's live replica of the source image, if one exists."""
    compartment = step.config.target_compartment_id or manifest.source_compartment_id
    for image in step.runtime.compute.list_images(step.region, compartment, manifest.display_name):
        if image.replica_of == manifest.source_image_id and image.lifecycle_state != "DELETED":
            return image
    return None


def current_attempt(step: Step, manifest: ReplicationManifest) -> int:
    """This region's attempt number from the status record (1 if the source region cannot be read)."""
    try:
        record, _ = step.runtime.status.read(manifest.status)
    except ReplicatorError as exc:
        logs.warning("status record unreadable", reason=exc.reason)
        return 1
    entry = record.targets.get(step.region) if record else None
    return entry.current_attempt if entry else 1


def start_import(step: Step, manifest: ReplicationManifest) -> Outcome:
    config, objects, region, source_id = step.config, step.runtime.objects, step.region, manifest.source_image_id
    landed = objects.head(region, config.landing_bucket, manifest.object_name)
    if landed is None:
        return step.outcome("failed", "image object is no longer in the landing bucket", source_image_id=source_id)
    if landed.metadata.get(SOURCE_META) not in (None, source_id):
        return step.outcome("rejected", "image object metadata names another source image", source_image_id=source_id)
    existing = find_replica(step, manifest)
    if existing is not None:
        return step.outcome("in_progress", f"replica {existing.id} already exists ({existing.lifecycle_state})", source_image_id=source_id)

    compartment = config.target_compartment_id or manifest.source_compartment_id
    uri = objects.create_par(region, config.landing_bucket, par_name("import", source_id, region), manifest.object_name, "ObjectRead", step.now + timedelta(minutes=config.par_lifetime_minutes))
    details = oci.core.models.CreateImageDetails(
        compartment_id=compartment,
        display_name=manifest.display_name,
        launch_mode=manifest.launch_mode,
        freeform_tags=desired_freeform(manifest),
        defined_tags=manifest.defined_tags,
        image_source_details=oci.core.models.ImageSourceViaObjectStorageUriDetails(
            source_uri=uri, operating_system=manifest.operating_system, operating_system_version=manifest.operating_system_version
        ),
    )
    try:
        # A new attempt after a failed one needs its own retry token, or OCI would replay the old answer.
        token = retry_token("import", source_id, region, compartment, str(current_attempt(step, manifest)))
        replica, work_request = step.runtime.compute.import_image(region, details, token)
    except Conflict as exc:
        objects.delete_pars(region, config.landing_bucket, manifest.object_name)
        return step.outcome("in_progress", f"another import is running: {exc.reason}", source_image_id=source_id)
    except PermanentError as exc:
        objects.delete_pars(region, config.landing_bucket, manifest.object_name)
        reason = f"import refused: {exc.reason}"
        step.record(source_id, manifest.source_region, manifest.display_name, lambda r: r.fail(region, "import", reason, step.now, permanent=True))
        return step.outcome("failed", reason, source_image_id=source_id)
    except ReplicatorError:
        if find_replica(step, manifest) is None:
            objects.delete_pars(region, config.landing_bucket, manifest.object_name)
        raise

    def importing(record):
        record.end(region, "copy", step.now)
        record.begin(region, "import", step.now, work_request_id=work_request)
        record.region(region).replica_image_id = replica.id

    step.record(source_id, manifest.source_region, manifest.display_name, importing)
    return step.outcome("continued", f"importing as {replica.id}", source_image_id=source_id)


def desired_freeform(manifest: ReplicationManifest) -> dict[str, str]:
    """The replica's freeform tags: the source's (less the opt-in tag) plus provenance."""
    return {
        **manifest.freeform_tags,
        PROVENANCE_TAG: manifest.source_image_id,
        SOURCE_REGION_TAG: manifest.source_region,
        REPLICATED_AT_TAG: manifest.exported_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
