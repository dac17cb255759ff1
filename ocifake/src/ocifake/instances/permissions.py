"""What each operation on Compute instances and console histories needs in IAM.

From OCI's policy pages for Compute (the instances table: ListInstances with INSTANCE_INSPECT,
GetInstance with INSTANCE_READ; GetConsoleHistory and ListConsoleHistories also need inspect
console-histories). LaunchInstance and TerminateInstance are covered by `manage instances`; the
network permissions they also need are asked in routes.targets. The console histories' own
permissions are not named on the pages read: marked unconfirmed, the stricter reading.
"""

from ..identity.permissions import Need

PERMISSIONS: dict[str, Need] = {
    "ListInstances": Need("instances", "inspect", "INSTANCE_INSPECT"),
    "GetInstance": Need("instances", "read", "INSTANCE_READ"),
    "LaunchInstance": Need("instances", "manage", "INSTANCE_CREATE"),
    "TerminateInstance": Need("instances", "manage", "INSTANCE_DELETE"),
    "ListConsoleHistories": Need("console-histories", "inspect", None, confirmed=False),
    "GetConsoleHistory": Need("console-histories", "inspect", None, confirmed=False),
    "CaptureConsoleHistory": Need("console-histories", "manage", None, confirmed=False),
    "GetConsoleHistoryContent": Need("console-histories", "read", None, confirmed=False),
    "DeleteConsoleHistory": Need("console-histories", "manage", None, confirmed=False),
}
VARIABLES: frozenset[str] = frozenset()
