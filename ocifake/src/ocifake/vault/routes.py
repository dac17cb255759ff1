"""URL tables of Vault's secrets: the data plane (secrets.vaults.<region>) and the management API
(vaults.<region>)."""

from ..core.http import Request, Response, json_response, page, route
from ..identity.models import Target
from ..identity.permissions import Need
from ..kms.models import KmsBackend
from .models import Secret, VaultBackend


def _vault(req: Request) -> VaultBackend:
    return req.cloud_region.backend(VaultBackend)


def get_secret_bundle(req: Request) -> Response:
    return json_response(_vault(req).secret(req.params["secretId"]).bundle())


ROUTES = [route("GET", "/20190301/secretbundles/{secretId}", "GetSecretBundle", get_secret_bundle)]


def targets(req: Request, operation: str) -> list[Target] | None:
    secret = _vault(req).secrets.get(req.params["secretId"])
    return [Target(secret.compartment_id, {"target.secret.id": secret.id})] if secret else None


def _secret(req: Request, secret: Secret) -> Response:
    return json_response(secret.to_json(req.cloud_region.cloud.clock.now()), etag=f"{secret.id[-8:]}-{secret.version}")


def create_secret(req: Request) -> Response:
    return _secret(req, _vault(req).create_secret_from(req.json()))


def get_secret(req: Request) -> Response:
    return _secret(req, _vault(req).secret(req.params["secretId"]))


def update_secret(req: Request) -> Response:
    return _secret(req, _vault(req).update_secret(req.params["secretId"], req.json()))


def schedule_secret_deletion(req: Request) -> Response:
    _vault(req).schedule_secret_deletion(req.params["secretId"], req.json())
    return Response(200)


def list_secrets(req: Request) -> Response:
    now, compartment = req.cloud_region.cloud.clock.now(), req.query.get("compartmentId")
    found = [
        s.to_json(now)
        for s in _vault(req).secrets.values()
        if s.compartment_id == compartment
        and req.query.get("name") in (None, s.name)
        and req.query.get("vaultId") in (None, s.vault_id)
    ]
    chunk, nxt = page(found, req)
    return json_response(chunk, opc_next_page=nxt)


MANAGEMENT_ROUTES = [
    route("POST", "/20180608/secrets", "CreateSecret", create_secret),
    route("GET", "/20180608/secrets", "ListSecrets", list_secrets),
    route("GET", "/20180608/secrets/{secretId}", "GetSecret", get_secret),
    route("PUT", "/20180608/secrets/{secretId}", "UpdateSecret", update_secret),
    route(
        "POST",
        "/20180608/secrets/{secretId}/actions/scheduleDeletion",
        "ScheduleSecretDeletion",
        schedule_secret_deletion,
    ),
]
# Making a secret is also a use of its vault and of its key.
IN_VAULT = Need("vaults", "use", "VAULT_CREATE_SECRET", confirmed=False)
WITH_KEY = Need("keys", "use", "KEY_ENCRYPT", confirmed=False)


def management_targets(req: Request, operation: str) -> list[Target] | None:
    if operation in ("CreateSecret", "ListSecrets"):
        body = req.json() if operation == "CreateSecret" else {}
        details = body if isinstance(body, dict) else {}
        compartment = details.get("compartmentId") or req.query.get("compartmentId")
        if not isinstance(compartment, str) or not compartment:
            return None
        out = [Target(compartment, {"target.secret.name": str(details.get("secretName", ""))})]
        if operation == "CreateSecret":
            kms = req.cloud_region.backend(KmsBackend)
            vault, key = kms.vaults.get(details.get("vaultId", "")), kms.keys.get(details.get("keyId", ""))
            out += [Target(vault.compartment_id, need=IN_VAULT)] if vault else []
            out += [Target(key.compartment_id, {"target.key.id": key.id}, WITH_KEY)] if key else []
        return out
    secret = _vault(req).secrets.get(req.params["secretId"])
    return (
        [Target(secret.compartment_id, {"target.secret.id": secret.id, "target.secret.name": secret.name})]
        if secret
        else None
    )
