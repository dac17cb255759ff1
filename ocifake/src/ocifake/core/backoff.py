"""The SDK's retry back-off, without sleeping: calls answered by the fake take no real time.

The SDK's retry strategies wait between attempts with `time.sleep` (seconds each, growing
with every attempt). Against the fake, whose time is the simulated clock, those waits only
cost the tests real seconds: while a fake cloud is entered, the retry module's `time` sleeps
not at all and counts what it was asked to wait. Everything else of `time` is the real one,
so the SDK's own bound on the total elapsed time still holds. Functions served by fdk
processes are other processes, and wait as the SDK does.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import oci.retry.retry as sdk_retry


class _TimeWithoutSleep:
    def __init__(self) -> None:
        self.skipped_seconds = 0.0
        self._lock = threading.Lock()

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.skipped_seconds += max(seconds, 0.0)

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)


@contextmanager
def without_sleeping() -> Iterator[_TimeWithoutSleep]:
    """While inside, the SDK's retries back off at once; yields what counts the skipped seconds."""
    shim = _TimeWithoutSleep()
    previous = sdk_retry.time
    sdk_retry.time = shim
    try:
        yield shim
    finally:
        sdk_retry.time = previous
