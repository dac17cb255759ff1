"""Secrets of one region's vaults, readable as secret bundles (the current version).

Secrets are made by the test (`Platform.create_secret`), as Terraform would make them; the
data plane (GetSecretBundle) is what functions call. Not modelled: vaults and keys as
resources, versions other than the current one, rotation, GetSecretBundleByName.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from ..core import errors

if TYPE_CHECKING:
    from ..core.platform import Platform


@dataclass
class Secret:
    id: str
    name: str
    compartment_id: str
    content: bytes
    time_created: datetime
    version: int = 1

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
