"""Logging in one region: log groups and their logs, each made, changed and deleted through a work
request that has finished by the time it is read (the service's own waits are not modelled).

A log group's name is unique in its compartment; a log's in its group. A SERVICE log takes a
configuration naming a resource of the region that produces it: here a Functions application
(`service = functions`, `category = invoke`), which must exist. A log's retention is 30 to 180
days in steps of 30. A log group is deleted only once it holds no log. What OCI answers a name
taken is not confirmed here (409 Conflict). Not modelled: the logs' content and search, custom
logs' agents, unified agent configurations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..core import errors
from ..core.clock import iso
from ..core.http import json_object
from ..core.work import WorkRequest, WorkRequests
from ..functions.control import FunctionsBackend

if TYPE_CHECKING:
    from datetime import datetime

    from ..core.platform import Platform

LOG_TYPES = ("SERVICE", "CUSTOM")
CATEGORIES = {"functions": ("invoke",)}


@dataclass
class LogGroup:
    id: str
    compartment_id: str
    display_name: str
    description: str | None
    created: datetime
    freeform_tags: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "compartmentId": self.compartment_id,
            "displayName": self.display_name,
            "description": self.description,
            "lifecycleState": "ACTIVE",
            "timeCreated": iso(self.created),
            "timeLastModified": iso(self.created),
            "freeformTags": self.freeform_tags,
            "definedTags": {},
        }


@dataclass
class Log:
    id: str
    group: LogGroup
    display_name: str
    log_type: str
    enabled: bool
    configuration: dict | None
    retention_days: int
    created: datetime
    tenancy_id: str
    freeform_tags: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "tenancyId": self.tenancy_id,
            "logGroupId": self.group.id,
            "compartmentId": self.group.compartment_id,
            "displayName": self.display_name,
            "logType": self.log_type,
            "isEnabled": self.enabled,
            "configuration": self.configuration,
            "retentionDuration": self.retention_days,
            "lifecycleState": "ACTIVE",
            "timeCreated": iso(self.created),
            "timeLastModified": iso(self.created),
            "freeformTags": self.freeform_tags,
            "definedTags": {},
        }


class LoggingBackend:
    def __init__(self, cloud: Platform, region: str):
        self.cloud = cloud
        self.region = region
        self.groups: dict[str, LogGroup] = {}
        self.logs: dict[str, Log] = {}
        self.work_requests = WorkRequests(cloud, region, "logworkrequest")

    def holds(self, compartment_id: str) -> bool:
        return any(g.compartment_id == compartment_id for g in self.groups.values())

    def _done(self, operation: str, compartment: str, entity: str, action: str, identifier: str) -> WorkRequest:
        return self.work_requests.done(operation, compartment, entity, action, identifier)

    def work_request(self, work_id: str) -> WorkRequest:
        return self.work_requests.find(work_id)

    def create_group(self, details: Any) -> WorkRequest:
        details = json_object(details)
        compartment, name = details.get("compartmentId"), details.get("displayName")
        if not compartment or not name:
            raise errors.MissingParameter("compartmentId and displayName are required.")
        if not self.cloud.compartment_exists(compartment):
            raise errors.NotAuthorizedOrNotFound()
        if any(g.display_name == name and g.compartment_id == compartment for g in self.groups.values()):
            raise errors.Conflict(f"A log group named {name} already exists in the compartment.")
        group = LogGroup(
            self.cloud.ids.ocid("loggroup", self.region),
            compartment,
            name,
            details.get("description"),
            self.cloud.clock.now(),
            details.get("freeformTags") or {},
        )
        self.groups[group.id] = group
        return self._done("CREATE_LOG_GROUP", compartment, "loggroup", "CREATED", group.id)

    def group(self, group_id: str) -> LogGroup:
        found = self.groups.get(group_id)
        if found is None:
            raise errors.NotAuthorizedOrNotFound()
        return found

    def update_group(self, group_id: str, details: Any) -> WorkRequest:
        group, details = self.group(group_id), json_object(details)
        group.description = details.get("description", group.description)
        group.display_name = details.get("displayName") or group.display_name
        return self._done("UPDATE_LOG_GROUP", group.compartment_id, "loggroup", "UPDATED", group.id)

    def delete_group(self, group_id: str) -> WorkRequest:
        group = self.group(group_id)
        if any(log.group is group for log in self.logs.values()):
            raise errors.Conflict("The log group still holds logs: delete them first.")
        del self.groups[group_id]
        return self._done("DELETE_LOG_GROUP", group.compartment_id, "loggroup", "DELETED", group.id)

    # ----- logs ---------------------------------------------------------------------------------
    def create_log(self, group_id: str, details: Any) -> WorkRequest:
        group, details = self.group(group_id), json_object(details)
        name, log_type = details.get("displayName"), details.get("logType")
        if not name or log_type not in LOG_TYPES:
            raise errors.MissingParameter(f"displayName and logType ({', '.join(LOG_TYPES)}) are required.")
        if any(log.display_name == name and log.group is group for log in self.logs.values()):
            raise errors.Conflict(f"A log named {name} already exists in the log group.")
        configuration = self._configuration(details.get("configuration")) if log_type == "SERVICE" else None
        days = details.get("retentionDuration", 30)
        if not isinstance(days, int) or days % 30 or not 30 <= days <= 180:
            raise errors.InvalidParameter("retentionDuration is 30 to 180 days, in steps of 30.")
        log = Log(
            self.cloud.ids.ocid("log", self.region),
            group,
            name,
            log_type,
            bool(details.get("isEnabled", True)),
            configuration,
            days,
            self.cloud.clock.now(),
            self.cloud.tenancy_of(group.compartment_id),
            details.get("freeformTags") or {},
        )
        self.logs[log.id] = log
        return self._done("CREATE_LOG", group.compartment_id, "log", "CREATED", log.id)

    def log(self, group_id: str, log_id: str) -> Log:
        found = self.logs.get(log_id)
        if found is None or found.group.id != group_id:
            raise errors.NotAuthorizedOrNotFound()
        return found

    def update_log(self, group_id: str, log_id: str, details: Any) -> WorkRequest:
        log, details = self.log(group_id, log_id), json_object(details)
        if "isEnabled" in details:
            log.enabled = bool(details["isEnabled"])
        if details.get("retentionDuration") is not None:
            days = details["retentionDuration"]
            if not isinstance(days, int) or days % 30 or not 30 <= days <= 180:
                raise errors.InvalidParameter("retentionDuration is 30 to 180 days, in steps of 30.")
            log.retention_days = days
        return self._done("UPDATE_LOG", log.group.compartment_id, "log", "UPDATED", log.id)

    def delete_log(self, group_id: str, log_id: str) -> WorkRequest:
        log = self.log(group_id, log_id)
        del self.logs[log_id]
        return self._done("DELETE_LOG", log.group.compartment_id, "log", "DELETED", log.id)

    def _configuration(self, given: Any) -> dict:
        source = (given or {}).get("source") if isinstance(given, dict) else None
        if not isinstance(source, dict) or source.get("sourceType") != "OCISERVICE":
            raise errors.InvalidParameter("A SERVICE log's configuration names an OCISERVICE source.")
        service, category, resource = source.get("service"), source.get("category"), source.get("resource")
        if category not in CATEGORIES.get(service or "", ()):
            raise errors.InvalidParameter(f"Service {service!r} has no log category {category!r} here.")
        if resource not in self.cloud.require_region(self.region).backend(FunctionsBackend).applications:
            raise errors.InvalidParameter(f"Resource {resource} does not exist in {self.region}.")
        return {
            "compartmentId": given.get("compartmentId"),
            "source": {"sourceType": "OCISERVICE", "service": service, "resource": resource, "category": category},
            "archiving": {"isEnabled": False},
        }
