"""URL table and request/response shaping for Object Storage."""

from ..core import errors
from ..core.clock import iso
from ..core.http import Request, Response, json_response, page, route
from ..identity.models import Target
from ..identity.permissions import Need
from . import multipart
from .models import ObjectStorageBackend


def _os(req: Request) -> ObjectStorageBackend:
    return req.cloud_region.backend(ObjectStorageBackend)


def _ns(req: Request) -> str:
    return req.params["namespaceName"]


def get_namespace(req: Request) -> Response:
    """The caller's tenancy's namespace."""
    cloud = req.cloud_region.cloud
    tenancy = req.principal.tenancy_id if req.principal is not None else None
    return json_response(cloud.namespace_of(tenancy or cloud.tenancy_id))


def create_bucket(req: Request) -> Response:
    bucket = _os(req).create_bucket(_ns(req), req.json())
    return json_response(
        bucket.to_json(), etag=f"bucket-{bucket.version}", location=f"/n/{bucket.namespace}/b/{bucket.name}"
    )


def list_buckets(req: Request) -> Response:
    compartment = req.query.get("compartmentId")
    if not compartment:
        raise errors.MissingParameter("compartmentId is required.")
    if not req.cloud_region.cloud.compartment_exists(compartment):
        raise errors.NotAuthorizedOrNotFound()
    buckets = [b for b in _os(req).buckets_of(_ns(req)).values() if b.compartment_id == compartment]
    chunk, nxt = page(sorted(buckets, key=lambda b: b.name), req, default_limit=25)
    fields = ("namespace", "name", "compartmentId", "createdBy", "timeCreated", "etag", "freeformTags", "definedTags")
    return json_response([{k: b.to_json()[k] for k in fields} for b in chunk], opc_next_page=nxt)


def get_bucket(req: Request) -> Response:
    bucket = _os(req).bucket(_ns(req), req.params["bucketName"])
    return json_response(bucket.to_json(), etag=f"bucket-{bucket.version}")


def update_bucket(req: Request) -> Response:
    bucket = _os(req).update_bucket(_ns(req), req.params["bucketName"], req.json())
    return json_response(bucket.to_json(), etag=f"bucket-{bucket.version}")


def delete_bucket(req: Request) -> Response:
    _os(req).delete_bucket(_ns(req), req.params["bucketName"])
    return Response(204)


def put_object(req: Request) -> Response:
    obj = _os(req).put_object(_ns(req), req.params["bucketName"], req.params["objectName"], req.body, req.headers)
    return Response(
        200, b"", {"etag": obj.etag, "opc-content-md5": obj.md5, "last-modified": obj.headers()["last-modified"]}
    )


def get_object(req: Request) -> Response:
    obj = _os(req).get_object(_ns(req), req.params["bucketName"], req.params["objectName"], req.headers)
    wanted = req.headers.get("range")
    if wanted is None:
        return Response(200, obj.data, {**obj.headers(), "content-length": str(len(obj.data))})
    # A ranged read (the SDK's and the CLI's downloads in parts): 206 with the bytes asked for.
    first, last = byte_range(wanted, len(obj.data))
    chunk = obj.data[first : last + 1]
    headers = {**obj.headers(), "content-length": str(len(chunk))}
    headers["content-range"] = f"bytes {first}-{last}/{len(obj.data)}"
    return Response(206, chunk, headers)


def byte_range(header: str, size: int) -> tuple[int, int]:
    """The first and last byte of `Range: bytes=a-b`, `bytes=a-` or `bytes=-n` in an object of `size`."""
    unit, _, spec = header.partition("=")
    start, dash, end = spec.strip().partition("-")
    try:
        if unit.strip().lower() != "bytes" or not dash or "," in spec:
            raise ValueError
        if start == "":
            first, last = max(0, size - int(end)), size - 1
        else:
            first, last = int(start), min(int(end), size - 1) if end else size - 1
    except ValueError:
        raise errors.InvalidParameter(f"The Range header '{header}' is not one range of bytes.") from None
    if first > last or first >= size:
        raise errors.OciError(
            f"The range '{header}' is not satisfiable for an object of {size} bytes.", status=416, code="InvalidRange"
        )
    return first, last


def head_object(req: Request) -> Response:
    obj = _os(req).get_object(_ns(req), req.params["bucketName"], req.params["objectName"], req.headers)
    return Response(200, b"", {**obj.headers(), "content-length": str(len(obj.data))})


def delete_object(req: Request) -> Response:
    _os(req).delete_object(_ns(req), req.params["bucketName"], req.params["objectName"], req.headers)
    return Response(204)


