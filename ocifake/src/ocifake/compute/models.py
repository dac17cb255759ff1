"""State and rules of the Compute image API in one region.

Modelled: custom images made "from an instance" (a test helper), platform and
marketplace-derived images, ExportImage (bucket tuple or Object Storage URI, including
pre-authenticated request URIs), CreateImage imports of `.oci` objects, UpdateImage,
DeleteImage, shape compatibility entries, and the Compute work requests of exports and
imports. Exports write and imports read through their Object Storage location for the
whole transfer, so a pre-authenticated request deleted or expired before the end fails the
work request. Image events: createimage and exportimage (begin/end) in the `computeapi`
namespace; updateimage, deleteimage and shape-compatibility changes in the namespace
`Options.image_event_namespace` names. Instances are ocifake.instances'. Not modelled: capability schemas, image
compartment moves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from ..core import errors
from ..core.auth import Principal
from ..core.clock import iso
from ..objectstorage.models import ObjectStorageBackend
from . import image_archive

if TYPE_CHECKING:
    from ..core.platform import Platform

LAUNCH_MODES = ("NATIVE", "EMULATED", "PARAVIRTUALIZED", "ACCELERATEDPV", "CUSTOM")
EXPORT_FORMATS = ("QCOW2", "VMDK", "OCI", "VHD", "VDI")
IMAGE_KINDS = ("custom", "platform", "marketplace")
MAX_IMAGE_GB = 400
_SHAPE_NAME = re.compile(r"^[A-Za-z0-9._-]{1,255}$")


@dataclass
class Image:
    id: str
    compartment_id: str | None
    display_name: str
    operating_system: str
    operating_system_version: str
    launch_mode: str
    size_gb: float
    kind: str
    lifecycle_state: str
    time_created: datetime
    freeform_tags: dict[str, str] = field(default_factory=dict)
    defined_tags: dict[str, dict] = field(default_factory=dict)
    base_image_id: str | None = None
    shapes: dict[str, dict] = field(default_factory=dict)
    version: int = 1
    # How an instance launched from it boots (ocifake.instances.models.BOOTS); carried by its
    # export, so a replica of an image that does not boot does not boot either.
    boot: str = "ok"

    @property
    def etag(self) -> str:
        return f"{self.id[-12:]}-{self.version}"

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "compartmentId": self.compartment_id,
            "displayName": self.display_name,
            "operatingSystem": self.operating_system,
            "operatingSystemVersion": self.operating_system_version,
            "launchMode": self.launch_mode,
            "lifecycleState": self.lifecycle_state,
            "sizeInMBs": int(self.size_gb * 1024),
            "billableSizeInGBs": int(self.size_gb),
            "createImageAllowed": self.kind != "marketplace",
            "baseImageId": self.base_image_id,
            "listingType": "NONE",
            "freeformTags": dict(self.freeform_tags),
            "definedTags": {ns: dict(v) for ns, v in self.defined_tags.items()},
            "timeCreated": iso(self.time_created),
        }


@dataclass
class WorkRequest:
    """A Compute work request (terminal states SUCCEEDED / FAILED / CANCELED)."""

    id: str
    operation_type: str
    compartment_id: str | None
    resource_id: str
    accepted_at: float
    duration: float
    time_accepted: datetime
    status: str = "ACCEPTED"
    time_finished: datetime | None = None
    error: str | None = None
    entity_type: str = "image"

    def to_json(self, clock) -> dict:
        done = self.status in ("SUCCEEDED", "FAILED", "CANCELED")
        if not done and clock.seconds > self.accepted_at:
            self.status = "IN_PROGRESS"
        elapsed = clock.seconds - self.accepted_at
        percent = 100.0 if self.status == "SUCCEEDED" else min(99.0, round(100.0 * elapsed / self.duration, 1))
        return {
            "id": self.id,
            "operationType": self.operation_type,
            "status": self.status,
            "compartmentId": self.compartment_id,
            "resources": [
                {
                    "entityType": self.entity_type,
                    "actionType": "IN_PROGRESS" if not done else "CREATED",
                    "identifier": self.resource_id,
                    "entityUri": f"/20160918/{self.entity_type}s/{self.resource_id}",
                }
            ],
            "percentComplete": percent,
            "timeAccepted": iso(self.time_accepted),
            "timeStarted": iso(self.time_accepted) if self.status != "ACCEPTED" else None,
            "timeFinished": iso(self.time_finished) if self.time_finished else None,
        }


class ComputeBackend:
    def __init__(self, cloud: Platform, region: str):
        self.cloud = cloud
        self.region = region
        self.images: dict[str, Image] = {}
        self.work_requests: dict[str, WorkRequest] = {}
        self.shape_catalog: set[str] | None = None  # the shapes this region offers (None: any well-formed name)
        # Custom images the tenancy may hold in this region (OCI: 100 with Universal Credits,
        # 25 Pay As You Go, more on request); images being imported or deleted count until DELETED.
        self.custom_image_limit = cloud.options.custom_image_limit

    # ----- helpers for tests ------------------------------------------------------------

    def holds(self, compartment_id: str) -> bool:
        """Whether any of its images is in the compartment (which is then not deleted)."""
        return any(i.compartment_id == compartment_id and i.lifecycle_state != "DELETED" for i in self.images.values())

    def create_image_from_instance(
        self,
        compartment_id: str,
        display_name: str,
        *,
        size_gb: float = 50,
        operating_system: str = "Oracle Linux",
        operating_system_version: str = "9",
        launch_mode: str = "PARAVIRTUALIZED",
        freeform_tags: dict | None = None,
        defined_tags: dict | None = None,
        kind: str = "custom",
        shapes: dict[str, dict] | None = None,
        boot: str = "ok",
    ) -> Image:
        """Start a custom image as if captured from an instance: PROVISIONING, then AVAILABLE."""
        if kind not in IMAGE_KINDS:
            raise ValueError(f"kind must be one of {IMAGE_KINDS}")
        if launch_mode not in LAUNCH_MODES:
            raise ValueError(f"launch_mode must be one of {LAUNCH_MODES}")
        self.cloud.tags.validate_freeform(freeform_tags or {})
        self.cloud.tags.validate_defined(defined_tags or {})
        if kind != "platform":
            self._within_custom_image_limit()
        image = Image(
            id=self.cloud.ids.ocid("image", self.region),
            compartment_id=None if kind == "platform" else compartment_id,
            display_name=display_name,
            operating_system=operating_system,
            operating_system_version=operating_system_version,
            launch_mode=launch_mode,
            size_gb=size_gb,
            kind=kind,
            lifecycle_state="PROVISIONING",
            time_created=self.cloud.clock.now(),
            freeform_tags=dict(freeform_tags or {}),
            defined_tags={k: dict(v) for k, v in (defined_tags or {}).items()},
            base_image_id=self.cloud.ids.ocid("image", self.region) if kind == "marketplace" else None,
            shapes={k: dict(v) for k, v in (shapes or {}).items()},
            boot=boot,
        )
        self.images[image.id] = image
        self._emit("com.oraclecloud.computeapi.createimage.begin", image)
        self.cloud.clock.call_later(self.cloud.durations.capture(size_gb), lambda: self._finish_provisioning(image))
        return image

    def _finish_provisioning(self, image: Image) -> None:
        if image.lifecycle_state == "PROVISIONING":
            image.lifecycle_state = "AVAILABLE"
            image.version += 1
            self._emit("com.oraclecloud.computeapi.createimage.end", image)

    def _imaging_event(self, action: str) -> str:
        return f"com.oraclecloud.{self.cloud.options.image_event_namespace}.{action}"

    def _emit(self, event_type: str, image: Image) -> None:
        self.cloud.events.emit(
            self.region,
            event_type,
            compartment_id=image.compartment_id or self.cloud.tenancy_id,
            resource_id=image.id,
            resource_name=image.display_name,
            freeform_tags=image.freeform_tags,
            defined_tags=image.defined_tags,
        )

    # ----- images -----------------------------------------------------------------------
    def get_image(self, image_id: str) -> Image:
        image = self.images.get(image_id)
        if image is None:
            raise errors.NotAuthorizedOrNotFound()
        return image

    def list_images(self, compartment_id: str | None, display_name: str | None, state: str | None) -> list[Image]:
        if not compartment_id:
            raise errors.MissingParameter("compartmentId is required.")
        if not self.cloud.compartment_exists(compartment_id):
            raise errors.NotAuthorizedOrNotFound()
        found = [
            i
            for i in self.images.values()
            if i.compartment_id == compartment_id
            and (display_name is None or i.display_name == display_name)
            and (state is None or i.lifecycle_state == state)
            and (state is not None or i.lifecycle_state != "DELETED")
        ]
        return sorted(found, key=lambda i: (i.time_created, i.id), reverse=True)

    def update_image(self, image_id: str, details: dict, if_match: str | None) -> Image:
        image = self.get_image(image_id)
        if image.lifecycle_state == "DELETED":
            raise errors.NotAuthorizedOrNotFound()
        if if_match and if_match != image.etag:
            raise errors.PreconditionFailed("The If-Match header does not match the current etag.")
        allowed = {"displayName", "freeformTags", "definedTags", "operatingSystem", "operatingSystemVersion"}
        unknown = set(details) - allowed
        if unknown:
            raise errors.InvalidParameter(f"Unknown field(s) in UpdateImageDetails: {', '.join(sorted(unknown))}.")
        if "displayName" in details:
            image.display_name = _display_name(details["displayName"])
        if "freeformTags" in details:
            image.freeform_tags = self.cloud.tags.validate_freeform(details["freeformTags"])
        if "definedTags" in details:
            image.defined_tags = self.cloud.tags.validate_defined(details["definedTags"])
        for key, attr in (
            ("operatingSystem", "operating_system"),
            ("operatingSystemVersion", "operating_system_version"),
        ):
            if key in details:
                setattr(image, attr, str(details[key]))
        image.version += 1
        self._emit(self._imaging_event("updateimage"), image)
        return image

    def delete_image(self, image_id: str) -> None:
        image = self.get_image(image_id)
        if image.lifecycle_state == "DELETED":
            raise errors.NotAuthorizedOrNotFound()
        if image.lifecycle_state == "EXPORTING":
            raise errors.Conflict("The image is being exported and cannot be deleted until the export finishes.")
        if image.kind == "platform":
            raise errors.NotAuthorizedOrNotFound()
        image.lifecycle_state = "DELETED"
        image.version += 1
        self._emit(self._imaging_event("deleteimage"), image)

    # ----- export -----------------------------------------------------------------------
    def export_image(self, image_id: str, details: dict, principal: Principal) -> tuple[Image, WorkRequest]:
        image = self.get_image(image_id)
        if image.lifecycle_state == "DELETED":
            raise errors.NotAuthorizedOrNotFound()
        fmt = details.get("exportFormat", "OCI")
        if fmt not in EXPORT_FORMATS:
            raise errors.InvalidParameter(f"exportFormat must be one of {', '.join(EXPORT_FORMATS)}.")
        destination = self._resolve_location(details, principal, access="write", field_prefix="destination")
        if image.kind == "platform":
            raise errors.InvalidParameter("Platform images cannot be exported.")
        if image.kind == "marketplace":
            raise errors.InvalidParameter("Images created from Marketplace images cannot be exported.")
        if image.size_gb > MAX_IMAGE_GB:
            raise errors.InvalidParameter(f"Images larger than {MAX_IMAGE_GB} GB cannot be exported.")
        if image.lifecycle_state != "AVAILABLE":
            raise errors.IncorrectState(f"Image is {image.lifecycle_state}; only AVAILABLE images can be exported.")
        image.lifecycle_state = "EXPORTING"
        image.version += 1
        wr = self._work_request("ExportImage", image, self.cloud.durations.export(image.size_gb))
        self._emit("com.oraclecloud.computeapi.exportimage.begin", image)
        self.cloud.clock.call_later(wr.duration, lambda: self._finish_export(image, wr, destination, fmt))
        return image, wr

    def _finish_export(self, image: Image, wr: WorkRequest, destination: dict, fmt: str) -> None:
        image.lifecycle_state = "AVAILABLE"
        image.version += 1
        failure = self.cloud.faults.take_work_request_failure(self.region, "ExportImage")
        if failure is None and self.cloud.faults.out(self.region, self.cloud.clock.seconds):
            failure = f"The export did not complete: {self.region} is out of service."
        if failure is None and not self.cloud.faults.take_export_without_object(image.id):
            try:
                self.cloud.require_region(destination["region"]).backend(ObjectStorageBackend).write_via_location(
                    destination, image_archive.build(self._archive_metadata(image, fmt)), image.size_gb
                )
            except errors.OciError as exc:
                failure = exc.message
        self._close(wr, failure)
        self._emit("com.oraclecloud.computeapi.exportimage.end", image)

    def _archive_metadata(self, image: Image, fmt: str) -> dict:
        return {
            "version": 2,
            "exportFormat": fmt,
            "operatingSystem": image.operating_system,
            "operatingSystemVersion": image.operating_system_version,
            "launchMode": image.launch_mode,
            "imageSizeInMBs": int(image.size_gb * 1024),
            "sourceImageId": image.id,
            **({"ocifakeBoot": image.boot} if image.boot != "ok" else {}),
        }

    # ----- import -----------------------------------------------------------------------
    def import_image(self, details: dict, principal: Principal) -> tuple[Image, WorkRequest]:
        compartment_id = details.get("compartmentId")
        if not compartment_id:
            raise errors.MissingParameter("compartmentId is required.")
        if not self.cloud.compartment_exists(compartment_id):
            raise errors.NotAuthorizedOrNotFound()
        source = details.get("imageSourceDetails")
        if details.get("instanceId"):
            raise errors.NotImplementedByFake(
                "CreateImage from an instance is not implemented by ocifake; use create_image_from_instance()."
            )
        if not isinstance(source, dict):
            raise errors.MissingParameter("imageSourceDetails or instanceId is required.")
        self._within_custom_image_limit()
        launch_mode = details.get("launchMode")
        if launch_mode is not None and launch_mode not in LAUNCH_MODES:
            raise errors.InvalidParameter(f"launchMode must be one of {', '.join(LAUNCH_MODES)}.")
        location = self._resolve_location(source, principal, access="read", field_prefix="source")
        data = self.cloud.require_region(location["region"]).backend(ObjectStorageBackend).read_via_location(location)
        meta = image_archive.read_metadata(data)
        source_type = source.get("sourceImageType")
        if meta is None and source_type not in ("QCOW2", "VMDK"):
            raise errors.InvalidParameter(
                "The object is not an image in OCI format; set sourceImageType to QCOW2 or VMDK for other formats."
            )
        meta = meta or {}
        size_gb = meta.get("imageSizeInMBs", 1024) / 1024
        if size_gb > MAX_IMAGE_GB:
            raise errors.InvalidParameter(f"Images larger than {MAX_IMAGE_GB} GB cannot be imported.")
        name = _display_name(details.get("displayName") or f"image-{self.cloud.clock.now():%Y%m%d-%H%M}")
        # Imports may run at once (a function's calls in parallel): the OCID follows from what is imported.
        basis = f"{compartment_id}/{name}/{location.get('object', '')}"
        image = Image(
            id=self.cloud.ids.ocid("image", self.region, basis=basis),
            compartment_id=compartment_id,
            display_name=name,
            operating_system=source.get("operatingSystem") or meta.get("operatingSystem", "Custom"),
            operating_system_version=source.get("operatingSystemVersion") or meta.get("operatingSystemVersion", ""),
            launch_mode=launch_mode or meta.get("launchMode", "PARAVIRTUALIZED"),
            size_gb=size_gb,
            kind="custom",
            lifecycle_state="IMPORTING",
            time_created=self.cloud.clock.now(),
            freeform_tags=self.cloud.tags.validate_freeform(details.get("freeformTags") or {}),
            defined_tags=self.cloud.tags.validate_defined(details.get("definedTags") or {}),
            boot=meta.get("ocifakeBoot", "ok"),
        )
        self.images[image.id] = image
        duration = self.cloud.durations.import_(size_gb)
        if location["region"] != self.region:  # the image crosses regions as it is read
            transfer = size_gb * self.cloud.durations.cross_region_import_per_gb
            took = self.cloud.share_egress(location["region"], transfer) if size_gb >= 1 else transfer
            overlaps = self.cloud.durations.import_overlaps_transfer  # which bound (Durations)
            duration = max(duration, took) if overlaps else duration + took
        wr = self._work_request("ImportImage", image, duration)
        self._emit("com.oraclecloud.computeapi.createimage.begin", image)
        self.cloud.clock.call_later(wr.duration, lambda: self._finish_import(image, wr, location))
        return image, wr

    def custom_images(self) -> int:
        """What the region's custom-image limit counts: the tenancy's images here, not DELETED."""
        return sum(1 for i in self.images.values() if i.kind != "platform" and i.lifecycle_state != "DELETED")

    def _within_custom_image_limit(self) -> None:
        if self.custom_images() >= self.custom_image_limit:
            raise errors.LimitExceeded("custom-image-count")

    def _finish_import(self, image: Image, wr: WorkRequest, location: dict) -> None:
        failure = self.cloud.faults.take_work_request_failure(self.region, "ImportImage")
        down = self.cloud.faults.first_out(self.cloud.clock.seconds, self.region, location["region"])
        if failure is None and down:
            failure = f"The import did not complete: {down} is out of service."
        if failure is None:
            # The import reads through its source for the whole transfer: a pre-authenticated
            # request deleted or expired before the end fails it.
            try:
                self.cloud.require_region(location["region"]).backend(ObjectStorageBackend).read_via_location(location)
            except errors.OciError as exc:
                failure = exc.message
        if image.lifecycle_state == "IMPORTING":
            image.lifecycle_state = "DELETED" if failure else "AVAILABLE"
            image.version += 1
        self._close(wr, failure)
        self._emit("com.oraclecloud.computeapi.createimage.end", image)

    def _resolve_location(self, details: dict, principal: Principal, *, access: str, field_prefix: str) -> dict:
        kind = details.get(f"{field_prefix}Type")
        if kind == "objectStorageTuple":
            missing = [f for f in ("namespaceName", "bucketName", "objectName") if not details.get(f)]
            if missing:
                raise errors.MissingParameter(f"{', '.join(missing)} required for the objectStorageTuple form.")
            if principal.is_resource_principal and self.cloud.options.resource_principal_rejects_tuple_form:
                # OCI's documented known issue: instance and resource principals cannot name a bucket.
                raise errors.InvalidParameter(
                    "Invalid objectName: Specified object or bucket or namespace to import image from does not exist"
                )
            return {
                "region": self.region,
                "namespace": details["namespaceName"],
                "bucket": details["bucketName"],
                "object": details["objectName"],
                "par": None,
            }
        if kind == "objectStorageUri":
            uri = details.get("destinationUri" if field_prefix == "destination" else "sourceUri")
            if not uri:
                raise errors.MissingParameter(f"{field_prefix}Uri is required for the objectStorageUri form.")
            location = self.cloud.parse_object_uri(uri)
            if location is None:
                raise errors.InvalidParameter(f"{field_prefix}Uri is not an Object Storage object URI.")
            if (
                location["par"] is None
                and principal.is_resource_principal
                and self.cloud.options.resource_principal_rejects_tuple_form
            ):
                raise errors.InvalidParameter(
                    "Invalid objectName: Specified object or bucket or namespace to import image from does not exist"
                )
            self.cloud.require_region(location["region"]).backend(ObjectStorageBackend).check_location(location, access)
            return location
        raise errors.InvalidParameter(f"{field_prefix}Type must be objectStorageTuple or objectStorageUri.")

    # ----- shape compatibility ----------------------------------------------------------
    def put_shape(self, image_id: str, shape: str, details: dict) -> dict:
        image = self._live(image_id)
        if not _SHAPE_NAME.match(shape):
            raise errors.InvalidParameter(f"Invalid shape name {shape!r}.")
        if self.shape_catalog is not None and shape not in self.shape_catalog:
            raise errors.InvalidParameter(f"Shape {shape} is not available in {self.region}.")
        entry: dict = {}
        for key, lo, hi in (("memoryConstraints", "minInGBs", "maxInGBs"), ("ocpuConstraints", "min", "max")):
            c = details.get(key)
            if c is None:
                continue
            if not isinstance(c, dict) or set(c) - {lo, hi}:
                raise errors.InvalidParameter(f"{key} accepts only {lo} and {hi}.")
            values = {k: v for k, v in c.items() if v is not None}
            if any(not isinstance(v, int) or v < 1 for v in values.values()):
                raise errors.InvalidParameter(f"{key} values must be positive integers.")
            if lo in values and hi in values and values[lo] > values[hi]:
                raise errors.InvalidParameter(f"{key}.{lo} must not exceed {key}.{hi}.")
            entry[key] = values
        image.shapes[shape] = entry
        self._emit(self._imaging_event("addimageshapecompatibility"), image)
        return self.shape_json(image, shape)

    def get_shape(self, image_id: str, shape: str) -> dict:
        image = self._live(image_id)
        if shape not in image.shapes:
            raise errors.NotAuthorizedOrNotFound()
        return self.shape_json(image, shape)

    def list_shapes(self, image_id: str) -> list[dict]:
        image = self._live(image_id)
        return [self.shape_json(image, s) for s in sorted(image.shapes)]

    def remove_shape(self, image_id: str, shape: str) -> None:
        image = self._live(image_id)
        if image.shapes.pop(shape, None) is None:
            raise errors.NotAuthorizedOrNotFound()
        self._emit(self._imaging_event("removeimageshapecompatibility"), image)

    @staticmethod
    def shape_json(image: Image, shape: str) -> dict:
        entry = image.shapes[shape]
        return {
            "imageId": image.id,
            "shape": shape,
            "memoryConstraints": entry.get("memoryConstraints"),
            "ocpuConstraints": entry.get("ocpuConstraints"),
        }

    def _live(self, image_id: str) -> Image:
        image = self.get_image(image_id)
        if image.lifecycle_state == "DELETED":
            raise errors.NotAuthorizedOrNotFound()
        return image

    # ----- work requests ----------------------------------------------------------------
    def _work_request(self, operation: str, image: Image, duration: float) -> WorkRequest:
        wr = WorkRequest(
            id=self.cloud.ids.ocid("coreservicesworkrequest", self.region),
            operation_type=operation,
            compartment_id=image.compartment_id,
            resource_id=image.id,
            accepted_at=self.cloud.clock.seconds,
            duration=duration,
            time_accepted=self.cloud.clock.now(),
        )
        self.work_requests[wr.id] = wr
        return wr

    def failed_work_request(self, operation: str, compartment_id: str, resource_id: str, error: str) -> WorkRequest:
        """An instance's work request that has failed (what ListWorkRequests shows of a failed launch)."""
        wr = WorkRequest(
            id=self.cloud.ids.ocid("coreservicesworkrequest", self.region),
            operation_type=operation,
            compartment_id=compartment_id,
            resource_id=resource_id,
            accepted_at=self.cloud.clock.seconds,
            duration=self.cloud.durations.instance_launch,
            time_accepted=self.cloud.clock.now(),
            entity_type="instance",
        )
        self.work_requests[wr.id] = wr
        self._close(wr, error)
        return wr

    def _close(self, wr: WorkRequest, failure: str | None) -> None:
        wr.status = "FAILED" if failure else "SUCCEEDED"
        wr.error = failure
        wr.time_finished = self.cloud.clock.now()

    def get_work_request(self, wr_id: str) -> WorkRequest:
        wr = self.work_requests.get(wr_id)
        if wr is None:
            raise errors.NotAuthorizedOrNotFound()
        return wr

    def list_work_requests(self, compartment_id: str | None, resource_id: str | None) -> list[WorkRequest]:
        """ListWorkRequests: a compartment's, optionally those acting on one resource, oldest first."""
        if not compartment_id:
            raise errors.MissingParameter("compartmentId is required")
        return [
            wr
            for wr in self.work_requests.values()
            if wr.compartment_id == compartment_id and (resource_id is None or wr.resource_id == resource_id)
        ]


def _display_name(value) -> str:
    if not isinstance(value, str) or not 1 <= len(value) <= 255:
        raise errors.InvalidParameter("displayName must be 1 to 255 characters.")
    return value
