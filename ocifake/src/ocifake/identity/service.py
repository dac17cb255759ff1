"""IAM, at identity.<region>: one tenancy-wide state, read and written through any region."""

from ..core.service import Service
from . import permissions, routes

SERVICE = Service(
    name="identity",
    host="identity",
    routes=routes.ROUTES,
    targets=routes.targets,
    permissions=permissions.IDENTITY,
)
