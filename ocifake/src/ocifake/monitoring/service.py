"""Monitoring: metrics are posted at telemetry-ingestion.<region>; telemetry.<region> refuses them
and serves alarms."""

from ..core.service import Service
from . import permissions, routes
from .models import MonitoringBackend

SERVICE = Service(
    name="monitoring",
    host="telemetry",
    routes=routes.ROUTES,
    targets=routes.targets,
    backend=MonitoringBackend,
    holds=MonitoringBackend.holds,
    permissions=permissions.ALARM_PERMISSIONS,
    variables=permissions.VARIABLES,
)
INGESTION = Service(
    name="monitoring-ingestion",
    host="telemetry-ingestion",
    iam_name="monitoring",
    routes=routes.INGESTION_ROUTES,
    targets=routes.targets,
    permissions=permissions.PERMISSIONS,
    variables=permissions.VARIABLES,
)
