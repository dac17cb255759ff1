"""Deploying a function on the fake: served by the real fdk in its own processes, or in process.

A mixin of `FakeCloud`: what it reads of the cloud is declared below.
"""

from __future__ import annotations

import tempfile
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from ..core.platform import Platform
    from ..regions import RegionState


class Deploying:
    functions: list
    _tmp: str | None

    @property
    def _platform(self) -> Platform:
        return cast("Platform", self)  # a mixin of FakeCloud only, which is the platform

    if TYPE_CHECKING:

        def require_region(self, region: str) -> RegionState: ...

        def process_env(self) -> dict[str, str]: ...

    def deploy_function(
        self,
        region: str,
        entry: str,
        handler: str = "handler",
        *,
        config: dict[str, str] | None = None,
        name: str = "function",
        app_name: str | None = None,
        instances: int = 1,
        egress: str = "service_gateway",
        wait: bool = True,
        compartment_id: str | None = None,
    ):
        """Start `entry` as OCI Functions does (`fdk <entry> <handler>`, http-stream), in `instances` containers.

        With `wait=False` the processes are launched but not awaited: call `wait_ready()` on
        the function, so that several functions start in parallel.
        """
        from .fdk_process import FdkProcess
        from .hosting import Function

        self.require_region(region)
        reach = self.process_env()
        fn = Function(
            self._platform, region, name, config or {}, app_name=app_name, egress=egress, compartment_id=compartment_id
        )
        fn.containers = [
            FdkProcess(
                fn,
                n,
                entry,
                handler,
                reach["OCIFAKE_ENDPOINT"],
                self._tmp or tempfile.gettempdir(),
                clock_file=reach["OCIFAKE_CLOCK_FILE"],
            )
            for n in range(instances)
        ]
        self.functions.append(fn)
        for container in fn.containers:
            container.launch()
        if wait:
            fn.wait_ready()
        return fn

    def deploy_handler(
        self,
        region: str,
        factory,
        *,
        config: dict[str, str] | None = None,
        name: str = "function",
        app_name: str | None = None,
        instances: int = 1,
        egress: str = "service_gateway",
        compartment_id: str | None = None,
    ):
        """Deploy a function whose containers run in this process: `factory()` gives each one its handler."""
        from .hosting import Function

        try:
            from .in_process import InProcess
        except ImportError as exc:  # the fdk is an extra: pip install 'ocifake[functions]'
            raise ImportError(
                f"serving a function in process needs the fdk: pip install 'ocifake[functions]' ({exc})"
            ) from exc

        self.require_region(region)
        fn = Function(
            self._platform, region, name, config or {}, app_name=app_name, egress=egress, compartment_id=compartment_id
        )
        fn.containers = [InProcess(fn, n, factory) for n in range(instances)]
        for container in fn.containers:
            container.launch()
        self.functions.append(fn)
        return fn

    def undeploy(self, function_id: str) -> None:
        """A function deleted: its containers stop and nothing reaches it any more."""
        for fn in [f for f in self.functions if f.id == function_id]:
            fn.stop()
            self.functions.remove(fn)
