"""Functions' control plane in one region: applications and functions (functions.<region>).

An application lives in subnets of the region (Networking's, which must exist) and holds the
configuration its functions inherit; a function names an image, which must have been pushed to
the region's registry first (`push_image`: what the image runs, a handler factory served in
process or a file the fdk serves in processes of its own; `ocifake serve --image`), a memory of
128 to 3072 MB and a timeout of at most 300 s. Creating a function deploys it: the containers
run the image's handler with the application's configuration under the function's, and Events
rules and schedules reach it by its OCID. Updating the configuration reaches the next
invocation; deleting a function stops it; an application is deleted only once it holds no
function. Display names are unique within their compartment (applications) or application
(functions). The image registry and the waits OCI takes are not modelled: every resource
answers ACTIVE at once. What OCI answers a name taken is not confirmed here (409).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..core import errors
from ..core.clock import iso
from ..core.http import json_object
from ..networking.models import NetworkingBackend

if TYPE_CHECKING:
    from datetime import datetime

    from ..core.platform import Platform

MEMORY_MB = (128, 3072)
MAX_TIMEOUT = 300
MAX_CONFIG_BYTES = 4096
SHAPES = ("GENERIC_X86", "GENERIC_ARM", "GENERIC_X86_ARM")
DIGEST = "sha256:" + "0" * 64


def _image(details: dict) -> str | None:
    """The image a function runs: `image` (API 20181201), or a CONTAINER_IMAGE's `sourceDetails` (20260325)."""
    source = details.get("sourceDetails")
    if isinstance(source, dict):
        if source.get("sourceType") != "CONTAINER_IMAGE":
            raise errors.InvalidParameter("Only CONTAINER_IMAGE sources are served here.")
        return source.get("image")
    return details.get("image")


@dataclass(frozen=True)
class PushedImage:
    """What an image runs: `factory()` in process, or `fdk <entry> <handler>` in processes of its own."""

    factory: Callable[[], Any] | None = None
    entry: str | None = None
    handler: str = "handler"


@dataclass
class Application:
    id: str
    compartment_id: str
    display_name: str
    subnet_ids: list[str]
    config: dict[str, str]
    shape: str
    created: datetime
    freeform_tags: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "compartmentId": self.compartment_id,
            "displayName": self.display_name,
            "subnetIds": self.subnet_ids,
            "config": self.config,
            "shape": self.shape,
            "lifecycleState": "ACTIVE",
            "timeCreated": iso(self.created),
            "timeUpdated": iso(self.created),
            "freeformTags": self.freeform_tags,
            "definedTags": {},
        }


@dataclass
class FunctionResource:
    id: str
    application: Application
    display_name: str
    image: str
    memory_mb: int
    timeout: int
    config: dict[str, str]
    created: datetime
    region: str
    freeform_tags: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "applicationId": self.application.id,
            "compartmentId": self.application.compartment_id,
            "displayName": self.display_name,
            "image": self.image,
            "imageDigest": DIGEST,
            "sourceDetails": {"sourceType": "CONTAINER_IMAGE", "image": self.image, "imageDigest": DIGEST},
            "memoryInMBs": self.memory_mb,
            "timeoutInSeconds": self.timeout,
            "config": self.config,
            "invokeEndpoint": f"https://{self.id[-12:].lower()}.{self.region}.functions.oci.oraclecloud.com",
            "lifecycleState": "ACTIVE",
            "timeCreated": iso(self.created),
            "timeUpdated": iso(self.created),
            "freeformTags": self.freeform_tags,
            "definedTags": {},
        }


