"""Parallel work on the simulated clock, interleaved at API calls in a seeded order.

OCI runs invocations of a function at once, in separate containers. The fake runs such a
batch on threads (or in several function processes) and lets them race for real, but at
one place only: each API call is a turnstile. When every member of the batch is either
waiting at a call or finished, a seeded random choice says which call goes next. Between
two calls a member runs alone, so the same seed gives the same interleaving, and a race
found once can be replayed.

Calls from a member in this process are known by the member's place in the batch; calls
that come from another process (a function served by the fdk) are told apart by their
request only, so identical requests from two processes may go in either order. Threads a
member starts itself (a pool inside a function) are not members: their calls take turns as
they arrive, in the operating system's order; a caller that needs a replay runs such work in
turn.

A member that stays away from the turnstile longer than `patience` seconds of wall time
(blocked on something the fake cannot see) does not stall the batch: the others go on,
and that run is no longer deterministic.
"""

from __future__ import annotations

import itertools
import random
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(order=True)
class _Waiter:
    member: int  # the batch position of the calling member; unknown (-1) for a call from another process
    key: str
    arrival: int
    granted: bool = field(default=False, compare=False)


class Interleaver:
    def __init__(self, seed: int = 0, patience: float = 20.0):
        self._rng = random.Random(seed)
        self._cond = threading.Condition()
        self._waiting: list[_Waiter] = []
        self._in_flight = 0
        self._active = False
        self._arrivals = itertools.count()
        self.patience = patience
        self.max_concurrency = 0  # the most members one batch ever had in flight
        self._local = threading.local()

    def reseed(self, seed: int) -> None:
        self._rng.seed(seed)

    @property
    def active(self) -> bool:
        return self._active

    def run(self, tasks: Sequence[Callable[[], Any]]) -> list[Any]:
        """Run `tasks` at once; return their results (an exception is returned, not raised)."""
        if not tasks:
            return []
        if len(tasks) == 1:
            # Alone, a member has no one to interleave with: it runs here, without a thread.
            self.max_concurrency = max(self.max_concurrency, 1)
            try:
                return [tasks[0]()]
            except Exception as exc:
                return [exc]
        results: list[Any] = [None] * len(tasks)

        def member(index: int, task: Callable[[], Any]) -> None:
            self._local.member = index
            try:
                results[index] = task()
            except BaseException as exc:  # the caller decides what a member's failure means
                results[index] = exc
            finally:
                with self._cond:
                    self._in_flight -= 1
                    self._cond.notify_all()

        with self._cond:
            self._active = True
            self._in_flight = len(tasks)
            self.max_concurrency = max(self.max_concurrency, len(tasks))
        threads = [
            threading.Thread(target=member, args=(n, t), name=f"ocifake-member-{n}", daemon=True)
            for n, t in enumerate(tasks)
        ]
        for thread in threads:
            thread.start()
        try:
            self._schedule()
        finally:
            for thread in threads:
                thread.join()
            with self._cond:
                self._active = False
        return results

    def _schedule(self) -> None:
        with self._cond:
            while self._in_flight > 0:
                if not self._cond.wait_for(self._all_at_the_turnstile, timeout=self.patience) and not self._waiting:
                    continue
                if self._in_flight == 0:
                    break
                # Sort first: arrival order among members that raced to their first call is the
                # operating system's; the member and the request are not.
                chosen = self._rng.choice(sorted(self._waiting))
                self._waiting.remove(chosen)
                chosen.granted = True
                self._cond.notify_all()

    def _all_at_the_turnstile(self) -> bool:
        # A granted member has left `_waiting`, so this holds again only once it is back or done.
        return self._in_flight == 0 or (bool(self._waiting) and len(self._waiting) >= self._in_flight)

    def checkpoint(self, key: str) -> None:
        """Called before each API call of a batch member: wait for this call's turn."""
        with self._cond:
            if not self._active:
                return
            waiter = _Waiter(getattr(self._local, "member", -1), key, next(self._arrivals))
            self._waiting.append(waiter)
            self._cond.notify_all()
            if not self._cond.wait_for(lambda: waiter.granted, timeout=self.patience):
                if waiter in self._waiting:
                    self._waiting.remove(waiter)
                self._cond.notify_all()
