"""Independent calls of one step, made at once in a small bounded pool.

A step that copies to several targets, puts several shape entries or removes several objects
waits for each call's round trip in turn; these calls do not depend on each other, so they go
out together, at most `limit` at a time (IR_CALL_CONCURRENCY, POOL by default; 1 makes them
one after the other, as a deterministic replay needs). Each task runs in a copy of the caller's
context (its log fields follow it), and each worker thread has its own SDK clients (gateways/clients.py):
the SDK does not document its clients as safe to share between threads.

Results come back in the order of the tasks; the first exception a task raised is raised
once every task has ended, so that no call is left running behind the step's back.
"""

import contextvars
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")

POOL = 4


def fan_out(tasks: Sequence[Callable[[], T]], limit: int) -> list[T]:
    if len(tasks) <= 1 or limit <= 1:
        return [task() for task in tasks]
    with ThreadPoolExecutor(max_workers=min(limit, len(tasks)), thread_name_prefix="replicator-call") as pool:
        futures = [pool.submit(contextvars.copy_context().run, task) for task in tasks]
    return [future.result() for future in futures]
