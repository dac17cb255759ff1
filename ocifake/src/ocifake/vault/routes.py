"""URL table of the secrets data plane (secrets.vaults.<region>)."""

from ..core.http import Request, Response, json_response, route
from ..identity.models import Target
from .models import VaultBackend


def _vault(req: Request) -> VaultBackend:
    return req.cloud_region.backend(VaultBackend)


def get_secret_bundle(req: Request) -> Response:
    return json_response(_vault(req).secret(req.params["secretId"]).bundle())


ROUTES = [route("GET", "/20190301/secretbundles/{secretId}", "GetSecretBundle", get_secret_bundle)]


def targets(req: Request, operation: str) -> list[Target] | None:
    secret = _vault(req).secrets.get(req.params["secretId"])
    return [Target(secret.compartment_id, {"target.secret.id": secret.id})] if secret else None
