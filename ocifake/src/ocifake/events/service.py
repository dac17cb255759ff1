"""The Events service's rules, at events.<region> (the bus itself is bus.py)."""

from ..core.service import Service
from . import permissions, routes
from .rules import RulesBackend

SERVICE = Service(
    name="events",
    host="events",
    routes=routes.ROUTES,
    targets=routes.targets,
    backend=RulesBackend,
    holds=RulesBackend.holds,
    permissions=permissions.PERMISSIONS,
    variables=permissions.VARIABLES,
)
