"""Records in the region's own staging bucket, written only with etag conditions.

Two invocations may change one record at the same moment:
    A reads (etag 1) . B reads (etag 1) . A writes if-match 1 -> etag 2
    . B writes if-match 1 -> 412 . B re-reads (etag 2), re-applies, writes -> etag 3
The condition makes the loser redo its change on top of the winner's instead of erasing it.

A settled source record is folded by the reconcile pass into its settled mark: the mark's body is
the record, and the record leaves `records/` (deleted if-match the version folded), so that a pass
lists no record of a settled replication. Reading a record that is not there reads its folded mark
instead; the first write puts the record back (if-none-match) and removes the mark:
    pass: reads (etag 1) . puts mark(1) with the body . deletes record if-match 1
    writer: reads -> none . lists the marks -> mark(1) . writes if-none-match -> etag 2 . deletes mark(1)
A writer that read etag 1 before the fold gets 412 (or 404) on its write, reads again, and finds
the mark. The pass folds a record only when no invocation has written it for `QUIET`, longer than
any invocation lasts: a writer that read a mark cannot then find the record folded again, from a
newer version, by the time it writes (its write would otherwise undo the newer one). `QUIET` is
also longer than a target waits before it checks that its answer arrived (by sending it again,
never overwriting), so the answers a fold removes are not sent back.
"""

from collections.abc import Callable, Iterator
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, TypeVar

from .. import logs
from ..errors import NotFound, PreconditionFailed, ReplicatorError, TransientError
from ..naming import Side, parse_settled, record_object, settled_prefix
from .read import Read, dump, parse
from .replica import ReplicaRecord
from .source import SourceRecord

MAX_CONFLICTS = 8
# Synchronous invocations last at most 300 s; a target checks its answer 30 minutes after sending
# it, at its next hourly pass (reconcile/plan.py, ANSWER_CHECK_AFTER).
QUIET = timedelta(hours=2)
FOLDED_SIDES = ("source",)
NEVER = datetime.min.replace(tzinfo=UTC)
R = TypeVar("R", SourceRecord, ReplicaRecord)


class Bucketed(Protocol):
    """What the store asks of Object Storage: the gateway's read and conditional write."""

    def get(self, bucket: str, name: str) -> tuple[bytes, str] | None: ...

    def put(
        self, bucket: str, name: str, data: bytes, *, if_match: str | None = None, if_none_match: bool = False
    ) -> str: ...

    def delete(self, bucket: str, name: str, *, if_match: str | None = None) -> bool: ...

    def iter_objects(self, bucket: str, prefix: str) -> Iterator[Any]: ...


