"""Compute instances in one region, as a DR drill uses them: launch, read, terminate, console."""

from __future__ import annotations

from dataclasses import dataclass, field

import oci

from ..instances import InstanceFacts
from .calls import all_pages, call
from .clients import Clients

CONSOLE_BYTES = 1024 * 1024  # what OCI captures at most: the most recent megabyte


@dataclass(frozen=True)
class LaunchRequest:
    """A drill's instance: no public IP, its boot volume its own (deleted with it)."""

    compartment_id: str
    availability_domain: str
    subnet_id: str
    image_id: str
    shape: str
    display_name: str
    ocpus: float | None = None
    memory_gbs: float | None = None
    freeform_tags: dict[str, str] = field(default_factory=dict)


class Instances:
    def __init__(self, clients: Clients):
        self._clients = clients
        self.region = clients.region

    def _call(self, operation: str, fn, **fields):
        return call(operation, self.region, fn, **fields)

    def launch(self, request: LaunchRequest, retry_token: str) -> InstanceFacts:
        shape_config = None
        if request.ocpus is not None:
            shape_config = oci.core.models.LaunchInstanceShapeConfigDetails(
                ocpus=request.ocpus, memory_in_gbs=request.memory_gbs
            )
        details = oci.core.models.LaunchInstanceDetails(
            compartment_id=request.compartment_id,
            availability_domain=request.availability_domain,
            display_name=request.display_name,
            shape=request.shape,
            shape_config=shape_config,
            freeform_tags=request.freeform_tags,
            source_details=oci.core.models.InstanceSourceViaImageDetails(image_id=request.image_id),
            create_vnic_details=oci.core.models.CreateVnicDetails(subnet_id=request.subnet_id, assign_public_ip=False),
        )
        reply = self._call(
            "LaunchInstance",
            lambda: self._clients.compute().launch_instance(details, opc_retry_token=retry_token),
            shape=request.shape,
        )
        return InstanceFacts.from_sdk(reply.data)

    def get(self, instance_id: str) -> InstanceFacts:
        reply = self._call("GetInstance", lambda: self._clients.compute().get_instance(instance_id))
        return InstanceFacts.from_sdk(reply.data)

    def tagged(self, compartment_id: str) -> list[InstanceFacts]:
        """The compartment's instances a drill launched (by their tag), terminated ones left out."""
        client = self._clients.compute()
        found = self._call(
            "ListInstances",
            lambda: all_pages(client.list_instances, compartment_id, convert=InstanceFacts.from_sdk),
        )
        return [i for i in found if i.drill_of and i.lifecycle_state != "TERMINATED"]

    def terminate(self, instance_id: str) -> None:
        """Terminate with its boot volume (OCI keeps it unless told not to): a drill leaves nothing."""
        self._call(
            "TerminateInstance",
            lambda: self._clients.compute().terminate_instance(instance_id, preserve_boot_volume=False),
        )

    def capture_console(self, instance_id: str, retry_token: str) -> str:
        details = oci.core.models.CaptureConsoleHistoryDetails(instance_id=instance_id)
        reply = self._call(
            "CaptureConsoleHistory",
            lambda: self._clients.compute().capture_console_history(details, opc_retry_token=retry_token),
        )
        return reply.data.id

    def console_state(self, console_id: str) -> str:
        reply = self._call("GetConsoleHistory", lambda: self._clients.compute().get_console_history(console_id))
        return reply.data.lifecycle_state

    def console_text(self, console_id: str) -> str:
        reply = self._call(
            "GetConsoleHistoryContent",
            lambda: self._clients.compute().get_console_history_content(console_id, length=CONSOLE_BYTES),
        )
        data = reply.data
        return data.decode("utf-8", "replace") if isinstance(data, bytes) else str(data)

    def delete_console(self, console_id: str) -> None:
        self._call("DeleteConsoleHistory", lambda: self._clients.compute().delete_console_history(console_id))
