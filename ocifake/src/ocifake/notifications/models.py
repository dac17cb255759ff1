"""Topics and the messages published to them, in one region.

Modelled: PublishMessage to an existing topic (title at most 255 characters, body at most
64 KB), kept in order for tests to read. Not modelled: subscriptions and delivery.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from ..core import errors

if TYPE_CHECKING:
    from ..core.platform import Platform

MAX_BODY = 64 * 1024


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


class NotificationsBackend:
    def __init__(self, cloud: Platform, region: str):
        self.cloud = cloud
        self.region = region
        self.topics: dict[str, Topic] = {}

    def holds(self, compartment_id: str) -> bool:
        """Whether any of its topics is in the compartment (which is then not deleted)."""
        return any(t.compartment_id == compartment_id for t in self.topics.values())

    def create_topic(self, name: str, compartment_id: str) -> Topic:
        topic = Topic(self.cloud.ids.ocid("onstopic", self.region), name, compartment_id)
        self.topics[topic.id] = topic
        return topic

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