class RecordStore:
    def __init__(self, objects: Bucketed, bucket: str, prefix: str):
        self._objects = objects
        self._bucket = bucket
        self._prefix = prefix
        # The folded marks reads took records from, by (side, source id): the write that puts
        # the record back removes its mark.
        self._unfolding: dict[tuple[str, str], str] = {}

    def name(self, side: Side, source_id: str) -> str:
        return record_object(self._prefix, side, source_id)

    def read(self, side: Side, source_id: str) -> Read:
        self._unfolding.pop((side, source_id), None)
        found = self._objects.get(self._bucket, self.name(side, source_id))
        if found is None:
            return self._folded(side, source_id) if side in FOLDED_SIDES else Read(None, None)
        data, etag = found
        record, problem = parse(side, data)
        return Read(record, etag, problem)

    def _folded(self, side: Side, source_id: str) -> Read:
        """The record folded into a settled mark (no etag: the record is written back where none is),
        or absent. Of two marks (a fold interrupted, then another), the one written last holds; a mark
        that cannot be read is reported as the record is (`problem`), and a rebuilt record replaces it."""
        head = f"{settled_prefix(self._prefix, side)}{source_id}/"
        best: Read = Read(None, None)
        for summary in self._objects.iter_objects(self._bucket, head):
            mark = parse_settled(self._prefix, summary.name)
            got = self._objects.get(self._bucket, summary.name) if mark is not None and mark.folded else None
            if got is None:
                continue
            record, problem = parse(side, got[0])
            if record is None:
                best = best if best.record is not None else Read(None, None, problem, folded=summary.name)
            elif best.record is None or _written_at(record) >= _written_at(best.record):
                best = Read(record, None, folded=summary.name)
        if best.record is not None and best.folded is not None:
            self._unfolding[(side, source_id)] = best.folded
        return best

    def _readable(self, name: str) -> bool:
        got = self._objects.get(self._bucket, name)
        return got is not None and parse("source", got[0])[0] is not None

    def fold(self, side: Side, record: SourceRecord | ReplicaRecord, etag: str, mark: str) -> bool:
        """Move the record as read (version `etag`) into the settled mark `mark`; False if the record
        moved on meanwhile (the mark is then removed: the record stays where it is, and speaks)."""
        with suppress(PreconditionFailed):  # there already: a fold of this version interrupted, or another pass's
            self._objects.put(self._bucket, mark, dump(record), if_none_match=True)
        try:
            self._objects.delete(self._bucket, self.name(side, record.source_image_id), if_match=etag)
        except PreconditionFailed:
            self._objects.delete(self._bucket, mark)
            return False
        return True

    def _write(
        self, side: Side, record: SourceRecord | ReplicaRecord, etag: str | None, *, unfolding: bool = False
    ) -> str:
        """Write `record` over the version `etag` (or where none exists); PreconditionFailed if it moved.
        `unfolding`: the record was read from its folded mark, and is put back."""
        try:
            written = self._objects.put(
                self._bucket,
                self.name(side, record.source_image_id),
                dump(record),
                if_match=etag,
                if_none_match=etag is None,
            )
        except NotFound:
            # if-match on a record folded away since it was read: whether OCI answers 412 or 404 then
            # is not documented; either way the write is redone on what a read finds now.
            raise PreconditionFailed("the record was folded into its settled mark", operation="PutObject") from None
        if etag is None and side in FOLDED_SIDES:
            self._unfolded(side, record.source_image_id, written, unfolding)
        return written

    def _unfolded(self, side: Side, source_id: str, written: str, unfolding: bool) -> None:
        """After a record was written where none was: the mark it was read from goes; and where it was
        read from none, a folded mark found now means the record was folded meanwhile (or before a write
        made without reading): that write is taken back, and redone on what a read finds."""
        read = self._unfolding.pop((side, source_id), None)
        if read is not None and unfolding:
            try:
                self._objects.delete(self._bucket, read)
            except ReplicatorError as exc:  # the next pass removes it: the record now speaks
                logs.warning("folded mark not removed", mark=read, reason=exc.reason)
            return
        head = f"{settled_prefix(self._prefix, side)}{source_id}/"
        # A mark that cannot be read is what a rebuilt record replaces (the next pass removes it).
        listed = [s.name for s in self._objects.iter_objects(self._bucket, head)]
        if not any(
            (m := parse_settled(self._prefix, name)) is not None and m.folded and self._readable(name)
            for name in listed
        ):
            return
        try:
            self._objects.delete(self._bucket, self.name(side, source_id), if_match=written)
        except PreconditionFailed:  # written on since: that write read the record, and speaks
            return
        raise PreconditionFailed("the record is folded into its settled mark", operation="PutObject")

    def conditional_update(
        self,
        side: Side,
        found: tuple[R | None, str | None],
        change: Callable[[R], None],
        *,
        new: Callable[[], R],
        reload: Callable[[], tuple[R | None, str | None]],
        stand_down: Callable[[R], str | None] | None = None,
    ) -> tuple[R, str] | str:
        """The one way a record changes: `change` applied to the version `found` (record, etag), written
        on the condition that it is still that version; on a conflict, `reload()` and apply again.

        `stand_down(record)` may give a reason not to change it after all, returned instead: each
        retry decides again on what the winner wrote. Returns the record written and its etag.
        """
        record, etag = found
        for _ in range(MAX_CONFLICTS):
            if record is not None and stand_down is not None:
                reason = stand_down(record)
                if reason:
                    return reason
            candidate = record.model_copy(deep=True) if record is not None else new()
            change(candidate)
            try:
                return candidate, self._write(side, candidate, etag, unfolding=record is not None)
            except PreconditionFailed:
                record, etag = reload()
        raise TransientError(f"record of {side} {etag} kept changing under {MAX_CONFLICTS} attempts")


def _written_at(record: SourceRecord | ReplicaRecord) -> datetime:
    return record.updated_at or record.rebuilt_at or NEVER


def quiet_from(record: SourceRecord | ReplicaRecord) -> datetime:
    """From when no invocation will have written the record for `QUIET` (one never written by a step is)."""
    return _written_at(record) + QUIET