def list_objects(req: Request) -> Response:
    q = req.query
    limit = min(int(q.get("limit") or 1000), 1000)
    objects, nxt = _os(req).list_objects(
        _ns(req), req.params["bucketName"], q.get("prefix", ""), q.get("start"), limit, q.get("end")
    )
    wanted = set((q.get("fields") or "name").split(",")) | {"name"}
    return json_response(
        {
            "objects": [{k: v for k, v in o.summary().items() if k in wanted} for o in objects],
            "prefixes": [],
            "nextStartWith": nxt,
        }
    )


def create_par(req: Request) -> Response:
    par = _os(req).create_par(_ns(req), req.params["bucketName"], req.json())
    return json_response(par.to_json(_ns(req), with_uri=True))


def list_pars(req: Request) -> Response:
    pars = _os(req).list_pars(_ns(req), req.params["bucketName"], req.query.get("objectNamePrefix"))
    chunk, nxt = page(pars, req)
    return json_response([p.to_json(_ns(req), with_uri=False) for p in chunk], opc_next_page=nxt)


def get_par(req: Request) -> Response:
    par = _os(req).get_par(_ns(req), req.params["bucketName"], req.params["parId"])
    return json_response(par.to_json(_ns(req), with_uri=False))


def delete_par(req: Request) -> Response:
    _os(req).delete_par(_ns(req), req.params["bucketName"], req.params["parId"])
    return Response(204)


def copy_object(req: Request) -> Response:
    wr = _os(req).copy_object(_ns(req), req.params["bucketName"], req.json())
    return Response(202, b"", {"opc-work-request-id": wr.id})


def get_work_request(req: Request) -> Response:
    wr = _os(req).get_work_request(req.params["workRequestId"])
    return json_response(wr.to_json(req.cloud_region.cloud.clock))


def list_work_requests(req: Request) -> Response:
    """A compartment's copies, oldest first (`oci os work-request list`)."""
    compartment = req.query.get("compartmentId")
    if not compartment:
        raise errors.MissingParameter("compartmentId is required.")
    found = [w for w in _os(req).work_requests.values() if w.compartment_id == compartment]
    chunk, nxt = page(sorted(found, key=lambda w: (w.time_accepted, w.id)), req)
    clock = req.cloud_region.cloud.clock
    return json_response([w.to_json(clock) for w in chunk], opc_next_page=nxt)


def list_work_request_errors(req: Request) -> Response:
    wr = _os(req).get_work_request(req.params["workRequestId"])
    items = (
        [{"code": wr.error_code, "message": wr.error, "timestamp": iso(wr.time_finished)}]
        if wr.error and wr.time_finished
        else []
    )
    return json_response(items)


def _par_location(req: Request) -> dict:
    p = req.params
    return {
        "region": req.region,
        "namespace": p["namespaceName"],
        "bucket": p["bucketName"],
        "object": p["objectName"],
        "par": p["token"],
    }


def par_get_object(req: Request) -> Response:
    loc = _par_location(req)
    data = _os(req).read_via_location(loc)
    obj = _os(req).bucket(loc["namespace"], loc["bucket"]).objects[loc["object"]]
    return Response(200, data if req.method == "GET" else b"", {**obj.headers(), "content-length": str(len(data))})


def par_put_object(req: Request) -> Response:
    loc = _par_location(req)
    _os(req).check_location(loc, "write")
    obj = _os(req).put_object(loc["namespace"], loc["bucket"], loc["object"], req.body, req.headers)
    return Response(200, b"", {"etag": obj.etag, "opc-content-md5": obj.md5})


def create_multipart_upload(req: Request) -> Response:
    upload = _os(req).create_upload(_ns(req), req.params["bucketName"], req.json(), req.headers)
    location = f"/n/{upload.namespace}/b/{upload.bucket}/u/{upload.object}?uploadId={upload.id}"
    return json_response(upload.to_json(), location=location)


def _upload_id(req: Request) -> str:
    upload_id = req.query.get("uploadId")
    if not upload_id:
        raise errors.MissingParameter("uploadId is required.")
    return upload_id


def _upload(req: Request) -> multipart.MultipartUpload:
    return _os(req).upload(_ns(req), req.params["bucketName"], req.params["objectName"], _upload_id(req))


def upload_part(req: Request) -> Response:
    upload = _upload(req)
    part = multipart.put_part(upload, req.query.get("uploadPartNum"), req.body, req.headers)
    return Response(200, b"", {"etag": part.etag, "opc-content-md5": part.to_json()["md5"]})


def commit_multipart_upload(req: Request) -> Response:
    obj = _os(req).commit_upload(
        _ns(req), req.params["bucketName"], req.params["objectName"], _upload_id(req), req.json()
    )
    headers = {"etag": obj.etag, "last-modified": obj.headers()["last-modified"]}
    return Response(200, b"", {**headers, "opc-multipart-md5": obj.multipart_md5 or ""})


def abort_multipart_upload(req: Request) -> Response:
    _os(req).abort_upload(_ns(req), req.params["bucketName"], req.params["objectName"], _upload_id(req))
    return Response(204)


