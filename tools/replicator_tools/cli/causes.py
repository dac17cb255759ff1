"""Why a call failed, named by its real cause: the credentials, a missing resource, IAM, or the network.

OCI answers a refusal and a missing resource alike (404 `BucketNotFound`, 404
`NotAuthorizedOrNotFound`) so that a caller cannot probe for what it may not see. Where a
listing the caller may make can tell the two apart, it is made; where none can, the line says
"missing or not permitted" and gives both remedies.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from replicator.api import Identity, ReplicatorError, Unreachable

if TYPE_CHECKING:
    from .auth import Operator

_NEEDS = {
    "GetImage": "read instance-images in compartment <images compartment>",
    "ListImages": "read instance-images in compartment <images compartment>",
    "ListImageShapeCompatibilityEntries": "read instance-images in compartment <images compartment>",
    "GetNamespace": "read objectstorage-namespaces in tenancy",
    "GetObject": "read objects in compartment <bucket compartment> where target.bucket.name='{bucket}'",
    "ListObjects": "read objects in compartment <bucket compartment> where target.bucket.name='{bucket}'",
    "HeadObject": "read objects in compartment <bucket compartment> where target.bucket.name='{bucket}'",
    "PutObject": "manage objects in compartment <bucket compartment> where target.bucket.name='{bucket}'",
}
_BUCKET_CALLS = ("GetObject", "ListObjects", "HeadObject", "PutObject")


def explain(exc: ReplicatorError, operator: Operator) -> str:
    """The failure in one line, by cause, with what to do about it."""
    if isinstance(exc, Unreachable):
        return (
            f"cannot reach {exc.host or 'the endpoint'} ({exc.operation}): {exc.cause}; "
            "check --region, the network and any proxy (HTTPS_PROXY)"
        )
    if exc.status == 401:
        return f"authentication failed ({exc.operation}: 401 {exc.code or 'NotAuthenticated'}): {operator.who()}"
    if exc.status in (403, 404) and exc.operation in _NEEDS:
        return _refused_or_missing(exc, operator)
    return exc.reason


def _statement(operation: str, bucket: str) -> str:
    return f"'Allow group <your group> to {_NEEDS[operation].format(bucket=bucket)}'"


def _refused_or_missing(exc: ReplicatorError, operator: Operator) -> str:
    operation = exc.operation or ""
    if operation not in _BUCKET_CALLS:
        return (
            f"{operation} refused or its resource missing ({exc.status} {exc.code}): "
            f"if it exists, the profile needs {_statement(operation, '')}"
        )
    bucket = operator.config.staging_bucket
    region = operator.region
    found = bucket_seen(operator, bucket)
    if found is True:
        return (
            f"permission denied for {operation} on bucket {bucket!r} (it exists in {region}): "
            f"needs {_statement(operation, bucket)}"
        )
    if found is False:
        return (
            f"bucket {bucket!r} does not exist in {region} (no compartment the profile can list holds it): "
            "check IR_STAGING_BUCKET and --region"
        )
    return (
        f"bucket {bucket!r} is missing in {region} or not permitted ({operation}: {exc.status} {exc.code}): "
        f"check IR_STAGING_BUCKET and --region; if it exists, needs {_statement(operation, bucket)}"
    )


def bucket_seen(operator: Operator, bucket: str) -> bool | None:
    """Whether the bucket exists, as listings the profile may make show it: True, False, or None
    when some listing was refused (then a bucket it cannot see may still exist)."""
    tenancy = operator.tenancy
    if tenancy is None:
        return None
    runtime = operator.runtime()
    try:
        compartments = [tenancy, *Identity(runtime.clients).compartments_under(tenancy)]
    except ReplicatorError:
        return None
    complete = True
    for compartment in compartments:
        try:
            if bucket in runtime.objects.bucket_names(compartment):
                return True
        except ReplicatorError:
            complete = False
    return False if complete else None
