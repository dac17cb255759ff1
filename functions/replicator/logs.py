"""Structured JSON logs: one line per decision and per API action.

Every line of a replication carries the source image OCID and the region it was written
in (and the target region where one is concerned), so an operator follows one replication
through every region with a single filter on `source_image_id`.
"""

import json
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

from .errors import redact

_context: ContextVar[Mapping[str, Any]] = ContextVar("replicator_log_context", default=MappingProxyType({}))


def _to_stderr(record: dict[str, Any]) -> None:
    print(json.dumps(record, default=str), file=sys.stderr, flush=True)


_sink: list[Callable[[dict[str, Any]], None] | None] = [_to_stderr]


def enable(on: bool) -> None:
    """Log to stderr (what OCI Functions collects), or nowhere."""
    _sink[0] = _to_stderr if on else None


def send_to(sink: Callable[[dict[str, Any]], None]) -> None:
    """Hand every record to `sink` instead (used where functions run inside a test process)."""
    _sink[0] = sink


@contextmanager
def bound(**fields: Any) -> Iterator[None]:
    """Add fields to every log line written inside the block."""
    token = _context.set(MappingProxyType({**_context.get(), **{k: v for k, v in fields.items() if v is not None}}))
    try:
        yield
    finally:
        _context.reset(token)


def context() -> Mapping[str, Any]:
    return _context.get()


def log(level: str, message: str, **fields: Any) -> None:
    sink = _sink[0]
    if sink is None:
        return
    record = {
        "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "level": level,
        "message": message,
        **_context.get(),
        **{k: v for k, v in fields.items() if v is not None},
    }
    sink({k: redact(v) if isinstance(v, str) else v for k, v in record.items()})


def info(message: str, **fields: Any) -> None:
    log("INFO", message, **fields)


def warning(message: str, **fields: Any) -> None:
    log("WARNING", message, **fields)


def error(message: str, **fields: Any) -> None:
    log("ERROR", message, **fields)
