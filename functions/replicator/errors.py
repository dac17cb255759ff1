"""The failure vocabulary of the pipeline: permanent (record, never retry) or transient (raise, retry)."""


class ReplicatorError(Exception):
    """Base of every failure the pipeline reports; `reason` is what operators read."""

    def __init__(self, reason: str, *, operation: str | None = None, status: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.operation = operation
        self.status = status


class PermanentError(ReplicatorError):
    """Retrying cannot help: log it, record it, answer cleanly."""


class InvalidEvent(PermanentError):
    """The payload is not an event this function handles (malformed, incomplete, unknown type)."""


class ConfigError(PermanentError):
    """The function's configuration is invalid; every event fails the same way until it is fixed."""


class NotFound(PermanentError):
    """The resource the event names no longer exists (or the function may not see it)."""


class Conflict(PermanentError):
    """Another invocation is doing the same step right now; this one stands down."""


class TransientError(ReplicatorError):
    """Throttling, a 5xx, a timeout or a state that will settle: raise so the platform retries."""
