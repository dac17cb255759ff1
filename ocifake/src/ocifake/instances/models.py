"""Compute instances of one region and their console histories: what a launch test needs.

Modelled: LaunchInstance from an image in a subnet, validated as Compute validates it (the
image AVAILABLE here, the shape among the image's compatibility entries and within their
OCPU and memory bounds, a flexible shape's configuration, the subnet of this region, no public
IP on a subnet that prohibits one, the availability domain); refusals for capacity (500
`InternalError`, "Out of host capacity.") and for the shape's limit (400 `LimitExceeded`),
which a test sets per shape. The lifecycle: PROVISIONING, then RUNNING after
`Durations.instance_launch` (events `launchinstance.begin` and `.end`); an image marked never to
run ends its launch TERMINATED instead, and the Compute work request of the launch says why.
TerminateInstance: TERMINATING, then TERMINATED after `Durations.instance_terminate` (events
`terminateinstance.begin` and `.end`); the boot volume is kept unless `preserveBootVolume=false`,
as OCI keeps it by default, and a kept one is counted (`kept_boot_volumes`). Console histories:
CaptureConsoleHistory of a RUNNING instance, REQUESTED then SUCCEEDED after
`Durations.console_capture`, holding what the serial console printed until then: the kernel's
lines at once, the login prompt `Durations.instance_boot` seconds after RUNNING, and never for an
image marked to boot silently (a kernel panic instead).

Not modelled: instance actions (stop, start, reboot), VNICs and their attachments as resources,
block volumes, instance pools, capacity reservations, dedicated hosts, metadata and cloud-init.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..compute.models import ComputeBackend, Image
from ..core import errors
from ..core.clock import iso
from ..core.http import json_object
from ..networking.models import NetworkingBackend

if TYPE_CHECKING:
    from ..core.platform import Platform

# How an image boots on the fake (`Image.boot`): as it should, never reaching RUNNING, or
# RUNNING with nothing but a kernel panic on its console.
BOOTS = ("ok", "never-running", "silent")
HISTORY_LIMIT = 1024 * 1024  # OCI captures up to a megabyte of the most recent console output


@dataclass
class Instance:
    id: str
    compartment_id: str
    availability_domain: str
    display_name: str
    shape: str
    shape_config: dict[str, Any]
    image_id: str
    subnet_id: str
    launch_mode: str
    boot: str
    time_created: datetime
    freeform_tags: dict[str, str] = field(default_factory=dict)
    defined_tags: dict[str, dict] = field(default_factory=dict)
    lifecycle_state: str = "PROVISIONING"
    running_since: float | None = None  # the clock's seconds when it reached RUNNING
    preserve_boot_volume: bool = True

    def to_json(self, region: str) -> dict:
        return {
            "id": self.id,
            "compartmentId": self.compartment_id,
            "availabilityDomain": self.availability_domain,
            "displayName": self.display_name,
            "shape": self.shape,
            "shapeConfig": dict(self.shape_config) or None,
            "imageId": self.image_id,
            "sourceDetails": {"sourceType": "image", "imageId": self.image_id},
            "launchMode": self.launch_mode,
            "lifecycleState": self.lifecycle_state,
            "region": region,
            "faultDomain": "FAULT-DOMAIN-1",
            "freeformTags": dict(self.freeform_tags),
            "definedTags": {ns: dict(v) for ns, v in self.defined_tags.items()},
            "timeCreated": iso(self.time_created),
        }


@dataclass
class ConsoleHistory:
    id: str
    instance_id: str
    compartment_id: str
    availability_domain: str
    display_name: str
    time_created: datetime
    freeform_tags: dict[str, str] = field(default_factory=dict)
    lifecycle_state: str = "REQUESTED"
    content: bytes = b""

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "instanceId": self.instance_id,
            "compartmentId": self.compartment_id,
            "availabilityDomain": self.availability_domain,
            "displayName": self.display_name,
            "lifecycleState": self.lifecycle_state,
            "freeformTags": dict(self.freeform_tags),
            "definedTags": {},
            "timeCreated": iso(self.time_created),
        }


class InstancesBackend:
    def __init__(self, cloud: Platform, region: str):
        self.cloud = cloud
        self.region = region
        self.instances: dict[str, Instance] = {}
        self.histories: dict[str, ConsoleHistory] = {}
        # Set by tests: shapes without capacity now, and how many instances of a shape the
        # tenancy may run here (absent: no limit).
        self.out_of_capacity: set[str] = set()
        self.shape_limits: dict[str, int] = {}
        self.kept_boot_volumes: list[str] = []  # instances terminated with their boot volume kept

    def holds(self, compartment_id: str) -> bool:
        return any(
            i.compartment_id == compartment_id and i.lifecycle_state != "TERMINATED" for i in self.instances.values()
        ) or any(h.compartment_id == compartment_id for h in self.histories.values())

    @property
    def _compute(self) -> ComputeBackend:
        return self.cloud.require_region(self.region).backend(ComputeBackend)

    # ----- instances ----------------------------------------------------------------------
    def get(self, instance_id: str) -> Instance:
        found = self.instances.get(instance_id)
        if found is None:
            raise errors.NotAuthorizedOrNotFound()
        return found

    def listed(self, compartment_id: str | None, state: str | None, display_name: str | None) -> list[Instance]:
        if not compartment_id:
            raise errors.MissingParameter("compartmentId is required.")
        if not self.cloud.compartment_exists(compartment_id):
            raise errors.NotAuthorizedOrNotFound()
        found = [
            i
            for i in self.instances.values()
            if i.compartment_id == compartment_id
            and (state is None or i.lifecycle_state == state)
            and (display_name is None or i.display_name == display_name)
        ]
        return sorted(found, key=lambda i: (i.time_created, i.id), reverse=True)

    def subnet_of(self, details: dict) -> str | None:
        vnic = details.get("createVnicDetails")
        return (vnic.get("subnetId") if isinstance(vnic, dict) else None) or details.get("subnetId")

    def image_of(self, details: dict) -> str | None:
        source = details.get("sourceDetails")
        if isinstance(source, dict):
            return source.get("imageId") if source.get("sourceType") == "image" else None
        return details.get("imageId")

    def launch(self, body: Any) -> Instance:
        details = json_object(body)
        for required in ("compartmentId", "availabilityDomain", "shape"):
            if not details.get(required):
                raise errors.MissingParameter(f"{required} is required.")
        compartment = details["compartmentId"]
        if not self.cloud.compartment_exists(compartment):
            raise errors.NotAuthorizedOrNotFound()
        if not str(details["availabilityDomain"]).endswith(f"{self.region.upper()}-AD-1"):
            raise errors.InvalidParameter(
                f"Availability domain {details['availabilityDomain']} is not in {self.region}."
            )
        image_id = self.image_of(details)
        if not image_id:
            raise errors.MissingParameter("sourceDetails with an image (or imageId) is required.")
        image = self._compute.images.get(image_id)
        if image is None or image.lifecycle_state == "DELETED":
            raise errors.NotAuthorizedOrNotFound()
        if image.lifecycle_state != "AVAILABLE":
            raise errors.IncorrectState(f"Image {image_id} is {image.lifecycle_state}; an instance needs it AVAILABLE.")
        shape = str(details["shape"])
        config = self._shape_config(image, shape, details.get("shapeConfig"))
        subnet_id = self.subnet_of(details)
        if not subnet_id:
            raise errors.MissingParameter("createVnicDetails.subnetId is required.")
        subnet = self.cloud.require_region(self.region).backend(NetworkingBackend).resources.get(subnet_id)
        if subnet is None or subnet.kind != "subnet" or subnet.state != "AVAILABLE":
            raise errors.NotAuthorizedOrNotFound()
        vnic = details.get("createVnicDetails") or {}
        if vnic.get("assignPublicIp") and subnet.body.get("prohibitPublicIpOnVnic"):
            raise errors.InvalidParameter("A public IP cannot be assigned to a VNIC in a private subnet.")
        if shape in self.out_of_capacity:
            raise errors.OciError("Out of host capacity.", code="InternalError", status=500)
        limit = self.shape_limits.get(shape)
        running = sum(1 for i in self.instances.values() if i.shape == shape and i.lifecycle_state != "TERMINATED")
        if limit is not None and running >= limit:
            raise errors.LimitExceeded(f"{shape.lower().replace('.', '-')}-count")
        instance = Instance(
            id=self.cloud.ids.ocid("instance", self.region),
            compartment_id=compartment,
            availability_domain=str(details["availabilityDomain"]),
            display_name=_display_name(details.get("displayName") or f"instance-{self.cloud.clock.now():%Y%m%d-%H%M}"),
            shape=shape,
            shape_config=config,
            image_id=image.id,
            subnet_id=subnet_id,
            launch_mode=image.launch_mode,
            boot=image.boot,
            time_created=self.cloud.clock.now(),
            freeform_tags=self.cloud.tags.validate_freeform(details.get("freeformTags") or {}),
            defined_tags=self.cloud.tags.validate_defined(details.get("definedTags") or {}),
        )
        self.instances[instance.id] = instance
        self._emit("com.oraclecloud.computeapi.launchinstance.begin", instance)
        self.cloud.clock.call_later(self.cloud.durations.instance_launch, lambda: self._launched(instance))
        return instance

    def _shape_config(self, image: Image, shape: str, config: Any) -> dict[str, Any]:
        catalog = self._compute.shape_catalog
        if catalog is not None and shape not in catalog:
            raise errors.InvalidParameter(f"Shape {shape} is not available in {self.region}.")
        if image.shapes and shape not in image.shapes:
            raise errors.InvalidParameter(f"Shape {shape} is not compatible with image {image.id}.")
        if not shape.endswith(".Flex"):
            if config:
                raise errors.InvalidParameter(f"shapeConfig applies only to flexible shapes, not {shape}.")
            return {}
        if not isinstance(config, dict) or not isinstance(config.get("ocpus"), int | float):
            raise errors.InvalidParameter(f"The flexible shape {shape} needs shapeConfig.ocpus.")
        ocpus = config["ocpus"]
        memory = config.get("memoryInGBs", ocpus * 16)
        entry = image.shapes.get(shape, {})
        for value, key, lo, hi in (
            (ocpus, "ocpuConstraints", "min", "max"),
            (memory, "memoryConstraints", "minInGBs", "maxInGBs"),
        ):
            bounds = entry.get(key) or {}
            if value < bounds.get(lo, 0) or value > bounds.get(hi, float("inf")):
                raise errors.InvalidParameter(f"{shape} with {value} is outside the image's {key} ({bounds}).")
        return {"ocpus": ocpus, "memoryInGBs": memory}

    def _launched(self, instance: Instance) -> None:
        if instance.lifecycle_state != "PROVISIONING":
            return
        if instance.boot == "never-running":
            instance.lifecycle_state = "TERMINATED"
            self._compute.failed_work_request(
                "LaunchInstance", instance.compartment_id, instance.id, "The instance failed to boot from its image."
            )
        else:
            instance.lifecycle_state = "RUNNING"
            instance.running_since = self.cloud.clock.seconds
        self._emit("com.oraclecloud.computeapi.launchinstance.end", instance)

    def terminate(self, instance_id: str, preserve_boot_volume: bool) -> None:
        instance = self.get(instance_id)
        if instance.lifecycle_state in ("TERMINATING", "TERMINATED"):
            return  # OCI answers 204 again: terminating is idempotent
        instance.lifecycle_state = "TERMINATING"
        instance.preserve_boot_volume = preserve_boot_volume
        self._emit("com.oraclecloud.computeapi.terminateinstance.begin", instance)
        self.cloud.clock.call_later(self.cloud.durations.instance_terminate, lambda: self._terminated(instance))

    def _terminated(self, instance: Instance) -> None:
        instance.lifecycle_state = "TERMINATED"
        if instance.preserve_boot_volume:
            self.kept_boot_volumes.append(instance.id)
        self._emit("com.oraclecloud.computeapi.terminateinstance.end", instance)

    def _emit(self, event_type: str, instance: Instance) -> None:
        self.cloud.events.emit(
            self.region,
            event_type,
            compartment_id=instance.compartment_id,
            resource_id=instance.id,
            resource_name=instance.display_name,
            freeform_tags=instance.freeform_tags,
            defined_tags=instance.defined_tags,
            additional_details={"imageId": instance.image_id, "shape": instance.shape},
        )

    # ----- console histories ------------------------------------------------------------
    def capture(self, body: Any) -> ConsoleHistory:
        details = json_object(body)
        if not details.get("instanceId"):
            raise errors.MissingParameter("instanceId is required.")
        instance = self.get(details["instanceId"])
        if instance.lifecycle_state != "RUNNING":
            raise errors.IncorrectState(
                f"Instance is {instance.lifecycle_state}; its console is captured when RUNNING."
            )
        history = ConsoleHistory(
            id=self.cloud.ids.ocid("consolehistory", self.region),
            instance_id=instance.id,
            compartment_id=instance.compartment_id,
            availability_domain=instance.availability_domain,
            display_name=_display_name(details.get("displayName") or f"consolehistory-{instance.display_name}"[:255]),
            time_created=self.cloud.clock.now(),
            freeform_tags=self.cloud.tags.validate_freeform(details.get("freeformTags") or {}),
        )
        self.histories[history.id] = history
        self.cloud.clock.call_later(self.cloud.durations.console_capture, lambda: self._captured(history, instance))
        return history

    def _captured(self, history: ConsoleHistory, instance: Instance) -> None:
        if instance.lifecycle_state != "RUNNING":
            history.lifecycle_state = "FAILED"
            return
        history.content = self.console(instance)[-HISTORY_LIMIT:]
        history.lifecycle_state = "SUCCEEDED"

    def console(self, instance: Instance) -> bytes:
        """What the instance's serial console has printed by now."""
        lines = [
            "[    0.000000] Linux version 5.15.0 (oracle@build) #2 SMP",
            f"[    0.000000] Command line: BOOT_IMAGE=/vmlinuz root=/dev/sda3 console=ttyS0 ({instance.shape})",
            "[    1.204311] Freeing unused kernel image memory",
        ]
        up = self.cloud.clock.seconds - (instance.running_since or self.cloud.clock.seconds)
        if instance.boot == "silent":
            lines.append(
                "[    2.871002] Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)"
            )
        elif up >= self.cloud.durations.instance_boot:
            lines += ["[  OK  ] Reached target Multi-User System.", "", f"{instance.display_name[:63]} login: "]
        return "\n".join(lines).encode()

    def history(self, history_id: str) -> ConsoleHistory:
        found = self.histories.get(history_id)
        if found is None:
            raise errors.NotAuthorizedOrNotFound()
        return found

    def content(self, history_id: str, offset: int, length: int) -> bytes:
        history = self.history(history_id)
        if history.lifecycle_state != "SUCCEEDED":
            raise errors.IncorrectState(f"The console history is {history.lifecycle_state}.")
        return history.content[offset : offset + length]

    def list_histories(self, compartment_id: str | None, instance_id: str | None) -> list[ConsoleHistory]:
        if not compartment_id:
            raise errors.MissingParameter("compartmentId is required.")
        return [
            h
            for h in self.histories.values()
            if h.compartment_id == compartment_id and (instance_id is None or h.instance_id == instance_id)
        ]

    def delete_history(self, history_id: str) -> None:
        self.history(history_id)
        del self.histories[history_id]


def _display_name(value: Any) -> str:
    if not isinstance(value, str) or not 1 <= len(value) <= 255:
        raise errors.InvalidParameter("displayName must be 1 to 255 characters.")
    return value
