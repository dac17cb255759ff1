"""Structured JSON logs: one line per decision and per API action.

Every line carries the event ID, the source image OCID and the region it concerns, so an
operator can follow one replication through every region with a single filter.
"""

import json
import sys
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timezone
from typing import Any, Iterator

_context: ContextVar[dict[str, Any]] = ContextVar("replicator_log_context", default={})
_enabled = [True]


def enable(on: bool) -> None:
    """Log to stderr (what OCI Functions collects), or nowhere."""
    _enabled[0] = on


@contextmanager
def bound(**fields: Any) -> Iterator[None]:
    """Add fields to every log line written inside the block."""
    token = _context.set({**_context.get(), **{k: v for k, v in fields.items() if v is not None}})
    try:
        yield
    finally:
        _context.reset(token)


def log(level: str, message: str, **fields: Any) -> None:
    if not _enabled[0]:
        return
    record = {
        "time": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
        "level": level,
        "message": message,
        **_context.get(),
        **{k: v for k, v in fields.items() if v is not None},
    }
    print(json.dumps(record, default=str), file=sys.stderr, flush=True)


def info(message: str, **fields: Any) -> None:
    log("INFO", message, **fields)


def warning(message: str, **fields: Any) -> None:
    log("WARNING", message, **fields)


def error(message: str, **fields: Any) -> None:
    log("ERROR", message, **fields)
