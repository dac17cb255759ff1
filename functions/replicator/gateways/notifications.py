"""Publishing completion and failure notices to an OCI Notifications topic."""

import json

import oci

from .. import logs
from ..errors import ReplicatorError
from ..naming import region_of_ocid
from .calls import call
from .clients import Clients

class Notifier:
    def __init__(self, clients: Clients, topic_id: str | None):
        self._clients = clients
        self._topic_id = topic_id

    def publish(self, title: str, body: dict) -> None:
        """Best effort: a notice that cannot be sent is logged, never fatal."""
        if not self._topic_id:
            return
        # Topics are regional; the topic's OCID names its region.
        region = region_of_ocid(self._topic_id) or self._clients.home_region
        details = oci.ons.models.MessageDetails(title=title[:255], body=json.dumps(body, default=str, indent=2))
        try:
            call("PublishMessage", region, lambda: self._clients.notifications(region).publish_message(self._topic_id, details))
        except ReplicatorError as exc:
            logs.warning("notification not sent", reason=exc.reason)
