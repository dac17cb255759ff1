"""Every service the fake serves, each declared by its own package (see core/service.py)."""

from .compute.service import SERVICE as COMPUTE
from .core.service import Service
from .events.service import SERVICE as EVENTS
from .functions.service import SERVICE as FUNCTIONS
from .identity.permissions import FAMILIES as UNDECLARED_FAMILIES
from .identity.permissions import GENERAL_VARIABLES, UNSERVED, UNSERVED_VARIABLES, Need
from .identity.service import SERVICE as IDENTITY
from .instances.service import SERVICE as INSTANCES
from .kms.service import MANAGEMENT as KMS_MANAGEMENT
from .kms.service import SERVICE as KMS
from .logging.service import SERVICE as LOGGING
from .monitoring.service import INGESTION as MONITORING_INGESTION
from .monitoring.service import SERVICE as MONITORING
from .networking.service import SERVICE as NETWORKING
from .notifications.service import SERVICE as NOTIFICATIONS
from .objectstorage.service import SERVICE as OBJECT_STORAGE
from .scheduler.service import SERVICE as SCHEDULER
from .vault.service import MANAGEMENT as SECRETS_MANAGEMENT
from .vault.service import SERVICE as SECRETS

SERVICES: tuple[Service, ...] = (
    COMPUTE,
    INSTANCES,
    NETWORKING,
    OBJECT_STORAGE,
    NOTIFICATIONS,
    MONITORING,
    MONITORING_INGESTION,
    IDENTITY,
    SCHEDULER,
    EVENTS,
    FUNCTIONS,
    KMS,
    KMS_MANAGEMENT,
    LOGGING,
    SECRETS_MANAGEMENT,
    SECRETS,
)
# Services by endpoint host: Compute and Networking share `iaas`, each with its own routes.
BY_HOST: dict[str, tuple[Service, ...]] = {}
for _service in SERVICES:
    BY_HOST[_service.host] = (*BY_HOST.get(_service.host, ()), _service)

# What each operation needs in IAM, as each service package declares it, with what policies name
# without an endpoint here; and the condition variables each service supports. IAM reads them
# through the cloud (`FakeCloud.operations`, `FakeCloud.variables`).
OPERATIONS: dict[tuple[str, str], Need] = {
    **{(service.iam, op): need for service in SERVICES for op, need in service.permissions.items()},
    **UNSERVED,
}


# Aggregate resource types: those the service packages declare, and those of services not served.
FAMILIES: dict[str, frozenset[str]] = {
    **{name: frozenset(types) for name, types in UNDECLARED_FAMILIES.items()},
    **{name: types for service in SERVICES for name, types in service.families.items()},
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
        if need.permission and not need.confirmed:
            permission += " (unconfirmed)"
        rows.append(f"| {service} | {operation} | `{need.resource_type}` | {need.verb} | {permission} |")
    return "\n".join(rows) + "\n"