def list_multipart_uploads(req: Request) -> Response:
    uploads = sorted(_os(req).bucket(_ns(req), req.params["bucketName"]).uploads.values(), key=lambda u: u.object)
    chunk, nxt = page(uploads, req, default_limit=1000)
    return json_response([u.to_json() for u in chunk], opc_next_page=nxt)


def list_multipart_upload_parts(req: Request) -> Response:
    upload = _upload(req)
    chunk, nxt = page([upload.parts[n] for n in sorted(upload.parts)], req, default_limit=1000)
    return json_response([p.to_json() for p in chunk], opc_next_page=nxt)


def put_lifecycle_policy(req: Request) -> Response:
    items = _os(req).put_lifecycle_policy(_ns(req), req.params["bucketName"], req.json())
    return json_response({"items": items, "timeCreated": iso(req.cloud_region.cloud.clock.now())})


def get_lifecycle_policy(req: Request) -> Response:
    bucket = _os(req).lifecycle_policy(_ns(req), req.params["bucketName"])
    assert bucket.lifecycle_time is not None
    return json_response({"items": bucket.lifecycle_rules, "timeCreated": iso(bucket.lifecycle_time)})


def delete_lifecycle_policy(req: Request) -> Response:
    _os(req).delete_lifecycle_policy(_ns(req), req.params["bucketName"])
    return Response(204)


def _rule(found) -> Response:
    return json_response(found.to_json(), etag=found.to_json()["etag"])


def create_retention_rule(req: Request) -> Response:
    return _rule(_os(req).create_retention_rule(_ns(req), req.params["bucketName"], req.json()))


def list_retention_rules(req: Request) -> Response:
    bucket = _os(req).bucket(_ns(req), req.params["bucketName"])
    return json_response({"items": [r.to_json() for r in bucket.retention_rules.values()]})


def get_retention_rule(req: Request) -> Response:
    return _rule(_os(req).retention_rule(_ns(req), req.params["bucketName"], req.params["ruleId"]))


def update_retention_rule(req: Request) -> Response:
    found = _os(req).update_retention_rule(_ns(req), req.params["bucketName"], req.params["ruleId"], req.json())
    return _rule(found)


def delete_retention_rule(req: Request) -> Response:
    _os(req).delete_retention_rule(_ns(req), req.params["bucketName"], req.params["ruleId"])
    return Response(204)


OBJ = "/n/{namespaceName}/b/{bucketName}/o/{objectName}"
RULES = "/n/{namespaceName}/b/{bucketName}/retentionRules"
UPLOAD = "/n/{namespaceName}/b/{bucketName}/u/{objectName}"
ROUTES = [
    route("GET", "/n", "GetNamespace", get_namespace),
    route("POST", "/n/{namespaceName}/b", "CreateBucket", create_bucket),
    route("GET", "/n/{namespaceName}/b", "ListBuckets", list_buckets),
    route("GET", "/n/{namespaceName}/b/{bucketName}", "GetBucket", get_bucket),
    route("POST", "/n/{namespaceName}/b/{bucketName}", "UpdateBucket", update_bucket),
    route("DELETE", "/n/{namespaceName}/b/{bucketName}", "DeleteBucket", delete_bucket),
    route("GET", "/n/{namespaceName}/b/{bucketName}/o", "ListObjects", list_objects),
    route("PUT", OBJ, "PutObject", put_object),
    route("GET", OBJ, "GetObject", get_object),
    route("HEAD", OBJ, "HeadObject", head_object),
    route("DELETE", OBJ, "DeleteObject", delete_object),
    route("POST", "/n/{namespaceName}/b/{bucketName}/p", "CreatePreauthenticatedRequest", create_par),
    route("GET", "/n/{namespaceName}/b/{bucketName}/p", "ListPreauthenticatedRequests", list_pars),
    route("GET", "/n/{namespaceName}/b/{bucketName}/p/{parId}", "GetPreauthenticatedRequest", get_par),
    route("DELETE", "/n/{namespaceName}/b/{bucketName}/p/{parId}", "DeletePreauthenticatedRequest", delete_par),
    route("POST", "/n/{namespaceName}/b/{bucketName}/actions/copyObject", "CopyObject", copy_object),
    route("POST", "/n/{namespaceName}/b/{bucketName}/u", "CreateMultipartUpload", create_multipart_upload),
    route("GET", "/n/{namespaceName}/b/{bucketName}/u", "ListMultipartUploads", list_multipart_uploads),
    route("PUT", UPLOAD, "UploadPart", upload_part),
    route("POST", UPLOAD, "CommitMultipartUpload", commit_multipart_upload),
    route("DELETE", UPLOAD, "AbortMultipartUpload", abort_multipart_upload),
    route("GET", UPLOAD, "ListMultipartUploadParts", list_multipart_upload_parts),
    route("PUT", "/n/{namespaceName}/b/{bucketName}/l", "PutObjectLifecyclePolicy", put_lifecycle_policy),
    route("GET", "/n/{namespaceName}/b/{bucketName}/l", "GetObjectLifecyclePolicy", get_lifecycle_policy),
    route("DELETE", "/n/{namespaceName}/b/{bucketName}/l", "DeleteObjectLifecyclePolicy", delete_lifecycle_policy),
    route("POST", RULES, "CreateRetentionRule", create_retention_rule),
    route("GET", RULES, "ListRetentionRules", list_retention_rules),
    route("GET", RULES + "/{ruleId}", "GetRetentionRule", get_retention_rule),
    route("PUT", RULES + "/{ruleId}", "UpdateRetentionRule", update_retention_rule),
    route("DELETE", RULES + "/{ruleId}", "DeleteRetentionRule", delete_retention_rule),
    route("GET", "/workRequests", "ListWorkRequests", list_work_requests),
    route("GET", "/workRequests/{workRequestId}", "GetWorkRequest", get_work_request),
    route("GET", "/workRequests/{workRequestId}/errors", "ListWorkRequestErrors", list_work_request_errors),
]

