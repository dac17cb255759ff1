"""URL table for Resource Scheduler's schedules."""

from ..core.http import Request, Response, json_response, page, route
from ..identity.models import Target
from .models import SchedulerBackend

BASE = "/20240430"


def _backend(req: Request) -> SchedulerBackend:
    return req.cloud_region.backend(SchedulerBackend)


def create_schedule(req: Request) -> Response:
    # The schedule, and the work request of its creation, which clients (Terraform's provider) follow.
    backend = _backend(req)
    schedule = backend.create_schedule(req.json())
    return json_response(schedule.to_json(), opc_work_request_id=backend.done("CREATE_SCHEDULE", schedule).id)


def get_schedule(req: Request) -> Response:
    return json_response(_backend(req).schedule(req.params["scheduleId"]).to_json())


def delete_schedule(req: Request) -> Response:
    _backend(req).delete_schedule(req.params["scheduleId"])
    return Response(202)


def update_schedule(req: Request) -> Response:
    work = _backend(req).update_schedule(req.params["scheduleId"], req.json())
    return Response(202, b"", {"opc-work-request-id": work.id})


def activate_schedule(req: Request) -> Response:
    return json_response(_backend(req).set_active(req.params["scheduleId"], True).to_json())


def deactivate_schedule(req: Request) -> Response:
    return json_response(_backend(req).set_active(req.params["scheduleId"], False).to_json())


def get_work_request(req: Request) -> Response:
    return json_response(_backend(req).work_request(req.params["workRequestId"]).to_json())


def list_work_requests(req: Request) -> Response:
    compartment = req.query.get("compartmentId")
    found = [w.to_json() for w in _backend(req).work_requests.values() if compartment in (None, w.compartment_id)]
    chunk, nxt = page(found, req)
    return json_response({"items": chunk}, opc_next_page=nxt)


def list_schedules(req: Request) -> Response:
    compartment = req.query.get("compartmentId")
    found = [s.to_json() for s in _backend(req).schedules.values() if compartment in (None, s.compartment_id)]
    chunk, nxt = page(found, req)
    return json_response({"items": chunk}, opc_next_page=nxt)


ROUTES = [
    route("POST", BASE + "/schedules", "CreateSchedule", create_schedule),
    route("GET", BASE + "/schedules", "ListSchedules", list_schedules),
    route("GET", BASE + "/schedules/{scheduleId}", "GetSchedule", get_schedule),
    route("PUT", BASE + "/schedules/{scheduleId}", "UpdateSchedule", update_schedule),
    route("DELETE", BASE + "/schedules/{scheduleId}", "DeleteSchedule", delete_schedule),
    route("POST", BASE + "/schedules/{scheduleId}/actions/activateSchedule", "ActivateSchedule", activate_schedule),
    route(
        "POST", BASE + "/schedules/{scheduleId}/actions/deactivateSchedule", "DeactivateSchedule", deactivate_schedule
    ),
    route("GET", BASE + "/workRequests", "ListWorkRequests", list_work_requests),
    route("GET", BASE + "/workRequests/{workRequestId}", "GetWorkRequest", get_work_request),
]


def targets(req: Request, operation: str) -> list[Target] | None:
    if operation == "CreateSchedule":
        body = req.json()
        compartment = body.get("compartmentId") if isinstance(body, dict) else None
        return [Target(compartment)] if isinstance(compartment, str) else None
    if operation in ("ListSchedules", "ListWorkRequests"):
        compartment = req.query.get("compartmentId")
        return [Target(compartment)] if compartment else None
    if operation == "GetWorkRequest":
        work = _backend(req).work_requests.get(req.params["workRequestId"])
        return [Target(work.compartment_id)] if work else None
    schedule = _backend(req).schedules.get(req.params["scheduleId"])
    return [Target(schedule.compartment_id)] if schedule else None
