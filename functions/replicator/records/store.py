"""Records in the region's own staging bucket, written only with etag conditions.

Two invocations may change one record at the same moment:
    A reads (etag 1) . B reads (etag 1) . A writes if-match 1 -> etag 2
    . B writes if-match 1 -> 412 . B re-reads (etag 2), re-applies, writes -> etag 3
The condition makes the loser redo its change on top of the winner's instead of erasing it.
"""

from collections.abc import Callable
from typing import Protocol, TypeVar

from ..errors import PreconditionFailed, TransientError
from ..naming import Side, record_object
from .read import Read, dump, parse
from .replica import ReplicaRecord
from .source import SourceRecord

MAX_CONFLICTS = 8
R = TypeVar("R", SourceRecord, ReplicaRecord)


class Bucketed(Protocol):
    """What the store asks of Object Storage: the gateway's read and conditional write."""

    def get(self, bucket: str, name: str) -> tuple[bytes, str] | None: ...

    def put(
        self, bucket: str, name: str, data: bytes, *, if_match: str | None = None, if_none_match: bool = False
    ) -> str: ...


class RecordStore:
    def __init__(self, objects: Bucketed, bucket: str, prefix: str):
        self._objects = objects
        self._bucket = bucket
        self._prefix = prefix

    def name(self, side: Side, source_id: str) -> str:
        return record_object(self._prefix, side, source_id)

    def read(self, side: Side, source_id: str) -> Read:
        found = self._objects.get(self._bucket, self.name(side, source_id))
        if found is None:
            return Read(None, None)
        data, etag = found
        record, problem = parse(side, data)
        return Read(record, etag, problem)

    def _write(self, side: Side, record: SourceRecord | ReplicaRecord, etag: str | None) -> str:
        """Write `record` over the version `etag` (or where none exists); PreconditionFailed if it moved."""
        return self._objects.put(
            self._bucket,
            self.name(side, record.source_image_id),
            dump(record),
            if_match=etag,
            if_none_match=etag is None,
        )

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
                return candidate, self._write(side, candidate, etag)
            except PreconditionFailed:
                record, etag = reload()
        raise TransientError(f"record of {side} {etag} kept changing under {MAX_CONFLICTS} attempts")
