"""Reading and updating status records with etag conditions, so concurrent stages never lose a write."""

from typing import Callable

from ..errors import TransientError
from ..manifest import ObjectLocation
from ..status import StatusRecord
from .calls import PreconditionFailed
from .objects import Objects

MAX_CONFLICTS = 8


class StatusStore:
    def __init__(self, objects: Objects):
        self._objects = objects

    def read(self, where: ObjectLocation) -> tuple[StatusRecord | None, str | None]:
        found = self._objects.get(where.region, where.bucket, where.object)
        if found is None:
            return None, None
        data, etag = found
        return StatusRecord.model_validate_json(data), etag

    def update(self, where: ObjectLocation, new: Callable[[], StatusRecord], change: Callable[[StatusRecord], None]) -> StatusRecord:
        """Apply `change` to the current record (or to `new()` if there is none) and write it back.

        Two target regions can finish at the same moment:
            A reads (etag 1) . B reads (etag 1) . A writes if-match 1 -> etag 2
            . B writes if-match 1 -> 412 . B re-reads (etag 2), re-applies, writes -> etag 3
        The condition makes the loser redo its change on top of the winner's instead of erasing it.
        """
        for _ in range(MAX_CONFLICTS):
            record, etag = self.read(where)
            record = record or new()
            change(record)
            try:
                self._objects.put(where.region, where.bucket, where.object, record.model_dump_json(indent=2).encode(), if_match=etag, if_none_match=etag is None)
            except PreconditionFailed:
                continue
            return record
        raise TransientError(f"status record {where.object} kept changing under {MAX_CONFLICTS} attempts")
