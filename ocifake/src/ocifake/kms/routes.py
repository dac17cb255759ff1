"""URL tables of Key Management: vaults at kms.<region>, keys at a vault's management endpoint."""

from urllib.parse import urlsplit

from ..core.http import Request, Response, json_response, page, route
from ..identity.models import Target
from ..identity.permissions import Need
from .models import Key, KmsBackend, Vault

BASE = "/20180608"


def _backend(req: Request) -> KmsBackend:
    return req.cloud_region.backend(KmsBackend)


def _vault_json(req: Request, vault: Vault) -> Response:
    return json_response(vault.to_json(req.region, _backend(req).now()), etag=vault.id[-8:])


def _key_json(req: Request, key: Key) -> Response:
    return json_response(key.to_json(_backend(req).now()), etag=key.id[-8:])


def _endpoint_vault(req: Request) -> Vault:
    return _backend(req).vault_of_endpoint(urlsplit(req.url).hostname or "")


def create_vault(req: Request) -> Response:
    return _vault_json(req, _backend(req).create_vault(req.json()))


def get_vault(req: Request) -> Response:
    return _vault_json(req, _backend(req).vault(req.params["vaultId"]))


def list_vaults(req: Request) -> Response:
    backend, compartment = _backend(req), req.query.get("compartmentId")
    found = [v.to_json(req.region, backend.now()) for v in backend.vaults.values() if v.compartment_id == compartment]
    chunk, nxt = page(found, req)
    return json_response(chunk, opc_next_page=nxt)


def schedule_vault_deletion(req: Request) -> Response:
    return _vault_json(req, _backend(req).schedule_vault_deletion(req.params["vaultId"], req.json()))


def create_key(req: Request) -> Response:
    return _key_json(req, _backend(req).create_key(_endpoint_vault(req), req.json()))


def get_key(req: Request) -> Response:
    return _key_json(req, _backend(req).key(_endpoint_vault(req), req.params["keyId"]))


def list_keys(req: Request) -> Response:
    backend, vault, compartment = _backend(req), _endpoint_vault(req), req.query.get("compartmentId")
    found = [
        k.to_json(backend.now())
        for k in backend.keys.values()
        if k.vault_id == vault.id and k.compartment_id == compartment
    ]
    chunk, nxt = page(found, req)
    return json_response(chunk, opc_next_page=nxt)


def schedule_key_deletion(req: Request) -> Response:
    vault = _endpoint_vault(req)
    return _key_json(req, _backend(req).schedule_key_deletion(vault, req.params["keyId"], req.json()))


ROUTES = [
    route("POST", BASE + "/vaults", "CreateVault", create_vault),
    route("GET", BASE + "/vaults", "ListVaults", list_vaults),
    route("GET", BASE + "/vaults/{vaultId}", "GetVault", get_vault),
    route(
        "POST", BASE + "/vaults/{vaultId}/actions/scheduleDeletion", "ScheduleVaultDeletion", schedule_vault_deletion
    ),
]
MANAGEMENT_ROUTES = [
    route("POST", BASE + "/keys", "CreateKey", create_key),
    route("GET", BASE + "/keys", "ListKeys", list_keys),
    route("GET", BASE + "/keys/{keyId}", "GetKey", get_key),
    route("POST", BASE + "/keys/{keyId}/actions/scheduleDeletion", "ScheduleKeyDeletion", schedule_key_deletion),
]
# Making a key in a vault is also a use of the vault.
CREATE_KEY_IN = Need("vaults", "use", "VAULT_CREATE_KEY", confirmed=False)


def targets(req: Request, operation: str) -> list[Target] | None:
    backend = _backend(req)
    if operation in ("CreateVault", "ListVaults", "ListKeys", "CreateKey"):
        body = req.json() if operation.startswith("Create") else {}
        compartment = (body if isinstance(body, dict) else {}).get("compartmentId") or req.query.get("compartmentId")
        if not isinstance(compartment, str) or not compartment:
            return None
        out = [Target(compartment)]
        if operation == "CreateKey":
            host = urlsplit(req.url).hostname or ""
            vault = next((v for v in backend.vaults.values() if host.startswith(v.label + "-")), None)
            out += [Target(vault.compartment_id, need=CREATE_KEY_IN)] if vault else []
        return out
    if "vaultId" in req.params:
        vault = backend.vaults.get(req.params["vaultId"])
        return [Target(vault.compartment_id)] if vault else None
    key = backend.keys.get(req.params["keyId"])
    return [Target(key.compartment_id, {"target.key.id": key.id})] if key else None
