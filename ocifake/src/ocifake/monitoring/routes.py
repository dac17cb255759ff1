"""URL tables for Monitoring: PostMetricData on the ingestion endpoint only."""

from ..core import errors
from ..core.http import Request, Response, json_response, route


def post_metric_data(req: Request) -> Response:
    return json_response(req.cloud_region.monitoring.post(req.json()))


def wrong_endpoint(req: Request) -> Response:
    raise errors.NotAuthorizedOrNotFound(
        "PostMetricData is served by the telemetry-ingestion endpoint, not the telemetry endpoint."
    )


INGESTION_ROUTES = [route("POST", "/20180401/metrics", "PostMetricData", post_metric_data)]
ROUTES = [route("POST", "/20180401/metrics", "PostMetricData", wrong_endpoint)]
