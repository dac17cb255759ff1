"""What each API operation needs: a resource type, the least verb over it, and the permission.

From OCI's policy reference pages (Core Services, Object Storage, Notifications, Monitoring,
Functions, IAM). Where OCI's pages do not name an operation, the entry says so
(`confirmed=False`) and asks for the stricter reading: a `request.permission` condition never
matches it (its permission is None), and the verb is the highest OCI's pages suggest.

Denied requests answer as the service does: Object Storage with 404 `BucketNotFound` for a
bucket's and its objects' operations (the message does not tell a missing bucket from a
refused one), every other service with 404 `NotAuthorizedOrNotFound`.
"""

from __future__ import annotations

from dataclasses import dataclass

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
# Variables each service adds; a condition on any other never matches (e.g. Notifications:
# "Only the general variables are supported").
SERVICE_VARIABLES = {
    "compute": frozenset(),
    "objectstorage": frozenset({"target.bucket.name", "target.object.name"}),
    "notifications": frozenset(),
    "monitoring": frozenset({"target.metrics.namespace"}),
    "functions": frozenset(),
    "identity": frozenset(),
    "resourcescheduler": frozenset(),
    "kms": frozenset({"target.key.id"}),
    "secrets": frozenset({"target.secret.id", "target.secret.name"}),
}

