"""URL tables for Monitoring: PostMetricData on the ingestion endpoint only."""

from ..core import errors
from ..core.http import Request, Response, json_response, route
from ..identity.models import Target
from .models import MonitoringBackend


def post_metric_data(req: Request) -> Response:
    return json_response(req.cloud_region.backend(MonitoringBackend).post(req.json()))


def wrong_endpoint(req: Request) -> Response:
    raise errors.NotAuthorizedOrNotFound(
        "PostMetricData is served by the telemetry-ingestion endpoint, not the telemetry endpoint."
    )


INGESTION_ROUTES = [route("POST", "/20180401/metrics", "PostMetricData", post_metric_data)]
ROUTES = [route("POST", "/20180401/metrics", "PostMetricData", wrong_endpoint)]


def targets(req: Request, operation: str) -> list[Target] | None:
    """Every compartment and namespace a PostMetricData request writes to must be allowed."""
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
