"""URL table of Networking (iaas.<region>, beside Compute)."""

from collections.abc import Callable

from ..core.http import Request, Response, json_response, page, route
from ..identity.models import Target
from ..identity.permissions import Need
from .models import NetworkingBackend, Resource, etag_of

BASE = "/20160918"
# Path segment, id parameter and kind of each resource.
PATHS = {
    "vcn": ("vcns", "vcnId"),
    "subnet": ("subnets", "subnetId"),
    "routetable": ("routeTables", "rtId"),
    "securitylist": ("securityLists", "securityListId"),
    "servicegateway": ("serviceGateways", "serviceGatewayId"),
}
OPERATION_NAMES = {
    "vcn": "Vcn",
    "subnet": "Subnet",
    "routetable": "RouteTable",
    "securitylist": "SecurityList",
    "servicegateway": "ServiceGateway",
}
CREATES = {
    "vcn": NetworkingBackend.create_vcn,
    "subnet": NetworkingBackend.create_subnet,
    "routetable": NetworkingBackend.create_route_table,
    "securitylist": NetworkingBackend.create_security_list,
    "servicegateway": NetworkingBackend.create_service_gateway,
}


def _backend(req: Request) -> NetworkingBackend:
    return req.cloud_region.backend(NetworkingBackend)


def _answer(found: Resource, status: int = 200) -> Response:
    return json_response(found.to_json(), status=status, etag=etag_of(found))


def list_services(req: Request) -> Response:
    chunk, nxt = page([s.to_json() for s in _backend(req).services], req)
    return json_response(chunk, opc_next_page=nxt)


def _handlers(kind: str) -> list:
    segment, key = PATHS[kind]
    name = OPERATION_NAMES[kind]
    plural = name + "s"

    def create(req: Request) -> Response:
        return _answer(CREATES[kind](_backend(req), req.json()))

    def get(req: Request) -> Response:
        return _answer(_backend(req).get(kind, req.params[key]))

    def listing(req: Request) -> Response:
        backend = _backend(req)
        found = backend.listed(kind, req.query.get("compartmentId"), req.query.get("vcnId"))
        if req.query.get("displayName"):
            found = [r for r in found if r.body.get("displayName") == req.query["displayName"]]
        if req.query.get("lifecycleState"):
            found = [r for r in found if r.state == req.query["lifecycleState"]]
        chunk, nxt = page([r.to_json() for r in found], req)
        return json_response(chunk, opc_next_page=nxt)

    def update(req: Request) -> Response:
        return _answer(_backend(req).update(kind, req.params[key], req.json(), req.headers.get("if-match")))

    def delete(req: Request) -> Response:
        _backend(req).delete(kind, req.params[key], req.headers.get("if-match"))
        return Response(204)

    path, item = f"{BASE}/{segment}", f"{BASE}/{segment}/{{{key}}}"
    return [
        route("POST", path, f"Create{name}", create),
        route("GET", path, f"List{plural}", listing),
        route("GET", item, f"Get{name}", get),
        route("PUT", item, f"Update{name}", update),
        route("DELETE", item, f"Delete{name}", delete),
    ]


ROUTES = [route("GET", BASE + "/services", "ListServices", list_services)] + [
    r for kind in PATHS for r in _handlers(kind)
]
OPERATION_KIND = {r.operation: kind for kind in PATHS for r in _handlers(kind)}


def _attach(resource_type: str, permission: str) -> Need:
    return Need(resource_type, "manage", permission, confirmed=False)


def targets(req: Request, operation: str) -> list[Target] | None:
    """The compartment of what is made or touched, and of each resource it attaches to (the VCN, a
    subnet's route table and security lists, a route rule's gateway), each needing its attach
    permission."""
    backend = _backend(req)
    if operation == "ListServices":
        return None  # no resource of the tenancy's: every caller may read the region's services
    kind = OPERATION_KIND[operation]
    if operation.startswith("List"):
        compartment = req.query.get("compartmentId")
        return [Target(compartment)] if compartment else None
    if operation.startswith("Create"):
        body = req.json()
        if not isinstance(body, dict) or not isinstance(body.get("compartmentId"), str):
            return None
        out = [Target(body["compartmentId"])]
        out += _attached(backend, body, _attach)
        return out
    found = backend.resources.get(req.params[PATHS[kind][1]])
    if found is None or found.kind != kind:
        return None
    return [Target(found.compartment_id)]


def _attached(backend: NetworkingBackend, body: dict, need: Callable[[str, str], Need]) -> list[Target]:
    out = []
    vcn = backend.resources.get(body.get("vcnId") or "")
    if vcn is not None:
        out.append(Target(vcn.compartment_id, need=need("vcns", "VCN_ATTACH")))
    for key, resource_type, permission in (
        ("routeTableId", "route-tables", "ROUTE_TABLE_ATTACH"),
        ("securityListIds", "security-lists", "SECURITY_LIST_ATTACH"),
    ):
        ids = body.get(key) or []
        for item in [ids] if isinstance(ids, str) else ids:
            found = backend.resources.get(item) if isinstance(item, str) else None
            if found is not None:
                out.append(Target(found.compartment_id, need=need(resource_type, permission)))
    return out
