"""Object Storage, at objectstorage.<region>; pre-authenticated requests need no signature."""

from ..core.service import Service
from . import permissions, routes
from .models import ObjectStorageBackend

SERVICE = Service(
    name="objectstorage",
    host="objectstorage",
    routes=routes.ROUTES,
    targets=routes.targets,
    anonymous_routes=routes.ANONYMOUS_ROUTES,
    backend=ObjectStorageBackend,
    holds=ObjectStorageBackend.holds,
    after_time=ObjectStorageBackend.run_lifecycle,
    denied=routes.denied,
    permissions=permissions.PERMISSIONS,
    variables=permissions.VARIABLES,
)
