"""One wrapper for every SDK call: a log line per action, and SDK errors turned into ours."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

import oci
from circuitbreaker import CircuitBreakerError  # the SDK's own dependency: what its breakers raise

from .. import logs
from ..errors import (
    Conflict,
    LimitExceeded,
    NotFound,
    PermanentError,
    PreconditionFailed,
    ReplicatorError,
    TransientError,
    Unreachable,
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
        host, cause = transport_cause(exc)
        reason = f"{operation} did not answer: {host or 'the endpoint'} unreachable: {cause}"
        raise Unreachable(reason, operation=operation, host=host, cause=cause) from None
    except CircuitBreakerError as exc:
        # The SDK made no request: a breaker it keeps (the resource principal's token service has
        # one, and any client given a strategy) is open after repeated failures, for some seconds.
        logs.info("api", operation=operation, api_region=region, status="circuit-open", **fields)
        raise TransientError(
            f"{operation} not sent: the SDK's circuit breaker is open after repeated failures ({exc})",
            operation=operation,
        ) from None
    logs.info("api", operation=operation, api_region=region, status=getattr(result, "status", 200), **fields)
    return result


# The texts nest reprs of reprs: quotes may come escaped.
_HOST = re.compile(r"host=\\*'([^'\\]+)\\*'(?:, port=(\d+))?")
_CAUSES = (
    (re.compile(r"Failed to establish a new connection: ([^\"'()\\]+(?:\)[^\"'()\\]*)?)"), "{0}"),
    (re.compile(r"(Name or service not known|Temporary failure in name resolution|nodename nor servname)"), "{0}"),
    (re.compile(r"(certificate verify failed[^\"')]*)", re.IGNORECASE), "TLS: {0}"),
    (re.compile(r"(Read timed out|Connect timeout|timed out)"), "{0}"),
    (re.compile(r"(Connection reset by peer|Connection aborted|RemoteDisconnected[^\"')]*)"), "{0}"),
)


def transport_cause(exc: BaseException) -> tuple[str | None, str]:
    """The endpoint's host and, in the network's own words, why it did not answer.

    The SDK's transport errors carry both only in their text (`host='…'`, then the innermost
    cause): read them there, and fall back to the exception's type.
    """
    text = " ".join(str(a) for a in getattr(exc, "args", ())) or str(exc)
    hosts = _HOST.findall(text)
    host = hosts[0][0] if hosts else None
    cause = next((fmt.format(m.group(1).strip()) for pattern, fmt in _CAUSES if (m := pattern.search(text))), "")
    if "Unable to connect to proxy" in text or "ProxyError" in text:
        proxy = ":".join(hosts[1]) if len(hosts) > 1 else "the proxy"
        cause = f"proxy {proxy.rstrip(':')} refused or unreachable" + (f" ({cause})" if cause else "")
    return host, cause or type(exc).__name__


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