OPERATIONS: dict[tuple[str, str], Need] = {
    # Core Services: instance-images
    ("compute", "ListImages"): Need("instance-images", "inspect", "INSTANCE_IMAGE_INSPECT"),
    ("compute", "GetImage"): Need("instance-images", "read", "INSTANCE_IMAGE_READ"),
    ("compute", "ListImageShapeCompatibilityEntries"): Need("instance-images", "read", "INSTANCE_IMAGE_READ"),
    ("compute", "GetImageShapeCompatibilityEntry"): Need("instance-images", "read", "INSTANCE_IMAGE_READ"),
    ("compute", "UpdateImage"): Need("instance-images", "use", "INSTANCE_IMAGE_UPDATE"),
    ("compute", "CreateImage"): Need("instance-images", "manage", "INSTANCE_IMAGE_CREATE"),
    ("compute", "DeleteImage"): Need("instance-images", "manage", "INSTANCE_IMAGE_DELETE"),
    # Not in the policy tables consulted: the stricter reading.
    ("compute", "ExportImage"): Need("instance-images", "manage", None, confirmed=False),
    ("compute", "AddImageShapeCompatibilityEntry"): Need("instance-images", "manage", None, confirmed=False),
    ("compute", "RemoveImageShapeCompatibilityEntry"): Need("instance-images", "manage", None, confirmed=False),
    ("compute", "GetWorkRequest"): Need("instance-images", "read", None, confirmed=False),
    ("compute", "ListWorkRequests"): Need("instance-images", "read", None, confirmed=False),
    # Object Storage
    ("objectstorage", "GetNamespace"): Need("objectstorage-namespaces", "read", "OBJECTSTORAGE_NAMESPACE_READ"),
    ("objectstorage", "ListBuckets"): Need("buckets", "inspect", "BUCKET_INSPECT"),
    ("objectstorage", "GetBucket"): Need("buckets", "read", "BUCKET_READ"),
    ("objectstorage", "CreateBucket"): Need("buckets", "manage", "BUCKET_CREATE"),
    ("objectstorage", "UpdateBucket"): Need("buckets", "use", "BUCKET_UPDATE"),
    ("objectstorage", "DeleteBucket"): Need("buckets", "manage", "BUCKET_DELETE"),
    ("objectstorage", "ListObjects"): Need("objects", "inspect", "OBJECT_INSPECT"),
    ("objectstorage", "HeadObject"): Need("objects", "read", "OBJECT_READ"),
    ("objectstorage", "GetObject"): Need("objects", "read", "OBJECT_READ"),
    ("objectstorage", "PutObject"): Need("objects", "manage", "OBJECT_CREATE"),
    ("objectstorage", "DeleteObject"): Need("objects", "manage", "OBJECT_DELETE"),
    # The caller reads the source; Object Storage's own principal writes the destination.
    ("objectstorage", "CopyObject"): Need("objects", "read", "OBJECT_READ"),
    ("objectstorage", "PutObjectLifecyclePolicy"): Need("buckets", "manage", None, confirmed=False),
    ("objectstorage", "CreatePreauthenticatedRequest"): Need("buckets", "manage", "PAR_MANAGE"),
    ("objectstorage", "DeletePreauthenticatedRequest"): Need("buckets", "manage", "PAR_MANAGE"),
    ("objectstorage", "ListPreauthenticatedRequests"): Need("buckets", "read", None, confirmed=False),
    ("objectstorage", "GetPreauthenticatedRequest"): Need("buckets", "read", None, confirmed=False),
    # A copy's work request: no bucket variable applies to it.
    ("objectstorage", "GetWorkRequest"): Need("buckets", "read", None, confirmed=False),
    ("objectstorage", "ListWorkRequestErrors"): Need("buckets", "read", None, confirmed=False),
    # Notifications, Monitoring, Functions
    ("notifications", "PublishMessage"): Need("ons-topics", "use", "ONS_TOPIC_PUBLISH"),
    ("monitoring", "PostMetricData"): Need("metrics", "use", "METRIC_WRITE"),
    ("functions", "InvokeFunction"): Need("fn-invocation", "use", "FN_INVOCATION"),
    # Vault secrets
    ("secrets", "GetSecretBundle"): Need("secret-bundles", "read", "SECRET_BUNDLE_READ"),
    # IAM
    ("identity", "ListCompartments"): Need("compartments", "inspect", "COMPARTMENT_INSPECT"),
    ("identity", "ListPolicies"): Need("policies", "inspect", "POLICY_READ"),
    ("identity", "GetPolicy"): Need("policies", "inspect", "POLICY_READ"),
    ("identity", "CreatePolicy"): Need("policies", "manage", "POLICY_CREATE"),
    ("identity", "UpdatePolicy"): Need("policies", "manage", "POLICY_UPDATE"),
    ("identity", "DeletePolicy"): Need("policies", "manage", "POLICY_DELETE"),
    ("identity", "ListDynamicGroups"): Need("dynamic-groups", "inspect", "DYNAMIC_GROUP_INSPECT"),
    ("identity", "GetDynamicGroup"): Need("dynamic-groups", "inspect", "DYNAMIC_GROUP_INSPECT"),
    ("identity", "CreateDynamicGroup"): Need("dynamic-groups", "manage", "DYNAMIC_GROUP_CREATE"),
    ("identity", "UpdateDynamicGroup"): Need("dynamic-groups", "manage", "DYNAMIC_GROUP_UPDATE"),
    ("identity", "DeleteDynamicGroup"): Need("dynamic-groups", "manage", "DYNAMIC_GROUP_DELETE"),
    # Resource Scheduler
    ("resourcescheduler", "CreateSchedule"): Need("resource-schedule", "manage", "RESOURCE_SCHEDULE_CREATE"),
    ("resourcescheduler", "GetSchedule"): Need("resource-schedule", "read", "RESOURCE_SCHEDULE_READ"),
    ("resourcescheduler", "ListSchedules"): Need("resource-schedule", "inspect", "RESOURCE_SCHEDULE_INSPECT"),
    ("resourcescheduler", "DeleteSchedule"): Need("resource-schedule", "manage", "RESOURCE_SCHEDULE_DELETE"),
}


def covers(granted: str, resource_type: str) -> bool:
    """A statement on `granted` (a type, a family, or all-resources) covers `resource_type`."""
    return granted in ("all-resources", resource_type) or resource_type in FAMILIES.get(granted, set())


def supported_variables(service: str) -> frozenset[str]:
    return GENERAL_VARIABLES | SERVICE_VARIABLES.get(service, frozenset())


def markdown() -> str:
    """The table above as README shows it (a test keeps the two equal)."""
    rows = ["| Service | Operation | Resource type | Least verb | Permission |", "|---|---|---|---|---|"]
    for (service, operation), need in OPERATIONS.items():
        permission = f"`{need.permission}`" if need.permission else "unconfirmed"
        rows.append(f"| {service} | {operation} | `{need.resource_type}` | {need.verb} | {permission} |")
    return "\n".join(rows) + "\n"
