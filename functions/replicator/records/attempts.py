"""When failed attempts use a replication's stage up: enough of them, over long enough.

A count alone gives up on a region that was only out of service: an outage of a few hours fails
every export, copy or import tried meanwhile, under error codes OCI does not document, and the
passes try each again every hour. So a stage is used up once `max_attempts` have failed and the
first of that run of failures is at least `patience` old (IR_GIVE_UP_AFTER_HOURS). A permanent
refusal is given up at once, by its caller.
"""

from datetime import datetime, timedelta


def used_up(failures: int, max_attempts: int, failing_since: datetime, now: datetime, patience: timedelta) -> bool:
    """Whether the failures so far (the latest at `now`, the run's first at `failing_since`) end the stage."""
    return failures >= max_attempts and now - failing_since >= patience