class FunctionsBackend:
    def __init__(self, cloud: Platform, region: str):
        self.cloud = cloud
        self.region = region
        self.images: dict[str, PushedImage] = {}
        self.applications: dict[str, Application] = {}
        self.functions: dict[str, FunctionResource] = {}

    def holds(self, compartment_id: str) -> bool:
        return any(a.compartment_id == compartment_id for a in self.applications.values())

    def push_image(
        self,
        image: str,
        factory: Callable[[], Any] | None = None,
        *,
        entry: str | None = None,
        handler: str = "handler",
    ) -> None:
        """What `image` runs once a function names it: `factory()` gives each in-process container its
        handler, or `entry` is served by the fdk (`fdk <entry> <handler>`) in processes of its own."""
        if (factory is None) == (entry is None):
            raise ValueError("an image runs a factory or an fdk entry, one of the two")
        self.images[image] = PushedImage(factory, entry, handler)

    # ----- applications ---------------------------------------------------------------------------
    def create_application(self, details: Any) -> Application:
        details = json_object(details)
        compartment = details.get("compartmentId")
        if not compartment:
            raise errors.MissingParameter("compartmentId is required.")
        if not self.cloud.compartment_exists(compartment):
            raise errors.NotAuthorizedOrNotFound()
        name = details.get("displayName")
        if not name:
            raise errors.MissingParameter("displayName is required.")
        if any(a.display_name == name and a.compartment_id == compartment for a in self.applications.values()):
            raise errors.Conflict(f"An application named {name} already exists in the compartment.")
        subnets = details.get("subnetIds")
        if not isinstance(subnets, list) or not subnets:
            raise errors.MissingParameter("subnetIds is required: the subnets the functions run in.")
        networking = self.cloud.require_region(self.region).backend(NetworkingBackend)
        for subnet in subnets:
            found = networking.resources.get(subnet)
            if found is None or found.kind != "subnet" or found.state == "TERMINATED":
                raise errors.InvalidParameter(f"Subnet {subnet} does not exist in {self.region}.")
        shape = details.get("shape") or "GENERIC_X86"
        if shape not in SHAPES:
            raise errors.InvalidParameter(f"shape must be one of {', '.join(SHAPES)}.")
        app = Application(
            self.cloud.ids.ocid("fnapp", self.region),
            compartment,
            name,
            list(subnets),
            _config(details.get("config")),
            shape,
            self.cloud.clock.now(),
            details.get("freeformTags") or {},
        )
        self.applications[app.id] = app
        return app

    def application(self, app_id: str) -> Application:
        found = self.applications.get(app_id)
        if found is None:
            raise errors.NotAuthorizedOrNotFound()
        return found

    def update_application(self, app_id: str, details: Any) -> Application:
        app, details = self.application(app_id), json_object(details)
        if "config" in details:
            app.config = _config(details["config"])
            for fn in self.functions.values():
                if fn.application is app:
                    self._reconfigure(fn)
        if "freeformTags" in details:
            app.freeform_tags = details["freeformTags"] or {}
        return app

    def delete_application(self, app_id: str) -> None:
        app = self.application(app_id)
        if any(f.application is app for f in self.functions.values()):
            raise errors.Conflict("The application still holds functions: delete them first.")
        del self.applications[app_id]

    # ----- functions ------------------------------------------------------------------------------
    def create_function(self, details: Any) -> FunctionResource:
        details = json_object(details)
        app = self.applications.get(details.get("applicationId") or "")
        if app is None:
            raise errors.NotAuthorizedOrNotFound()
        name, image = details.get("displayName"), _image(details)
        if not name or not image:
            raise errors.MissingParameter("displayName and image are required.")
        if any(f.display_name == name and f.application is app for f in self.functions.values()):
            raise errors.Conflict(f"A function named {name} already exists in the application.")
        pushed = self.images.get(image)
        if pushed is None:
            raise errors.InvalidParameter(f"Image {image} was not found in the region's registry.")
        memory = details.get("memoryInMBs")
        if not isinstance(memory, int) or not MEMORY_MB[0] <= memory <= MEMORY_MB[1]:
            raise errors.InvalidParameter(f"memoryInMBs must be {MEMORY_MB[0]} to {MEMORY_MB[1]}.")
        timeout = details.get("timeoutInSeconds", 30)
        if not isinstance(timeout, int) or not 1 <= timeout <= MAX_TIMEOUT:
            raise errors.InvalidParameter(f"timeoutInSeconds must be 1 to {MAX_TIMEOUT}.")
        placement = {
            "config": {**app.config, **_config(details.get("config"))},
            "name": name,
            "app_name": app.display_name,
            "compartment_id": app.compartment_id,
        }
        if pushed.entry is not None:
            hosted = self.cloud.deploy_function(self.region, pushed.entry, pushed.handler, **placement)
        else:
            hosted = self.cloud.deploy_handler(self.region, pushed.factory, **placement)
        hosted.app_id, hosted.memory_mb = app.id, memory
        resource = FunctionResource(
            hosted.id,
            app,
            name,
            image,
            memory,
            timeout,
            _config(details.get("config")),
            self.cloud.clock.now(),
            self.region,
            details.get("freeformTags") or {},
        )
        self.functions[resource.id] = resource
        return resource

    def function(self, function_id: str) -> FunctionResource:
        found = self.functions.get(function_id)
        if found is None:
            raise errors.NotAuthorizedOrNotFound()
        return found

    def update_function(self, function_id: str, details: Any) -> FunctionResource:
        fn, details = self.function(function_id), json_object(details)
        if "config" in details:
            fn.config = _config(details["config"])
            self._reconfigure(fn)
        image = _image(details)
        if image:
            if image not in self.images:
                raise errors.InvalidParameter(f"Image {image} was not found in the region's registry.")
            fn.image = image
        if "freeformTags" in details:
            fn.freeform_tags = details["freeformTags"] or {}
        return fn

    def delete_function(self, function_id: str) -> None:
        self.function(function_id)
        del self.functions[function_id]
        self.cloud.undeploy(function_id)

    def _reconfigure(self, fn: FunctionResource) -> None:
        hosted = self.cloud.function_by_id(fn.id)
        if hosted is not None:
            hosted.config = {**fn.application.config, **fn.config}  # type: ignore[attr-defined]


def _config(given: Any) -> dict[str, str]:
    if given is None:
        return {}
    if not isinstance(given, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in given.items()):
        raise errors.InvalidParameter("config maps names to strings.")
    if sum(len(k) + len(v) for k, v in given.items()) > MAX_CONFIG_BYTES:
        raise errors.InvalidParameter(f"config holds at most {MAX_CONFIG_BYTES} bytes of names and values.")
    return dict(given)
