"""One container of a function, run inside the test process: fast, and still the fdk's contract.

The handler is called as the fdk calls it, `handler(ctx, data=io.BytesIO(body))`, with the
fdk's own InvokeContext whose Config() is the function's configuration plus the variables
OCI Functions sets (the real fdk hands over os.environ, which in a container holds exactly
that). The answer is shaped as the fdk's http-stream path shapes it: an exception is a 502
with its message, a TimeoutError a 504, and any status but 200, 502 and 504 becomes 200.
"""

from __future__ import annotations

import io
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from fdk import constants, context, errors, response

from ..core.clock import iso
from ..core.faults import ContainerDied, revive_this_thread
from .hosting import Invocation

if TYPE_CHECKING:
    from .hosting import Function

Handler = Callable[..., Any]


class InProcess:
    """A container whose handler comes from `factory()`: each container has its own warm state."""

    def __init__(self, function: Function, index: int, factory: Callable[[], Handler]):
        self.function = function
        self.index = index
        self._factory = factory
        self._handler: Handler | None = None

    def launch(self) -> None:
        self._handler = self._factory()

    def wait_ready(self) -> None:
        pass

    def invoke(self, body: bytes, *, content_type: str = "application/json", timeout: float = 300.0) -> Invocation:
        assert self._handler is not None, "launch() first"
        fn = self.function
        call_id = uuid.uuid4().hex.upper()
        headers = {"fn-call-id": call_id, "content-type": content_type}
        ctx = context.InvokeContext(
            fn.app_id,
            fn.app_name,
            fn.id,
            fn.name,
            call_id,
            content_type=content_type,
            deadline=iso(fn.cloud.clock.now() + timedelta(seconds=timeout)),
            config=fn.platform_env(),
            headers=headers,
            request_url="/call",
            method="POST",
            fn_format=constants.HTTPSTREAM,
        )
        started = time.perf_counter()
        revive_this_thread()
        try:
            result = self._handler(ctx, data=io.BytesIO(body))
            if not isinstance(result, response.Response):
                result = response.Response(ctx, response_data=result, status_code=200)
        except ContainerDied as exc:
            # The process is gone: the platform answers 502 and starts a new container, cold.
            revive_this_thread()
            self.launch()
            result = errors.DispatchException(ctx, 502, str(exc)).response()
        except TimeoutError as exc:
            result = errors.DispatchException(ctx, 504, str(exc)).response()
        except Exception as exc:  # the fdk answers any exception with a 502 carrying its message
            result = errors.DispatchException(ctx, 502, str(exc)).response()
        status = result.status()
        if status not in constants.FN_ENFORCED_RESPONSE_CODES:
            status = constants.FN_DEFAULT_RESPONSE_CODE
        return Invocation(status, result.body_bytes(), time.perf_counter() - started, instance=self.index)

    def read_log(self) -> str:
        return ""

    def stop(self) -> None:
        self._handler = None
