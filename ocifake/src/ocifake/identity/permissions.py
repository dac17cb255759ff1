"""What an API operation needs (`Need`: a resource type, the least verb over it, the permission),
who asks (`Caller`) and what for (`Target`),
the resource families and the variables every service supports. Each service package declares
its own operations' needs in its `permissions.py`; `ocifake.services` gathers them (`OPERATIONS`).

From OCI's policy reference pages (Core Services, Object Storage, Notifications, Monitoring,
Functions, IAM). Where OCI's pages do not name an operation, the entry says so
(`confirmed=False`) and asks for the stricter reading: a `request.permission` condition never
matches it (its permission is None), and the verb is the highest OCI's pages suggest.

Denied requests answer as the service does: Object Storage with 404 `BucketNotFound` for a
bucket's and its objects' operations (the message does not tell a missing bucket from a
refused one), every other service with 404 `NotAuthorizedOrNotFound`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from . import language


@dataclass(frozen=True)
class Need:
    resource_type: str
    verb: str
    permission: str | None
    confirmed: bool = True

    @property
    def level(self) -> int:
        return language.VERBS.index(self.verb)


@dataclass(frozen=True)
class Caller:
    """Who a request is made by, as IAM sees it."""

    type: str  # "user", "fnfunc", "service", "resourceschedule"
    id: str
    groups: frozenset[str] = frozenset()  # group names, for users
    compartment_id: str | None = None  # for resources
    service_name: str | None = None  # for services
    tenancy_id: str | None = None  # whose principal it is (None: the home tenancy)


@dataclass(frozen=True)
class Target:
    """What a request acts on: its compartment and the service's variables.

    `need` names a further permission the request needs besides its operation's own (using a
    tag namespace to set defined tags, say).
    """

    compartment_id: str
    variables: dict[str, str] = field(default_factory=dict)
    need: Need | None = None


# Families of the services that do not declare their own (core.service.Service.families); the
# cloud reads every family through `Platform.families`.
FAMILIES = {
    "instance-family": {"instances", "instance-images", "volume-attachments", "console-histories"},
    "object-family": {"buckets", "objects", "objectstorage-namespaces"},
    "functions-family": {"fn-app", "fn-function", "fn-invocation"},
    "ons-family": {"ons-topics", "ons-subscriptions"},
    "secret-family": {"vaults", "keys", "secrets", "secret-bundles"},
}

# Variables every service supports (OCI: "General Variables for All Requests").
GENERAL_VARIABLES = frozenset(
    {
        "request.operation",
        "request.permission",
        "request.region",
        "request.principal.type",
        "request.principal.id",
        "request.user.id",
        "request.groups.id",
        "target.compartment.id",
        "target.compartment.name",
    }
)
# The identity service's own operations (this package serves it too).
IDENTITY: dict[str, Need] = {
    # Reads of the tenancy itself (what `oci iam tenancy get`, `region-subscription list` and the
    # like ask): not checked against Oracle's page, so the stricter reading.
    "GetTenancy": Need("tenancies", "inspect", "TENANCY_INSPECT", confirmed=False),
    "ListRegionSubscriptions": Need("tenancies", "inspect", "TENANCY_INSPECT", confirmed=False),
    "ListRegions": Need("tenancies", "inspect", "TENANCY_INSPECT", confirmed=False),
    "ListAvailabilityDomains": Need("compartments", "inspect", "COMPARTMENT_INSPECT", confirmed=False),
    "ListCompartments": Need("compartments", "inspect", "COMPARTMENT_INSPECT"),
    # A compartment's own life: not checked against Oracle's page, so the stricter reading.
    "GetCompartment": Need("compartments", "inspect", "COMPARTMENT_INSPECT", confirmed=False),
    "CreateCompartment": Need("compartments", "manage", "COMPARTMENT_CREATE", confirmed=False),
    "UpdateCompartment": Need("compartments", "manage", "COMPARTMENT_UPDATE", confirmed=False),
    "DeleteCompartment": Need("compartments", "manage", "COMPARTMENT_DELETE", confirmed=False),
    "ListPolicies": Need("policies", "inspect", "POLICY_READ"),
    "GetPolicy": Need("policies", "inspect", "POLICY_READ"),
    "CreatePolicy": Need("policies", "manage", "POLICY_CREATE"),
    "UpdatePolicy": Need("policies", "manage", "POLICY_UPDATE"),
    "DeletePolicy": Need("policies", "manage", "POLICY_DELETE"),
    "ListDynamicGroups": Need("dynamic-groups", "inspect", "DYNAMIC_GROUP_INSPECT"),
    "GetDynamicGroup": Need("dynamic-groups", "inspect", "DYNAMIC_GROUP_INSPECT"),
    "CreateDynamicGroup": Need("dynamic-groups", "manage", "DYNAMIC_GROUP_CREATE"),
    "UpdateDynamicGroup": Need("dynamic-groups", "manage", "DYNAMIC_GROUP_UPDATE"),
    "DeleteDynamicGroup": Need("dynamic-groups", "manage", "DYNAMIC_GROUP_DELETE"),
}
# Services whose calls policies name but this fake does not serve as an endpoint: their
# operations (a schedule invoking a function) and variables still count.
UNSERVED: dict[tuple[str, str], Need] = {
    ("functions", "InvokeFunction"): Need("fn-invocation", "use", "FN_INVOCATION"),
}
UNSERVED_VARIABLES: dict[str, frozenset[str]] = {"functions": frozenset()}


def covers(granted: str, resource_type: str, families: Mapping[str, frozenset[str]]) -> bool:
    """A statement on `granted` (a type, a family of `families`, or all-resources) covers `resource_type`."""
    return granted in ("all-resources", resource_type) or resource_type in families.get(granted, frozenset())
