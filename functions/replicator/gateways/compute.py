"""Compute calls the stages make: images, export, import, shape compatibility, tags."""

import oci

from ..images import ImageFacts, ShapeEntry
from .calls import call
from .clients import Clients


class Compute:
    def __init__(self, clients: Clients):
        self._clients = clients

    def get_image(self, region: str, image_id: str) -> ImageFacts:
        reply = call("GetImage", region, lambda: self._clients.compute(region).get_image(image_id))
        return ImageFacts.from_sdk(reply.data)

    def export_image(self, region: str, image_id: str, destination_uri: str, retry_token: str) -> str | None:
        """Start an `.oci` export to a pre-authenticated URI; return the work request ID."""
        details = oci.core.models.ExportImageViaObjectStorageUriDetails(destination_uri=destination_uri, export_format="OCI")
        reply = call("ExportImage", region, lambda: self._clients.compute(region).export_image(image_id, details, opc_retry_token=retry_token))
        return reply.headers.get("opc-work-request-id")

    def import_image(self, region: str, details: oci.core.models.CreateImageDetails, retry_token: str) -> tuple[ImageFacts, str | None]:
        reply = call("CreateImage", region, lambda: self._clients.compute(region).create_image(details, opc_retry_token=retry_token))
        return ImageFacts.from_sdk(reply.data), reply.headers.get("opc-work-request-id")

    def list_images(self, region: str, compartment_id: str, display_name: str | None = None) -> list[ImageFacts]:
        client = self._clients.compute(region)
        kwargs = {"display_name": display_name} if display_name else {}
        reply = call("ListImages", region, lambda: oci.pagination.list_call_get_all_results(client.list_images, compartment_id, **kwargs))
        return [ImageFacts.from_sdk(i) for i in reply.data]

    def list_shapes(self, region: str, image_id: str) -> list[ShapeEntry]:
        client = self._clients.compute(region)
        reply = call("ListImageShapeCompatibilityEntries", region, lambda: oci.pagination.list_call_get_all_results(client.list_image_shape_compatibility_entries, image_id))
        return [_shape(entry) for entry in reply.data]

    def put_shape(self, region: str, image_id: str, entry: ShapeEntry) -> None:
        memory = ocpu = None
        if entry.memory_min_gbs is not None or entry.memory_max_gbs is not None:
            memory = oci.core.models.ImageMemoryConstraints(min_in_gbs=entry.memory_min_gbs, max_in_gbs=entry.memory_max_gbs)
        if entry.ocpu_min is not None or entry.ocpu_max is not None:
            ocpu = oci.core.models.ImageOcpuConstraints(min=entry.ocpu_min, max=entry.ocpu_max)
        details = oci.core.models.AddImageShapeCompatibilityEntryDetails(memory_constraints=memory, ocpu_constraints=ocpu)
        call(
            "AddImageShapeCompatibilityEntry",
            region,
            lambda: self._clients.compute(region).add_image_shape_compatibility_entry(image_id, entry.shape, add_image_shape_compatibility_entry_details=details),
            shape=entry.shape,
        )

    def remove_shape(self, region: str, image_id: str, shape: str) -> None:
        call(
            "RemoveImageShapeCompatibilityEntry",
            region,
            lambda: self._clients.compute(region).remove_image_shape_compatibility_entry(image_id, shape),
            shape=shape,
        )

    def delete_image(self, region: str, image_id: str) -> None:
        call("DeleteImage", region, lambda: self._clients.compute(region).delete_image(image_id))

    def update_tags(self, region: str, image_id: str, freeform: dict, defined: dict) -> None:
        details = oci.core.models.UpdateImageDetails(freeform_tags=freeform, defined_tags=defined)
        call("UpdateImage", region, lambda: self._clients.compute(region).update_image(image_id, details))


def _shape(entry) -> ShapeEntry:
    memory, ocpu = entry.memory_constraints, entry.ocpu_constraints
    return ShapeEntry(
        shape=entry.shape,
        memory_min_gbs=memory.min_in_gbs if memory else None,
        memory_max_gbs=memory.max_in_gbs if memory else None,
        ocpu_min=ocpu.min if ocpu else None,
        ocpu_max=ocpu.max if ocpu else None,
    )
