"""Compute instances and console histories, at iaas.<region> (beside images and networking)."""

from ..core.service import Service
from . import permissions, routes
from .models import InstancesBackend

SERVICE = Service(
    name="instances",
    iam_name="compute",
    host="iaas",
    routes=routes.ROUTES,
    targets=routes.targets,
    retry_token_operations=frozenset(routes.RETRY_TOKEN_OPERATIONS),
    backend=InstancesBackend,
    holds=InstancesBackend.holds,
    permissions=permissions.PERMISSIONS,
    variables=permissions.VARIABLES,
)
