"""Logging's management API (log groups, logs, their work requests), at logging.<region>."""

from ..core.service import Service
from . import permissions, routes
from .models import LoggingBackend

SERVICE = Service(
    name="logging",
    host="logging",
    routes=routes.ROUTES,
    targets=routes.targets,
    backend=LoggingBackend,
    holds=LoggingBackend.holds,
    permissions=permissions.PERMISSIONS,
    variables=permissions.VARIABLES,
)
