"""URL table and request/response shaping for IAM (the Identity API, tenancy-wide state)."""

from ..core import errors
from ..core.http import Request, Response, json_response, page, route
from ..core.identity import region_key
from . import compartments
from .models import IdentityBackend, Target

BASE = "/20160918"


def _iam(req: Request) -> IdentityBackend:
    return req.cloud_region.cloud.identity


def _compartment_query(req: Request) -> str:
    compartment = req.query.get("compartmentId")
    if not compartment:
        raise errors.MissingParameter("compartmentId is required.")
    return compartment


def create_policy(req: Request) -> Response:
    policy = _iam(req).create_policy(req.json())
    return json_response(policy.to_json(), etag=str(policy.version))


def get_policy(req: Request) -> Response:
    policy = _iam(req).policy(req.params["policyId"])
    return json_response(policy.to_json(), etag=str(policy.version))


def update_policy(req: Request) -> Response:
    policy = _iam(req).update_policy(req.params["policyId"], req.json())
    return json_response(policy.to_json(), etag=str(policy.version))


def delete_policy(req: Request) -> Response:
    _iam(req).delete_policy(req.params["policyId"])
    return Response(204)


def list_policies(req: Request) -> Response:
    compartment = _compartment_query(req)
    found = [p.to_json() for p in _iam(req).policies.values() if p.compartment_id == compartment]
    chunk, nxt = page(found, req)
    return json_response(chunk, opc_next_page=nxt)


def create_dynamic_group(req: Request) -> Response:
    return json_response(_iam(req).create_dynamic_group(req.json()).to_json())


def get_dynamic_group(req: Request) -> Response:
    return json_response(_iam(req).dynamic_group(req.params["dynamicGroupId"]).to_json())


def update_dynamic_group(req: Request) -> Response:
    return json_response(_iam(req).update_dynamic_group(req.params["dynamicGroupId"], req.json()).to_json())


def delete_dynamic_group(req: Request) -> Response:
    _iam(req).delete_dynamic_group(req.params["dynamicGroupId"])
    return Response(204)


def list_dynamic_groups(req: Request) -> Response:
    _compartment_query(req)
    chunk, nxt = page([g.to_json() for g in _iam(req).dynamic_groups.values()], req)
    return json_response(chunk, opc_next_page=nxt)


def list_compartments(req: Request) -> Response:
    cloud = req.cloud_region.cloud
    parent = _compartment_query(req)
    if not cloud.compartment_exists(parent):
        raise errors.NotAuthorizedOrNotFound()
    subtree = req.query.get("compartmentIdInSubtree", "false").lower() == "true"
    found = [c for c in cloud.compartments.all() if c != cloud.tenancy_id and cloud.compartment_covers(parent, c)]
    if not subtree:
        found = cloud.compartments.children(parent)
    # As GetCompartment reads each one: its description, its creation time, DELETED once deleted.
    rows = [compartments.to_json(cloud, c) for c in sorted(found)]
    wanted = req.query.get("lifecycleState")
    if wanted:
        rows = [r for r in rows if r["lifecycleState"] == wanted]
    chunk, nxt = page(rows, req)
    return json_response(chunk, opc_next_page=nxt)


def _home_region(req: Request) -> str:
    return next(iter(req.cloud_region.cloud.regions))  # every tenancy of the fake is homed in its first region


def get_tenancy(req: Request) -> Response:
    cloud = req.cloud_region.cloud
    tenancy = req.params["tenancyId"]
    if tenancy not in cloud.namespaces.values():
        raise errors.NotAuthorizedOrNotFound()
    name = cloud.compartment_name(tenancy)
    return json_response(
        {
            "id": tenancy,
            "name": name,
            "description": name,
            "homeRegionKey": region_key(_home_region(req)).upper(),
            "upiIdcsCompatibilityLayerEndpoint": None,
            "freeformTags": {},
            "definedTags": {},
        }
    )


def list_region_subscriptions(req: Request) -> Response:
    """Every region of the fake: each tenancy is subscribed to all of them."""
    cloud = req.cloud_region.cloud
    if req.params["tenancyId"] not in cloud.namespaces.values():
        raise errors.NotAuthorizedOrNotFound()
    home = _home_region(req)
    rows = [
        {"regionKey": region_key(r).upper(), "regionName": r, "status": "READY", "isHomeRegion": r == home}
        for r in cloud.regions
    ]
    return json_response(rows)


def list_regions(req: Request) -> Response:
    return json_response([{"key": region_key(r).upper(), "name": r} for r in req.cloud_region.cloud.regions])


