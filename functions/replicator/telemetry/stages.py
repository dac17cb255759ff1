"""Stage times and outcomes, read off a record's change: what one write moved forward.

A pure function of the record before and after a write. A duplicate or late delivery that
changes nothing produces nothing, so every stage is counted once however often its event
arrives. The source region reports the export (for each target region it serves) and the
copies it gave up on; a target region reports the copy (landing), the import and the finish.
"""

from datetime import datetime

from ..naming import INITIAL_MANIFEST
from ..records.replica import ReplicaRecord
from ..records.source import SourceRecord
from .catalog import Dimension, Metric
from .points import Point, point


def _seconds(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return max(0.0, (end - start).total_seconds())


def _stage(dims: dict, stage: str, outcome: str, at: datetime, seconds: float | None = None) -> list[Point]:
    labelled = {**dims, Dimension.STAGE: stage}
    out = [point(Metric.STAGE_OUTCOME, 1, at, {**labelled, Dimension.OUTCOME: outcome})]
    if seconds is not None:
        out.append(point(Metric.STAGE_SECONDS, seconds, at, labelled))
    return out


def source_points(before: SourceRecord | None, after: SourceRecord, at: datetime) -> list[Point]:
    """The export's end, once per target region it serves; copies given up on or retried."""
    out: list[Point] = []
    was = before.export if before is not None else None
    export = after.export
    for region, part in sorted(after.targets.items()):
        dims = {
            Dimension.SOURCE_REGION: after.source_region,
            Dimension.TARGET_REGION: region,
            Dimension.COMPARTMENT_ID: after.compartment_id,
        }
        if export.state == "done" and (was is None or was.state != "done"):
            out += _stage(dims, "export", "succeeded", at, _seconds(export.started_at, export.ended_at))
        elif export.state == "failed" and export.permanent and not (was is not None and was.permanent):
            out += _stage(dims, "export", "failed", at)
        elif was is not None and export.failures > was.failures:
            out += _stage(dims, "export", "retried", at)
        old = before.targets.get(region) if before is not None else None
        if part.answer is not None:
            continue  # what the target answered, it reported itself
        if part.gave_up and not (old is not None and old.gave_up):
            out += _stage(dims, "copy", "failed", at)
        elif old is not None and part.failures > old.failures:
            out += _stage(dims, "copy", "retried", at)
    return out


def replica_points(before: ReplicaRecord | None, after: ReplicaRecord, at: datetime) -> list[Point]:
    """The landing (copy), the import and the finish, when the replica is done; or why not."""
    manifest = after.manifest
    dims = {
        Dimension.SOURCE_REGION: after.source_region,
        Dimension.TARGET_REGION: after.target_region,
        Dimension.COMPARTMENT_ID: manifest.source_compartment_id if manifest is not None else None,
    }
    old = before.import_ if before is not None else None
    new = after.import_
    out: list[Point] = []
    if after.state == "finished" and (before is None or before.state != "finished"):
        # The copy ran from the first manifest's issue (when the source started it) to landing.
        copy = _seconds(manifest.issued_at, after.landed_at) if manifest and manifest.name == INITIAL_MANIFEST else None
        out += _stage(dims, "copy", "succeeded", at, copy)
        out += _stage(dims, "import", "succeeded", at, _seconds(new.started_at, new.ended_at))
        out += _stage(dims, "finish", "succeeded", at, _seconds(new.ended_at, after.finished_at))
    elif after.gave_up and not (before is not None and before.gave_up):
        out += _stage(dims, "import", "failed", at)
    elif old is not None and new.failures > old.failures:
        out += _stage(dims, "import", "retried", at)
    return out


def record_points(
    before: SourceRecord | ReplicaRecord | None, after: SourceRecord | ReplicaRecord, at: datetime
) -> list[Point]:
    """What a write of either side's record moved forward."""
    if isinstance(after, SourceRecord):
        return source_points(before if isinstance(before, SourceRecord) else None, after, at)
    return replica_points(before if isinstance(before, ReplicaRecord) else None, after, at)
