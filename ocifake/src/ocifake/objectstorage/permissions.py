"""What each operation of Object Storage needs in IAM, and the variables its policies may read.

From OCI's policy reference pages; an entry marked `confirmed=False` is not named there and asks
for the stricter reading (see ocifake.identity.permissions).
"""

from ..identity.permissions import Need

PERMISSIONS: dict[str, Need] = {
    "GetNamespace": Need("objectstorage-namespaces", "read", "OBJECTSTORAGE_NAMESPACE_READ"),
    "ListBuckets": Need("buckets", "inspect", "BUCKET_INSPECT"),
    "GetBucket": Need("buckets", "read", "BUCKET_READ"),
    "CreateBucket": Need("buckets", "manage", "BUCKET_CREATE"),
    "UpdateBucket": Need("buckets", "use", "BUCKET_UPDATE"),
    "DeleteBucket": Need("buckets", "manage", "BUCKET_DELETE"),
    "ListObjects": Need("objects", "inspect", "OBJECT_INSPECT"),
    "HeadObject": Need("objects", "read", "OBJECT_READ"),
    "GetObject": Need("objects", "read", "OBJECT_READ"),
    "PutObject": Need("objects", "manage", "OBJECT_CREATE"),
    "DeleteObject": Need("objects", "manage", "OBJECT_DELETE"),
    # The caller reads the source; Object Storage's own principal writes the destination.
    "CopyObject": Need("objects", "read", "OBJECT_READ"),
    # Multipart uploads: Oracle's page names no permission for them here (not confirmed); an upload
    # writes an object and an abort removes one, as PutObject and DeleteObject do.
    "CreateMultipartUpload": Need("objects", "manage", "OBJECT_CREATE", confirmed=False),
    "UploadPart": Need("objects", "manage", "OBJECT_CREATE", confirmed=False),
    "CommitMultipartUpload": Need("objects", "manage", "OBJECT_CREATE", confirmed=False),
    "AbortMultipartUpload": Need("objects", "manage", "OBJECT_DELETE", confirmed=False),
    "ListMultipartUploads": Need("objects", "inspect", "OBJECT_INSPECT", confirmed=False),
    "ListMultipartUploadParts": Need("objects", "inspect", "OBJECT_INSPECT", confirmed=False),
    "PutObjectLifecyclePolicy": Need("buckets", "manage", None, confirmed=False),
    "GetObjectLifecyclePolicy": Need("buckets", "read", "BUCKET_READ", confirmed=False),
    "DeleteObjectLifecyclePolicy": Need("buckets", "manage", None, confirmed=False),
    "CreateRetentionRule": Need("buckets", "use", "BUCKET_UPDATE", confirmed=False),
    "ListRetentionRules": Need("buckets", "read", "BUCKET_READ", confirmed=False),
    "GetRetentionRule": Need("buckets", "read", "BUCKET_READ", confirmed=False),
    "UpdateRetentionRule": Need("buckets", "use", "BUCKET_UPDATE", confirmed=False),
    "DeleteRetentionRule": Need("buckets", "use", "BUCKET_UPDATE", confirmed=False),
    "CreatePreauthenticatedRequest": Need("buckets", "manage", "PAR_MANAGE"),
    "DeletePreauthenticatedRequest": Need("buckets", "manage", "PAR_MANAGE"),
    "ListPreauthenticatedRequests": Need("buckets", "read", None, confirmed=False),
    "GetPreauthenticatedRequest": Need("buckets", "read", None, confirmed=False),
    # A copy's work request: no bucket variable applies to it.
    "GetWorkRequest": Need("buckets", "read", None, confirmed=False),
    "ListWorkRequests": Need("buckets", "read", None, confirmed=False),
    "ListWorkRequestErrors": Need("buckets", "read", None, confirmed=False),
}
# Variables this service adds to the general ones; a condition on any other never matches.
VARIABLES: frozenset[str] = frozenset({"target.bucket.name", "target.object.name"})
