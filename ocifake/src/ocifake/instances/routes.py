"""URL table of Compute instances and console histories (iaas.<region>, beside images)."""

from ..compute.models import ComputeBackend
from ..core import errors
from ..core.http import Request, Response, json_response, page, route
from ..identity.permissions import Need, Target
from ..networking.models import NetworkingBackend
from .models import InstancesBackend

BASE = "/20160918"


def _backend(req: Request) -> InstancesBackend:
    return req.cloud_region.backend(InstancesBackend)


def launch_instance(req: Request) -> Response:
    instance = _backend(req).launch(req.json())
    return json_response(instance.to_json(req.cloud_region.name), etag=instance.id[-12:])


def get_instance(req: Request) -> Response:
    return json_response(_backend(req).get(req.params["instanceId"]).to_json(req.cloud_region.name))


def list_instances(req: Request) -> Response:
    q = req.query
    found = _backend(req).listed(q.get("compartmentId"), q.get("lifecycleState"), q.get("displayName"))
    chunk, nxt = page(found, req)
    return json_response([i.to_json(req.cloud_region.name) for i in chunk], opc_next_page=nxt)


def terminate_instance(req: Request) -> Response:
    keep = req.query.get("preserveBootVolume", "true").lower()
    if keep not in ("true", "false"):
        raise errors.InvalidParameter("preserveBootVolume must be true or false.")
    _backend(req).terminate(req.params["instanceId"], keep == "true")
    return Response(204)


def capture_console_history(req: Request) -> Response:
    return json_response(_backend(req).capture(req.json()).to_json())


def get_console_history(req: Request) -> Response:
    return json_response(_backend(req).history(req.params["historyId"]).to_json())


def get_console_history_content(req: Request) -> Response:
    q = req.query
    try:
        offset, length = int(q.get("offset") or 0), int(q.get("length") or 10240)
    except ValueError:
        raise errors.InvalidParameter("offset and length must be integers.") from None
    if offset < 0 or not 1 <= length <= 1024 * 1024:
        raise errors.InvalidParameter("offset must be 0 or more and length 1 to 1048576.")
    body = _backend(req).content(req.params["historyId"], offset, length)
    return Response(200, body, {"content-type": "application/octet-stream"})


def list_console_histories(req: Request) -> Response:
    q = req.query
    chunk, nxt = page(_backend(req).list_histories(q.get("compartmentId"), q.get("instanceId")), req)
    return json_response([h.to_json() for h in chunk], opc_next_page=nxt)


def delete_console_history(req: Request) -> Response:
    _backend(req).delete_history(req.params["historyId"])
    return Response(204)


HISTORIES = BASE + "/instanceConsoleHistories"
ROUTES = [
    route("GET", BASE + "/instances", "ListInstances", list_instances),
    route("POST", BASE + "/instances", "LaunchInstance", launch_instance),
    route("GET", BASE + "/instances/{instanceId}", "GetInstance", get_instance),
    route("DELETE", BASE + "/instances/{instanceId}", "TerminateInstance", terminate_instance),
    route("GET", HISTORIES, "ListConsoleHistories", list_console_histories),
    route("POST", HISTORIES, "CaptureConsoleHistory", capture_console_history),
    route("GET", HISTORIES + "/{historyId}", "GetConsoleHistory", get_console_history),
    route("GET", HISTORIES + "/{historyId}/data", "GetConsoleHistoryContent", get_console_history_content),
    route("DELETE", HISTORIES + "/{historyId}", "DeleteConsoleHistory", delete_console_history),
]
RETRY_TOKEN_OPERATIONS = {"LaunchInstance", "CaptureConsoleHistory"}

# What an operation also needs beside its own permission (permissions.py says where from).
_ATTACH = Need("subnets", "use", "SUBNET_ATTACH")
_DETACH = Need("subnets", "use", "SUBNET_DETACH")
_VNIC_CREATE = Need("vnics", "use", "VNIC_CREATE", confirmed=False)
_VNIC_DELETE = Need("vnics", "use", "VNIC_DELETE", confirmed=False)
_NSG = Need("network-security-groups", "use", None, confirmed=False)
_IMAGE_READ = Need("instance-images", "read", "INSTANCE_IMAGE_READ")
_INSTANCE_READ = Need("instances", "read", "INSTANCE_READ")
_INSTANCE_INSPECT = Need("instances", "inspect", "INSTANCE_INSPECT")


def targets(req: Request, operation: str) -> list[Target] | None:
    """What IAM checks a request against; None: no such resource (the handler says 404)."""
    backend = _backend(req)
    cloud = req.cloud_region.cloud
    if operation in ("ListInstances", "ListConsoleHistories"):
        compartment = req.query.get("compartmentId")
        return [Target(compartment)] if compartment else None
    if operation == "LaunchInstance":
        body = req.json()
        if not isinstance(body, dict) or not isinstance(body.get("compartmentId"), str):
            return None
        compartment = body["compartmentId"]
        found: list[Target] = [
            Target(compartment),
            Target(compartment, need=_VNIC_CREATE),
            Target(compartment, need=_NSG),
        ]
        subnet = _resource(req, backend.subnet_of(body))
        if subnet is not None:
            found.append(Target(subnet, need=_ATTACH))
        image = req.cloud_region.backend(ComputeBackend).images.get(backend.image_of(body) or "")
        if image is not None:
            found.append(Target(image.compartment_id or cloud.tenancy_id, need=_IMAGE_READ))
        return found
    if operation == "CaptureConsoleHistory":
        body = req.json()
        instance = backend.instances.get(body.get("instanceId", "")) if isinstance(body, dict) else None
        if instance is None:
            return None
        return [Target(instance.compartment_id), *_reading(req, instance.compartment_id, instance.image_id)]
    if operation in ("GetConsoleHistory", "GetConsoleHistoryContent", "DeleteConsoleHistory"):
        history = backend.histories.get(req.params["historyId"])
        if history is None:
            return None
        of = backend.instances.get(history.instance_id)
        if operation == "GetConsoleHistory":
            return [Target(history.compartment_id), Target(history.compartment_id, need=_INSTANCE_INSPECT)]
        if operation == "GetConsoleHistoryContent":
            image = of.image_id if of is not None else ""
            return [Target(history.compartment_id), *_reading(req, history.compartment_id, image)]
        return [Target(history.compartment_id)]
    instance = backend.instances.get(req.params["instanceId"])
    if instance is None:
        return None
    if operation == "TerminateInstance":
        subnet = _resource(req, instance.subnet_id)
        extra = [Target(subnet, need=_DETACH)] if subnet else []
        return [Target(instance.compartment_id), Target(instance.compartment_id, need=_VNIC_DELETE), *extra]
    return [Target(instance.compartment_id)]


def _reading(req: Request, compartment_id: str, image_id: str) -> list[Target]:
    """What capturing or reading a console also needs: to read the instance, and its image."""
    image = req.cloud_region.backend(ComputeBackend).images.get(image_id)
    found = [Target(compartment_id, need=_INSTANCE_READ)]
    if image is not None:
        found.append(Target(image.compartment_id or req.cloud_region.cloud.tenancy_id, need=_IMAGE_READ))
    return found


def _resource(req: Request, subnet_id: str | None) -> str | None:
    """The compartment of the subnet a request names (None: no such subnet)."""
    found = req.cloud_region.backend(NetworkingBackend).resources.get(subnet_id or "")
    return found.compartment_id if found is not None and found.kind == "subnet" else None
