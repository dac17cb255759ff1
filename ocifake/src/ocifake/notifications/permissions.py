"""What each operation of Notifications needs in IAM, and the variables its policies may read.

From OCI's policy reference pages; an entry marked `confirmed=False` is not named there and asks
for the stricter reading (see ocifake.identity.permissions).
"""

from ..identity.permissions import Need

PERMISSIONS: dict[str, Need] = {
    "PublishMessage": Need("ons-topics", "use", "ONS_TOPIC_PUBLISH"),
}
# Variables this service adds to the general ones; a condition on any other never matches.
VARIABLES: frozenset[str] = frozenset()
