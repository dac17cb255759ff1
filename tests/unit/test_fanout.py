"""A step's independent calls go out together, and come back as if made one by one."""

import threading

import pytest

from replicator import logs
from replicator.fanout import POOL, fan_out


def test_results_come_back_in_the_order_of_the_calls():
    assert fan_out([lambda n=n: n * n for n in range(10)], POOL) == [n * n for n in range(10)]


def test_at_most_the_pool_runs_at_once_and_calls_do_overlap():
    running, most = 0, 0
    lock, gate = threading.Lock(), threading.Barrier(POOL, timeout=5)

    def call() -> None:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        gate.wait()  # only passes once POOL calls are in flight together
        with lock:
            running -= 1

    fan_out([call] * (2 * POOL), POOL)
    assert most == POOL


def test_an_error_is_raised_once_every_call_has_ended():
    ended: list[int] = []

    def call(n: int) -> int:
        if n == 0:
            raise ValueError("refused")
        ended.append(n)
        return n

    with pytest.raises(ValueError, match="refused"):
        fan_out([lambda n=n: call(n) for n in range(6)], POOL)
    assert sorted(ended) == [1, 2, 3, 4, 5]


def test_each_call_keeps_the_log_fields_of_the_step_that_made_it():
    seen: list[dict] = []
    with logs.bound(source_image_id="ocid1.image.oc1.iad.aaaa"):
        fan_out([lambda: seen.append(dict(logs.context()))] * 3, POOL)
    assert all(fields.get("source_image_id") == "ocid1.image.oc1.iad.aaaa" for fields in seen)


def test_a_limit_of_one_makes_the_calls_one_after_the_other_on_the_callers_thread():
    threads: list[int] = []
    order: list[int] = []

    def call(n: int) -> None:
        threads.append(threading.get_ident())
        order.append(n)

    fan_out([lambda n=n: call(n) for n in range(5)], 1)
    assert order == [0, 1, 2, 3, 4]
    assert set(threads) == {threading.get_ident()}
