"""The next step for one source image and one target region: a pure function of what exists."""

from typing import Literal

from pydantic import BaseModel, ConfigDict

from ..images import ImageFacts
from ..status import RegionStatus

Action = Literal["none", "wait", "export", "copy", "import", "finish", "repair", "give_up"]
GAVE_UP = "gave up after"


class TargetView(BaseModel):
    """What exists for one target region of one source image."""

    model_config = ConfigDict(frozen=True)

    region: str
    record: RegionStatus | None = None
    replica: ImageFacts | None = None
    landed: bool = False
    copy_state: str | None = None  # the copy work request's status (or UNKNOWN), when one is recorded in flight


class SourceView(BaseModel):
    model_config = ConfigDict(frozen=True)

    image: ImageFacts
    exported: bool
    spec_fingerprint: str


class Planned(BaseModel):
    model_config = ConfigDict(frozen=True)

    region: str
    action: Action
    reason: str


def next_action(source: SourceView, target: TargetView, max_attempts: int) -> Planned:
    record, replica = target.record, target.replica

    def plan(action: Action, reason: str) -> Planned:
        return Planned(region=target.region, action=action, reason=reason)

    if record is not None and record.gave_up(max_attempts):
        if (record.last_error or "").startswith(GAVE_UP):
            return plan("none", "given up; `image-replicator retry` starts it again")
        return plan("give_up", "permanent failure" if record.permanent else f"{record.attempts - record.counted_from} failed attempts")
    if replica is not None and replica.lifecycle_state == "AVAILABLE":
        if record is None or record.state != "done":
            return plan("finish", "replica is AVAILABLE but not finished")
        if record.applied_spec != source.spec_fingerprint:
            return plan("repair", "source tags or shape compatibility changed")
        return plan("none", "done")
    if replica is not None and replica.lifecycle_state in ("IMPORTING", "PROVISIONING"):
        return plan("wait", "import running")
    if target.landed:
        return plan("import", "image object landed but no replica")
    if target.copy_state in ("ACCEPTED", "IN_PROGRESS", "UNKNOWN"):
        return plan("wait", "copy running")
    if source.exported:
        reason = "copy failed" if target.copy_state == "FAILED" else "exported but not copied"
        return plan("copy", reason)
    if source.image.lifecycle_state == "EXPORTING":
        return plan("wait", "export running")
    return plan("export", "not exported")
