"""URL table for Notifications: topics and subscriptions (the control plane), and PublishMessage."""

from ..core.clock import iso
from ..core.http import Request, Response, json_response, page, route
from ..identity.models import Target
from .models import NotificationsBackend

BASE = "/20181201"


def _backend(req: Request) -> NotificationsBackend:
    return req.cloud_region.backend(NotificationsBackend)


def publish_message(req: Request) -> Response:
    message = _backend(req).publish(req.params["topicId"], req.json())
    return json_response({"messageId": message.id, "timeStamp": iso(message.time)})


def create_topic(req: Request) -> Response:
    body = req.json()
    details = body if isinstance(body, dict) else {}
    topic = _backend(req).create_topic(details.get("name"), details.get("compartmentId"), details)
    return json_response(topic.to_json(req.region), etag=str(topic.etag))


def get_topic(req: Request) -> Response:
    topic = _backend(req).topic(req.params["topicId"])
    return json_response(topic.to_json(req.region), etag=str(topic.etag))


def update_topic(req: Request) -> Response:
    topic = _backend(req).update_topic(req.params["topicId"], req.json())
    return json_response(topic.to_json(req.region), etag=str(topic.etag))


def delete_topic(req: Request) -> Response:
    _backend(req).delete_topic(req.params["topicId"])
    return Response(202)


def list_topics(req: Request) -> Response:
    compartment = req.query.get("compartmentId")
    found = [
        t.to_json(req.region)
        for t in _backend(req).topics.values()
        if t.compartment_id == compartment
        and req.query.get("name") in (None, t.name)
        and req.query.get("id") in (None, t.id)
    ]
    chunk, nxt = page(found, req)
    return json_response(chunk, opc_next_page=nxt)


def create_subscription(req: Request) -> Response:
    subscription = _backend(req).create_subscription(req.json())
    return json_response(subscription.to_json(), etag=str(subscription.etag))


def get_subscription(req: Request) -> Response:
    subscription = _backend(req).subscription(req.params["subscriptionId"])
    return json_response(subscription.to_json(), etag=str(subscription.etag))


def delete_subscription(req: Request) -> Response:
    _backend(req).delete_subscription(req.params["subscriptionId"])
    return Response(204)


def list_subscriptions(req: Request) -> Response:
    compartment, topic = req.query.get("compartmentId"), req.query.get("topicId")
    found = [
        s.to_json()
        for s in _backend(req).subscriptions.values()
        if s.compartment_id == compartment and topic in (None, s.topic_id)
    ]
    chunk, nxt = page(found, req)
    return json_response(chunk, opc_next_page=nxt)


ROUTES = [
    route("POST", BASE + "/topics/{topicId}/messages", "PublishMessage", publish_message),
    route("POST", BASE + "/topics", "CreateTopic", create_topic),
    route("GET", BASE + "/topics", "ListTopics", list_topics),
    route("GET", BASE + "/topics/{topicId}", "GetTopic", get_topic),
    route("PUT", BASE + "/topics/{topicId}", "UpdateTopic", update_topic),
    route("DELETE", BASE + "/topics/{topicId}", "DeleteTopic", delete_topic),
    route("POST", BASE + "/subscriptions", "CreateSubscription", create_subscription),
    route("GET", BASE + "/subscriptions", "ListSubscriptions", list_subscriptions),
    route("GET", BASE + "/subscriptions/{subscriptionId}", "GetSubscription", get_subscription),
    route("DELETE", BASE + "/subscriptions/{subscriptionId}", "DeleteSubscription", delete_subscription),
]


def targets(req: Request, operation: str) -> list[Target] | None:
    backend = _backend(req)
    if operation in ("CreateTopic", "ListTopics", "ListSubscriptions"):
        body = req.json() if operation == "CreateTopic" else {}
        compartment = (body if isinstance(body, dict) else {}).get("compartmentId") or req.query.get("compartmentId")
        return [Target(compartment)] if isinstance(compartment, str) and compartment else None
    if operation == "CreateSubscription":
        body = req.json()
        topic = backend.topics.get(body.get("topicId", "")) if isinstance(body, dict) else None
        return [Target(topic.compartment_id)] if topic else None  # subscribing is a use of the topic
    if "subscriptionId" in req.params:
        subscription = backend.subscriptions.get(req.params["subscriptionId"])
        topic = backend.topics.get(subscription.topic_id) if subscription else None
        return [Target(topic.compartment_id)] if topic else None
    topic = backend.topics.get(req.params["topicId"])
    return [Target(topic.compartment_id)] if topic else None
