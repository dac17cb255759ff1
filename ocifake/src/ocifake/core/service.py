"""What a service of the fake declares: its endpoints, routes, IAM view and per-region state.

Each service package has a `service.py` with one `SERVICE`; `ocifake.services` lists them.
Adding a service is one new package and one line there: the cloud routes requests, builds
per-region state and checks IAM from these declarations alone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import errors
from .http import Request, Route

if TYPE_CHECKING:
    from ..core.platform import Platform
    from ..identity.models import Target
    from ..identity.permissions import Need


def not_authorized(req: Request, operation: str) -> errors.OciError:
    return errors.NotAuthorizedOrNotFound()


@dataclass(frozen=True)
class Service:
    name: str  # as calls are recorded (ApiCall.service)
    host: str  # the endpoint's first label: https://<host>.<region>.oraclecloud.com
    routes: list[Route]
    # What IAM checks a signed request against (None: no such resource; the handler answers).
    targets: Callable[[Request, str], list[Target] | None]
    iam_name: str = ""  # the service name in ocifake.identity.permissions (default: name)
    anonymous_routes: list[Route] = field(default_factory=list)  # served without a signature
    retry_token_operations: frozenset[str] = frozenset()  # requests honouring opc-retry-token
    backend: Callable[[Platform, str], Any] | None = None  # its per-region state (RegionState.backend)
    # Called with the region's backend each time the simulated clock has moved on (what the
    # service does by itself as time passes: lifecycle rules, say).
    after_time: Callable[[Any], object] | None = None
    # Whether the region's backend keeps anything in a compartment (given its OCID): a compartment
    # is deleted only once no service holds anything in it.
    holds: Callable[[Any, str], bool] | None = None
    # What each operation needs in IAM (its package's permissions.py), and the variables its
    # policies' conditions may read besides the general ones.
    permissions: Mapping[str, Need] = field(default_factory=dict)
    variables: frozenset[str] = frozenset()
    # Aggregate resource types its policies may name (`virtual-network-family`), each with its types.
    families: Mapping[str, frozenset[str]] = field(default_factory=dict)
    denied: Callable[[Request, str], errors.OciError] = not_authorized

    @property
    def iam(self) -> str:
        return self.iam_name or self.name
