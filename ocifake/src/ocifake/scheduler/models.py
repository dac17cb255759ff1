"""Schedules of one region, and what happens when one falls due.

A schedule with action START_RESOURCE on a function invokes it, as the principal
`request.principal.type = 'resourceschedule'` with the schedule's OCID, with the BODY
parameter as the request body; IAM must allow that principal to use the function
(`use fn-invocation`, or the family). Each run is kept in `schedule.runs`.

A schedule is changed with UpdateSchedule (202 and a work request, as OCI answers; the change
is made at once) and paused with DeactivateSchedule: an INACTIVE schedule fires nothing until
ActivateSchedule. Schedules fire only as simulated time is moved on (`Platform.advance`,
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
from ..core.work import WorkRequest, WorkRequests
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
    body: bytes = b""  # what the schedule passed its function


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
    description: str | None = None
    freeform_tags: dict[str, str] = field(default_factory=dict)
    defined_tags: dict[str, dict] = field(default_factory=dict)
    lifecycle_state: str = "ACTIVE"
    time_updated: datetime | None = None

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
            "description": self.description,
            "freeformTags": self.freeform_tags,
            "definedTags": self.defined_tags,
            "systemTags": {},
            "lifecycleState": self.lifecycle_state,
            "timeCreated": self.time_created.isoformat(),
            "timeUpdated": (self.time_updated or self.time_created).isoformat(),
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
        self.work_requests = WorkRequests(cloud, region, "resourceschedulerworkrequest", updated=True)

    def holds(self, compartment_id: str) -> bool:
        """Whether any of its schedules is in the compartment (which is then not deleted)."""
        return any(s.compartment_id == compartment_id for s in self.schedules.values())

    def create_schedule(self, details: dict) -> Schedule:
        for key in ("compartmentId", "action", "recurrenceType", "recurrenceDetails"):
            if not details.get(key):
                raise errors.MissingParameter(f"{key} is required.")
        if not self.cloud.compartment_exists(details["compartmentId"]):
            raise errors.NotAuthorizedOrNotFound()
        _action(details["action"])
        cron = self._recurrence(details["recurrenceType"], details["recurrenceDetails"])
        resources = self._resources(details.get("resources"))
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
            description=details.get("description"),
            freeform_tags=_tags(details, "freeformTags"),
            defined_tags=_tags(details, "definedTags"),
        )
        self.schedules[schedule.id] = schedule
        return schedule

    def update_schedule(self, schedule_id: str, details: dict) -> WorkRequest:
        """UpdateScheduleDetails: every field optional; what is given replaces what was."""
        schedule = self.schedule(schedule_id)
        if not isinstance(details, dict):
            raise errors.InvalidParameter("The request body must be an UpdateScheduleDetails object.")
        if details.get("action") is not None:
            _action(details["action"])
        kind = details.get("recurrenceType") or schedule.recurrence_type
        text = details.get("recurrenceDetails") or schedule.recurrence_details
        cron = self._recurrence(kind, text)
        resources = self._resources(details["resources"]) if details.get("resources") is not None else None
        now = self.cloud.clock.now()
        schedule.action = details.get("action") or schedule.action
        schedule.recurrence_type, schedule.recurrence_details, schedule.cron = kind, text, cron
        schedule.time_next_run = cron.next_after(now)
        if resources is not None:
            schedule.resources = resources
        if details.get("displayName") is not None:
            schedule.display_name = details["displayName"]
        if details.get("description") is not None:
            schedule.description = details["description"]
        if details.get("freeformTags") is not None:
            schedule.freeform_tags = _tags(details, "freeformTags")
        if details.get("definedTags") is not None:
            schedule.defined_tags = _tags(details, "definedTags")
        schedule.time_updated = now
        return self.done("UPDATE_SCHEDULE", schedule)

    def set_active(self, schedule_id: str, active: bool) -> Schedule:
        """ActivateSchedule / DeactivateSchedule: an inactive schedule fires nothing; activated again, it
        runs next at its next due time from now (the runs it missed are not made up)."""
        schedule = self.schedule(schedule_id)
        now = self.cloud.clock.now()
        schedule.lifecycle_state = "ACTIVE" if active else "INACTIVE"
        schedule.time_updated = now
        if active:
            schedule.time_next_run = schedule.cron.next_after(now)
        return schedule

    def _recurrence(self, kind: str, text: str) -> Cron:
        try:
            if kind == "CRON":
                return parse_cron(text)
            if kind == "ICAL":
                return parse_ical(text, hourly_accepted=self.cloud.options.scheduler_accepts_hourly_ical)
            raise RecurrenceError("recurrenceType is CRON or ICAL")
        except RecurrenceError as exc:
            raise errors.InvalidParameter(str(exc)) from None

    def _resources(self, given: object) -> list[tuple[str, bytes]]:
        resources = []
        for resource in given if isinstance(given, list) else []:
            fn = self.cloud.function_by_id(resource.get("id", "") if isinstance(resource, dict) else "")
            if fn is None or fn.region != self.region:
                raise errors.InvalidParameter(f"No function {resource.get('id')!r} in {self.region}.")
            resources.append((fn.id, _body(resource.get("parameters") or [])))
        if not resources:
            raise errors.NotImplementedByFake("not implemented by ocifake: schedules without resources (filters)")
        return resources

    def done(self, operation: str, schedule: Schedule) -> WorkRequest:
        """The work request of a change made (at once); clients follow it to an entity that names
        the schedule's kind."""
        action = "CREATED" if operation == "CREATE_SCHEDULE" else "UPDATED"
        return self.work_requests.done(operation, schedule.compartment_id, "resourceSchedule", action, schedule.id)

    def work_request(self, work_id: str) -> WorkRequest:
        return self.work_requests.find(work_id)

    def schedule(self, schedule_id: str) -> Schedule:
        found = self.schedules.get(schedule_id)
        if found is None:
            raise errors.NotAuthorizedOrNotFound()
        return found

    def delete_schedule(self, schedule_id: str) -> None:
        self.schedules.pop(self.schedule(schedule_id).id)

    def due(self, at: datetime) -> list[Schedule]:
        return [s for s in self.schedules.values() if s.lifecycle_state == "ACTIVE" and s.time_next_run <= at]

    def fire(self, schedule: Schedule, function_id: str, body: bytes, container: int) -> Run:
        """One resource of a due schedule: invoke its function as the schedule, if IAM allows."""
        at = self.cloud.clock.now()
        fn = self.cloud.function_by_id(function_id)
        if fn is None:
            run = Run(at, function_id, "gone", body=body)
        elif not self.cloud.allows(
            schedule.principal, "functions", "InvokeFunction", Target(fn.compartment_id), self.region
        ):
            run = Run(at, function_id, "denied", body=body)
        else:
            invocation = fn.invoke(body, container=container)
            run = Run(at, function_id, str(invocation.status), invocation, body)
        schedule.runs.append(run)
        return run


def _action(action: object) -> None:
    if action not in ("START_RESOURCE", "STOP_RESOURCE", "BACKUP_RESOURCE"):
        raise errors.InvalidParameter("action must be START_RESOURCE, STOP_RESOURCE or BACKUP_RESOURCE.")
    if action != "START_RESOURCE":
        raise errors.NotImplementedByFake(f"not implemented by ocifake: schedule action {action}")


def _tags(details: dict, key: str) -> dict:
    value = details.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise errors.InvalidParameter(f"{key} must be an object.")
    return dict(value)


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
