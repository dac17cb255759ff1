"""Source region (reconcile): every target answered, but the record never heard how the export ended.

A distribute step that started the copies and then could not write its record (the write
failed, or its container died) leaves the export `running` while the targets finish and
answer. What is observed wins: the answers prove the export and the copies worked, so the
record's export part is settled from them, and the pass goes on to cleanup and drift.
"""

from datetime import datetime

from ..actions import Action
from ..engine import Step, StepContext, StepResult
from ..naming import INITIAL_MANIFEST
from ..records.source import SourceRecord
from ..subjects import SourceImage
from .export import new_record


def blocker(record: SourceRecord) -> str | None:
    return None if record.unsettled else "the export's end is recorded, or not every target has answered"


def settled(now: datetime):
    return lambda r: r.settle_export(now, INITIAL_MANIFEST)


def run(ctx: StepContext, subject: SourceImage) -> StepResult:
    record: SourceRecord | None = ctx.record
    if record is None:
        return StepResult("ignored", "no replication of this image is recorded here")
    if not record.unsettled:
        return StepResult("ignored", blocker(record) or "")
    reason = ctx.claim(settled(ctx.now), blocker)
    if reason:
        return StepResult("ignored", reason)
    return StepResult("completed", "the export's end is settled from the targets' answers")


STEP = Step("settle", "source", run, new_record=new_record, action=Action.SETTLE)
