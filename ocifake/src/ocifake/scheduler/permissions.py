"""What each operation of Resource Scheduler needs in IAM, and the variables its policies may read.

From OCI's policy reference pages; an entry marked `confirmed=False` is not named there and asks
for the stricter reading (see ocifake.identity.permissions).
"""

from ..identity.permissions import Need

PERMISSIONS: dict[str, Need] = {
    "CreateSchedule": Need("resource-schedule", "manage", "RESOURCE_SCHEDULE_CREATE"),
    "GetSchedule": Need("resource-schedule", "read", "RESOURCE_SCHEDULE_READ"),
    "ListSchedules": Need("resource-schedule", "inspect", "RESOURCE_SCHEDULE_INSPECT"),
    "DeleteSchedule": Need("resource-schedule", "manage", "RESOURCE_SCHEDULE_DELETE"),
    "UpdateSchedule": Need("resource-schedule", "manage", "RESOURCE_SCHEDULE_UPDATE"),
    # Not in the page's table: taken as an update of the schedule.
    "ActivateSchedule": Need("resource-schedule", "manage", "RESOURCE_SCHEDULE_UPDATE", confirmed=False),
    "DeactivateSchedule": Need("resource-schedule", "manage", "RESOURCE_SCHEDULE_UPDATE", confirmed=False),
    "GetWorkRequest": Need("resource-schedule-workrequest", "read", "RESOURCE_SCHEDULE_WORKREQUEST_READ"),
    "ListWorkRequests": Need("resource-schedule-workrequest", "inspect", "RESOURCE_SCHEDULE_WORKREQUEST_INSPECT"),
}
# `manage resource-schedule-family` (OCI's example policies) covers both resource types.
FAMILY = frozenset({"resource-schedule", "resource-schedule-workrequest"})
# Variables this service adds to the general ones; a condition on any other never matches.
VARIABLES: frozenset[str] = frozenset()
