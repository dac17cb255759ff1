"""Per-image, per-region status as people and scripts read it.

Each region keeps the record of its own part; this view merges them: the source region's
record (export, copies, answers) with each target region's record (landing, import,
finish). Built on an operator's machine, which may read every region.
"""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from replicator.api import Decision, ImageFacts, ReplicaRecord, SourceRecord, TargetPart, WorkProgress

STAGES = ("export", "copy", "import", "finish")


class RegionReport(BaseModel):
    model_config = ConfigDict(defer_build=True)

    region: str
    stage: str
    state: str  # pending | in_progress | done | failed | deleted | retired (retention deleted it)
    started_at: datetime | None = None
    durations: dict[str, float | None] = {}
    attempts: int = 0
    last_error: str | None = None
    replica_image_id: str | None = None
    note: str | None = None  # e.g. the target region's record could not be read
    # The work in flight for this region (an export, a copy or an import) and where it runs.
    work_request_id: str | None = None
    work_request_region: str | None = None
    progress: WorkProgress | None = None  # read on demand by the operator's status
    seconds_left: float | None = None  # an estimate from the progress so far
    # An import whose work request the record does not hold: where to look for it (compartment,
    # display name), read on demand too.
    import_lookup: tuple[str, str] | None = Field(None, exclude=True)


class ImageReport(BaseModel):
    model_config = ConfigDict(defer_build=True)

    source_image_id: str
    display_name: str
    source_region: str
    state: str  # done | in_progress | failed | pending | skipped | closed
    reason: str = ""
    regions: list[RegionReport] = []


def _span(start: datetime | None, end: datetime | None) -> tuple[bool, float | None]:
    if start is None:
        return False, None
    return True, (end - start).total_seconds() if end is not None else None


def region_report(
    source: SourceRecord, region: str, part: TargetPart, replica: ReplicaRecord | None, note: str | None = None
) -> RegionReport:
    export = source.export
    spans = {
        "export": (export.started_at, export.ended_at),
        "copy": (part.copy_started_at, part.copy_ended_at or (replica.landed_at if replica else None)),
    }
    if replica is not None:
        spans["import"] = (replica.import_.started_at, replica.import_.ended_at)
        spans["finish"] = (replica.import_.ended_at if replica.finished_at else None, replica.finished_at)
    durations = {}
    for stage, (start, end) in spans.items():
        seen, seconds = _span(start, end)
        if seen:
            durations[stage] = seconds
    stage, state, attempts, error = "export", "pending", export.attempt, part.error or export.error
    if part.lost_at is not None and part.state != "done":
        then = "not made again" if part.state == "lost" else "replicating again"
        note = note or f"replica deleted at {part.lost_at:%Y-%m-%d %H:%M} UTC; {then}"
    if part.state in ("done", "deleted", "retired"):
        stage, state, error = "finish", part.state, None
    elif part.state == "lost":
        stage, state, error = "finish", "failed", part.error
    elif part.state == "failed" and part.gave_up:
        stage, state = ("import" if replica is not None else "copy" if part.copy_attempts else "export"), "failed"
        if replica is not None:
            error = replica.error or error
    elif replica is not None and replica.state in ("importing", "finished", "abandoned", "withdrawn"):
        stage = "finish" if replica.state == "finished" else "import"
        state = {
            "importing": "in_progress",
            "finished": "done",
            "abandoned": "failed" if replica.gave_up else "in_progress",
            "withdrawn": "deleted",
        }[replica.state]
        attempts, error = replica.import_.attempt, replica.error
    elif part.state in ("copying", "landed"):
        stage, state = ("copy", "in_progress") if part.state == "copying" else ("import", "in_progress")
        attempts = max(part.copy_attempts, 1)
    elif export.state == "running":
        stage, state = "export", "in_progress"
    elif export.state == "failed":
        state = "failed" if part.gave_up else "in_progress"
    work: tuple[str | None, str | None] = (None, None)
    lookup = None
    if state == "in_progress":
        if stage == "export" and export.state == "running":
            work = (export.work_request_id, source.source_region)
        elif stage == "copy" and part.state == "copying":
            work = (part.copy_work_request_id, source.source_region)
        elif stage == "import" and replica is not None and replica.state == "importing":
            work = (replica.import_.work_request_id, region)
            if work[0] is None and replica.manifest is not None:
                lookup = (replica.manifest.source_compartment_id, replica.manifest.display_name)
    return RegionReport(
        region=region,
        stage=stage,
        state=state,
        work_request_id=work[0],
        work_request_region=work[1] if work[0] or lookup else None,
        import_lookup=lookup,
        started_at=export.started_at,
        durations=durations,
        attempts=attempts,
        last_error=None if state == "done" else error,
        replica_image_id=part.replica_image_id or (replica.import_.replica_image_id if replica else None),
        note=note,
    )


def merged(
    source: SourceRecord, replicas: dict[str, ReplicaRecord | None], notes: dict[str, str] | None = None
) -> ImageReport:
    notes = notes or {}
    regions = [
        region_report(source, r, part, replicas.get(r), notes.get(r)) for r, part in sorted(source.targets.items())
    ]
    states = {r.state for r in regions}
    if "failed" in states:
        state = "failed"
    elif states and states <= {"done", "deleted", "retired"}:
        state = "done" if "done" in states else "retired" if "retired" in states else "closed"
    elif source.closed and not regions:
        state = "closed"
    else:
        state = "in_progress" if states - {"pending"} or source.export.state == "running" else "pending"
    reason = next((r.last_error for r in regions if r.state == "failed" and r.last_error), "") or (source.closed or "")
    return ImageReport(
        source_image_id=source.source_image_id,
        display_name=source.display_name,
        source_region=source.source_region,
        state=state,
        reason=reason,
        regions=regions,
    )


def from_decision(image: ImageFacts, region: str, decision: Decision) -> ImageReport:
    """An opted-in image with no record: skipped with its reason, or waiting for its first step."""
    return ImageReport(
        source_image_id=image.id,
        display_name=image.display_name,
        source_region=region,
        state="skipped" if not decision.replicate else "pending",
        reason=decision.reason,
        regions=[RegionReport(region=t, stage="export", state="pending") for t in decision.targets],
    )
