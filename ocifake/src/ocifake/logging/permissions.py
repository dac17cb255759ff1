"""What each operation of Logging's management API needs in IAM (`log-groups`, `log-content`).

Not read on Oracle's Logging policy reference this time: marked unconfirmed (see
ocifake.identity.permissions). A log's operations are read as its group's.
"""

from ..identity.permissions import Need

PERMISSIONS: dict[str, Need] = {
    "ListLogGroups": Need("log-groups", "inspect", "LOG_GROUP_INSPECT", confirmed=False),
    "GetLogGroup": Need("log-groups", "read", "LOG_GROUP_READ", confirmed=False),
    "CreateLogGroup": Need("log-groups", "manage", "LOG_GROUP_CREATE", confirmed=False),
    "UpdateLogGroup": Need("log-groups", "manage", "LOG_GROUP_UPDATE", confirmed=False),
    "DeleteLogGroup": Need("log-groups", "manage", "LOG_GROUP_DELETE", confirmed=False),
    "ListLogs": Need("log-groups", "inspect", "LOG_GROUP_INSPECT", confirmed=False),
    "GetLog": Need("log-groups", "read", "LOG_GROUP_READ", confirmed=False),
    "CreateLog": Need("log-groups", "manage", "LOG_GROUP_UPDATE", confirmed=False),
    "UpdateLog": Need("log-groups", "manage", "LOG_GROUP_UPDATE", confirmed=False),
    "DeleteLog": Need("log-groups", "manage", "LOG_GROUP_UPDATE", confirmed=False),
    "GetWorkRequest": Need("log-groups", "read", "LOG_GROUP_READ", confirmed=False),
}
VARIABLES: frozenset[str] = frozenset()
