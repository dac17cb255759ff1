"""What the operator's tools may use of the function: this module names all of it.

The CLI, the sandbox, the inventory and the report import the function package through here
only (a test keeps it so), so the function's modules can move behind it. The tools read what
the pass reads, with the pass's own checks (answers through `judged`, protection through
`protection`), and act only through steps (`retry`).
"""

from collections.abc import Callable
from datetime import datetime

from . import logs, ocids, registry
from .actions import Action
from .answer_checks import WARNING_OUTCOMES, Judged, judged, unsure_targets
from .config import ReplicatorConfig
from .decision import Decision, decide
from .engine import Outcome, execute
from .errors import ConfigError, NotFound, PermanentError, ReplicatorError, TransientError, Unreachable
from .families import family_of, keep_of
from .gateways.clients import Clients
from .gateways.identity import Identity
from .health import STALE_AFTER, PassHealth, health_object
from .images import ImageFacts
from .naming import (
    LATEST_TAG,
    AckName,
    Side,
    acks_prefix,
    drill_outcome,
    parse_ack,
    parse_settled,
    records_prefix,
    settled_prefix,
    source_id_from_record,
)
from .protection import (
    COVERED,
    ImageProtection,
    TargetProtection,
    protection,
    requiring_drill,
    unconfirmed,
    unheard,
    unrelayed,
    unseen,
)
from .reconcile.run import PassReport, run_pass
from .records.replica import ReplicaRecord
from .records.source import SourceRecord, TargetPart
from .regions import is_region
from .runtime import Runtime, wall_clock
from .steps.retry import SETTLED_STATES
from .subjects import Drill, RetryRequest
from .tenancies import place
from .work import WorkProgress


def make_handler(clock: Callable[[], datetime] = wall_clock) -> Callable:
    """The function's fdk handler, as a container holds it (the sandbox serves it). Loaded only when asked:
    importing the fdk sets up its own logging, which the operator's commands must not inherit."""
    from .handler import make_handler as made

    return made(clock)


def drill(runtime: Runtime, source_image_id: str) -> Outcome:
    """The operator's `drill`: start a DR drill of the replica of `source_image_id` in this region now
    (the step `drill`; the instance's event and the drill tick take it on)."""
    return execute(registry.for_action("replica", Action.DRILL), runtime, Drill(source_image_id, start=True))


def retry(runtime: Runtime, side: Side, source_image_id: str, region: str) -> Outcome:
    """The operator's `retry` of `region`, on one side of the replication (the step `retry`)."""
    return execute(registry.named(side, "retry"), runtime, RetryRequest(source_image_id, region))


__all__ = [
    "COVERED",
    "LATEST_TAG",
    "SETTLED_STATES",
    "STALE_AFTER",
    "WARNING_OUTCOMES",
    "AckName",
    "Clients",
    "ConfigError",
    "Decision",
    "Identity",
    "ImageFacts",
    "ImageProtection",
    "Judged",
    "NotFound",
    "Outcome",
    "PassHealth",
    "PassReport",
    "PermanentError",
    "ReplicaRecord",
    "ReplicatorConfig",
    "ReplicatorError",
    "Runtime",
    "SourceRecord",
    "TargetPart",
    "TargetProtection",
    "TransientError",
    "Unreachable",
    "WorkProgress",
    "acks_prefix",
    "decide",
    "drill",
    "drill_outcome",
    "family_of",
    "health_object",
    "is_region",
    "judged",
    "keep_of",
    "logs",
    "make_handler",
    "ocids",
    "parse_ack",
    "parse_settled",
    "place",
    "protection",
    "records_prefix",
    "requiring_drill",
    "retry",
    "run_pass",
    "settled_prefix",
    "source_id_from_record",
    "unconfirmed",
    "unheard",
    "unrelayed",
    "unseen",
    "unsure_targets",
    "wall_clock",
]
