"""What each Key Management operation needs in IAM (`vaults` and `keys`, in `secret-family`).

Not read on Oracle's KMS policy reference this time: every entry is marked unconfirmed (see
ocifake.identity.permissions).
"""

from ..identity.permissions import Need

PERMISSIONS: dict[str, Need] = {
    "ListVaults": Need("vaults", "inspect", "VAULT_INSPECT", confirmed=False),
    "GetVault": Need("vaults", "read", "VAULT_READ", confirmed=False),
    "CreateVault": Need("vaults", "manage", "VAULT_CREATE", confirmed=False),
    "ScheduleVaultDeletion": Need("vaults", "manage", "VAULT_DELETE", confirmed=False),
    "ListKeys": Need("keys", "inspect", "KEY_INSPECT", confirmed=False),
    "GetKey": Need("keys", "read", "KEY_READ", confirmed=False),
    "CreateKey": Need("keys", "manage", "KEY_CREATE", confirmed=False),
    "ScheduleKeyDeletion": Need("keys", "manage", "KEY_DELETE", confirmed=False),
}
VARIABLES: frozenset[str] = frozenset({"target.key.id"})
