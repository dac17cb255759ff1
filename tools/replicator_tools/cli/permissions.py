"""For a refused call, the policy statement the operator is missing."""

from replicator.errors import ReplicatorError

_NEEDS = {
    "GetImage": "read instance-images in compartment <images compartment>",
    "ListImages": "read instance-images in compartment <images compartment>",
    "ListImageShapeCompatibilityEntries": "read instance-images in compartment <images compartment>",
    "GetNamespace": "read objectstorage-namespaces in tenancy",
    "GetObject": "read objects in compartment <bucket compartment> where target.bucket.name='{staging}'",
    "ListObjects": "read objects in compartment <bucket compartment> where target.bucket.name='{staging}'",
    "HeadObject": "read objects in compartment <bucket compartment> where target.bucket.name='{staging}'",
    "PutObject": "manage objects in compartment <bucket compartment> where target.bucket.name='{staging}'",
}


def explain(exc: ReplicatorError, staging_bucket: str) -> str:
    """The error in one line; for a refused call, the statement that would allow it."""
    if exc.status in (401, 403, 404) and exc.operation in _NEEDS:
        statement = _NEEDS[exc.operation].format(staging=staging_bucket)
        return (
            f"permission denied for {exc.operation} (or the resource does not exist): "
            f"needs 'Allow group <your group> to {statement}'"
        )
    return exc.reason
