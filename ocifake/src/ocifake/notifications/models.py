"""Topics, their subscriptions and the messages published to them, in one region.

Modelled: topics (Create/Get/List/Update/Delete; a name unique across the tenancy, case
included, as OCI's "Creating a Topic" says; ACTIVE at once), subscriptions (EMAIL ones PENDING
until confirmed, as a mail would confirm them: `confirm`; the others ACTIVE), and
PublishMessage to an existing topic (title at most 255 characters, body at most 64 KB), kept in
order for tests to read. Not confirmed on Oracle's pages: the characters a topic name may hold
(letters, digits, `-` and `_` here, 1 to 256) and the answer to a name taken (409 Conflict
here). Not modelled: delivery to subscriptions, SMS short ids, compartment moves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..core import errors
from ..core.clock import iso

if TYPE_CHECKING:
    from ..core.platform import Platform

MAX_BODY = 64 * 1024
_TOPIC_NAME = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
PROTOCOLS = ("EMAIL", "HTTPS", "CUSTOM_HTTPS", "ORACLE_FUNCTIONS", "PAGERDUTY", "SLACK", "SMS")


@dataclass
class Message:
    id: str
    title: str | None
    body: str
    time: datetime


@dataclass
class Topic:
    id: str
    name: str
    compartment_id: str
    messages: list[Message] = field(default_factory=list)
    description: str | None = None
    freeform_tags: dict = field(default_factory=dict)
    defined_tags: dict = field(default_factory=dict)
    time_created: datetime | None = None
    etag: int = 1

    def to_json(self, region: str) -> dict:
        return {
            "topicId": self.id,
            "name": self.name,
            "compartmentId": self.compartment_id,
            "description": self.description,
            "lifecycleState": "ACTIVE",
            "apiEndpoint": f"https://notification.{region}.oraclecloud.com",
            "timeCreated": iso(self.time_created) if self.time_created else None,
            "etag": str(self.etag),
            "freeformTags": self.freeform_tags,
            "definedTags": self.defined_tags,
        }


@dataclass
class Subscription:
    id: str
    topic_id: str
    compartment_id: str
    protocol: str
    endpoint: str
    state: str
    created: datetime
    freeform_tags: dict = field(default_factory=dict)
    etag: int = 1

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "topicId": self.topic_id,
            "compartmentId": self.compartment_id,
            "protocol": self.protocol,
            "endpoint": self.endpoint,
            "lifecycleState": self.state,
            "createdTime": int(self.created.timestamp() * 1000),
            "etag": str(self.etag),
            "freeformTags": self.freeform_tags,
            "definedTags": {},
            "deliveryPolicy": {"backoffRetryPolicy": {"maxRetryDuration": 7200000, "policyType": "EXPONENTIAL"}},
        }


class NotificationsBackend:
    def __init__(self, cloud: Platform, region: str):
        self.cloud = cloud
        self.region = region
        self.topics: dict[str, Topic] = {}
        self.subscriptions: dict[str, Subscription] = {}

    def holds(self, compartment_id: str) -> bool:
        """Whether any of its topics or subscriptions is in the compartment (which is then not deleted)."""
        return any(t.compartment_id == compartment_id for t in self.topics.values()) or any(
            s.compartment_id == compartment_id for s in self.subscriptions.values()
        )

    # ----- topics -----------------------------------------------------------------------------
    def create_topic(self, name: Any, compartment_id: Any, details: dict | None = None) -> Topic:
        details = details or {}
        if not isinstance(compartment_id, str) or not compartment_id:
            raise errors.MissingParameter("compartmentId is required.")
        if not self.cloud.compartment_exists(compartment_id):
            raise errors.NotAuthorizedOrNotFound()
        if not isinstance(name, str) or not _TOPIC_NAME.match(name):
            raise errors.InvalidParameter(f"Invalid topic name {name!r}: 1 to 256 letters, digits, '-' or '_'.")
        tenancy = self.cloud.tenancy_of(compartment_id)
        for region in self.cloud.regions.values():
            for other in region.backend(NotificationsBackend).topics.values():
                if other.name == name and self.cloud.tenancy_of(other.compartment_id) == tenancy:
                    raise errors.Conflict(f"A topic named {name} already exists in the tenancy.")
        topic = Topic(
            self.cloud.ids.ocid("onstopic", self.region),
            name,
            compartment_id,
            description=details.get("description"),
            freeform_tags=details.get("freeformTags") or {},
            defined_tags=details.get("definedTags") or {},
            time_created=self.cloud.clock.now(),
        )
        self.topics[topic.id] = topic
        return topic

    def topic(self, topic_id: str) -> Topic:
        found = self.topics.get(topic_id)
        if found is None:
            raise errors.NotAuthorizedOrNotFound()
        return found

    def update_topic(self, topic_id: str, details: Any) -> Topic:
        topic = self.topic(topic_id)
        if not isinstance(details, dict):
            raise errors.InvalidParameter("The request body must be a JSON object.")
        if "description" in details:
            topic.description = details["description"]
        if "freeformTags" in details:
            topic.freeform_tags = details["freeformTags"] or {}
        if "definedTags" in details:
            topic.defined_tags = details["definedTags"] or {}
        topic.etag += 1
        return topic

    def delete_topic(self, topic_id: str) -> None:
        self.topic(topic_id)
        del self.topics[topic_id]
        for sub_id in [s.id for s in self.subscriptions.values() if s.topic_id == topic_id]:
            del self.subscriptions[sub_id]

    # ----- subscriptions ----------------------------------------------------------------------
    def create_subscription(self, details: Any) -> Subscription:
        if not isinstance(details, dict):
            raise errors.InvalidParameter("The request body must be a JSON object.")
        for key in ("topicId", "compartmentId", "protocol", "endpoint"):
            if not details.get(key):
                raise errors.MissingParameter(f"{key} is required.")
        topic = self.topic(details["topicId"])
        if not self.cloud.compartment_exists(details["compartmentId"]):
            raise errors.NotAuthorizedOrNotFound()
        protocol = details["protocol"]
        if protocol not in PROTOCOLS:
            raise errors.InvalidParameter(f"protocol must be one of {', '.join(PROTOCOLS)}.")
        endpoint = details["endpoint"]
        if protocol == "EMAIL" and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", endpoint):
            raise errors.InvalidParameter(f"{endpoint!r} is not an email address.")
        if protocol in ("HTTPS", "CUSTOM_HTTPS", "PAGERDUTY", "SLACK") and not endpoint.startswith("https://"):
            raise errors.InvalidParameter(f"A {protocol} subscription's endpoint is an https:// URL.")
        subscription = Subscription(
            self.cloud.ids.ocid("onssubscription", self.region),
            topic.id,
            details["compartmentId"],
            protocol,
            endpoint,
            "PENDING" if protocol == "EMAIL" else "ACTIVE",
            self.cloud.clock.now(),
            details.get("freeformTags") or {},
        )
        self.subscriptions[subscription.id] = subscription
        return subscription

    def subscription(self, subscription_id: str) -> Subscription:
        found = self.subscriptions.get(subscription_id)
        if found is None:
            raise errors.NotAuthorizedOrNotFound()
        return found

    def confirm(self, subscription_id: str) -> None:
        """What the link of a confirmation mail does."""
        self.subscription(subscription_id).state = "ACTIVE"

    def delete_subscription(self, subscription_id: str) -> None:
        self.subscription(subscription_id)
        del self.subscriptions[subscription_id]

    def publish(self, topic_id: str, details: dict) -> Message:
        topic = self.topics.get(topic_id)
        if topic is None:
            raise errors.NotAuthorizedOrNotFound()
        body, title = details.get("body"), details.get("title")
        if not isinstance(body, str) or not body:
            raise errors.MissingParameter("body is required.")
        if len(body.encode()) > MAX_BODY or (title is not None and len(title) > 255):
            raise errors.InvalidParameter("The message is too large: title at most 255 characters, body at most 64 KB.")
        message = Message(self.cloud.ids.ocid("onsmessage", self.region), title, body, self.cloud.clock.now())
        topic.messages.append(message)
        return message
