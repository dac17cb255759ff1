"""URL table and request/response shaping for Compute images and Compute work requests."""

from ..core.http import Request, Response, json_response, page, route
from ..identity.models import Target
from ..identity.permissions import Need
from .models import ComputeBackend

BASE = "/20160918"


def _backend(req: Request):
    return req.cloud_region.backend(ComputeBackend)


def get_image(req: Request) -> Response:
    image = _backend(req).get_image(req.params["imageId"])
    return json_response(image.to_json(), etag=image.etag)


def list_images(req: Request) -> Response:
    q = req.query
    images = _backend(req).list_images(q.get("compartmentId"), q.get("displayName"), q.get("lifecycleState"))
    chunk, nxt = page(
        images, req, serves=req.cloud_region.backend(ComputeBackend).cloud.options.list_images_page_serves
    )
    return json_response([i.to_json() for i in chunk], opc_next_page=nxt)


def update_image(req: Request) -> Response:
    image = _backend(req).update_image(req.params["imageId"], req.json(), req.headers.get("if-match"))
    return json_response(image.to_json(), etag=image.etag)


def delete_image(req: Request) -> Response:
    _backend(req).delete_image(req.params["imageId"])
    return Response(204)


def export_image(req: Request) -> Response:
    image, wr = _backend(req).export_image(req.params["imageId"], req.json(), req.principal)
    return json_response(image.to_json(), etag=image.etag, opc_work_request_id=wr.id)


def create_image(req: Request) -> Response:
    image, wr = _backend(req).import_image(req.json(), req.principal)
    return json_response(image.to_json(), etag=image.etag, opc_work_request_id=wr.id)


def put_shape(req: Request) -> Response:
    return json_response(_backend(req).put_shape(req.params["imageId"], req.params["shapeName"], req.json() or {}))


def get_shape(req: Request) -> Response:
    return json_response(_backend(req).get_shape(req.params["imageId"], req.params["shapeName"]))


def list_shapes(req: Request) -> Response:
    chunk, nxt = page(_backend(req).list_shapes(req.params["imageId"]), req)
    return json_response(chunk, opc_next_page=nxt)


def remove_shape(req: Request) -> Response:
    _backend(req).remove_shape(req.params["imageId"], req.params["shapeName"])
    return Response(204)


def get_work_request(req: Request) -> Response:
    wr = _backend(req).get_work_request(req.params["workRequestId"])
    return json_response(wr.to_json(req.cloud_region.cloud.clock))


_SUMMARY = (
    "id",
    "operationType",
    "status",
    "compartmentId",
    "percentComplete",
    "timeAccepted",
    "timeStarted",
    "timeFinished",
)


def list_work_requests(req: Request) -> Response:
    q = req.query
    found = _backend(req).list_work_requests(q.get("compartmentId"), q.get("resourceId"))
    chunk, nxt = page(found, req)
    clock = req.cloud_region.cloud.clock
    # A summary carries no resources: only WorkRequestSummary's fields.
    return json_response(
        [{k: v for k, v in wr.to_json(clock).items() if k in _SUMMARY} for wr in chunk], opc_next_page=nxt
    )


ROUTES = [
    route("GET", BASE + "/images", "ListImages", list_images),
    route("POST", BASE + "/images", "CreateImage", create_image),
    route("GET", BASE + "/images/{imageId}", "GetImage", get_image),
    route("PUT", BASE + "/images/{imageId}", "UpdateImage", update_image),
    route("DELETE", BASE + "/images/{imageId}", "DeleteImage", delete_image),
    route("POST", BASE + "/images/{imageId}/actions/export", "ExportImage", export_image),
    route("GET", BASE + "/images/{imageId}/shapes", "ListImageShapeCompatibilityEntries", list_shapes),
    route("PUT", BASE + "/images/{imageId}/shapes/{shapeName}", "AddImageShapeCompatibilityEntry", put_shape),
    route("GET", BASE + "/images/{imageId}/shapes/{shapeName}", "GetImageShapeCompatibilityEntry", get_shape),
    route("DELETE", BASE + "/images/{imageId}/shapes/{shapeName}", "RemoveImageShapeCompatibilityEntry", remove_shape),
    route("GET", BASE + "/workRequests/{workRequestId}", "GetWorkRequest", get_work_request),
    route("GET", BASE + "/workRequests", "ListWorkRequests", list_work_requests),
]

# Operations whose requests honour `opc-retry-token`.
RETRY_TOKEN_OPERATIONS = {"CreateImage", "ExportImage", "UpdateImage"}


def targets(req: Request, operation: str) -> list[Target] | None:
    """What IAM checks a Compute request against; None: no such resource (the handler says 404)."""
    backend = _backend(req)
    if operation in ("ListImages", "ListWorkRequests"):
        compartment = req.query.get("compartmentId")
        return [Target(compartment)] if compartment else None
    body = req.json() if operation in ("CreateImage", "UpdateImage") else {}
    # Setting defined tags also needs the tag namespaces (which live in the tenancy).
    tags = [_using_tag_namespaces(req)] if isinstance(body, dict) and body.get("definedTags") else []
    if operation == "CreateImage":
        compartment = body.get("compartmentId") if isinstance(body, dict) else None
        return [Target(compartment), *tags] if isinstance(compartment, str) else None
    if operation == "GetWorkRequest":
        wr = backend.work_requests.get(req.params["workRequestId"])
        return [Target(wr.compartment_id or req.cloud_region.cloud.tenancy_id)] if wr else None
    image = backend.images.get(req.params.get("imageId", ""))
    if image is None:
        return None
    # Platform images belong to no compartment: everyone may read them.
    return [Target(image.compartment_id or req.cloud_region.cloud.tenancy_id), *tags]


def _using_tag_namespaces(req: Request) -> Target:
    return Target(req.cloud_region.cloud.tenancy_id, need=Need("tag-namespaces", "use", "TAG_NAMESPACE_USE"))
