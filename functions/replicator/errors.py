"""The failure vocabulary: permanent (record it, never retry as is), transient (raise, retry), or a
conflict (someone else's change or operation came first: read again and decide again).

The three are siblings, so what a caller does never depends on the order of its `except`s."""

import re

_PAR_PATH = re.compile(r"/p/[^/\s\"']+/")


def redact(text: str) -> str:
    """Remove the secret part of pre-authenticated request paths from a text."""
    return _PAR_PATH.sub("/p/<redacted>/", text)


class ReplicatorError(Exception):
    """Base of every failure the pipeline reports; `reason` is what operators read (never a secret)."""

    def __init__(
        self, reason: str, *, operation: str | None = None, status: int | None = None, code: str | None = None
    ):
        reason = redact(reason)
        super().__init__(reason)
        self.reason = reason
        self.operation = operation
        self.status = status
        self.code = code


class PermanentError(ReplicatorError):
    """Retrying the same request cannot help: log it, record it, answer cleanly."""


class InvalidEvent(PermanentError):
    """The payload is not an event this function handles (malformed, incomplete, unknown type)."""


class ConfigError(PermanentError):
    """The function's configuration is invalid; every event fails the same way until it is fixed."""


class NotFound(PermanentError):
    """The resource does not exist (or the caller may not see it: OCI does not say which)."""


class LimitExceeded(PermanentError):
    """A service limit of the tenancy in the region (OCI's LimitExceeded): custom images, for one."""


class Conflict(ReplicatorError):
    """The resource's state does not allow the request now (another operation holds it): neither
    permanent (later it may) nor worth an immediate retry of the same request."""


class PreconditionFailed(Conflict):
    """An etag condition (if-match / if-none-match) did not hold: someone else wrote first."""


class TransientError(ReplicatorError):
    """Throttling, a 5xx, a timeout or a state that will settle: raise so the platform retries."""


class Unreachable(TransientError):
    """The endpoint did not answer at all (refused, unresolvable, timed out, TLS failed): `host`
    is the endpoint's host, `cause` the network's own words."""

    def __init__(self, reason: str, *, operation: str, host: str | None, cause: str):
        super().__init__(reason, operation=operation)
        self.host = host
        self.cause = cause
