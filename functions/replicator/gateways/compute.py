"""Compute calls in one region: images, export, import, shape compatibility, tags, work requests."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import oci

from ..images import ImageFacts, ShapeEntry
from ..work import WorkProgress
from .calls import all_pages, call, service_time
from .clients import Clients

LIST_IMAGES_PAGE = 1000


@dataclass(frozen=True)
class ImportRequest:
    """A CreateImage of an `.oci` object reached through a pre-authenticated URI.

    No launch mode: for `.oci` images it comes from the file (OCI disables the choice).
    """

    compartment_id: str
    display_name: str
    source_uri: str
    operating_system: str | None = None
    operating_system_version: str | None = None
    freeform_tags: dict[str, str] = field(default_factory=dict)
    defined_tags: dict[str, dict] = field(default_factory=dict)


class Compute:
    def __init__(self, clients: Clients):
        self._clients = clients
        self.region = clients.region

    def _call(self, operation: str, fn, **fields):
        return call(operation, self.region, fn, **fields)

    def work_progress(self, work_request_id: str) -> WorkProgress:
        """An export's or an import's work request, as OCI reports it now."""
        reply = self._call("GetWorkRequest", lambda: self._clients.work_requests().get_work_request(work_request_id))
        return WorkProgress.from_sdk(reply.data, self.region, service_time(reply.headers.get("date")))

    def import_in_flight(self, compartment_id: str, display_name: str, source_id: str) -> tuple[str, str | None] | None:
        """The replica of `source_id` being imported here and its import's work request, found by
        listing (for the operator's status: the import step does not write them down)."""
        importing = [
            i
            for i in self.list_images(compartment_id, display_name)
            if i.replica_of == source_id and i.lifecycle_state == "IMPORTING"
        ]
        if not importing:
            return None
        replica = importing[0].id
        reply = self._call(
            "ListWorkRequests",
            lambda: self._clients.work_requests().list_work_requests(compartment_id, resource_id=replica),
        )
        running = [w.id for w in reply.data if w.status not in ("SUCCEEDED", "FAILED", "CANCELED")]
        return replica, (running[-1] if running else None)

    def get_image(self, image_id: str) -> ImageFacts:
        reply = self._call("GetImage", lambda: self._clients.compute().get_image(image_id))
        return ImageFacts.from_sdk(reply.data)

    def export_image(self, image_id: str, destination_uri: str, retry_token: str) -> str | None:
        """Start an `.oci` export to a pre-authenticated URI; return the work request ID."""
        details = oci.core.models.ExportImageViaObjectStorageUriDetails(
            destination_uri=destination_uri, export_format="OCI"
        )
        reply = self._call(
            "ExportImage", lambda: self._clients.compute().export_image(image_id, details, opc_retry_token=retry_token)
        )
        return reply.headers.get("opc-work-request-id")

    def import_image(self, request: ImportRequest, retry_token: str) -> tuple[ImageFacts, str | None]:
        details = oci.core.models.CreateImageDetails(
            compartment_id=request.compartment_id,
            display_name=request.display_name,
            freeform_tags=request.freeform_tags,
            defined_tags=request.defined_tags,
            image_source_details=oci.core.models.ImageSourceViaObjectStorageUriDetails(
                source_uri=request.source_uri,
                operating_system=request.operating_system,
                operating_system_version=request.operating_system_version,
            ),
        )
        reply = self._call(
            "CreateImage", lambda: self._clients.compute().create_image(details, opc_retry_token=retry_token)
        )
        return ImageFacts.from_sdk(reply.data), reply.headers.get("opc-work-request-id")

    def list_images(self, compartment_id: str, display_name: str | None = None) -> list[ImageFacts]:
        return list(self.iter_images(compartment_id, display_name))

    def iter_images(self, compartment_id: str, display_name: str | None = None) -> Iterator[ImageFacts]:
        """The compartment's images page by page, each page converted as it arrives (a large
        compartment is never held as SDK objects).

        Pages of up to LIST_IMAGES_PAGE: the default page is 100, and the reference of the same
        API gives 1000 as the most `limit` takes. A service that serves fewer per page answers
        with a next-page token and the listing follows it: the same images, in more calls."""
        client = self._clients.listing(oci.core.ComputeClient)
        kwargs: dict = {"limit": LIST_IMAGES_PAGE, **({"display_name": display_name} if display_name else {})}
        page = None
        while True:
            asked = {**kwargs, "page": page} if page else kwargs
            reply = self._call("ListImages", lambda asked=asked: client.list_images(compartment_id, **asked))
            yield from (ImageFacts.from_wire(i) for i in reply.data)
            page = reply.headers.get("opc-next-page")
            if not page:
                return

    def list_shapes(self, image_id: str) -> list[ShapeEntry]:
        client = self._clients.compute()
        found = self._call(
            "ListImageShapeCompatibilityEntries",
            lambda: all_pages(client.list_image_shape_compatibility_entries, image_id),
        )
        return [_shape(entry) for entry in found]

    def put_shape(self, image_id: str, entry: ShapeEntry) -> None:
        """Add (or replace: it is a PUT) one shape compatibility entry with its constraints."""
        memory = ocpu = None
        if entry.memory_min_gbs is not None or entry.memory_max_gbs is not None:
            memory = oci.core.models.ImageMemoryConstraints(
                min_in_gbs=entry.memory_min_gbs, max_in_gbs=entry.memory_max_gbs
            )
        if entry.ocpu_min is not None or entry.ocpu_max is not None:
            ocpu = oci.core.models.ImageOcpuConstraints(min=entry.ocpu_min, max=entry.ocpu_max)
        details = oci.core.models.AddImageShapeCompatibilityEntryDetails(
            memory_constraints=memory, ocpu_constraints=ocpu
        )
        client = self._clients.compute()
        self._call(
            "AddImageShapeCompatibilityEntry",
            lambda: client.add_image_shape_compatibility_entry(
                image_id, entry.shape, add_image_shape_compatibility_entry_details=details
            ),
            shape=entry.shape,
        )

    def remove_shape(self, image_id: str, shape: str) -> None:
        client = self._clients.compute()
        self._call(
            "RemoveImageShapeCompatibilityEntry",
            lambda: client.remove_image_shape_compatibility_entry(image_id, shape),
            shape=shape,
        )

    def delete_image(self, image_id: str) -> None:
        self._call("DeleteImage", lambda: self._clients.compute().delete_image(image_id))

    def update_tags(self, image_id: str, freeform: dict, defined: dict) -> None:
        details = oci.core.models.UpdateImageDetails(freeform_tags=freeform, defined_tags=defined)
        self._call("UpdateImage", lambda: self._clients.compute().update_image(image_id, details))


def _shape(entry) -> ShapeEntry:
    memory, ocpu = entry.memory_constraints, entry.ocpu_constraints
    return ShapeEntry(
        shape=entry.shape,
        memory_min_gbs=memory.min_in_gbs if memory else None,
        memory_max_gbs=memory.max_in_gbs if memory else None,
        ocpu_min=ocpu.min if ocpu else None,
        ocpu_max=ocpu.max if ocpu else None,
    )
