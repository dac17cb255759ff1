"""Fault injection: API calls that fail, work requests that fail, exports that lose their object,
containers that die between two calls, a region out of service for a while."""

import threading
from dataclasses import dataclass


class ContainerDied(BaseException):
    """Raised into a function's container right after a call did its work: the container died there.

    A BaseException, so no `except Exception` in the function catches it: like a killed process,
    the invocation ends between two calls, with no answer; the fake's hosting restarts the
    container cold. A killed process runs no cleanup either: whatever its `finally` blocks ask of
    the cloud afterwards (a PAR deleted, a lease released) never leaves it (see `dead`).
    """


_killed = threading.local()


def kill_this_thread() -> None:
    """The invocation running in this thread is dead: its calls from now on are never made."""
    _killed.dead = True


def dead() -> bool:
    return getattr(_killed, "dead", False)


def revive_this_thread() -> None:
    """A new invocation starts in this thread (the hosting started a new container)."""
    _killed.dead = False


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
        self._deaths: list[_CallFault] = []
        self.died: list[str] = []  # the region of each container killed so far, in order
        self._outages: dict[str, float] = {}  # region -> the clock's seconds when it is back

    def outage(self, region: str, *, until: float) -> None:
        """`region` is out of service until the clock reads `until` (seconds): every call a function
        makes there answers 503, and the work that ends meanwhile fails (an export or an import
        there, a copy into or out of it, an import reading from it). The operator's own calls are
        left alone, so that what a test reads about the world meanwhile is not faulted too."""
        self._outages[region] = max(until, self._outages.get(region, 0.0))

    def out(self, region: str, now: float) -> bool:
        """Whether `region` is out of service at `now`."""
        return self._outages.get(region, float("-inf")) > now

    def first_out(self, now: float, *regions: str) -> str | None:
        """The first of `regions` out of service at `now`, if any: work spanning them fails."""
        return next((r for r in regions if self.out(r, now)), None)

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

    def kill_after(self, operation: str, *, nth: int = 1, region: str | None = None) -> None:
        """Kill the function container whose call is the `nth` of `operation`, right after the call did
        its work (its answer is lost with the container). Calls made by anyone else do not die."""
        self._deaths.append(_CallFault(operation, "died", nth, nth, region))

    def clear(self) -> None:
        """No more injected faults from now on (those already under way run their course)."""
        self._calls.clear()
        self._work_requests.clear()
        self._lost_exports.clear()
        self._deaths.clear()
        self._outages.clear()

    # ----- consulted by the fake ----------------------------------------------------------
    def call_fault(self, operation: str, region: str) -> int | str | None:
        for fault in self._calls:
            if fault.operation == operation and fault.region in (None, region):
                fault.seen += 1
                if fault.first <= fault.seen <= fault.last:
                    return fault.status
        return None

    def dies_after(self, operation: str, region: str) -> bool:
        for fault in self._deaths:
            if fault.operation == operation and fault.region in (None, region):
                fault.seen += 1
                if fault.seen == fault.first:
                    self.died.append(region)
                    return True
        return False

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
