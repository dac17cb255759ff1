"""Per-image, per-region status as people and scripts read it: built from status records and decisions."""

from datetime import datetime

from pydantic import BaseModel

from .decision import Decision
from .images import ImageFacts
from .status import STAGES, StatusRecord


class RegionReport(BaseModel):
    region: str
    stage: str
    state: str
    started_at: datetime | None = None
    durations: dict[str, float | None] = {}
    attempts: int = 0
    last_error: str | None = None
    replica_image_id: str | None = None


class ImageReport(BaseModel):
    source_image_id: str
    display_name: str
    source_region: str
    state: str  # done | in_progress | failed | pending | skipped
    reason: str = ""
    regions: list[RegionReport] = []


def from_record(record: StatusRecord) -> ImageReport:
    regions = []
    for region, entry in sorted(record.targets.items()):
        durations = {}
        for stage in STAGES:
            timing = entry.timings.get(stage)
            if timing and timing.started and timing.ended:
                durations[stage] = (timing.ended - timing.started).total_seconds()
            elif timing and timing.started:
                durations[stage] = None
        regions.append(
            RegionReport(
                region=region,
                stage=entry.stage,
                state=entry.state,
                started_at=entry.started_at,
                durations=durations,
                attempts=entry.attempts,
                last_error=entry.last_error,
                replica_image_id=entry.replica_image_id,
            )
        )
    reason = next((r.last_error for r in regions if r.state == "failed"), "") or ""
    return ImageReport(
        source_image_id=record.source_image_id,
        display_name=record.display_name,
        source_region=record.source_region,
        state=record.state,
        reason=reason,
        regions=regions,
    )


def from_decision(image: ImageFacts, region: str, decision: Decision) -> ImageReport:
    """An opted-in image with no record: skipped with its reason, or waiting for its first event."""
    return ImageReport(
        source_image_id=image.id,
        display_name=image.display_name,
        source_region=region,
        state="skipped" if not decision.replicate else "pending",
        reason=decision.reason,
        regions=[RegionReport(region=t, stage="export", state="pending") for t in decision.targets],
    )
