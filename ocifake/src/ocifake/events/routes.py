"""URL table of the Events service's rules (events.<region>)."""

from ..core.http import Request, Response, json_response, page, route
from ..identity.models import Target
from .rules import ApiRule, RulesBackend

BASE = "/20181201"


def _backend(req: Request) -> RulesBackend:
    return req.cloud_region.backend(RulesBackend)


def _rule(found: ApiRule) -> Response:
    return json_response(found.to_json(), etag=f"{found.id[-8:]}-{len(found.bus_rules)}")


def create_rule(req: Request) -> Response:
    return _rule(_backend(req).create(req.json()))


def get_rule(req: Request) -> Response:
    return _rule(_backend(req).rule(req.params["ruleId"]))


def update_rule(req: Request) -> Response:
    return _rule(_backend(req).update(req.params["ruleId"], req.json()))


def delete_rule(req: Request) -> Response:
    _backend(req).delete(req.params["ruleId"])
    return Response(204)


def list_rules(req: Request) -> Response:
    compartment = req.query.get("compartmentId")
    found = [
        r.to_json()
        for r in _backend(req).rules.values()
        if r.compartment_id == compartment
        and r.state != "DELETED"
        and req.query.get("displayName") in (None, r.details["displayName"])
    ]
    chunk, nxt = page(found, req)
    return json_response(chunk, opc_next_page=nxt)


ROUTES = [
    route("POST", BASE + "/rules", "CreateRule", create_rule),
    route("GET", BASE + "/rules", "ListRules", list_rules),
    route("GET", BASE + "/rules/{ruleId}", "GetRule", get_rule),
    route("PUT", BASE + "/rules/{ruleId}", "UpdateRule", update_rule),
    route("DELETE", BASE + "/rules/{ruleId}", "DeleteRule", delete_rule),
]


def targets(req: Request, operation: str) -> list[Target] | None:
    if operation in ("CreateRule", "ListRules"):
        body = req.json() if operation == "CreateRule" else {}
        compartment = (body if isinstance(body, dict) else {}).get("compartmentId") or req.query.get("compartmentId")
        return [Target(compartment)] if isinstance(compartment, str) and compartment else None
    found = _backend(req).rules.get(req.params["ruleId"])
    return [Target(found.compartment_id)] if found else None
