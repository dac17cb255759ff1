"""What each operation of Monitoring needs in IAM, and the variables its policies may read.

From OCI's policy reference pages; an entry marked `confirmed=False` is not named there and asks
for the stricter reading (see ocifake.identity.permissions).
"""

from ..identity.permissions import Need

PERMISSIONS: dict[str, Need] = {
    "PostMetricData": Need("metrics", "use", "METRIC_WRITE"),
}
# Alarms (telemetry.<region>): the `alarms` resource type's permissions, not read on Oracle's pages.
ALARM_PERMISSIONS: dict[str, Need] = {
    "ListAlarms": Need("alarms", "inspect", "ALARM_INSPECT", confirmed=False),
    "GetAlarm": Need("alarms", "read", "ALARM_READ", confirmed=False),
    "CreateAlarm": Need("alarms", "manage", "ALARM_CREATE", confirmed=False),
    "UpdateAlarm": Need("alarms", "manage", "ALARM_UPDATE", confirmed=False),
    "DeleteAlarm": Need("alarms", "manage", "ALARM_DELETE", confirmed=False),
}
# Variables this service adds to the general ones; a condition on any other never matches.
VARIABLES: frozenset[str] = frozenset({"target.metrics.namespace"})
