"""Work requests of services that make each change at once: the record a client follows to the
resource it asked for, SUCCEEDED from the start."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from . import errors
from .clock import iso

if TYPE_CHECKING:
    from .platform import Platform


@dataclass
class WorkRequest:
    id: str
    operation: str
    compartment_id: str
    entity: str
    action: str
    identifier: str
    at: datetime
    updated: bool = False  # the service's model has `timeUpdated` too

    def to_json(self) -> dict:
        when = iso(self.at)
        return {
            "id": self.id,
            "operationType": self.operation,
            "status": "SUCCEEDED",
            "compartmentId": self.compartment_id,
            "resources": [{"entityType": self.entity, "actionType": self.action, "identifier": self.identifier}],
            "percentComplete": 100.0,
            "timeAccepted": when,
            "timeStarted": when,
            "timeFinished": when,
            **({"timeUpdated": when} if self.updated else {}),
        }


class WorkRequests(dict[str, WorkRequest]):
    """One service's work requests in one region, by OCID."""

    def __init__(self, cloud: Platform, region: str, kind: str, *, updated: bool = False):
        super().__init__()
        self._cloud, self._region, self._kind, self._updated = cloud, region, kind, updated

    def done(self, operation: str, compartment: str, entity: str, action: str, identifier: str) -> WorkRequest:
        work = WorkRequest(
            self._cloud.ids.ocid(self._kind, self._region),
            operation,
            compartment,
            entity,
            action,
            identifier,
            self._cloud.clock.now(),
            self._updated,
        )
        self[work.id] = work
        return work

    def find(self, work_id: str) -> WorkRequest:
        found = self.get(work_id)
        if found is None:
            raise errors.NotAuthorizedOrNotFound()
        return found
