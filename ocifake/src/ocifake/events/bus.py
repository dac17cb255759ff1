"""Where events are born, matched against rules and delivered, per region.

Deliveries are scheduled on the simulated clock, so `cloud.run_until_idle()` moves them
along with exports, copies and imports. Delivery faults (drop, duplicate, delay, shuffle)
stand in for the delivery guarantees OCI does not document.
"""

from __future__ import annotations

import fnmatch
import random
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..core.clock import iso
from ..identity.models import Caller, Target
from . import conditions

if TYPE_CHECKING:
    from ..core.platform import Platform

Subscriber = Callable[[dict], Any]


@dataclass
class Rule:
    id: str
    region: str
    compartment_id: str
    condition: dict
    subscriber: Subscriber
    display_name: str = ""
    enabled: bool = True


@dataclass
class Delivery:
    rule_id: str
    region: str
    event_type: str
    event_id: str
    time: str
    outcome: str  # "delivered", "failed" or "dropped"
    detail: str = ""


@dataclass
class _Policy:
    kind: str  # drop | duplicate | delay | shuffle
    event_type: str
    remaining: int | None
    amount: float = 0.0
    region: str | None = None

    def applies(self, event_type: str, region: str) -> bool:
        return (
            (self.remaining is None or self.remaining > 0)
            and fnmatch.fnmatchcase(event_type, self.event_type)
            and self.region in (None, region)
        )

    def use(self) -> None:
        if self.remaining is not None:
            self.remaining -= 1


