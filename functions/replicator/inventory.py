"""What the operator commands read: source images, their decisions, and their status records."""

from .decision import Decision, decide
from .errors import NotFound
from .images import ImageFacts
from .naming import source_id_from_status, status_prefix
from .report import ImageReport, from_decision, from_record
from .stages.context import Runtime
from .status import StatusRecord


def source_images(runtime: Runtime, compartments: list[str]) -> list[ImageFacts]:
    """Live images in the compartments of the runtime's region that are not replicas."""
    images = []
    for compartment in compartments:
        images += [i for i in runtime.compute.list_images(runtime.region, compartment) if i.lifecycle_state != "DELETED" and not i.replica_of]
    return images


def plan(runtime: Runtime, compartments: list[str]) -> list[tuple[ImageFacts, Decision]]:
    """Each source image with the decision the function would take for it now."""
    return [(image, decide(image, runtime.region, runtime.config)) for image in source_images(runtime, compartments)]


def read_record(runtime: Runtime, image_id: str) -> StatusRecord | None:
    return runtime.status.read(runtime.status_location(image_id, runtime.region))[0]


def reports(runtime: Runtime, compartments: list[str], image_ids: list[str]) -> list[ImageReport]:
    """One report per source image: from its status record, or from its decision if it has none."""
    config, region = runtime.config, runtime.region
    if image_ids:
        out = []
        for image_id in image_ids:
            record = read_record(runtime, image_id)
            if record is not None:
                out.append(from_record(record))
                continue
            try:
                image = runtime.compute.get_image(region, image_id)
            except NotFound:
                raise NotFound(f"image {image_id} not found in {region}") from None
            out.append(from_decision(image, region, decide(image, region, config)))
        return out
    records = {}
    for name in runtime.objects.list_names(region, config.staging_bucket, status_prefix(config.object_prefix)):
        source_id = source_id_from_status(config.object_prefix, name)
        record = read_record(runtime, source_id) if source_id else None
        if record is not None:
            records[record.source_image_id] = from_record(record)
    for image, decision in plan(runtime, compartments):
        if image.id not in records and decision.opted_in:
            records[image.id] = from_decision(image, region, decision)
    return sorted(records.values(), key=lambda r: (r.display_name, r.source_image_id))
