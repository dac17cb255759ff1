"""Vault secrets' data plane, at secrets.vaults.<region>."""

from ..core.service import Service
from . import permissions, routes
from .models import VaultBackend

SERVICE = Service(
    name="secrets",
    host="secrets.vaults",
    routes=routes.ROUTES,
    targets=routes.targets,
    backend=VaultBackend,
    holds=VaultBackend.holds,
    permissions=permissions.PERMISSIONS,
    variables=permissions.VARIABLES,
)
