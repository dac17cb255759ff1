"""What each operation of Monitoring needs in IAM, and the variables its policies may read.

From OCI's policy reference pages; an entry marked `confirmed=False` is not named there and asks
for the stricter reading (see ocifake.identity.permissions).
"""

from ..identity.permissions import Need

PERMISSIONS: dict[str, Need] = {
    "PostMetricData": Need("metrics", "use", "METRIC_WRITE"),
}
# Variables this service adds to the general ones; a condition on any other never matches.
VARIABLES: frozenset[str] = frozenset({"target.metrics.namespace"})
