"""The fdk entry point: read the body, run the router, answer.

Over the real http-stream path the fdk turns any status but 200, 502 and 504 into 200, so:
a transient failure raises (502, the platform may retry); everything else answers 200 with
a JSON outcome that says what happened and why, but a reconcile pass whose report, metrics and
notice were all refused: it answers 502 with its report, so that Functions counts an error
(`oci_faas`), the one trace of it an alarm can see.
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
UNREPORTED_STATUS = 502  # one of the statuses the fdk passes through


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
        status = 200
        try:
            runtime = runtime_for(ctx.Config())
        except ConfigError as exc:
            logs.error("configuration invalid", reason=exc.reason)
            body = {"result": "errored", "reason": exc.reason}
        else:
            answer = router.handle(raw, runtime)
            body = answer.model_dump(mode="json", exclude_none=True)
            if getattr(answer, "unreported", False):  # a PassReport's (its module loads with a pass only)
                status = UNREPORTED_STATUS
        return response.Response(
            ctx, response_data=json.dumps(body), headers={"Content-Type": "application/json"}, status_code=status
        )

    return handler


handler = make_handler()
