"""Structured JSON logs: one line per decision and per API action.

Every line carries the event ID, the source image OCID and the region it concerns, so an
operator can follow one replication through every region with a single filter.
"""

import json
import sys
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timezone
from typing import Any, Iterator, TextIO

_context: ContextVar[dict[str, Any]] = ContextVar("replicator_log_context", default={})
_stream: list[TextIO | None] = [sys.stderr]


def send_to(stream: TextIO | None) -> None:
    """Where log lines go (None: nowhere). Functions log to stderr, which OCI collects."""
    _stream[0] = stream


@contextmanager
def bound(**fields: Any) -> Iterator[None]:
    """Add fields to every log line written inside the block."""
    token = _context.set({**_context.get(), **{k: v for k, v in fields.items() if v is not None}})
    try:
        yield
    finally:
        _context.reset(token)


def log(level: str, message: str, **fields: Any) -> None:
    if _stream[0] is None:
        return
    record = {
        "time": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
        "level": level,
        "message": message,
        **_context.get(),
        **{k: v for k, v in fields.items() if v is not None},
    }
    print(json.dumps(record, default=str, sort_keys=False), file=_stream[0], flush=True)


def info(message: str, **fields: Any) -> None:
    log("INFO", message, **fields)


def warning(message: str, **fields: Any) -> None:
    log("WARNING", message, **fields)


def error(message: str, **fields: Any) -> None:
    log("ERROR", message, **fields)