def availability_domain(namespace: str, region: str) -> str:
    """The name of a region's one availability domain, as the tenancy sees it (OCI prefixes it per tenancy)."""
    return f"{namespace[:4]}:{region.upper()}-AD-1"


def list_availability_domains(req: Request) -> Response:
    """One availability domain per region (as in most OCI regions), named as OCI names them."""
    cloud = req.cloud_region.cloud
    compartment = _compartment_query(req)
    if not cloud.compartment_exists(compartment):
        raise errors.NotAuthorizedOrNotFound()
    region = req.cloud_region.name
    name = availability_domain(cloud.namespace_of(cloud.tenancy_of(compartment)), region)
    ad = {"name": name, "id": f"ocid1.availabilitydomain.oc1..{region}-ad-1", "compartmentId": compartment}
    return json_response([ad])


def create_compartment(req: Request) -> Response:
    cloud = req.cloud_region.cloud
    return json_response(compartments.to_json(cloud, compartments.create(cloud, req.json())))


def get_compartment(req: Request) -> Response:
    cloud = req.cloud_region.cloud
    return json_response(compartments.to_json(cloud, compartments.known(cloud, req.params["compartmentId"])))


def update_compartment(req: Request) -> Response:
    cloud = req.cloud_region.cloud
    compartment = compartments.known(cloud, req.params["compartmentId"])
    body = req.json()
    compartments.update(cloud, compartment, body if isinstance(body, dict) else {})
    return json_response(compartments.to_json(cloud, compartment))


def delete_compartment(req: Request) -> Response:
    cloud = req.cloud_region.cloud
    compartments.delete(cloud, compartments.known(cloud, req.params["compartmentId"]))
    return Response(202, b"", {"opc-work-request-id": cloud.ids.ocid("iamworkrequest")})


ROUTES = [
    route("GET", BASE + "/tenancies/{tenancyId}", "GetTenancy", get_tenancy),
    route(
        "GET", BASE + "/tenancies/{tenancyId}/regionSubscriptions", "ListRegionSubscriptions", list_region_subscriptions
    ),
    route("GET", BASE + "/regions", "ListRegions", list_regions),
    route("GET", BASE + "/availabilityDomains", "ListAvailabilityDomains", list_availability_domains),
    route("POST", BASE + "/policies", "CreatePolicy", create_policy),
    route("GET", BASE + "/policies", "ListPolicies", list_policies),
    route("GET", BASE + "/policies/{policyId}", "GetPolicy", get_policy),
    route("PUT", BASE + "/policies/{policyId}", "UpdatePolicy", update_policy),
    route("DELETE", BASE + "/policies/{policyId}", "DeletePolicy", delete_policy),
    route("POST", BASE + "/dynamicGroups", "CreateDynamicGroup", create_dynamic_group),
    route("GET", BASE + "/dynamicGroups", "ListDynamicGroups", list_dynamic_groups),
    route("GET", BASE + "/dynamicGroups/{dynamicGroupId}", "GetDynamicGroup", get_dynamic_group),
    route("PUT", BASE + "/dynamicGroups/{dynamicGroupId}", "UpdateDynamicGroup", update_dynamic_group),
    route("DELETE", BASE + "/dynamicGroups/{dynamicGroupId}", "DeleteDynamicGroup", delete_dynamic_group),
    route("GET", BASE + "/compartments", "ListCompartments", list_compartments),
    route("POST", BASE + "/compartments", "CreateCompartment", create_compartment),
    route("GET", BASE + "/compartments/{compartmentId}", "GetCompartment", get_compartment),
    route("PUT", BASE + "/compartments/{compartmentId}", "UpdateCompartment", update_compartment),
    route("DELETE", BASE + "/compartments/{compartmentId}", "DeleteCompartment", delete_compartment),
]


def targets(req: Request, operation: str) -> list[Target]:
    """IAM's own resources live in the tenancy (or the compartment a request names)."""
    cloud = req.cloud_region.cloud
    compartment = req.query.get("compartmentId") or req.params.get("tenancyId") or cloud.tenancy_id
    if operation == "CreateCompartment":
        body = req.json()
        parent = body.get("compartmentId") if isinstance(body, dict) else None
        return [Target(parent if isinstance(parent, str) and parent else cloud.tenancy_id)]
    if "compartmentId" in req.params:
        return [Target(req.params["compartmentId"])]
    if operation in ("CreatePolicy", "CreateDynamicGroup"):
        body = req.json()
        compartment = body.get("compartmentId") or cloud.tenancy_id if isinstance(body, dict) else compartment
    elif "policyId" in req.params:
        policy = cloud.identity.policies.get(req.params["policyId"])
        compartment = policy.compartment_id if policy else cloud.tenancy_id
    return [Target(compartment)]
