"""Secrets of one region's vaults, readable as secret bundles (the current version).

Secrets are made through the API (`vaults.<region>`: CreateSecret, GetSecret, ListSecrets,
UpdateSecret, ScheduleSecretDeletion), in a vault and with a key of Key Management (ocifake.kms)
that must be ACTIVE and ENABLED, a name unique in its vault, BASE64 content of at most 25 KB; or
by a test (`Platform.create_secret`). A new content is a new version, the current one; a secret
is CREATING for SECRET_READY_SECONDS, then ACTIVE; deletion is scheduled 1 to 30 days ahead. The
data plane (GetSecretBundle) is what functions call. Not modelled: versions other than the
current one, rotation by Vault itself, GetSecretBundleByName. What OCI answers a name taken
is not confirmed here (409 Conflict).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from ..core import errors
from ..core.clock import iso
from ..kms.models import KmsBackend

if TYPE_CHECKING:
    from ..core.platform import Platform


SECRET_READY_SECONDS = 5
MAX_CONTENT = 25 * 1024


@dataclass
class Secret:
    id: str
    name: str
    compartment_id: str
    content: bytes
    time_created: datetime
    version: int = 1
    vault_id: str | None = None
    key_id: str | None = None
    description: str | None = None
    freeform_tags: dict = field(default_factory=dict)
    deletion: datetime | None = None

    def state(self, now: datetime) -> str:
        if self.deletion is not None:
            return "PENDING_DELETION"
        return "ACTIVE" if now - self.time_created >= timedelta(seconds=SECRET_READY_SECONDS) else "CREATING"

    def to_json(self, now: datetime) -> dict:
        return {
            "id": self.id,
            "compartmentId": self.compartment_id,
            "secretName": self.name,
            "vaultId": self.vault_id,
            "keyId": self.key_id,
            "description": self.description,
            "lifecycleState": self.state(now),
            "currentVersionNumber": self.version,
            "timeCreated": iso(self.time_created),
            "timeOfDeletion": iso(self.deletion) if self.deletion else None,
            "freeformTags": self.freeform_tags,
            "definedTags": {},
        }

    def bundle(self) -> dict:
        return {
            "secretId": self.id,
            "versionNumber": self.version,
            "stages": ["CURRENT", "LATEST"],
            "timeCreated": self.time_created.isoformat(),
            "secretBundleContent": {"contentType": "BASE64", "content": base64.b64encode(self.content).decode()},
        }


class VaultBackend:
    def __init__(self, cloud: Platform, region: str):
        self.cloud = cloud
        self.region = region
        self.secrets: dict[str, Secret] = {}

    def holds(self, compartment_id: str) -> bool:
        """Whether any of its secrets is in the compartment (which is then not deleted)."""
        return any(s.compartment_id == compartment_id for s in self.secrets.values())

    def create_secret(self, compartment_id: str, name: str, content: bytes) -> Secret:
        if not self.cloud.compartment_exists(compartment_id):
            raise errors.NotAuthorizedOrNotFound()
        secret = Secret(
            self.cloud.ids.ocid("vaultsecret", self.region), name, compartment_id, content, self.cloud.clock.now()
        )
        self.secrets[secret.id] = secret
        return secret

    def secret(self, secret_id: str) -> Secret:
        found = self.secrets.get(secret_id)
        if found is None:
            raise errors.NotAuthorizedOrNotFound()
        return found

    # ----- the management API ------------------------------------------------------------------
    def create_secret_from(self, details: Any) -> Secret:
        if not isinstance(details, dict):
            raise errors.InvalidParameter("The request body must be a JSON object.")
        for key in ("compartmentId", "vaultId", "keyId", "secretName", "secretContent"):
            if not details.get(key):
                raise errors.MissingParameter(f"{key} is required.")
        if not self.cloud.compartment_exists(details["compartmentId"]):
            raise errors.NotAuthorizedOrNotFound()
        kms = self.cloud.require_region(self.region).backend(KmsBackend)
        vault = kms.vaults.get(details["vaultId"])
        if vault is None or vault.state(self.cloud.clock.now()) != "ACTIVE":
            raise errors.InvalidParameter(f"Vault {details['vaultId']} is not an ACTIVE vault of {self.region}.")
        kms.usable_key(vault.id, details["keyId"])
        name = details["secretName"]
        if any(s.vault_id == vault.id and s.name == name and s.deletion is None for s in self.secrets.values()):
            raise errors.Conflict(f"A secret named {name} already exists in the vault.")
        secret = self.create_secret(details["compartmentId"], name, _content(details["secretContent"]))
        secret.vault_id, secret.key_id = vault.id, details["keyId"]
        secret.description, secret.freeform_tags = details.get("description"), details.get("freeformTags") or {}
        return secret

    def update_secret(self, secret_id: str, details: Any) -> Secret:
        secret = self.secret(secret_id)
        if not isinstance(details, dict):
            raise errors.InvalidParameter("The request body must be a JSON object.")
        if secret.state(self.cloud.clock.now()) != "ACTIVE":
            raise errors.Conflict(f"The secret is {secret.state(self.cloud.clock.now())}; only an ACTIVE one changes.")
        if details.get("secretContent"):
            secret.content = _content(details["secretContent"])
            secret.version += 1
        if "description" in details:
            secret.description = details["description"]
        if "freeformTags" in details:
            secret.freeform_tags = details["freeformTags"] or {}
        return secret

    def schedule_secret_deletion(self, secret_id: str, details: Any) -> Secret:
        secret = self.secret(secret_id)
        now = self.cloud.clock.now()
        asked = details.get("timeOfDeletion") if isinstance(details, dict) else None
        when = now + timedelta(days=30)
        if asked:
            try:
                when = datetime.fromisoformat(asked.replace("Z", "+00:00"))
            except (AttributeError, ValueError):
                raise errors.InvalidParameter(f"timeOfDeletion {asked!r} is not an RFC 3339 time.") from None
            if not timedelta(days=1) <= when - now <= timedelta(days=30):
                raise errors.InvalidParameter("A secret's deletion is scheduled 1 to 30 days ahead.")
        secret.deletion = when
        return secret


def _content(given: Any) -> bytes:
    if not isinstance(given, dict) or given.get("contentType") != "BASE64":
        raise errors.InvalidParameter("secretContent's contentType must be BASE64.")
    try:
        content = base64.b64decode(given.get("content") or "", validate=True)
    except (binascii.Error, ValueError):
        raise errors.InvalidParameter("secretContent's content is not valid base64.") from None
    if not content or len(content) > MAX_CONTENT:
        raise errors.InvalidParameter("A secret's content is 1 byte to 25 KB.")
    return content
