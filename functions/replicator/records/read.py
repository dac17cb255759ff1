"""A record as read: absent, readable, or damaged and why; and the parsing that tells them apart.

No I/O here: the store reads the bytes, the pass's observation holds what it read.
"""

from dataclasses import dataclass
from typing import Generic, TypeVar

from pydantic import ValidationError

from ..naming import Side
from .replica import ReplicaRecord
from .source import SourceRecord

MODELS: dict[str, type[SourceRecord] | type[ReplicaRecord]] = {"source": SourceRecord, "replica": ReplicaRecord}

R = TypeVar("R", SourceRecord, ReplicaRecord)


@dataclass
class Read(Generic[R]):
    """A record as found: absent (None), readable, or damaged (`problem` says how)."""

    record: R | None
    etag: str | None
    problem: str | None = None
    folded: str | None = None  # the settled mark the record was read from (it is not in `records/`)


def parse(side: Side, data: bytes) -> tuple[SourceRecord | ReplicaRecord | None, str | None]:
    """The record in `data`, or None and why it cannot be read."""
    try:
        return MODELS[side].model_validate_json(data), None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        return None, f"{where or 'record'}: {first['msg']}"[:300]
    except (ValueError, RecursionError) as exc:
        return None, f"not JSON: {type(exc).__name__}"


def dump(record: SourceRecord | ReplicaRecord) -> bytes:
    return record.model_dump_json(by_alias=True, indent=2).encode()


def blank(side: Side, source_id: str, region: str) -> SourceRecord | ReplicaRecord:
    """The record a replication starts with in `region` when nothing more is known of it: the
    source side's own, or a replica's whose source region the first manifest or answer will say."""
    if side == "source":
        return SourceRecord(source_image_id=source_id, source_region=region)
    return ReplicaRecord(source_image_id=source_id, source_region="", target_region=region)
