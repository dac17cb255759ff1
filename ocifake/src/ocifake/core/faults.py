"""Fault injection: API calls that fail, work requests that fail, exports that lose their object."""

from dataclasses import dataclass


@dataclass
class _CallFault:
    operation: str
    status: int | str  # an HTTP status, or "timeout"
    first: int
    last: int
    region: str | None
    seen: int = 0


@dataclass
class _Countdown:
    key: str
    remaining: int
    region: str | None = None
    message: str = ""


class Faults:
    def __init__(self):
        self._calls: list[_CallFault] = []
        self._work_requests: list[_Countdown] = []
        self._lost_exports: list[_Countdown] = []

    def fail_call(
        self, operation: str, status: int | str = 500, *, nth: int = 1, times: int = 1, region: str | None = None
    ) -> None:
        """Make calls `nth` .. `nth + times - 1` of `operation` fail.

        `status` is 429, 500 or 503 (an OCI error body, nothing changed), or "timeout": the
        service does the work but the caller never sees the answer, as when a connection drops.
        """
        if status not in (429, 500, 503, "timeout"):
            raise ValueError("status must be 429, 500, 503 or 'timeout'")
        self._calls.append(_CallFault(operation, status, nth, nth + times - 1, region))

    def fail_work_request(
        self,
        operation: str,
        *,
        times: int = 1,
        region: str | None = None,
        message: str = "The operation failed inside the service.",
    ) -> None:
        """Make the next `times` work requests of `operation` (ExportImage, ImportImage, CopyObject) end FAILED."""
        self._work_requests.append(_Countdown(operation, times, region, message))

    def export_without_object(self, *, times: int = 1, image_id: str | None = None) -> None:
        """Make the next `times` exports end AVAILABLE without writing their object.

        OCI's docs warn that an export can succeed and still leave no object behind.
        """
        self._lost_exports.append(_Countdown(image_id or "*", times))

    # ----- consulted by the fake ----------------------------------------------------------
    def call_fault(self, operation: str, region: str) -> int | str | None:
        for fault in self._calls:
            if fault.operation == operation and fault.region in (None, region):
                fault.seen += 1
                if fault.first <= fault.seen <= fault.last:
                    return fault.status
        return None

    def take_work_request_failure(self, region: str, operation: str) -> str | None:
        for c in self._work_requests:
            if c.key == operation and c.region in (None, region) and c.remaining > 0:
                c.remaining -= 1
                return c.message
        return None

    def take_export_without_object(self, image_id: str) -> bool:
        for c in self._lost_exports:
            if c.key in ("*", image_id) and c.remaining > 0:
                c.remaining -= 1
                return True
        return False
