"""One snapshot of what exists, taken with a bounded number of listings per pass.

Per pass: the source images of each configured compartment, the staging bucket's image
objects and status records, and per target region one listing of the landing bucket and of
the images in the target compartments. Per image: its status record; a copy's work request
only while a copy is recorded in flight.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ..errors import NotFound
from ..gateways.calls import call
from ..images import ImageFacts
from ..naming import image_prefix, source_id_from_status, status_prefix
from ..stages.context import Runtime
from ..status import RegionStatus, StatusRecord


@dataclass
class World:
    region: str
    sources: dict[str, ImageFacts] = field(default_factory=dict)
    records: dict[str, StatusRecord] = field(default_factory=dict)
    staging: set[str] = field(default_factory=set)
    landing: dict[str, set[str]] = field(default_factory=dict)
    replicas: dict[str, dict[str, ImageFacts]] = field(default_factory=dict)  # region -> source id -> replica
    gone: set[str] = field(default_factory=set)  # sources with a record whose image no longer exists

    def replica(self, region: str, source_id: str) -> ImageFacts | None:
        return self.replicas.get(region, {}).get(source_id)


def observe(runtime: Runtime, targets_of) -> World:
    """Snapshot the runtime's region as a source; `targets_of(image)` gives an image's target regions."""
    config, region, objects, compute = runtime.config, runtime.region, runtime.objects, runtime.compute
    world = World(region)
    for compartment in config.compartments:
        for image in compute.list_images(region, compartment):
            if image.lifecycle_state != "DELETED" and not image.replica_of:
                world.sources[image.id] = image
    for name in objects.list_names(region, config.staging_bucket, status_prefix(config.object_prefix)):
        source_id = source_id_from_status(config.object_prefix, name)
        record = runtime.status.read(runtime.status_location(source_id, region))[0] if source_id else None
        if record is None:
            continue
        world.records[source_id] = record
        if source_id not in world.sources:
            try:
                image = compute.get_image(region, source_id)
            except NotFound:
                image = None
            if image is None or image.lifecycle_state == "DELETED":
                world.gone.add(source_id)
            else:
                world.sources[source_id] = image
    world.staging = set(objects.list_names(region, config.staging_bucket, image_prefix(config.object_prefix)))

    target_regions = sorted({t for image in world.sources.values() for t in targets_of(image)} | {t for r in world.records.values() for t in r.targets})
    # Replicas live in the target compartment, else in their source's compartment, which is one
    # of the scanned compartments (or, for a source known only from its record, its own).
    compartments = {config.target_compartment_id} if config.target_compartment_id else set(config.compartments) | {i.compartment_id for i in world.sources.values() if i.compartment_id}
    for target in target_regions:
        world.landing[target] = set(objects.list_names(target, config.landing_bucket, config.object_prefix))
        index: dict[str, ImageFacts] = {}
        for compartment in sorted(compartments):
            for image in compute.list_images(target, compartment):
                if image.replica_of and image.lifecycle_state != "DELETED":
                    index[image.replica_of] = image
        world.replicas[target] = index
    return world


COPY_GIVEN_UP_AFTER = timedelta(hours=24)


def copy_state(runtime: Runtime, entry: RegionStatus | None, now: datetime) -> str | None:
    """The status of the copy a record says is running (copy work requests belong to Object Storage).

    A work request that cannot be read is UNKNOWN, and presumed lost once it is a day old.
    """
    if entry is None or entry.stage != "copy" or entry.state != "in_progress" or not entry.work_request_id:
        return None
    region = runtime.region
    try:
        reply = call("GetWorkRequest", region, lambda: runtime.clients.objects(region).get_work_request(entry.work_request_id))
    except NotFound:
        started = entry.timings["copy"].started if "copy" in entry.timings else None
        return "FAILED" if started is None or now - started > COPY_GIVEN_UP_AFTER else "UNKNOWN"
    return reply.data.status
