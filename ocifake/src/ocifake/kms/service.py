"""Key Management: vaults at kms.<region>; keys at each vault's <label>-management.kms.<region>."""

from ..core.service import Service
from . import permissions, routes
from .models import KmsBackend

SERVICE = Service(
    name="kms",
    host="kms",
    routes=routes.ROUTES,
    targets=routes.targets,
    backend=KmsBackend,
    holds=KmsBackend.holds,
    permissions={k: v for k, v in permissions.PERMISSIONS.items() if "Vault" in k},
    variables=permissions.VARIABLES,
)
# A vault's management endpoint: the front names every `<label>-management.kms` host so.
MANAGEMENT = Service(
    name="kms-management",
    host="management.kms",
    iam_name="kms",
    routes=routes.MANAGEMENT_ROUTES,
    targets=routes.targets,
    permissions={k: v for k, v in permissions.PERMISSIONS.items() if "Key" in k},
    variables=permissions.VARIABLES,
)
