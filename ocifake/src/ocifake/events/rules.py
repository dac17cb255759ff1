"""Events rules through the API (events.<region>): CreateRule, GetRule, ListRules, UpdateRule, DeleteRule.

A rule made here is a rule of the bus (bus.py), matched and delivered as those a test makes; its
actions are what it delivers to: FAAS (a function of the region, invoked as `service
cloudEvents`, which a policy must allow) and ONS (a topic of the region, the event as the
message's body). Validated as the API validates: a display name, a condition that is a JSON
object, at least one action, each naming a function or topic that exists in the region. Not
modelled: OSS (streaming) actions, compartment moves, the rule's own work requests.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..core import errors
from ..core.clock import iso
from ..notifications.models import NotificationsBackend
from . import conditions

if TYPE_CHECKING:
    from ..core.platform import Platform

ACTION_TYPES = ("FAAS", "ONS")


@dataclass
class ApiRule:
    id: str
    compartment_id: str
    details: dict  # the rule as the API answers it, but its id, compartment and state
    state: str = "ACTIVE"
    bus_rules: list[str] = field(default_factory=list)  # one bus rule per enabled action

    def to_json(self) -> dict:
        return {**self.details, "id": self.id, "compartmentId": self.compartment_id, "lifecycleState": self.state}


class RulesBackend:
    def __init__(self, cloud: Platform, region: str):
        self.cloud = cloud
        self.region = region
        self.rules: dict[str, ApiRule] = {}

    def holds(self, compartment_id: str) -> bool:
        return any(r.compartment_id == compartment_id and r.state != "DELETED" for r in self.rules.values())

    def rule(self, rule_id: str) -> ApiRule:
        found = self.rules.get(rule_id)
        if found is None:
            raise errors.NotAuthorizedOrNotFound()
        return found

    def create(self, body: Any) -> ApiRule:
        if not isinstance(body, dict):
            raise errors.InvalidParameter("The request body must be a JSON object.")
        compartment = body.get("compartmentId")
        if not compartment:
            raise errors.MissingParameter("compartmentId is required.")
        if not self.cloud.compartment_exists(compartment):
            raise errors.NotAuthorizedOrNotFound()
        rule = ApiRule(self.cloud.ids.ocid("eventrule", self.region), compartment, {})
        rule.details = self._checked(body, {"timeCreated": iso(self.cloud.clock.now())})
        self.rules[rule.id] = rule
        self._wire(rule)
        return rule

    def update(self, rule_id: str, body: Any) -> ApiRule:
        rule = self.rule(rule_id)
        if rule.state == "DELETED":
            raise errors.NotAuthorizedOrNotFound()
        if not isinstance(body, dict):
            raise errors.InvalidParameter("The request body must be a JSON object.")
        rule.details = self._checked({**rule.details, **{k: v for k, v in body.items() if v is not None}}, {})
        self._wire(rule)
        return rule

    def delete(self, rule_id: str) -> None:
        rule = self.rule(rule_id)
        rule.state = "DELETED"
        self._unwire(rule)

    # ----- checks and wiring --------------------------------------------------------------------
    def _checked(self, body: dict, extra: dict) -> dict:
        name = body.get("displayName")
        if not isinstance(name, str) or not name:
            raise errors.MissingParameter("displayName is required.")
        if not isinstance(body.get("isEnabled"), bool):
            raise errors.MissingParameter("isEnabled is required.")
        try:
            condition = conditions.parse(body.get("condition") or "")
        except ValueError:
            raise errors.InvalidParameter("condition must be a JSON object (the events it matches).") from None
        listed = (body.get("actions") or {}).get("actions") if isinstance(body.get("actions"), dict) else None
        if not isinstance(listed, list) or not listed:
            raise errors.MissingParameter("actions is required: at least one action.")
        actions = [self._action(a) for a in listed]
        return {
            **{k: v for k, v in body.items() if k in ("description", "freeformTags", "definedTags", "timeCreated")},
            **extra,
            "displayName": name,
            "isEnabled": body["isEnabled"],
            "condition": json.dumps(condition),
            "actions": {"actions": actions},
        }

    def _action(self, action: Any) -> dict:
        kind = action.get("actionType") if isinstance(action, dict) else None
        if kind not in ACTION_TYPES:
            raise errors.InvalidParameter(f"actionType must be one of {', '.join(ACTION_TYPES)} here.")
        if not isinstance(action.get("isEnabled"), bool):
            raise errors.MissingParameter("Each action's isEnabled is required.")
        if kind == "FAAS":
            fn = self.cloud.function_by_id(action.get("functionId") or "")
            if fn is None or fn.region != self.region:
                raise errors.InvalidParameter(f"Function {action.get('functionId')} does not exist in {self.region}.")
        else:
            topics = self.cloud.require_region(self.region).backend(NotificationsBackend).topics
            if action.get("topicId") not in topics:
                raise errors.InvalidParameter(f"Topic {action.get('topicId')} does not exist in {self.region}.")
        return {
            "id": action.get("id") or self.cloud.ids.ocid("eventaction", self.region),
            "actionType": kind,
            "isEnabled": action["isEnabled"],
            "lifecycleState": "ACTIVE",
            "description": action.get("description"),
            **({"functionId": action["functionId"]} if kind == "FAAS" else {"topicId": action["topicId"]}),
        }

    def _wire(self, rule: ApiRule) -> None:
        self._unwire(rule)
        if not rule.details["isEnabled"]:
            return
        for action in rule.details["actions"]["actions"]:
            if not action["isEnabled"]:
                continue
            subscriber = (
                self.cloud.function_by_id(action["functionId"])
                if action["actionType"] == "FAAS"
                else _Publisher(self.cloud, self.region, action["topicId"])
            )
            made = self.cloud.events.create_rule(
                self.region,
                rule.details["condition"],
                subscriber,
                compartment_id=rule.compartment_id,
                display_name=rule.details["displayName"],
            )
            rule.bus_rules.append(made.id)

    def _unwire(self, rule: ApiRule) -> None:
        for bus_rule in rule.bus_rules:
            self.cloud.events.remove_rule(bus_rule)
        rule.bus_rules = []


class _Publisher:
    """An ONS action: the event, as JSON, published to the topic."""

    def __init__(self, cloud: Platform, region: str, topic_id: str):
        self.cloud, self.region, self.topic_id = cloud, region, topic_id

    def __call__(self, event: dict) -> None:
        with self.cloud.lock:
            topics = self.cloud.require_region(self.region).backend(NotificationsBackend)
            topics.publish(self.topic_id, {"title": event.get("eventType"), "body": json.dumps(event)})
