"""A simulated clock: long operations and event deliveries are scheduled on it, never slept."""

import heapq
import itertools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta


class SimClock:
    """Simulated time, starting at `start` (default: the wall clock, to the second).

    Starting at the wall clock keeps the simulated time at or ahead of the real one, so a
    function that stamps expiries from its own clock or from event times never produces a
    time the fake considers past.
    """

    def __init__(self, start: datetime | None = None):
        self._start = start or datetime.now(UTC).replace(microsecond=0)
        self._elapsed = 0.0
        self._queue: list[tuple[float, int, Callable[[], None]]] = []
        self._seq = itertools.count()
        self._watchers: list[Callable[[datetime], None]] = []

    def watch(self, watcher: Callable[[datetime], None]) -> None:
        """Call `watcher` with the time now, and again each time the clock moves."""
        self._watchers.append(watcher)
        watcher(self.now())

    def _move(self, seconds: float) -> None:
        if seconds > self._elapsed:
            self._elapsed = seconds
            now = self.now()
            for watcher in self._watchers:
                watcher(now)

    @property
    def seconds(self) -> float:
        """Simulated seconds since the clock started."""
        return self._elapsed

    def now(self) -> datetime:
        return self._start + timedelta(seconds=self._elapsed)

    def call_at(self, seconds: float, action: Callable[[], None]) -> None:
        heapq.heappush(self._queue, (max(seconds, self._elapsed), next(self._seq), action))

    def call_later(self, delay: float, action: Callable[[], None]) -> None:
        self.call_at(self._elapsed + max(delay, 0.0), action)

    def pending(self) -> int:
        return len(self._queue)

    def pop_due(self, until: float) -> Callable[[], None] | None:
        """Take the next action due at or before `until`, moving time to it."""
        if not self._queue or self._queue[0][0] > until:
            return None
        due, _, action = heapq.heappop(self._queue)
        self._move(due)
        return action

    def pop_due_together(self, until: float) -> list[Callable[[], None]]:
        """Take every action due at the earliest due time (if at or before `until`), moving time to it."""
        if not self._queue or self._queue[0][0] > until:
            return []
        due = self._queue[0][0]
        actions = []
        while self._queue and self._queue[0][0] == due:
            actions.append(heapq.heappop(self._queue)[2])
        self._move(due)
        return actions

    def move_to(self, seconds: float) -> None:
        self._move(seconds)


def iso(dt: datetime) -> str:
    """RFC 3339 with milliseconds and a Z, as OCI writes timestamps."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
