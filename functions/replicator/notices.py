"""Each notice told once, even when the record that remembers it was lost.

The record's `notices` say what was sent; a replication started again after an operator removed
its record and answers would not know, and would tell its outcome twice. Before a notice is
published its mark is written where only this module looks (`naming.told_object`), on the
condition that none is there: the second teller finds it and stays silent.
"""

from . import logs
from .errors import PreconditionFailed, ReplicatorError
from .naming import told_object
from .records.source import REPLICATED as RECORDED_REPLICATED
from .records.source import SourceRecord, failed_notice
from .runtime import Runtime

REPLICATED = "replicated"


def failed(target: str) -> str:
    return f"failed.{target}"


def deleted(target: str, replica: str, attempt: int) -> str:
    """A replica's deletion: one notice per replica (named by its OCID, else by its import attempt)."""
    return f"deleted.{target}.{replica if replica.startswith('ocid1.') else f'attempt-{attempt}'}"


def first_telling(runtime: Runtime, source_id: str, notice: str) -> bool:
    """Whether `notice` was never told: its mark is written now. A mark that cannot be written does not
    silence the notice (told twice rather than never); the refusal is counted where an alarm sees it."""
    config = runtime.config
    try:
        runtime.objects.put(
            config.staging_bucket, told_object(config.object_prefix, source_id, notice), b"", if_none_match=True
        )
    except PreconditionFailed:
        logs.info("notice already told", notice=notice)
        return False
    except ReplicatorError as exc:
        logs.warning("notice's mark not written; told all the same", notice=notice, reason=exc.reason)
        runtime.clients.swallow(exc)
    return True


def told(record: SourceRecord) -> list[str]:
    """The notices the record says were told: the marks there are to remove, and no other."""
    said = [REPLICATED] if RECORDED_REPLICATED in record.notices else []
    return said + [failed(t) for t in sorted(record.targets) if failed_notice(t) in record.notices]


def forget(runtime: Runtime, source_id: str, notices: list[str]) -> None:
    """The marks of a replication that ended for good (its source deleted): those the record names,
    and the deletions of its replicas, which no record names (one listing, once per replication)."""
    config = runtime.config
    head = told_object(config.object_prefix, source_id, "deleted.")
    replicas_deleted = [o.name for o in runtime.objects.iter_objects(config.staging_bucket, head)]
    for name in [*(told_object(config.object_prefix, source_id, n) for n in notices), *replicas_deleted]:
        runtime.objects.delete(config.staging_bucket, name)
