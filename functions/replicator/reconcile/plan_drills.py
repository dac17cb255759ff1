"""The pass's DR drills, planned from what it observed: those under way, those due, and strays.

Pure, like plan.py. A drill under way moves on at each pass; at most IR_DRILL_CONCURRENCY run
in the region at once, counted from the instances the listing shows, so a drill whose record
was lost still takes its place. A due drill starts when there is room, the longest undrilled
first. An instance tagged as a drill's is terminated when its record says another drill (or
none) is under way, or, whatever the records say, once it has outlived the drill's timeout:
nothing a drill launched runs for long, whatever failed.
"""

from datetime import datetime, timedelta

from ..actions import Action
from ..config import ReplicatorConfig
from ..drills import due, held_back, oldest
from ..instances import InstanceFacts
from ..records.replica import ReplicaRecord
from ..subjects import Drill
from .observations import Observed
from .plan import Planned

# Beyond the timeout, what a drill's own end may take (a termination refused once, a pass late).
STRAY_AFTER = timedelta(minutes=15)


def owns(record: ReplicaRecord | None, instance: InstanceFacts) -> bool:
    """Whether `record`'s drill under way is the one `instance` was launched for."""
    if record is None or not record.drill.busy:
        return False
    drill = record.drill
    if drill.instance_id is not None:
        return drill.instance_id == instance.id
    return instance.drill_attempt == str(drill.attempt)  # launched, its OCID not written down yet


def plan_drills(seen: Observed, config: ReplicatorConfig, now: datetime) -> list[Planned]:
    if not config.drills_possible:
        return []
    out: list[Planned] = []
    records = {i: found.record for i, found in seen.replica_records.items() if found.record is not None}
    busy = 0
    for source_id, record in sorted(records.items()):
        if record.drill.busy:
            busy += 1
            why = f"drill {record.drill.attempt} under way ({record.drill.state})"
            out.append(Planned("replica", source_id, Action.DRILL, why, Drill(source_id)))
    running = 0
    timeout = timedelta(minutes=config.drill_timeout_minutes) + STRAY_AFTER
    for instance in seen.drill_instances or []:
        source_id = instance.drill_of or ""
        if instance.ended:
            continue
        record = records.get(source_id)
        if owns(record, instance):
            running += 1
            continue
        age = now - instance.time_created if instance.time_created else timedelta(0)
        stray = None
        if record is not None and (record.lease is None or not record.lease.held_at(now)):
            stray = f"an instance of drill {instance.drill_attempt or '?'}, which is not the one under way"
        elif age > timeout:
            stray = f"a drill's instance {int(age.total_seconds() // 60)} min old, past its timeout"
        if stray is None:
            running += 1  # a launch whose record this pass did not read: it holds its place
            continue
        out.append(
            Planned("replica", source_id, Action.DRILL, stray, Drill(source_id, instance_id=instance.id, stray=stray))
        )
    if seen.drill_instances is None:
        return out  # the instances could not be listed: how many run is unknown, none is started
    room = config.drill_concurrency - max(running, busy)
    if room <= 0:
        return out
    candidates = list(seen.drills_due)
    for source_id, record in records.items():
        replica = seen.replicas.get(source_id)
        if (
            record.state != "finished"
            or record.drill.busy
            or replica is None
            or replica.id != record.import_.replica_image_id
            or replica.lifecycle_state != "AVAILABLE"
        ):
            continue
        tried = record.drill.last
        if tried is not None and held_back(tried.ended_at, tried.counted, now):
            continue  # its last drill was not launched: tried again later
        last = record.drill.last_counted()
        if due(config, replica.freeform_tags, last.ended_at if last else None, now):
            candidates.append((last.ended_at if last else None, source_id))
    for last, source_id in oldest(candidates, room):
        why = f"a drill is due (last {last:%Y-%m-%d %H:%M} UTC)" if last else "a drill is due (never drilled)"
        out.append(Planned("replica", source_id, Action.DRILL, why, Drill(source_id, start=True)))
    return out
