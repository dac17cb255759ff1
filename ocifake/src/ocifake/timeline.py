"""The simulated clock moving on: operations finishing, events delivered to functions' containers
(in parallel, interleaved at their API calls), schedules firing, transfers sharing bandwidth.

A mixin of `FakeCloud`: what it reads of the cloud is declared below.
"""

from __future__ import annotations

import functools
import threading
from typing import TYPE_CHECKING

from .scheduler.models import SchedulerBackend

if TYPE_CHECKING:
    from .core.clock import SimClock
    from .core.interleave import Interleaver
    from .core.options import Durations, Options
    from .regions import RegionState
    from .scheduler.models import Run


class Timeline:
    clock: SimClock
    lock: threading.RLock
    interleaver: Interleaver
    options: Options
    durations: Durations
    regions: dict[str, RegionState]
    _egress: dict[str, list[float]]  # region -> when each large transfer leaving it ends
    functions: list  # every deployed function (HostedFunction)

    def advance(self, seconds: float) -> None:
        """Move simulated time forward, finishing operations, delivering events and firing schedules that fall due."""
        target = self.clock.seconds + seconds
        while (due := self._next_schedule_seconds()) is not None and due <= target:
            self._fire_schedules(due, [])
        self._run(until=target)
        self.clock.move_to(target)
        with self.lock:
            for region in self.regions.values():
                region.time_moved()

    def advance_to_next_schedule(self, also: list[tuple] | None = None) -> tuple[list[Run], list]:
        """Move time to the next moment a schedule falls due, and fire every schedule due then.

        `also` adds invocations [(function, body)] made at the same moment (an operator's
        manual pass, say); they run in parallel with the scheduled ones. Returns the
        schedules' runs and the invocations of `also`, in its order.
        """
        due = self._next_schedule_seconds()
        if due is None:
            raise ValueError("no schedule exists")
        return self._fire_schedules(due, also or [])

    def _next_schedule_seconds(self) -> float | None:
        times = [
            s.time_next_run
            for r in self.regions.values()
            for s in r.backend(SchedulerBackend).schedules.values()
            if s.lifecycle_state == "ACTIVE"
        ]
        if not times:
            return None
        return max(self.clock.seconds, (min(times) - self.clock.now()).total_seconds() + self.clock.seconds)

    def _fire_schedules(self, at: float, also: list[tuple]) -> tuple[list[Run], list]:
        self._run(until=at)
        self.clock.move_to(at)
        now = self.clock.now()
        used: dict[str, int] = {}
        tasks: list = []
        later: list = []  # more due at once than the function has containers: each waits for one
        for region in self.regions.values():
            for schedule in region.backend(SchedulerBackend).due(now):
                schedule.time_next_run = schedule.cron.next_after(now)
                for function_id, body in schedule.resources:
                    container = used.get(function_id, 0)
                    used[function_id] = container + 1
                    fn = next((f for f in self.functions if f.id == function_id), None)
                    size = max(1, getattr(fn, "capacity", 1))
                    task = functools.partial(
                        region.backend(SchedulerBackend).fire, schedule, function_id, body, container % size
                    )
                    (tasks if container < size else later).append(task)
        manual = []
        for fn, body in also:
            container = used.get(fn.id, 0)
            used[fn.id] = container + 1
            manual.append(functools.partial(fn.invoke, body, container=container))
        outcomes = self.interleaver.run([*tasks, *manual])
        waited = [task() for task in later]
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome
        return [*outcomes[: len(tasks)], *waited], outcomes[len(tasks) :]

    def run_until_idle(self, max_seconds: float = 30 * 24 * 3600) -> float:
        """Run until nothing is pending (or `max_seconds` of simulated time pass); return the time used."""
        start = self.clock.seconds
        self._run(until=start + max_seconds)
        return self.clock.seconds - start

    def _run(self, until: float) -> None:
        while True:
            with self.lock:
                due = self.clock.pop_due_together(until)
            if not due:
                return
            parallel = [action for action in due if getattr(action, "parallel", False)]
            for action in due:
                if not getattr(action, "parallel", False):
                    with self.lock:
                        action()
            if parallel:
                self._run_parallel(parallel)

    def _run_parallel(self, deliveries: list) -> None:
        """Deliveries that fall due together, spread over each function's containers, at once.

        A delivery waits on a function whose own API calls come back (in process, or through
        the loopback server on another thread): none of them may hold the lock.
        """
        pending = list(deliveries)
        while pending:
            used: dict[int, int] = {}
            batch, later = [], []
            for delivery in pending:
                capacity = getattr(delivery.subscriber, "capacity", None)
                n = used.get(id(delivery.subscriber), 0)
                if capacity is not None and n >= capacity:
                    later.append(delivery)
                    continue
                used[id(delivery.subscriber)] = n + 1
                cost = self._invocation_cost(delivery, n)
                if cost > 0:  # the handler runs once its container has started and worked that long
                    with self.lock:
                        self.clock.call_later(cost, delivery)
                    continue
                batch.append((delivery, n))
            outcomes = self.interleaver.run([functools.partial(d, container=c) for d, c in batch])
            errors_seen = [o for o in outcomes if isinstance(o, BaseException)]
            if errors_seen and self.options.raise_subscriber_errors:
                raise errors_seen[0]
            pending = later

    def share_egress(self, region: str, seconds: float) -> float:
        """How long a transfer of 1 GB or more leaving `region` takes, `seconds` being its time
        alone: as many times longer as such transfers (copies, or imports reading a PAR from
        another region) are running from there when it starts (Durations.copy_shares_bandwidth).
        The transfer then counts against the transfers that start after it."""
        if not self.durations.copy_shares_bandwidth:
            return seconds
        now = self.clock.seconds
        running = [end for end in self._egress.get(region, []) if end > now]
        took = seconds * (1 + len(running))
        self._egress[region] = [*running, now + took]
        return took

    def _invocation_cost(self, delivery, container: int) -> float:
        """Simulated seconds before a delivered invocation's effects (Durations.invocation,
        cold_start); charged once per delivery, 0 for a subscriber that is not a function."""
        fn = delivery.subscriber
        if getattr(delivery, "charged", True) or not hasattr(fn, "warm_containers"):
            return 0.0
        delivery.charged = True
        cold = container >= fn.warm_containers
        fn.warm_containers = max(fn.warm_containers, container + 1)
        return self.durations.invocation + (self.durations.cold_start if cold else 0.0)

    def invoke_parallel(self, calls: list[tuple]) -> list:
        """Invoke functions at once, as a schedule firing in several containers would: [(function, body)]."""
        used: dict[int, int] = {}
        tasks: list = []
        for fn, body in calls:
            container = used.get(id(fn), 0)
            if container >= fn.capacity:
                raise ValueError(
                    f"{fn.name} in {fn.region} has {fn.capacity} containers; {container + 1} calls at once need more"
                )
            used[id(fn)] = container + 1
            tasks.append(functools.partial(fn.invoke, body, container=container))
        outcomes = self.interleaver.run(tasks)
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome
        return outcomes
