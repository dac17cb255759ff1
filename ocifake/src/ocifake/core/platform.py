"""What a service's backend may ask of the cloud it runs in, and nothing more.

Backends are typed against `Platform`, never against `FakeCloud`: a service reaches another
region's backend of a kind through `require_region(name).backend(Kind)`, publishes events
through `events`, and asks IAM through `allows`. `FakeCloud` is one implementation; the
packages it gathers never import it back, so the fake has no import circle.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

if TYPE_CHECKING:
    from ..identity.models import IdentityBackend
    from ..identity.permissions import Caller, Need, Target
    from .auth import Authenticator
    from .clock import SimClock
    from .faults import Faults
    from .http import Response
    from .identity import Compartments, Ids, Tags
    from .interleave import Interleaver
    from .options import Durations, Options

B = TypeVar("B")


class Region(Protocol):
    """One region: its backend of each kind."""

    name: str

    def backend(self, kind: type[B]) -> B: ...


class EventSink(Protocol):
    """Where a service publishes what happened (the Events service)."""

    def emit(
        self,
        region: str,
        event_type: str,
        *,
        compartment_id: str,
        resource_id: str,
        resource_name: str,
        freeform_tags: dict | None = None,
        defined_tags: dict | None = None,
        additional_details: dict | None = None,
        source: str = "ComputeApi",
    ) -> dict: ...

    def create_rule(
        self,
        region: str,
        condition: str | dict,
        subscriber: Any,
        *,
        compartment_id: str | None = ...,
        display_name: str = ...,
    ) -> Any: ...

    def remove_rule(self, rule_id: str) -> None: ...


class HostedFunction(Protocol):
    """A function deployed in the fake, as the services that invoke or authorize one see it."""

    id: str
    region: str
    compartment_id: str
    egress: str

    def invoke(self, body: bytes, *, container: int = 0, content_type: str = ..., timeout: float = ...) -> Any: ...


class Platform(Protocol):
    # Tenancy-wide state.
    tenancy_id: str
    user_id: str
    namespace: str
    namespaces: dict[str, str]  # Object Storage namespace -> tenancy
    clock: SimClock
    lock: threading.RLock
    ids: Ids
    options: Options
    durations: Durations
    faults: Faults
    tags: Tags
    compartments: Compartments
    interleaver: Interleaver
    auth: Authenticator
    calls: list

    # Read-only views (a protocol's plain attribute would have to match its type exactly).
    @property
    def events(self) -> EventSink: ...

    @property
    def identity(self) -> IdentityBackend: ...

    @property
    def identities(self) -> Mapping[str, IdentityBackend]: ...

    @property
    def regions(self) -> Mapping[str, Region]: ...

    @property
    def operations(self) -> Mapping[tuple[str, str], Need]: ...

    @property
    def families(self) -> Mapping[str, frozenset[str]]: ...

    def variables(self, service: str) -> frozenset[str]: ...

    # Regions, tenancies and compartments.
    def require_region(self, region: str) -> Region: ...

    def knows_region(self, region: str) -> bool: ...

    def tenancy_of(self, compartment_id: str) -> str: ...

    def namespace_of(self, tenancy_id: str) -> str: ...

    def compartment_exists(self, compartment_id: str) -> bool: ...

    def compartment_name(self, compartment_id: str) -> str: ...

    def compartment_covers(self, ancestor: str, compartment_id: str) -> bool: ...

    def compartment_in_use(self, compartment_id: str) -> str | None: ...

    # IAM, functions and time.
    def allows(self, caller: Caller, service: str, operation: str, target: Target, region: str) -> bool: ...

    def function_by_id(self, function_id: str) -> HostedFunction | None: ...

    def deploy_handler(
        self,
        region: str,
        factory: Any,
        *,
        config: dict[str, str] | None = ...,
        name: str = ...,
        app_name: str | None = ...,
        instances: int = ...,
        egress: str = ...,
        compartment_id: str | None = ...,
    ) -> Any: ...

    def deploy_function(
        self,
        region: str,
        entry: str,
        handler: str = ...,
        *,
        config: dict[str, str] | None = ...,
        name: str = ...,
        app_name: str | None = ...,
        instances: int = ...,
        egress: str = ...,
        wait: bool = ...,
        compartment_id: str | None = ...,
    ) -> Any: ...

    def undeploy(self, function_id: str) -> None: ...

    def resource_principal_env(
        self, region: str, function_id: str | None = None, compartment_id: str | None = None
    ) -> dict[str, str]: ...

    def run_until_idle(self, max_seconds: float = ...) -> float: ...

    def share_egress(self, region: str, seconds: float) -> float: ...

    def parse_object_uri(self, uri: str) -> dict | None: ...

    def dispatch(self, method: str, url: str, headers: dict[str, str], body: bytes) -> Response: ...
