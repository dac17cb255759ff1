"""A work request's progress as OCI reports it: what the operator's `status` shows for work in flight.

OCI gives a percentage and the start time, not the time left; `seconds_left` is an estimate
from the two (the same rate for the rest of the work), and is labelled as one wherever it shows.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

FINISHED = frozenset({"SUCCEEDED", "COMPLETED", "FAILED", "CANCELED"})


class WorkProgress(BaseModel):
    model_config = ConfigDict(defer_build=True, frozen=True)

    work_request_id: str
    region: str
    status: str  # ACCEPTED, IN_PROGRESS, SUCCEEDED / COMPLETED, FAILED, CANCELING, CANCELED
    percent_complete: float | None = None
    time_started: datetime | None = None
    time_finished: datetime | None = None
    observed_at: datetime | None = None  # the service's time of the reply (its Date header)

    @classmethod
    def from_sdk(cls, data, region: str, observed_at: datetime | None) -> WorkProgress:
        """Compute's and Object Storage's work requests carry the same fields."""
        return cls(
            work_request_id=data.id,
            region=region,
            status=data.status,
            percent_complete=data.percent_complete,
            time_started=data.time_started,
            time_finished=data.time_finished,
            observed_at=observed_at,
        )

    def seconds_left(self, now: datetime) -> float | None:
        """An estimate at the rate so far; None before any progress or once finished.

        Measured on the service's clock when the reply gave it, so that the caller's clock skew
        does not enter."""
        if self.status in FINISHED or self.time_started is None or not self.percent_complete:
            return None
        if self.percent_complete >= 100:
            return 0.0
        elapsed = ((self.observed_at or now) - self.time_started).total_seconds()
        return max(0.0, elapsed * (100 - self.percent_complete) / self.percent_complete)
