"""URL table of Functions' control plane (functions.<region>): applications and functions."""

from ..core.http import Request, Response, json_response, page, route
from ..identity.models import Target
from .control import FunctionsBackend

BASE = "/20181201"


def _backend(req: Request) -> FunctionsBackend:
    return req.cloud_region.backend(FunctionsBackend)


def create_application(req: Request) -> Response:
    return json_response(_backend(req).create_application(req.json()).to_json())


def get_application(req: Request) -> Response:
    return json_response(_backend(req).application(req.params["applicationId"]).to_json())


def update_application(req: Request) -> Response:
    return json_response(_backend(req).update_application(req.params["applicationId"], req.json()).to_json())


def delete_application(req: Request) -> Response:
    _backend(req).delete_application(req.params["applicationId"])
    return Response(204)


def list_applications(req: Request) -> Response:
    compartment = req.query.get("compartmentId")
    found = [
        a.to_json()
        for a in _backend(req).applications.values()
        if a.compartment_id == compartment and req.query.get("displayName") in (None, a.display_name)
    ]
    chunk, nxt = page(found, req)
    return json_response(chunk, opc_next_page=nxt)


def create_function(req: Request) -> Response:
    return json_response(_backend(req).create_function(req.json()).to_json())


def get_function(req: Request) -> Response:
    return json_response(_backend(req).function(req.params["functionId"]).to_json())


def update_function(req: Request) -> Response:
    return json_response(_backend(req).update_function(req.params["functionId"], req.json()).to_json())


def delete_function(req: Request) -> Response:
    _backend(req).delete_function(req.params["functionId"])
    return Response(204)


def list_functions(req: Request) -> Response:
    app = req.query.get("applicationId")
    found = [
        f.to_json()
        for f in _backend(req).functions.values()
        if f.application.id == app and req.query.get("displayName") in (None, f.display_name)
    ]
    chunk, nxt = page(found, req)
    return json_response(chunk, opc_next_page=nxt)


# The SDK's Functions client names the version 20260325 where older clients (Terraform's
# provider among them) say 20181201: both are served alike.
ROUTES = [
    route(method, base + path, operation, handler)
    for base in (BASE, "/20260325")
    for method, path, operation, handler in (
        ("POST", "/applications", "CreateApplication", create_application),
        ("GET", "/applications", "ListApplications", list_applications),
        ("GET", "/applications/{applicationId}", "GetApplication", get_application),
        ("PUT", "/applications/{applicationId}", "UpdateApplication", update_application),
        ("DELETE", "/applications/{applicationId}", "DeleteApplication", delete_application),
        ("POST", "/functions", "CreateFunction", create_function),
        ("GET", "/functions", "ListFunctions", list_functions),
        ("GET", "/functions/{functionId}", "GetFunction", get_function),
        ("PUT", "/functions/{functionId}", "UpdateFunction", update_function),
        ("DELETE", "/functions/{functionId}", "DeleteFunction", delete_function),
    )
]


def targets(req: Request, operation: str) -> list[Target] | None:
    backend = _backend(req)
    if operation in ("CreateApplication", "ListApplications"):
        body = req.json() if operation == "CreateApplication" else {}
        compartment = (body if isinstance(body, dict) else {}).get("compartmentId") or req.query.get("compartmentId")
        return [Target(compartment)] if isinstance(compartment, str) and compartment else None
    if operation in ("CreateFunction", "ListFunctions"):
        body = req.json() if operation == "CreateFunction" else {}
        app_id = (body if isinstance(body, dict) else {}).get("applicationId") or req.query.get("applicationId")
        app = backend.applications.get(app_id or "")
        return [Target(app.compartment_id)] if app else None
    if "applicationId" in req.params:
        app = backend.applications.get(req.params["applicationId"])
        return [Target(app.compartment_id)] if app else None
    fn = backend.functions.get(req.params["functionId"])
    return [Target(fn.application.compartment_id)] if fn else None