# Requests made with a pre-authenticated request carry no signature.
PAR_OBJ = "/p/{token}/n/{namespaceName}/b/{bucketName}/o/{objectName*}"
ANONYMOUS_ROUTES = [
    route("GET", PAR_OBJ, "ParGetObject", par_get_object),
    route("HEAD", PAR_OBJ, "ParHeadObject", par_get_object),
    route("PUT", PAR_OBJ, "ParPutObject", par_put_object),
]


def targets(req: Request, operation: str) -> list[Target] | None:
    """What IAM checks an Object Storage request against; None: no such bucket (the handler says 404)."""
    cloud = req.cloud_region.cloud
    if operation == "GetNamespace":
        own = req.principal.tenancy_id if req.principal is not None else None
        return [Target(req.query.get("compartmentId") or own or cloud.tenancy_id)]
    if operation in ("ListBuckets", "ListWorkRequests"):
        compartment = req.query.get("compartmentId")
        return [Target(compartment)] if compartment else None
    if operation == "CreateBucket":
        body = req.json()
        if not isinstance(body, dict) or not isinstance(body.get("compartmentId"), str):
            return None
        return [Target(body["compartmentId"], {"target.bucket.name": str(body.get("name", ""))})]
    if operation in ("GetWorkRequest", "ListWorkRequestErrors"):
        wr = _os(req).work_requests.get(req.params["workRequestId"])
        return [Target(wr.compartment_id)] if wr else None
    namespace = req.params.get("namespaceName", "")
    known = namespace in req.cloud_region.cloud.namespaces
    bucket = _os(req).buckets_of(namespace).get(req.params.get("bucketName", "")) if known else None
    if bucket is None:
        return None
    variables = {"target.bucket.name": bucket.name}
    if "objectName" in req.params:
        variables["target.object.name"] = req.params["objectName"]
    found = [Target(bucket.compartment_id, variables)]
    if operation == "CopyObject":
        found += _copy_destination(req, bucket)
    return found


def _copy_destination(req: Request, source) -> list[Target]:
    """A copy into another tenancy's bucket is checked against the requester too (Endorse in its
    tenancy, Admit in the destination's), as Oracle's cross-tenancy copy describes; within one
    tenancy only the service's own policy decides (checked when the copy runs)."""
    cloud = req.cloud_region.cloud
    body = req.json()
    if not isinstance(body, dict) or not cloud.options.cross_tenancy_copy_checks_requester:
        return []
    namespace, region = body.get("destinationNamespace"), body.get("destinationRegion")
    if namespace not in cloud.namespaces or not cloud.knows_region(region or ""):
        return []
    bucket = cloud.objectstorage(region).buckets_of(namespace).get(body.get("destinationBucket", ""))
    if bucket is None or cloud.tenancy_of(bucket.compartment_id) == cloud.tenancy_of(source.compartment_id):
        return []
    variables = {"target.bucket.name": bucket.name, "target.object.name": str(body.get("destinationObjectName", ""))}
    return [Target(bucket.compartment_id, variables, need=Need("objects", "manage", "OBJECT_CREATE"))]


def denied(req: Request, operation: str) -> errors.OciError:
    """Object Storage does not tell a refused bucket from a missing one."""
    if "bucketName" in req.params:
        return errors.BucketNotFound(
            f"Either the bucket named '{req.params['bucketName']}' does not exist in the namespace "
            f"'{req.params.get('namespaceName', '')}' or you are not authorized to access it"
        )
    return errors.NotAuthorizedOrNotFound()
