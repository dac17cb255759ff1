"""Source region: a target of another tenancy answered into this region's landing bucket.

That tenancy may write nowhere else here. Its answer is checked with the key the two
tenancies share (in the router, or by the pass's listing) and moved into the staging
bucket under the same name, where the answers of this tenancy's own targets are; from there
`acknowledge` records it. The move writes no record: a repeated move finds nothing left.
"""

from ..cloudevents import EventKind
from ..engine import Step, StepContext, StepResult
from ..landing import move_answer
from ..subjects import InboundAnswer


def run(ctx: StepContext, inbound: InboundAnswer) -> StepResult:
    if not move_answer(ctx.runtime, inbound):
        return StepResult("ignored", "the answer was already moved")
    return StepResult("completed", f"answer of {inbound.ack.target} moved to staging")


STEP = Step("inbox", "source", run, routes=((EventKind.OBJECT_WRITTEN, InboundAnswer),))
