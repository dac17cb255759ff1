"""What each operation of the Events service needs in IAM (`cloudevents-rules`).

The permissions' names were not read on Oracle's pages this time: marked unconfirmed (see
ocifake.identity.permissions).
"""

from ..identity.permissions import Need

PERMISSIONS: dict[str, Need] = {
    "ListRules": Need("cloudevents-rules", "inspect", "EVENTRULE_INSPECT", confirmed=False),
    "GetRule": Need("cloudevents-rules", "read", "EVENTRULE_READ", confirmed=False),
    "CreateRule": Need("cloudevents-rules", "manage", "EVENTRULE_CREATE", confirmed=False),
    "UpdateRule": Need("cloudevents-rules", "manage", "EVENTRULE_UPDATE", confirmed=False),
    "DeleteRule": Need("cloudevents-rules", "manage", "EVENTRULE_DELETE", confirmed=False),
}
VARIABLES: frozenset[str] = frozenset()
