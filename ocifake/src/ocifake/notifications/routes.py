"""URL table for the Notifications data plane."""

from ..core.clock import iso
from ..core.http import Request, Response, json_response, route
from ..identity.models import Target
from .models import NotificationsBackend


def publish_message(req: Request) -> Response:
    message = req.cloud_region.backend(NotificationsBackend).publish(req.params["topicId"], req.json())
    return json_response({"messageId": message.id, "timeStamp": iso(message.time)})


ROUTES = [route("POST", "/20181201/topics/{topicId}/messages", "PublishMessage", publish_message)]


def targets(req: Request, operation: str) -> list[Target] | None:
    topic = req.cloud_region.backend(NotificationsBackend).topics.get(req.params["topicId"])
    return [Target(topic.compartment_id)] if topic else None
