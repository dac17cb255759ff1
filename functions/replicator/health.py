"""What each region's last reconcile pass could not do, kept where the operator's tools read it.

A refused call (a statement missing from the functions' policy, a secret they may not read) or
a listing that failed changes nothing an image's record says, so it would stay out of sight:
Monitoring cannot show a refusal of its own PostMetricData, and an alarm on a metric that was
never posted never fires. Each pass therefore writes its problems to `health/<region>.json`
in its region's staging bucket; `image-replicator status --summary` prints them, and says
when a region's passes have stopped reporting altogether.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict

from .errors import ReplicatorError
from .telemetry.catalog import Dimension, Metric
from .telemetry.points import Point, point

# A report is stale once one pass more than the schedule's rhythm is missing: past 1.5 times the
# interval between the last two reports (never under 1 h), or, before a second report, past
# 1 h 30 min (the default schedule is hourly). Then the schedule or the function is not running,
# or cannot write to staging.
STALE_AFTER = timedelta(hours=1, minutes=30)
SLACK = 1.5
KEPT = 20  # problems a report keeps (the pass's log has every one)


class Refusal(BaseModel):
    """A call the service refused or answered as missing: most often a grant the functions lack."""

    model_config = ConfigDict(defer_build=True, frozen=True)

    operation: str
    status: int | None = None
    code: str | None = None
    reason: str = ""


class PassHealth(BaseModel):
    model_config = ConfigDict(defer_build=True)

    region: str
    at: datetime
    previous_at: datetime | None = None  # the report before: the schedule's rhythm, as observed
    problems: list[str] = []
    problems_total: int = 0
    refusals: list[Refusal] = []

    @property
    def expected_within(self) -> timedelta:
        interval = self.at - self.previous_at if self.previous_at is not None else None
        if interval is None:
            return STALE_AFTER
        # An operator's pass between two scheduled ones makes the interval short: never under 1 h.
        return max(interval * SLACK, timedelta(hours=1))

    def stale(self, now: datetime) -> bool:
        return now - self.at > self.expected_within


def refusal(exc: BaseException) -> Refusal | None:
    """The refusal `exc` stands for, if it is one (401, 403 or 404 from a named operation)."""
    if isinstance(exc, ReplicatorError) and exc.operation and exc.status in (401, 403, 404):
        return Refusal(operation=exc.operation, status=exc.status, code=exc.code, reason=exc.reason)
    return None


def refused(exc: BaseException) -> list[Refusal]:
    """[the refusal], or [] when `exc` is not one: for `refusals += refused(exc)`."""
    found = refusal(exc)
    return [found] if found else []


def refusal_points(region: str, refusals: list[Refusal], at: datetime) -> list[Point]:
    """A `refused_calls` point per refusal: Monitoring (and its alarm) see what no record says."""
    return [
        point(Metric.REFUSED_CALLS, 1, at, {Dimension.REGION: region, Dimension.OPERATION: r.operation})
        for r in refusals
    ]


def health_object(prefix: str, region: str) -> str:
    return f"{prefix}health/{region}.json"
