"""URL tables for Monitoring: PostMetricData on the ingestion endpoint only; alarms on telemetry."""

from ..core import errors
from ..core.http import Request, Response, json_response, page, route
from ..identity.models import Target
from ..identity.permissions import Need
from .models import MonitoringBackend


def post_metric_data(req: Request) -> Response:
    return json_response(req.cloud_region.backend(MonitoringBackend).post(req.json()))


def wrong_endpoint(req: Request) -> Response:
    raise errors.NotAuthorizedOrNotFound(
        "PostMetricData is served by the telemetry-ingestion endpoint, not the telemetry endpoint."
    )


def _backend(req: Request) -> MonitoringBackend:
    return req.cloud_region.backend(MonitoringBackend)


def _alarm(found) -> Response:
    return json_response(found.to_json(), etag=str(found.etag))


def create_alarm(req: Request) -> Response:
    return _alarm(_backend(req).create_alarm_from(req.json()))


def get_alarm(req: Request) -> Response:
    return _alarm(_backend(req).alarm(req.params["alarmId"]))


def update_alarm(req: Request) -> Response:
    return _alarm(_backend(req).update_alarm(req.params["alarmId"], req.json()))


def delete_alarm(req: Request) -> Response:
    _backend(req).delete_alarm(req.params["alarmId"])
    return Response(204)


def list_alarms(req: Request) -> Response:
    compartment = req.query.get("compartmentId")
    if not compartment:
        raise errors.MissingParameter("compartmentId is required.")
    found = [
        a.to_json()
        for a in _backend(req).alarms.values()
        if a.compartment_id == compartment
        and a.state != "DELETED"
        and req.query.get("displayName") in (None, a.display_name)
    ]
    chunk, nxt = page(found, req)
    return json_response(chunk, opc_next_page=nxt)


INGESTION_ROUTES = [route("POST", "/20180401/metrics", "PostMetricData", post_metric_data)]
ROUTES = [
    route("POST", "/20180401/metrics", "PostMetricData", wrong_endpoint),
    route("POST", "/20180401/alarms", "CreateAlarm", create_alarm),
    route("GET", "/20180401/alarms", "ListAlarms", list_alarms),
    route("GET", "/20180401/alarms/{alarmId}", "GetAlarm", get_alarm),
    route("PUT", "/20180401/alarms/{alarmId}", "UpdateAlarm", update_alarm),
    route("DELETE", "/20180401/alarms/{alarmId}", "DeleteAlarm", delete_alarm),
]
# An alarm reads the metrics of its metric compartment: making one asks to read them there too.
READ_METRICS = Need("metrics", "read", "METRIC_READ", confirmed=False)


def targets(req: Request, operation: str) -> list[Target] | None:
    """PostMetricData: every compartment and namespace it writes to must be allowed. Alarms: the
    alarm's compartment (and, to make one, its metric compartment's metrics)."""
    if operation.endswith("Alarm") or operation == "ListAlarms":
        return _alarm_targets(req, operation)
    body = req.json()
    metrics = body.get("metricData") if isinstance(body, dict) else None
    if not isinstance(metrics, list):
        return None  # the handler refuses the body
    pairs = {
        (m.get("compartmentId"), m.get("namespace"))
        for m in metrics
        if isinstance(m, dict) and isinstance(m.get("compartmentId"), str) and isinstance(m.get("namespace"), str)
    }
    return [Target(str(c), {"target.metrics.namespace": str(n)}) for c, n in sorted(pairs)] or None


def _alarm_targets(req: Request, operation: str) -> list[Target] | None:
    if operation == "ListAlarms":
        compartment = req.query.get("compartmentId")
        return [Target(compartment)] if compartment else None
    if operation == "CreateAlarm":
        body = req.json()
        if not isinstance(body, dict) or not isinstance(body.get("compartmentId"), str):
            return None
        out = [Target(body["compartmentId"])]
        metrics = body.get("metricCompartmentId")
        if isinstance(metrics, str):
            out.append(Target(metrics, {"target.metrics.namespace": str(body.get("namespace"))}, READ_METRICS))
        return out
    found = _backend(req).alarms.get(req.params["alarmId"])
    return [Target(found.compartment_id)] if found else None
