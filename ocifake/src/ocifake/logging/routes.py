"""URL table of Logging's management API (logging.<region>): log groups, logs, work requests."""

from ..core.http import Request, Response, json_response, page, route
from ..core.work import WorkRequest
from ..identity.models import Target
from .models import LoggingBackend

BASE = "/20200531"


def _backend(req: Request) -> LoggingBackend:
    return req.cloud_region.backend(LoggingBackend)


def _accepted(work: WorkRequest) -> Response:
    return Response(202, b"", {"opc-work-request-id": work.id})


def create_log_group(req: Request) -> Response:
    return _accepted(_backend(req).create_group(req.json()))


def get_log_group(req: Request) -> Response:
    return json_response(_backend(req).group(req.params["logGroupId"]).to_json())


def update_log_group(req: Request) -> Response:
    return _accepted(_backend(req).update_group(req.params["logGroupId"], req.json()))


def delete_log_group(req: Request) -> Response:
    return _accepted(_backend(req).delete_group(req.params["logGroupId"]))


def list_log_groups(req: Request) -> Response:
    compartment = req.query.get("compartmentId")
    found = [
        g.to_json()
        for g in _backend(req).groups.values()
        if g.compartment_id == compartment and req.query.get("displayName") in (None, g.display_name)
    ]
    chunk, nxt = page(found, req)
    return json_response(chunk, opc_next_page=nxt)


def create_log(req: Request) -> Response:
    return _accepted(_backend(req).create_log(req.params["logGroupId"], req.json()))


def get_log(req: Request) -> Response:
    return json_response(_backend(req).log(req.params["logGroupId"], req.params["logId"]).to_json())


def update_log(req: Request) -> Response:
    return _accepted(_backend(req).update_log(req.params["logGroupId"], req.params["logId"], req.json()))


def delete_log(req: Request) -> Response:
    return _accepted(_backend(req).delete_log(req.params["logGroupId"], req.params["logId"]))


def list_logs(req: Request) -> Response:
    backend, group = _backend(req), req.params["logGroupId"]
    backend.group(group)
    found = [
        log.to_json()
        for log in backend.logs.values()
        if log.group.id == group and req.query.get("displayName") in (None, log.display_name)
    ]
    chunk, nxt = page(found, req)
    return json_response(chunk, opc_next_page=nxt)


def get_work_request(req: Request) -> Response:
    return json_response(_backend(req).work_request(req.params["workRequestId"]).to_json())


GROUP = BASE + "/logGroups/{logGroupId}"
ROUTES = [
    route("POST", BASE + "/logGroups", "CreateLogGroup", create_log_group),
    route("GET", BASE + "/logGroups", "ListLogGroups", list_log_groups),
    route("GET", GROUP, "GetLogGroup", get_log_group),
    route("PUT", GROUP, "UpdateLogGroup", update_log_group),
    route("DELETE", GROUP, "DeleteLogGroup", delete_log_group),
    route("POST", GROUP + "/logs", "CreateLog", create_log),
    route("GET", GROUP + "/logs", "ListLogs", list_logs),
    route("GET", GROUP + "/logs/{logId}", "GetLog", get_log),
    route("PUT", GROUP + "/logs/{logId}", "UpdateLog", update_log),
    route("DELETE", GROUP + "/logs/{logId}", "DeleteLog", delete_log),
    route("GET", BASE + "/workRequests/{workRequestId}", "GetWorkRequest", get_work_request),
]


def targets(req: Request, operation: str) -> list[Target] | None:
    backend = _backend(req)
    if operation in ("CreateLogGroup", "ListLogGroups"):
        body = req.json() if operation == "CreateLogGroup" else {}
        compartment = (body if isinstance(body, dict) else {}).get("compartmentId") or req.query.get("compartmentId")
        return [Target(compartment)] if isinstance(compartment, str) and compartment else None
    if operation == "GetWorkRequest":
        work = backend.work_requests.get(req.params["workRequestId"])
        return [Target(work.compartment_id)] if work else None
    group = backend.groups.get(req.params["logGroupId"])
    return [Target(group.compartment_id)] if group else None
