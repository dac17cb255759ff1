"""Resource Scheduler, at resource-scheduler.<region>."""

from ..core.service import Service
from . import permissions, routes
from .models import SchedulerBackend

SERVICE = Service(
    name="resourcescheduler",
    host="resource-scheduler",
    routes=routes.ROUTES,
    targets=routes.targets,
    backend=SchedulerBackend,
    holds=SchedulerBackend.holds,
    permissions=permissions.PERMISSIONS,
    variables=permissions.VARIABLES,
    families={"resource-schedule-family": permissions.FAMILY},
)