@dataclass
class EventBus:
    cloud: Platform
    rules: list[Rule] = field(default_factory=list)
    emitted: list[dict] = field(default_factory=list)
    deliveries: list[Delivery] = field(default_factory=list)
    delivery_delay: float = 1.0
    _policies: list[_Policy] = field(default_factory=list)
    _random: random.Random = field(default_factory=lambda: random.Random(7))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # ----- rules ------------------------------------------------------------------------
    def create_rule(
        self,
        region: str,
        condition: str | dict,
        subscriber: Subscriber,
        *,
        compartment_id: str | None = None,
        display_name: str = "",
    ) -> Rule:
        """A rule in `region` covering `compartment_id` (default: the whole tenancy) and its children."""
        self.cloud.require_region(region)
        rule = Rule(
            id=self.cloud.ids.ocid("eventrule", region),
            region=region,
            compartment_id=compartment_id or self.cloud.tenancy_id,
            condition=conditions.parse(condition),
            subscriber=subscriber,
            display_name=display_name,
        )
        self.rules.append(rule)
        return rule

    def remove_rule(self, rule_id: str) -> None:
        """A rule deleted: nothing more is matched against it (deliveries already due still go)."""
        self.rules = [r for r in self.rules if r.id != rule_id]

    # ----- delivery faults --------------------------------------------------------------
    def drop(self, event_type: str = "*", times: int | None = None, *, region: str | None = None) -> None:
        """Lose deliveries of matching events (all of them unless `times` is given; in every region unless `region`)."""
        self._policies.append(_Policy("drop", event_type, times, region=region))

    def duplicate(
        self, copies: int = 2, event_type: str = "*", times: int | None = None, *, region: str | None = None
    ) -> None:
        """Deliver matching events `copies` times each, at once."""
        self._policies.append(_Policy("duplicate", event_type, times, copies, region))

    def delay(
        self, seconds: float, event_type: str = "*", times: int | None = None, *, region: str | None = None
    ) -> None:
        """Deliver matching events `seconds` late."""
        self._policies.append(_Policy("delay", event_type, times, seconds, region))

    def clear_faults(self) -> None:
        """Deliver every event from now on once and on time (deliveries already scheduled keep theirs)."""
        self._policies.clear()

    def shuffle(self, window_seconds: float, event_type: str = "*", seed: int = 7) -> None:
        """Add a random delay in [0, window) to each delivery, so events overtake each other."""
        self._random.seed(seed)
        self._policies.append(_Policy("shuffle", event_type, None, window_seconds))

    # ----- emitting ---------------------------------------------------------------------
    def emit(
        self,
        region: str,
        event_type: str,
        *,
        compartment_id: str,
        resource_id: str,
        resource_name: str,
        freeform_tags: dict | None = None,
        defined_tags: dict | None = None,
        additional_details: dict | None = None,
        source: str = "ComputeApi",
    ) -> dict:
        event = {
            "cloudEventsVersion": "0.1",
            "eventID": str(uuid.UUID(int=self._random.getrandbits(128), version=4)),
            "eventType": event_type,
            "source": source,
            "eventTypeVersion": "2.0",
            "eventTime": iso(self.cloud.clock.now()),
            "contentType": "application/json",
            "extensions": {"compartmentId": compartment_id},
            "data": {
                "compartmentId": compartment_id,
                "compartmentName": self.cloud.compartment_name(compartment_id),
                "resourceName": resource_name,
                "resourceId": resource_id,
                "availabilityDomain": "all" if source == "ObjectStorage" else "",
                "freeFormTags": dict(freeform_tags or {}),
                "definedTags": {k: dict(v) for k, v in (defined_tags or {}).items()},
                "additionalDetails": dict(additional_details or {}),
            },
        }
        self.emitted.append({"region": region, **event})
        for rule in self.rules:
            if (
                rule.enabled
                and rule.region == region
                and self.cloud.compartment_covers(rule.compartment_id, compartment_id)
                and conditions.matches(rule.condition, event)
            ):
                self._schedule(rule, event)
        return event

    def _schedule(self, rule: Rule, event: dict) -> None:
        copies, delay = 1, self.delivery_delay
        for policy in self._policies:
            if not policy.applies(event["eventType"], rule.region):
                continue
            policy.use()
            if policy.kind == "drop":
                self._record(rule, event, "dropped")
                return
            if policy.kind == "duplicate":
                copies = int(policy.amount)
            elif policy.kind == "delay":
                delay += policy.amount
            elif policy.kind == "shuffle":
                delay += self._random.uniform(0, policy.amount)
        # Copies of one event fall due together: they reach the function in parallel, as
        # duplicates delivered to several containers would.
        for _ in range(copies):
            self.cloud.clock.call_later(delay, _PendingDelivery(self, rule, event))

    def _deliver(self, rule: Rule, event: dict, container: int) -> None:
        deliver = getattr(rule.subscriber, "deliver", None)
        if deliver is not None and not self._may_invoke(rule):
            self._record(rule, event, "denied", "service cloudEvents may not invoke the function")
            return
        try:
            result = deliver(event, container) if deliver is not None else rule.subscriber(event)
        except Exception as exc:  # a subscriber's failure is the delivery's outcome, not the bus's
            self._record(rule, event, "failed", f"{type(exc).__name__}: {exc}")
            if self.cloud.options.raise_subscriber_errors:
                raise
            return
        status = getattr(result, "status", 200)
        self._record(rule, event, "delivered" if status == 200 else "failed", str(status))

    def _may_invoke(self, rule: Rule) -> bool:
        """Events invokes a function as `service cloudEvents`, which a policy must allow."""
        fn = rule.subscriber
        compartment = getattr(fn, "compartment_id", None)
        if compartment is None:
            return True  # a plain callable, not a deployed function
        events = Caller("service", "cloudEvents", service_name="cloudEvents")
        return self.cloud.allows(events, "functions", "InvokeFunction", Target(compartment), rule.region)

    def _record(self, rule: Rule, event: dict, outcome: str, detail: str = "") -> None:
        with self._lock:
            self.deliveries.append(
                Delivery(
                    rule.id,
                    rule.region,
                    event["eventType"],
                    event["eventID"],
                    iso(self.cloud.clock.now()),
                    outcome,
                    detail,
                )
            )


class _PendingDelivery:
    """A delivery on the clock; the cloud runs those due together in parallel (see Platform._run)."""

    parallel = True

    def __init__(self, bus: EventBus, rule: Rule, event: dict):
        self.bus, self.rule, self.event = bus, rule, event
        self.charged = False  # the invocation's duration not yet charged on the clock

    @property
    def subscriber(self) -> Subscriber:
        return self.rule.subscriber

    def __call__(self, container: int = 0) -> None:
        self.bus._deliver(self.rule, self.event, container)
