"""Functions' control plane, at functions.<region> (serving functions is hosting.py's)."""

from ..core.service import Service
from . import permissions, routes
from .control import FunctionsBackend

SERVICE = Service(
    name="functions",
    host="functions",
    routes=routes.ROUTES,
    targets=routes.targets,
    backend=FunctionsBackend,
    holds=FunctionsBackend.holds,
    permissions=permissions.PERMISSIONS,
    variables=permissions.VARIABLES,
)
