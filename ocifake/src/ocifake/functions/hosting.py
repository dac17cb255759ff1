"""A function deployed in one region: its OCIDs, its network egress, and its containers.

OCI Functions runs several containers of one function at once; so does the fake. Each
container (an `FdkProcess` or an `InProcess`) serves one invocation at a time; deliveries
that fall due together are spread over the containers and run in parallel.

Egress is the function application's network: `service_gateway` (a private subnet whose
only way out is a service gateway, which reaches Oracle services in its own region only)
or `nat` (internet egress). With `service_gateway`, a call to another region's endpoint
fails as a blocked connection does: the connect times out.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from ..monitoring.models import MonitoringBackend

if TYPE_CHECKING:
    from ..core.platform import Platform

EGRESS = ("service_gateway", "nat")
FAAS_NAMESPACE = "oci_faas"  # the service's own metrics (Functions' "Function Metrics" reference page)


@dataclass
class Invocation:
    status: int
    body: bytes
    seconds: float = 0.0  # wall time of the call, as the Fn agent would see it
    event_type: str | None = None
    instance: int = 0

    def json(self):
        return json.loads(self.body)


class Container(Protocol):
    index: int

    def launch(self) -> None: ...
    def wait_ready(self) -> None: ...
    def invoke(self, body: bytes, *, content_type: str = ..., timeout: float = ...) -> Invocation: ...
    def read_log(self) -> str: ...
    def stop(self) -> None: ...


class Function:
    def __init__(
        self,
        cloud: Platform,
        region: str,
        name: str,
        config: dict[str, str],
        *,
        app_name: str | None = None,
        egress: str = "service_gateway",
        compartment_id: str | None = None,
    ):
        if egress not in EGRESS:
            raise ValueError(f"egress must be one of {EGRESS}")
        self.cloud = cloud
        self.region = region
        self.name = name
        self.app_name = app_name or name
        self.config = dict(config)
        self.egress = egress
        # Where the function lives: what its resource principal's dynamic groups match on.
        self.compartment_id = compartment_id or cloud.tenancy_id
        self.id = cloud.ids.ocid("fnfunc", region)
        self.app_id = cloud.ids.ocid("fnapp", region)
        self.containers: list[Container] = []
        self.warm_containers = 0  # containers that have served an event delivery (no cold start left)
        self.invocations: list[Invocation] = []
        self.memory_mb = 128  # what its containers are told (FN_MEMORY)
        self._platform: dict[str, str] | None = None
        # Containers invoked at once ask for it together on their first invocation: made once, or
        # each would hold a resource principal of its own (other files, another warm state).
        self._platform_lock = threading.Lock()

    @property
    def capacity(self) -> int:
        return len(self.containers)

    def platform_env(self) -> dict[str, str]:
        """What a container's environment holds: the Fn variables, the resource principal, the config."""
        with self._platform_lock:
            if self._platform is None:
                self._platform = self._make_platform_env()
        return {**self._platform, **self.config}

    def _make_platform_env(self) -> dict[str, str]:
        return {
            **self.cloud.resource_principal_env(self.region, self.id, self.compartment_id),
            "FN_FN_ID": self.id,
            "FN_APP_ID": self.app_id,
            "FN_FN_NAME": self.name,
            "FN_APP_NAME": self.app_name,
            "FN_MEMORY": str(self.memory_mb),
            "FN_TYPE": "sync",
        }

    def invoke(
        self, body: bytes, *, container: int = 0, content_type: str = "application/json", timeout: float = 300.0
    ) -> Invocation:
        """Invoke one container directly (as `fn invoke` or a schedule does)."""
        result = self.containers[container].invoke(body, content_type=content_type, timeout=timeout)
        self.invocations.append(result)
        self._service_metrics(result)
        return result

    def _service_metrics(self, result: Invocation) -> None:
        """What OCI Functions posts of every invocation in `oci_faas`, whatever the function may do:
        an alarm on its error responses needs no grant of the function's."""
        kind = "Success" if 200 <= result.status < 300 else "Throttled" if result.status == 429 else "Error"
        dims = {"resourceId": self.id, "resourceName": f"{self.app_name}/{self.name}", "applicationId": self.app_id}
        with self.cloud.lock:
            monitoring = self.cloud.require_region(self.region).backend(MonitoringBackend)
            monitoring.emit(FAAS_NAMESPACE, self.compartment_id, "FunctionInvocationCount", dims, 1)
            milliseconds = result.seconds * 1000
            monitoring.emit(FAAS_NAMESPACE, self.compartment_id, "FunctionExecutionDuration", dims, milliseconds)
            monitoring.emit(
                FAAS_NAMESPACE, self.compartment_id, "FunctionResponseCount", {**dims, "responseType": kind}, 1
            )

    def deliver(self, event: dict, container: int = 0) -> Invocation:
        """Deliver an event as the Events service's FAAS action does."""
        result = self.invoke(json.dumps(event).encode(), container=container)
        result.event_type = event.get("eventType")
        return result

    def __call__(self, event: dict) -> Invocation:
        return self.deliver(event)

    def read_log(self) -> str:
        return "".join(c.read_log() for c in self.containers)

    def log_records(self) -> list[dict]:
        """The structured (JSON) lines the containers wrote to their logs."""
        records = []
        for line in self.read_log().splitlines():
            if line.startswith("{"):
                try:
                    records.append(json.loads(line))
                except ValueError:
                    continue
        return records

    def wait_ready(self) -> None:
        for container in self.containers:
            container.wait_ready()

    def stop(self) -> None:
        for container in self.containers:
            container.stop()
