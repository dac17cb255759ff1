"""Publishing completion and failure notices to an OCI Notifications topic in the function's region."""

from __future__ import annotations

import json

import oci

from .. import logs, ocids
from ..errors import ReplicatorError
from .calls import call
from .clients import Clients


class Notifier:
    def __init__(self, clients: Clients, topic_id: str | None):
        self._clients = clients
        self._topic_id = topic_id
        self.region = clients.region

    def publish(self, title: str, body: dict) -> bool:
        """Best effort: a notice that cannot be sent is logged, never fatal. Whether it was sent."""
        if not self._topic_id:
            return False
        topic_region = ocids.region_of(self._topic_id)
        if topic_region not in (None, self.region):
            # Topics are regional and the function calls its own region only.
            logs.warning(
                "notification not sent: the topic is in another region; give each region a topic of its own",
                topic_region=topic_region,
            )
            return False
        details = oci.ons.models.MessageDetails(title=title[:255], body=json.dumps(body, default=str, indent=2))
        topic_id = self._topic_id
        try:
            call(
                "PublishMessage", self.region, lambda: self._clients.notifications().publish_message(topic_id, details)
            )
        except ReplicatorError as exc:
            logs.warning("notification not sent", reason=exc.reason)
            self._clients.swallow(exc)
            return False
        return True
