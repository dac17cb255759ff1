"""What an operator can ask for besides reading: clear a failed region so it is retried."""

from datetime import datetime, timezone

from .errors import NotFound
from .naming import region_of_ocid
from .stages.context import Runtime
from .status import StatusRecord


def retry_region(runtime: Runtime, source_image_id: str, region: str) -> StatusRecord:
    """Reset `region` of the image's record to pending with no attempts; the next pass retries it."""
    source_region = region_of_ocid(source_image_id) or runtime.region
    where = runtime.status_location(source_image_id, source_region)
    record, _ = runtime.status.read(where)
    if record is None or region not in record.targets:
        raise NotFound(f"no replication of {source_image_id} to {region} is recorded in {source_region}")
    return runtime.status.update(where, lambda: record, lambda r: r.retry(region, datetime.now(timezone.utc)))
