"""What each operation of Compute (instance-images) needs in IAM, and the variables its policies may read.

From OCI's policy reference pages; an entry marked `confirmed=False` is not named there and asks
for the stricter reading (see ocifake.identity.permissions).
"""

from ..identity.permissions import Need

PERMISSIONS: dict[str, Need] = {
    "ListImages": Need("instance-images", "inspect", "INSTANCE_IMAGE_INSPECT"),
    "GetImage": Need("instance-images", "read", "INSTANCE_IMAGE_READ"),
    "ListImageShapeCompatibilityEntries": Need("instance-images", "read", "INSTANCE_IMAGE_READ"),
    "GetImageShapeCompatibilityEntry": Need("instance-images", "read", "INSTANCE_IMAGE_READ"),
    "UpdateImage": Need("instance-images", "use", "INSTANCE_IMAGE_UPDATE"),
    "CreateImage": Need("instance-images", "manage", "INSTANCE_IMAGE_CREATE"),
    "DeleteImage": Need("instance-images", "manage", "INSTANCE_IMAGE_DELETE"),
    # Not in the policy tables consulted: the stricter reading.
    "ExportImage": Need("instance-images", "manage", None, confirmed=False),
    "AddImageShapeCompatibilityEntry": Need("instance-images", "manage", None, confirmed=False),
    "RemoveImageShapeCompatibilityEntry": Need("instance-images", "manage", None, confirmed=False),
    "GetWorkRequest": Need("instance-images", "read", None, confirmed=False),
    "ListWorkRequests": Need("instance-images", "read", None, confirmed=False),
}
# Variables this service adds to the general ones; a condition on any other never matches.
VARIABLES: frozenset[str] = frozenset()
