"""Notifications (topics, subscriptions, PublishMessage), at notification.<region>."""

from ..core.service import Service
from . import permissions, routes
from .models import NotificationsBackend

SERVICE = Service(
    name="notifications",
    host="notification",
    routes=routes.ROUTES,
    targets=routes.targets,
    backend=NotificationsBackend,
    holds=NotificationsBackend.holds,
    permissions=permissions.PERMISSIONS,
    variables=permissions.VARIABLES,
)
