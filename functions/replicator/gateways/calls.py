"""One wrapper for every SDK call: a log line per action, and SDK errors turned into ours."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

import oci

from .. import logs
from ..errors import (
    Conflict,
    LimitExceeded,
    NotFound,
    PermanentError,
    PreconditionFailed,
    ReplicatorError,
    TransientError,
)

T = TypeVar("T")

CONFLICT_CODES = {"IncorrectState", "Conflict", "InvalidatedRetryToken", "LockConflict"}


def call(operation: str, region: str, fn: Callable[[], T], **fields: Any) -> T:
    """Run one SDK call; log it; raise PermanentError / TransientError subclasses on failure."""
    try:
        result = fn()
    except oci.exceptions.ServiceError as exc:
        logs.info("api", operation=operation, api_region=region, status=exc.status, code=exc.code, **fields)
        raise translate(exc, operation) from None
    except (
        oci.exceptions.RequestException,
        oci.exceptions.ConnectTimeout,
        oci._vendor.requests.exceptions.RequestException,
    ) as exc:
        logs.info("api", operation=operation, api_region=region, status="transport-error", **fields)
        raise TransientError(f"{operation} did not answer: {type(exc).__name__}", operation=operation) from None
    logs.info("api", operation=operation, api_region=region, status=getattr(result, "status", 200), **fields)
    return result


def _same(item: Any) -> Any:
    return item


def all_pages(list_fn: Callable[..., Any], *args: Any, convert: Callable[[Any], Any] = _same, **kwargs: Any) -> list:
    """Every item of a paginated list call (opc-next-page), each page under the client's own retries.

    The SDK's pagination helpers retry each page with its DEFAULT_RETRY_STRATEGY (up to 600 s),
    whatever the client's strategy says: longer than a function may run. Each page's items are
    converted as it arrives, so the SDK's (large) objects of one page at most are held at once.
    """
    items: list = []
    page = None
    while True:
        reply = list_fn(*args, **({**kwargs, "page": page} if page else kwargs))
        items.extend(convert(i) for i in reply.data)
        page = reply.headers.get("opc-next-page")
        if not page:
            return items


def translate(exc: oci.exceptions.ServiceError, operation: str) -> ReplicatorError:
    text = f"{operation}: {exc.status} {exc.code}: {exc.message}"
    kind: type[ReplicatorError]
    if exc.status == 404:
        kind = NotFound
    elif exc.status == 412:
        kind = PreconditionFailed
    elif exc.status == 409 and exc.code in CONFLICT_CODES:
        kind = Conflict
    elif exc.status == 400 and exc.code == "LimitExceeded":
        kind = LimitExceeded
    elif exc.status == 429 or (exc.status >= 500 and exc.status != 501):
        kind = TransientError
    else:
        kind = PermanentError
    return kind(text, operation=operation, status=exc.status, code=exc.code)


def service_time(date: str | None) -> datetime | None:
    """A reply's Date header as a time, or None when it is missing or unreadable."""
    if not date:
        return None
    try:
        return parsedate_to_datetime(date)
    except (TypeError, ValueError):
        return None
