"""What every stage receives (the runtime and the event) and what it answers (an Outcome)."""

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable, Literal

from pydantic import BaseModel

from .. import logs
from ..cloudevents import CloudEvent
from ..config import ReplicatorConfig
from ..errors import NotFound, ReplicatorError
from ..gateways.clients import Clients
from ..gateways.compute import Compute
from ..gateways.notifications import Notifier
from ..gateways.objects import Objects
from ..gateways.status_store import StatusStore
from ..images import ImageFacts
from ..manifest import ObjectLocation
from ..naming import status_object
from ..status import StatusRecord

IMAGE_GONE = "image no longer exists"

Result = Literal["started", "continued", "done", "in_progress", "ignored", "skipped", "rejected", "failed"]


class Outcome(BaseModel):
    """The function's answer for one event: what happened and why, for logs and for the caller."""

    result: Result
    reason: str = ""
    source_image_id: str | None = None
    region: str | None = None
    event_id: str | None = None


@dataclass
class Runtime:
    """Everything a warm function container reuses between invocations."""

    config: ReplicatorConfig
    clients: Clients

    def __post_init__(self):
        self.compute = Compute(self.clients)
        self.objects = Objects(self.clients)
        self.status = StatusStore(self.objects)
        self.notifier = Notifier(self.clients, self.config.notification_topic_id)

    @property
    def region(self) -> str:
        return self.clients.home_region

    def status_location(self, source_image_id: str, source_region: str) -> ObjectLocation:
        """Where a source image's status record lives: the staging bucket of its region."""
        return ObjectLocation(
            region=source_region,
            namespace=self.objects.namespace,
            bucket=self.config.staging_bucket,
            object=status_object(self.config.object_prefix, source_image_id),
        )


@dataclass
class Step:
    """One unit of work: the runtime, the region it acts in, the triggering event (if any), the time."""

    runtime: Runtime
    region: str
    event: CloudEvent | None
    now: datetime

    @classmethod
    def for_event(cls, runtime: Runtime, event: CloudEvent) -> "Step":
        # The event time is when OCI saw the change; the local clock guards against a late
        # delivery. The later of the two stamps timings and pre-authenticated request expiries.
        return cls(runtime, runtime.region, event, max(datetime.now(timezone.utc), event.event_time))

    def in_region(self, region: str) -> "Step":
        """The same step acting in another region (the reconciler drives targets from the source)."""
        return Step(self.runtime, region, self.event, self.now)

    @property
    def config(self) -> ReplicatorConfig:
        return self.runtime.config

    def event_image(self) -> ImageFacts | None:
        """The image the event names, read fresh (payload tags may be stale); None if it is gone."""
        try:
            return self.runtime.compute.get_image(self.region, self.event.image_id())
        except NotFound:
            return None

    def outcome(self, result: Result, reason: str = "", *, source_image_id: str | None = None) -> Outcome:
        logs.info("outcome", result=result, reason=reason or None, region=self.region)
        return Outcome(result=result, reason=reason, source_image_id=source_image_id, region=self.region, event_id=self.event.event_id if self.event else None)

    def status_location(self, source_image_id: str, source_region: str) -> ObjectLocation:
        return self.runtime.status_location(source_image_id, source_region)

    def record(self, source_image_id: str, source_region: str, display_name: str, change: Callable[[StatusRecord], None]) -> StatusRecord | None:
        """Update the status record; a failure is logged, never fatal (the record is for people)."""
        try:
            return self.runtime.status.update(
                self.status_location(source_image_id, source_region),
                lambda: StatusRecord(source_image_id=source_image_id, source_region=source_region, display_name=display_name),
                change,
            )
        except ReplicatorError as exc:
            logs.warning("status record not updated", reason=exc.reason)
            return None
