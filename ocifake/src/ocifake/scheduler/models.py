"""Schedules of one region, and what happens when one falls due.

A schedule with action START_RESOURCE on a function invokes it, as the principal
`request.principal.type = 'resourceschedule'` with the schedule's OCID, with the BODY
parameter as the request body; IAM must allow that principal to use the function
(`use fn-invocation`, or the family). Each run is kept in `schedule.runs`.

Schedules fire only as simulated time is moved on (`Platform.advance`,
`Platform.advance_to_next_schedule`): `run_until_idle` finishes pending work and fires
none, or an hourly schedule would keep it busy for ever.

Not modelled: STOP_RESOURCE, resource filters, resource types other than functions, start
and end times, time zones (UTC only).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..core import errors
from ..identity.models import Caller, Target
from .recurrence import Cron, RecurrenceError, parse_cron, parse_ical

if TYPE_CHECKING:
    from ..core.platform import Platform


@dataclass
class Run:
    at: datetime
    function_id: str
    outcome: str  # "denied", or the invocation's HTTP status
    invocation: Any = None  # the function's Invocation, when it ran


@dataclass
class Schedule:
    id: str
    region: str
    compartment_id: str
    display_name: str
    action: str
    recurrence_type: str
    recurrence_details: str
    cron: Cron
    resources: list[tuple[str, bytes]]  # (function OCID, body)
    time_created: datetime
    time_next_run: datetime
    runs: list[Run] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "compartmentId": self.compartment_id,
            "displayName": self.display_name,
            "action": self.action,
            "recurrenceType": self.recurrence_type,
            "recurrenceDetails": self.recurrence_details,
            "resources": [
                {"id": fid, "parameters": [{"parameterType": "BODY", "value": json.loads(body or b"null")}]}
                for fid, body in self.resources
            ],
            "lifecycleState": "ACTIVE",
            "timeCreated": self.time_created.isoformat(),
            "timeNextRun": self.time_next_run.isoformat(),
            "timeLastRun": self.runs[-1].at.isoformat() if self.runs else None,
        }

    @property
    def principal(self) -> Caller:
        return Caller("resourceschedule", self.id, compartment_id=self.compartment_id)


class SchedulerBackend:
    def __init__(self, cloud: Platform, region: str):
        self.cloud = cloud
        self.region = region
        self.schedules: dict[str, Schedule] = {}

    def holds(self, compartment_id: str) -> bool:
        """Whether any of its schedules is in the compartment (which is then not deleted)."""
        return any(s.compartment_id == compartment_id for s in self.schedules.values())

    def create_schedule(self, details: dict) -> Schedule:
        for key in ("compartmentId", "action", "recurrenceType", "recurrenceDetails"):
            if not details.get(key):
                raise errors.MissingParameter(f"{key} is required.")
        if not self.cloud.compartment_exists(details["compartmentId"]):
            raise errors.NotAuthorizedOrNotFound()
        if details["action"] != "START_RESOURCE":
            raise errors.NotImplementedByFake(f"not implemented by ocifake: schedule action {details['action']}")
        try:
            if details["recurrenceType"] == "CRON":
                cron = parse_cron(details["recurrenceDetails"])
            elif details["recurrenceType"] == "ICAL":
                cron = parse_ical(
                    details["recurrenceDetails"], hourly_accepted=self.cloud.options.scheduler_accepts_hourly_ical
                )
            else:
                raise RecurrenceError("recurrenceType is CRON or ICAL")
        except RecurrenceError as exc:
            raise errors.InvalidParameter(str(exc)) from None
        resources = []
        for resource in details.get("resources") or []:
            fn = self.cloud.function_by_id(resource.get("id", ""))
            if fn is None or fn.region != self.region:
                raise errors.InvalidParameter(f"No function {resource.get('id')!r} in {self.region}.")
            resources.append((fn.id, _body(resource.get("parameters") or [])))
        if not resources:
            raise errors.NotImplementedByFake("not implemented by ocifake: schedules without resources (filters)")
        now = self.cloud.clock.now()
        schedule = Schedule(
            self.cloud.ids.ocid("resourceschedule", self.region),
            self.region,
            details["compartmentId"],
            details.get("displayName") or "schedule",
            details["action"],
            details["recurrenceType"],
            details["recurrenceDetails"],
            cron,
            resources,
            now,
            cron.next_after(now),
        )
        self.schedules[schedule.id] = schedule
        return schedule

    def schedule(self, schedule_id: str) -> Schedule:
        found = self.schedules.get(schedule_id)
        if found is None:
            raise errors.NotAuthorizedOrNotFound()
        return found

    def delete_schedule(self, schedule_id: str) -> None:
        self.schedules.pop(self.schedule(schedule_id).id)

    def due(self, at: datetime) -> list[Schedule]:
        return [s for s in self.schedules.values() if s.time_next_run <= at]

    def fire(self, schedule: Schedule, function_id: str, body: bytes, container: int) -> Run:
        """One resource of a due schedule: invoke its function as the schedule, if IAM allows."""
        at = self.cloud.clock.now()
        fn = self.cloud.function_by_id(function_id)
        if fn is None:
            run = Run(at, function_id, "gone")
        elif not self.cloud.allows(
            schedule.principal, "functions", "InvokeFunction", Target(fn.compartment_id), self.region
        ):
            run = Run(at, function_id, "denied")
        else:
            invocation = fn.invoke(body, container=container)
            run = Run(at, function_id, str(invocation.status), invocation)
        schedule.runs.append(run)
        return run


def _body(parameters: list) -> bytes:
    """The BODY parameter: an object (the API) or a list of one JSON string (as Terraform writes it)."""
    for parameter in parameters:
        if parameter.get("parameterType") != "BODY":
            continue
        value = parameter.get("value")
        if isinstance(value, list) and len(value) == 1 and isinstance(value[0], str):
            value = json.loads(value[0])
        return json.dumps(value).encode()
    return b""
