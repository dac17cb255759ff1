"""The fdk entry point: read the body, run the router, answer.

Over the real http-stream path the fdk turns any status but 200, 502 and 504 into 200, so:
a transient failure raises (502, the platform may retry); everything else answers 200 with
a JSON outcome that says what happened and why.
"""

import io
import json
from collections.abc import Callable, Mapping
from datetime import datetime

from fdk import response

from . import logs, router
from .errors import ConfigError
from .runtime import Runtime, wall_clock

RUNTIME_KEYS = ("IR_", "OCI_RESOURCE_PRINCIPAL_")


def make_handler(clock: Callable[[], datetime] = wall_clock):
    """A handler with its own warm state, as one function container has."""
    runtimes: dict[tuple, Runtime] = {}

    def runtime_for(env: Mapping[str, str]) -> Runtime:
        key = tuple(sorted((k, v) for k, v in env.items() if k.startswith(RUNTIME_KEYS)))
        if key not in runtimes:
            runtimes[key] = Runtime.for_function(env, clock=clock)
        return runtimes[key]

    def handler(ctx, data: io.BytesIO | None = None):
        raw = data.getvalue() if data is not None else b""
        try:
            runtime = runtime_for(ctx.Config())
        except ConfigError as exc:
            logs.error("configuration invalid", reason=exc.reason)
            body = {"result": "failed", "reason": exc.reason}
        else:
            body = router.handle(raw, runtime).model_dump(mode="json", exclude_none=True)
        return response.Response(ctx, response_data=json.dumps(body), headers={"Content-Type": "application/json"})

    return handler


handler = make_handler()
