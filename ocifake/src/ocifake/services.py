"""Every service the fake serves, each declared by its own package (see core/service.py)."""

from .compute.service import SERVICE as COMPUTE
from .core.service import Service
from .identity.permissions import GENERAL_VARIABLES, UNSERVED, UNSERVED_VARIABLES, Need
from .identity.service import SERVICE as IDENTITY
from .monitoring.service import INGESTION as MONITORING_INGESTION
from .monitoring.service import SERVICE as MONITORING
from .notifications.service import SERVICE as NOTIFICATIONS
from .objectstorage.service import SERVICE as OBJECT_STORAGE
from .scheduler.service import SERVICE as SCHEDULER
from .vault.service import SERVICE as SECRETS

SERVICES: tuple[Service, ...] = (
    COMPUTE,
    OBJECT_STORAGE,
    NOTIFICATIONS,
    MONITORING,
    MONITORING_INGESTION,
    IDENTITY,
    SCHEDULER,
    SECRETS,
)
BY_HOST = {service.host: service for service in SERVICES}

# What each operation needs in IAM, as each service package declares it, with what policies name
# without an endpoint here; and the condition variables each service supports. IAM reads them
# through the cloud (`FakeCloud.operations`, `FakeCloud.variables`).
OPERATIONS: dict[tuple[str, str], Need] = {
    **{(service.iam, op): need for service in SERVICES for op, need in service.permissions.items()},
    **UNSERVED,
}


def variables(service: str) -> frozenset[str]:
    """The variables a condition may read in a request to `service`: the general ones and its own."""
    declared = frozenset().union(*(s.variables for s in SERVICES if s.iam == service))
    return GENERAL_VARIABLES | declared | UNSERVED_VARIABLES.get(service, frozenset())


def markdown() -> str:
    """The table of OPERATIONS as ocifake's README shows it (a test keeps the two equal)."""
    rows = ["| Service | Operation | Resource type | Least verb | Permission |", "|---|---|---|---|---|"]
    for (service, operation), need in OPERATIONS.items():
        permission = f"`{need.permission}`" if need.permission else "unconfirmed"
        rows.append(f"| {service} | {operation} | `{need.resource_type}` | {need.verb} | {permission} |")
    return "\n".join(rows) + "\n"
