"""ocifake as moto is used: a context manager that is also a decorator, and a pytest plugin.

    with mock_cloud(regions=["us-ashburn-1", "us-phoenix-1"]) as cloud:
        ...

    @mock_cloud(regions=["us-ashburn-1"])
    def test_it(cloud):  # the cloud is passed as `cloud`
        ...

Inside, every request the `oci` SDK sends is answered by the fake; on leaving, the real
transport is back and the fake's temporary files are removed.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from .cloud import FakeCloud

DEFAULT_REGIONS = ("us-ashburn-1", "us-phoenix-1")


class mock_cloud:
    def __init__(self, regions: list[str] | tuple[str, ...] = DEFAULT_REGIONS, **options: Any):
        self._regions = list(regions)
        self._options = options
        self._cloud: FakeCloud | None = None

    def __enter__(self) -> FakeCloud:
        self._cloud = FakeCloud(regions=self._regions, **self._options).__enter__()
        return self._cloud

    def __exit__(self, *exc) -> None:
        assert self._cloud is not None
        self._cloud.__exit__(*exc)
        self._cloud = None

    def __call__(self, fn: Callable) -> Callable:
        wants_cloud = "cloud" in inspect.signature(fn).parameters

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with mock_cloud(self._regions, **self._options) as cloud:
                if wants_cloud:
                    kwargs["cloud"] = cloud
                return fn(*args, **kwargs)

        if wants_cloud:
            # pytest must not look for a fixture named `cloud`: the decorator provides it.
            signature = inspect.signature(fn)
            wrapper.__signature__ = signature.replace(  # type: ignore[attr-defined]
                parameters=[p for name, p in signature.parameters.items() if name != "cloud"]
            )
        return wrapper
