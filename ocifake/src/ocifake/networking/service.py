"""Networking, at iaas.<region> (beside Compute, which serves the same host)."""

from ..core.service import Service
from . import permissions, routes
from .models import NetworkingBackend

SERVICE = Service(
    name="networking",
    host="iaas",
    routes=routes.ROUTES,
    targets=routes.targets,
    backend=NetworkingBackend,
    holds=NetworkingBackend.holds,
    permissions=permissions.PERMISSIONS,
    variables=permissions.VARIABLES,
    families={"virtual-network-family": permissions.FAMILY},
)
