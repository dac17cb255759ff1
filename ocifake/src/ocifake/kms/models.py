"""Vaults and their keys in one region.

A vault is made at `kms.<region>`; it is CREATING for a while (VAULT_READY_SECONDS of simulated
time) and then ACTIVE, with a management endpoint of its own,
`https://<label>-management.kms.<region>.oraclecloud.com`, where its keys are made (a key is
CREATING, then ENABLED after KEY_READY_SECONDS). Deletion is scheduled, as OCI's is, 7 to 30
days ahead (PENDING_DELETION). Keys hold no material here: a secret names its key, and that is
all a key is asked for. Validated: vault types, key shapes (AES 16, 24 or 32 bytes; RSA 256,
384 or 512; ECDSA 32, 48 or 66), protection modes, a key made at its vault's endpoint only. Not
modelled: encrypt, decrypt and the crypto endpoint, key versions, rotation, replicas, backups.
The lengths of the waits are this fake's, not measured.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from ..core import errors
from ..core.clock import iso
from ..core.http import json_object

if TYPE_CHECKING:
    from ..core.platform import Platform

VAULT_READY_SECONDS = 30
KEY_READY_SECONDS = 5
VAULT_TYPES = ("DEFAULT", "VIRTUAL_PRIVATE")
PROTECTION_MODES = ("SOFTWARE", "HSM", "EXTERNAL")
KEY_LENGTHS = {"AES": (16, 24, 32), "RSA": (256, 384, 512), "ECDSA": (32, 48, 66)}


def _deletion(details: Any, now: datetime) -> datetime:
    """When a scheduled deletion happens: 7 to 30 days ahead (30 by default)."""
    asked = details.get("timeOfDeletion") if isinstance(details, dict) else None
    if not asked:
        return now + timedelta(days=30)
    try:
        when = datetime.fromisoformat(asked.replace("Z", "+00:00"))
    except (AttributeError, ValueError):
        raise errors.InvalidParameter(f"timeOfDeletion {asked!r} is not an RFC 3339 time.") from None
    if not timedelta(days=7) <= when - now <= timedelta(days=30):
        raise errors.InvalidParameter("A deletion is scheduled 7 to 30 days ahead.")
    return when


@dataclass
class Vault:
    id: str
    compartment_id: str
    display_name: str
    vault_type: str
    label: str  # the first label of its endpoints' host names
    created: datetime
    freeform_tags: dict = field(default_factory=dict)
    deletion: datetime | None = None

    def state(self, now: datetime) -> str:
        if self.deletion is not None:
            return "PENDING_DELETION"
        return "ACTIVE" if now - self.created >= timedelta(seconds=VAULT_READY_SECONDS) else "CREATING"

    def to_json(self, region: str, now: datetime) -> dict:
        return {
            "id": self.id,
            "compartmentId": self.compartment_id,
            "displayName": self.display_name,
            "vaultType": self.vault_type,
            "lifecycleState": self.state(now),
            "managementEndpoint": f"https://{self.label}-management.kms.{region}.oraclecloud.com",
            "cryptoEndpoint": f"https://{self.label}-crypto.kms.{region}.oraclecloud.com",
            "timeCreated": iso(self.created),
            "timeOfDeletion": iso(self.deletion) if self.deletion else None,
            "freeformTags": self.freeform_tags,
            "definedTags": {},
            "wrappingkeyId": None,
        }


@dataclass
class Key:
    id: str
    vault_id: str
    compartment_id: str
    display_name: str
    algorithm: str
    length: int
    protection_mode: str
    created: datetime
    freeform_tags: dict = field(default_factory=dict)
    deletion: datetime | None = None

    def state(self, now: datetime) -> str:
        if self.deletion is not None:
            return "PENDING_DELETION"
        return "ENABLED" if now - self.created >= timedelta(seconds=KEY_READY_SECONDS) else "CREATING"

    def to_json(self, now: datetime) -> dict:
        return {
            "id": self.id,
            "vaultId": self.vault_id,
            "compartmentId": self.compartment_id,
            "displayName": self.display_name,
            "keyShape": {"algorithm": self.algorithm, "length": self.length},
            "protectionMode": self.protection_mode,
            "lifecycleState": self.state(now),
            "currentKeyVersion": f"{self.id}.v1",
            "timeCreated": iso(self.created),
            "timeOfDeletion": iso(self.deletion) if self.deletion else None,
            "freeformTags": self.freeform_tags,
            "definedTags": {},
        }


class KmsBackend:
    def __init__(self, cloud: Platform, region: str):
        self.cloud = cloud
        self.region = region
        self.vaults: dict[str, Vault] = {}
        self.keys: dict[str, Key] = {}

    def holds(self, compartment_id: str) -> bool:
        vaults = any(v.compartment_id == compartment_id and v.deletion is None for v in self.vaults.values())
        return vaults or any(k.compartment_id == compartment_id and k.deletion is None for k in self.keys.values())

    def now(self) -> datetime:
        return self.cloud.clock.now()

    # ----- vaults -------------------------------------------------------------------------------
    def create_vault(self, details: Any) -> Vault:
        details = json_object(details)
        compartment = _compartment(self.cloud, details)
        name, vault_type = details.get("displayName"), details.get("vaultType")
        if not name:
            raise errors.MissingParameter("displayName is required.")
        if vault_type not in VAULT_TYPES:
            raise errors.InvalidParameter(f"vaultType must be one of {', '.join(VAULT_TYPES)}.")
        vault_id = self.cloud.ids.ocid("vault", self.region)
        # Letters only: the host name's first label must read back as this vault's.
        label = "".join(chr(ord("a") + b % 26) for b in hashlib.sha256(vault_id.encode()).digest()[:12])
        vault = Vault(vault_id, compartment, name, vault_type, label, self.now(), details.get("freeformTags") or {})
        self.vaults[vault.id] = vault
        return vault

    def vault(self, vault_id: str) -> Vault:
        found = self.vaults.get(vault_id)
        if found is None:
            raise errors.NotAuthorizedOrNotFound()
        return found

    def vault_of_endpoint(self, host: str) -> Vault:
        label = host.split("-management.", 1)[0]
        found = next((v for v in self.vaults.values() if v.label == label), None)
        if found is None:
            raise errors.NotAuthorizedOrNotFound()
        return found

    def schedule_vault_deletion(self, vault_id: str, details: Any) -> Vault:
        vault = self.vault(vault_id)
        if vault.state(self.now()) != "ACTIVE":
            raise errors.Conflict(f"The vault is {vault.state(self.now())}; only an ACTIVE vault is deleted.")
        vault.deletion = _deletion(details, self.now())
        return vault

    # ----- keys ---------------------------------------------------------------------------------
    def create_key(self, vault: Vault, details: Any) -> Key:
        details = json_object(details)
        compartment = _compartment(self.cloud, details)
        if vault.state(self.now()) != "ACTIVE":
            raise errors.Conflict(f"The vault is {vault.state(self.now())}: keys are made in an ACTIVE vault.")
        shape = details.get("keyShape") or {}
        algorithm, length = shape.get("algorithm"), shape.get("length")
        if algorithm not in KEY_LENGTHS or length not in KEY_LENGTHS[algorithm]:
            raise errors.InvalidParameter(f"keyShape {shape!r}: AES 16/24/32, RSA 256/384/512 or ECDSA 32/48/66.")
        mode = details.get("protectionMode") or "HSM"
        if mode not in PROTECTION_MODES:
            raise errors.InvalidParameter(f"protectionMode must be one of {', '.join(PROTECTION_MODES)}.")
        if not details.get("displayName"):
            raise errors.MissingParameter("displayName is required.")
        key = Key(
            self.cloud.ids.ocid("key", self.region),
            vault.id,
            compartment,
            details["displayName"],
            algorithm,
            length,
            mode,
            self.now(),
            details.get("freeformTags") or {},
        )
        self.keys[key.id] = key
        return key

    def key(self, vault: Vault, key_id: str) -> Key:
        found = self.keys.get(key_id)
        if found is None or found.vault_id != vault.id:
            raise errors.NotAuthorizedOrNotFound()
        return found

    def schedule_key_deletion(self, vault: Vault, key_id: str, details: Any) -> Key:
        key = self.key(vault, key_id)
        if key.deletion is not None:
            raise errors.Conflict("The key's deletion is already scheduled.")
        key.deletion = _deletion(details, self.now())
        return key

    def usable_key(self, vault_id: str, key_id: str) -> Key:
        """A key a secret may name: of that vault, ENABLED (Vault's check when a secret is made)."""
        key = self.keys.get(key_id)
        if key is None or key.vault_id != vault_id:
            raise errors.InvalidParameter(f"Key {key_id} is not a key of vault {vault_id}.")
        if key.state(self.now()) != "ENABLED":
            raise errors.InvalidParameter(f"Key {key_id} is {key.state(self.now())}, not ENABLED.")
        return key


def _compartment(cloud: Platform, details: dict) -> str:
    compartment = details.get("compartmentId")
    if not compartment:
        raise errors.MissingParameter("compartmentId is required.")
    if not cloud.compartment_exists(compartment):
        raise errors.NotAuthorizedOrNotFound()
    return compartment
