"""Compute images and their work requests, at iaas.<region>."""

from ..core.service import Service
from . import permissions, routes
from .models import ComputeBackend

SERVICE = Service(
    name="compute",
    host="iaas",
    routes=routes.ROUTES,
    targets=routes.targets,
    retry_token_operations=frozenset(routes.RETRY_TOKEN_OPERATIONS),
    backend=ComputeBackend,
    holds=ComputeBackend.holds,
    permissions=permissions.PERMISSIONS,
    variables=permissions.VARIABLES,
)
