"""Every service the fake serves, each declared by its own package (see core/service.py)."""

from .compute.service import SERVICE as COMPUTE
from .core.service import Service
from .identity.service import SERVICE as IDENTITY
from .monitoring.service import INGESTION as MONITORING_INGESTION
from .monitoring.service import SERVICE as MONITORING
from .notifications.service import SERVICE as NOTIFICATIONS
from .objectstorage.service import SERVICE as OBJECT_STORAGE
from .scheduler.service import SERVICE as SCHEDULER
from .vault.service import SERVICE as SECRETS

SERVICES: tuple[Service, ...] = (
    COMPUTE,
    OBJECT_STORAGE,
    NOTIFICATIONS,
    MONITORING,
    MONITORING_INGESTION,
    IDENTITY,
    SCHEDULER,
    SECRETS,
)
BY_HOST = {service.host: service for service in SERVICES}
