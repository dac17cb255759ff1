"""Vault secrets: the data plane at secrets.vaults.<region>, the management API at vaults.<region>."""

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
MANAGEMENT = Service(
    name="vaults",
    host="vaults",
    iam_name="secrets",
    routes=routes.MANAGEMENT_ROUTES,
    targets=routes.management_targets,
    permissions=permissions.MANAGEMENT_PERMISSIONS,
    variables=permissions.VARIABLES,
)
