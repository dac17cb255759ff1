"""One wrapper for every SDK call: a log line per action, and SDK errors turned into ours."""

from typing import Any, Callable, TypeVar

import oci

from .. import logs
from ..errors import Conflict, NotFound, PermanentError, PreconditionFailed, ReplicatorError, TransientError

T = TypeVar("T")

CONFLICT_CODES = {"IncorrectState", "Conflict", "InvalidatedRetryToken", "LockConflict"}


def call(operation: str, region: str, fn: Callable[[], T], **fields: Any) -> T:
    """Run one SDK call; log it; raise PermanentError / TransientError subclasses on failure."""
    try:
        result = fn()
    except oci.exceptions.ServiceError as exc:
        logs.info("api", operation=operation, api_region=region, status=exc.status, code=exc.code, **fields)
        raise translate(exc, operation) from None
    except (oci.exceptions.RequestException, oci.exceptions.ConnectTimeout, oci._vendor.requests.exceptions.RequestException) as exc:
        logs.info("api", operation=operation, api_region=region, status="transport-error", **fields)
        raise TransientError(f"{operation} did not answer: {type(exc).__name__}", operation=operation) from None
    logs.info("api", operation=operation, api_region=region, status=getattr(result, "status", 200), **fields)
    return result


def translate(exc: oci.exceptions.ServiceError, operation: str) -> ReplicatorError:
    text = f"{operation}: {exc.status} {exc.code}: {exc.message}"
    kind: type[ReplicatorError]
    if exc.status == 404:
        kind = NotFound
    elif exc.status == 412:
        kind = PreconditionFailed
    elif exc.status == 409 and exc.code in CONFLICT_CODES:
        kind = Conflict
    elif exc.status == 429 or (exc.status >= 500 and exc.status != 501):
        kind = TransientError
    else:
        kind = PermanentError
    return kind(text, operation=operation, status=exc.status, code=exc.code)
