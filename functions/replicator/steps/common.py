"""Small pieces the steps share: PAR lifetimes, attempt limits, notices."""

from datetime import timedelta

from .. import logs
from ..config import ReplicatorConfig
from .engine import StepContext

EXPORT_LOST_OBJECT = "export finished without writing its object"


def par_lifetime(config: ReplicatorConfig, size_in_mbs: int | None) -> timedelta:
    """Long enough for the transfer the request serves, which grows with the image.

    The configured lifetime is the floor; above it two minutes per GB plus two hours
    (a 400 GB image: about 15 hours). The request is deleted as soon as its step ends.
    """
    gb = (size_in_mbs or 0) / 1024
    return timedelta(minutes=max(config.par_lifetime_minutes, 120 + 2 * gb))


def notify_once(ctx: StepContext, key: str, title: str, body: dict) -> bool:
    """Publish a notice unless the record says it was sent; the caller records `key` in its change."""
    record = ctx.record
    if record is not None and key in getattr(record, "notices", ()):
        return False
    sent = ctx.runtime.notifier.publish(title, body)
    logs.info("notice", key=key, sent=sent)
    return True
