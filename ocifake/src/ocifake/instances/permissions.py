"""What each operation on Compute instances and console histories needs in IAM.

From OCI's core policy reference (the tables of `instances`, `console-histories` and
`instance-images`): ListInstances and GetInstance need `read instances`; LaunchInstance `manage
instances`, and also `read instance-images`, `use vnics`, `use subnets` and `use
network-security-groups`; TerminateInstance `manage instances`, and also `use vnics` and `use
subnets`; GetConsoleHistory and ListConsoleHistories `inspect console-histories` and `inspect
instances`; CaptureConsoleHistory `manage console-histories`, and also `read instances` and
`read instance-images`; its content (ShowConsoleHistoryData) `read console-histories`, and the
same two; DeleteConsoleHistory `manage console-histories`. What an operation also needs is asked
in routes.targets. Not asked: `read app-catalog-listing`, which the table names for a launch,
read here as a Marketplace image's (the fake serves no listing).
"""

from ..identity.permissions import Need

PERMISSIONS: dict[str, Need] = {
    "ListInstances": Need("instances", "read", "INSTANCE_READ"),
    "GetInstance": Need("instances", "read", "INSTANCE_READ"),
    "LaunchInstance": Need("instances", "manage", "INSTANCE_CREATE"),
    "TerminateInstance": Need("instances", "manage", "INSTANCE_DELETE"),
    "ListConsoleHistories": Need("console-histories", "inspect", "CONSOLE_HISTORY_INSPECT"),
    "GetConsoleHistory": Need("console-histories", "inspect", "CONSOLE_HISTORY_INSPECT"),
    "CaptureConsoleHistory": Need("console-histories", "manage", "CONSOLE_HISTORY_CREATE"),
    "GetConsoleHistoryContent": Need("console-histories", "read", "CONSOLE_HISTORY_READ"),
    "DeleteConsoleHistory": Need("console-histories", "manage", "CONSOLE_HISTORY_DELETE"),
}
VARIABLES: frozenset[str] = frozenset()
