"""What each operation of Vault secrets (the data plane) needs in IAM, and the variables its policies may read.

From OCI's policy reference pages; an entry marked `confirmed=False` is not named there and asks
for the stricter reading (see ocifake.identity.permissions).
"""

from ..identity.permissions import Need

PERMISSIONS: dict[str, Need] = {
    "GetSecretBundle": Need("secret-bundles", "read", "SECRET_BUNDLE_READ"),
}
# The management API (vaults.<region>): not read on Oracle's pages this time.
MANAGEMENT_PERMISSIONS: dict[str, Need] = {
    "ListSecrets": Need("secrets", "inspect", "SECRET_INSPECT", confirmed=False),
    "GetSecret": Need("secrets", "read", "SECRET_READ", confirmed=False),
    "CreateSecret": Need("secrets", "manage", "SECRET_CREATE", confirmed=False),
    "UpdateSecret": Need("secrets", "manage", "SECRET_UPDATE", confirmed=False),
    "ScheduleSecretDeletion": Need("secrets", "manage", "SECRET_DELETE", confirmed=False),
}
# Variables this service adds to the general ones; a condition on any other never matches.
VARIABLES: frozenset[str] = frozenset({"target.secret.id", "target.secret.name"})
