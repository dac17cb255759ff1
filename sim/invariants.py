"""What must hold at every quiescent point, judged from what an operator sees and what the cloud holds.

The protection report is read with the operator tools' own code (`inventory.protections`, which
`image-replicator status --summary` prints and whose `protection` the pass turns into gauges);
images and objects are read from the cloud. Nothing here reads the replicator's records.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from ocifake.core.clock import parse_time
from ocifake.instances.models import InstancesBackend
from ocifake.scheduler.models import SchedulerBackend
from replicator.health import PassHealth
from replicator.naming import BOOKKEEPING
from replicator.protection import COVERED, ImageProtection
from replicator.reconcile.plan_drills import STRAY_AFTER
from replicator.telemetry.catalog import Dimension, Metric
from replicator_tools.inventory import pass_health, plan, protections
from replicator_tools.policies import statements_for
from replicator_tools.sandbox import DRILL_BODY

from .world import OPT_IN_DEFINED, World

LIVE = ("PROVISIONING", "IMPORTING", "AVAILABLE", "EXPORTING")
# The ticks a drill instance may outlive its end by: a call failed up to 6 times in a row (FailCall), and one more.
TICKS_ALLOWED = 7


@dataclass(frozen=True)
class Violation:
    # truth | visibility | duplicates | misdirection | notices | convergence | leftovers | transfer | crash
    invariant: str
    detail: str

    def __str__(self) -> str:
        return f"{self.invariant}: {self.detail}"


def replicas(world: World, source_id: str) -> dict[str, list]:
    """Per place (a region, or `dr:<region>` of the DR tenancy), the live images that carry
    `replica-of = source_id`."""
    found: dict[str, list] = {place: [] for place in (*world.spec.regions, *world.spec.places)}
    with world.cloud.lock:
        for region in world.spec.regions:
            for i in world.cloud.compute(region).images.values():
                if i.freeform_tags.get("replica-of") == source_id and i.lifecycle_state in LIVE:
                    found.setdefault(world.place_of(i), []).append(i)
    return found


def _operator_view(world: World) -> dict[str, ImageProtection]:
    runtime = world.operator.runtime()
    return {p.source_image_id: p for p in protections(runtime, [world.compartment], runtime_for=world.operator.runtime)}


def check(world: World) -> list[Violation]:
    """The invariants that hold at any quiescent point, faults or not."""
    out: list[Violation] = []
    view = _operator_view(world)
    for key, image in world.ledger.images.items():
        found = replicas(world, image.id)
        for region, images in found.items():
            if len(images) > 1:
                out.append(Violation("duplicates", f"{key} has {len(images)} replicas in {region}"))
            if images and region not in world.ledger.requested.get(image.id, set()):
                out.append(Violation("misdirection", f"{key} has a replica in {region}, which it never targeted"))
        live = image.lifecycle_state in LIVE
        opted_in = "replicate-to" in image.freeform_tags or OPT_IN_DEFINED[1] in image.defined_tags.get(
            OPT_IN_DEFINED[0], {}
        )
        if live and opted_in and image.id not in view:
            out.append(Violation("visibility", f"{key} ({image.lifecycle_state}) is missing from status --summary"))
        shown = view.get(image.id)
        if shown is None or not judged(world):
            continue  # truth is judged once every region's pass has seen the last change
        for target in shown.targets:
            held = any(i.lifecycle_state == "AVAILABLE" for i in found[target.region])
            if target.state == "protected" and not held and not out_of_sight(world, image.id, target.region):
                out.append(
                    Violation("truth", f"{key} is reported protected in {target.region}, which holds no replica")
                )
    out += understated_exposure(world)
    out += disks_landed(world)
    out += unseen_refusals(world)
    out += lingering_drills(world)
    counts = Counter((m.title, m.body) for topic in world.sandbox.topics.values() for m in topic.messages)
    out += [Violation("notices", f"sent {n} times: {title}") for (title, _), n in counts.items() if n > 1]
    return out


def judged(world: World) -> bool:
    """Whether every region's passes have seen the last change a pass must first see (a deletion, a
    retag): two passes (one in the region that sees it, one where its answer goes), and in a world
    whose passes read few records, as many more as reading a backlog of one record per image takes,
    since a pass reads its records from where the last one stopped."""
    backlog = -(-len(world.ledger.images) // world.spec.max_reads) if world.spec.max_reads else 0
    return world.ledger.checked_after >= 2 + backlog


def wanted_now(world: World, image) -> set[str]:
    """The places the image's opt-in tag names now (the deployment's default set for "default")."""
    said = image.freeform_tags.get("replicate-to") or image.defined_tags.get(OPT_IN_DEFINED[0], {}).get(
        OPT_IN_DEFINED[1], ""
    )
    return set(world.spec.default_regions) if said == "default" else {t for t in said.split(",") if t}


def understated_exposure(world: World) -> list[Violation]:
    """After a pass, the source region's `exposed_images` gauge counts at least the opted-in images that
    the cloud shows without a replica in a place they ask for and that the protection report, as the
    source region alone can make it, does not call covered. The gauge is what an alarm reads: below
    that, it claims protection the source's own records and answers do not show. (What only other
    regions' pass reports tell, a target that cannot sign or see, status adds; those regions' own
    alarms tell it too.) The pass measured at its start, and since then replicas only arrived."""
    start = world.ledger.gauges_from
    if start is None or not judged(world):
        return []
    posted: dict[str, dict[str, float]] = {}
    points = world.cloud.metrics(world.spec.source, name=Metric.EXPOSED_IMAGES)[start:]
    for p in points:
        if p.dimensions.get(Dimension.SOURCE_REGION) == world.spec.source:
            where = posted.setdefault(p.dimensions.get(Dimension.TARGET_REGION, ""), {})
            where[p.dimensions.get(Dimension.COMPARTMENT_ID, "")] = p.value  # the last pass's
    if not posted:
        return []  # no gauge went out (the container died, a listing failed): nothing is claimed
    runtime = world.operator.runtime()
    local = {p.source_image_id: p for p in protections(runtime, [world.compartment])}
    unprotected: Counter[str] = Counter()
    for image in world.ledger.images.values():
        shown = local.get(image.id)
        if image.lifecycle_state not in LIVE or shown is None:
            continue
        found = replicas(world, image.id)
        for target in shown.targets:
            if target.region not in wanted_now(world, image) or target.state in COVERED:
                continue
            if any(i.lifecycle_state == "AVAILABLE" for i in found.get(target.region, [])):
                continue
            if not out_of_sight(world, image.id, target.region):
                unprotected[target.region] += 1
    return [
        Violation(
            "truth",
            f"the last pass's exposed_images for {region} says {sum(posted.get(region, {}).values()):g}; "
            f"{n} opted-in image(s) have no replica there, and the source's own report says so",
        )
        for region, n in sorted(unprotected.items())
        if sum(posted.get(region, {}).values()) < n
    ]


def disks_landed(world: World) -> list[Violation]:
    """In a world of direct transfers no disk lands anywhere: what lands under an image's name is a ticket."""
    if world.spec.transfer != "direct":
        return []
    images = world.sandbox.config.object_prefix + "images/"
    return [
        Violation("transfer", f"{name} landed as a disk of {gb} GB, though images travel by direct transfer")
        for name, (_data, gb, _md5) in world.ledger.tapped.items()
        if name.startswith(images) and gb
    ]


def lingering_drills(world: World) -> list[Violation]:
    """No instance a drill launched runs on once it is past the drill's timeout and the sweep's grace:
    the drill ticks that fire after that end it, whatever failed (a container that died after the
    launch, events lost, a record lost), allowing for as many termination failures in a row as a
    script's fault injects. Judged by the ticks that ran: time the fake moves without firing
    schedules (settling after an action) is not a tick's, nor is a tick while its region was out of
    service (every call it made failed). Read from the cloud, which bills for what runs."""
    if not world.spec.drills:
        return []
    limit = timedelta(minutes=world.sandbox.config.drill_timeout_minutes) + STRAY_AFTER
    out = []
    with world.cloud.lock:
        for region in world.spec.regions:
            ticks = [
                run.at
                for schedule in world.cloud.require_region(region).backend(SchedulerBackend).schedules.values()
                for run in schedule.runs
                if run.invocation is not None
                and json.loads(run.body or b"{}") == DRILL_BODY
                and not any(out == region and start <= run.at < end for out, start, end in world.ledger.outages)
            ]
            for instance in world.cloud.require_region(region).backend(InstancesBackend).instances.values():
                if instance.lifecycle_state in ("TERMINATING", "TERMINATED"):
                    continue
                late = sum(1 for at in ticks if at > instance.time_created + limit)
                if late > TICKS_ALLOWED:
                    state = instance.lifecycle_state
                    detail = (
                        f"drill instance {instance.display_name} in {region} {state} after {late} ticks past its end"
                    )
                    out.append(Violation("leftovers", detail))
    return out


def out_of_sight(world: World, source_id: str, place: str) -> bool:
    """The one loss the product does not see, by design (README, "The simulator"): a replica deleted
    while its region held no record of it (removed by hand, and no pass adopted the replica since), or
    whose record was removed by hand after the deletion before any pass there saw it gone, with the
    deletion's event lost. Nothing the region's functions read names the replica any more, no
    function looks across regions, and the source keeps the answer it was given."""
    deleted_at = world.ledger.untraced.get((source_id, place))
    if deleted_at is None:
        return False
    region = place.rpartition(":")[2]
    return any(
        d.outcome == "dropped"
        and d.event_type.endswith("deleteimage")
        and d.region == region
        and parse_time(d.time) >= deleted_at
        for d in world.cloud.events.deliveries
    )


def unseen_refusals(world: World) -> list[Violation]:
    """After a pass during which IAM refused the functions a call, an operator can read it: the
    region's pass report in `status --summary` (a refused call that a removed statement grants), an
    image's reason there, or the `calls-refused` alarm firing (or about to: its metric posted) for a
    refused operation."""
    if not world.ledger.denied:
        return []
    found = pass_health(world.operator.runtime, sorted(world.ledger.denied))
    reasons = " ".join(" ".join([p.reason, *(t.reason for t in p.targets)]) for p in _operator_view(world).values())
    out = []
    for region, operations in sorted(world.ledger.denied.items()):
        health = found.get(region)
        named = {r.operation for r in health.refusals} if isinstance(health, PassHealth) else set()
        if {g for op in named for g in statements_for(op)} & world.ledger.withheld or named & operations:
            continue
        if any(op in reasons for op in operations):
            continue
        if {f.get("operation") for f in world.sandbox.firing(region, "calls-refused")} & operations:
            continue
        # Posted as it happened: the alarm reads it and fires once its pending minute is over.
        counted = {p.dimensions.get("operation") for p in world.cloud.metrics(region, name="refused_calls")}
        if counted & operations:
            continue
        # A region that may write neither its report nor a metric says so on its topic, naming the calls.
        topic = world.sandbox.topics.get(region)
        told = " ".join(m.body for m in topic.messages if m.time >= world.ledger.acted_at) if topic else ""
        if any(op in told for op in operations):
            continue
        # Nothing else went out: the pass answered an error, which Functions counts (the function-errors
        # alarm); its invoke log names the calls refused.
        if _answered_error(world, region):
            continue
        withheld = ", ".join(sorted(world.ledger.withheld)) or "none"
        detail = f"{region}: IAM refused {', '.join(sorted(operations))} (statements removed: {withheld})"
        out.append(Violation("visibility", f"{detail}; nothing status --summary shows names it"))
    return out


def _answered_error(world: World, region: str) -> bool:
    fn = world.sandbox.functions.get(region)
    if fn is None:
        return False
    # That its log line names the calls is a test of its own (runs keep no logs).
    counted = world.cloud.metrics(region, namespace="oci_faas", name="FunctionResponseCount", resourceId=fn.id)
    return any(p.dimensions.get("responseType") == "Error" and p.timestamp >= world.ledger.acted_at for p in counted)


def check_converged(world: World) -> list[Violation]:
    """Once faults stop and passes ran: every opted-in image protected everywhere it asks, nothing left over."""
    out = check(world)
    view = _operator_view(world)
    keys = {image.id: key for key, image in world.ledger.images.items()}
    # Which images should replicate where: the operator's `plan` (the function's own decision).
    for image, decision in plan(world.operator.runtime(), [world.compartment]):
        key = keys.get(image.id)
        if key is None or image.lifecycle_state != "AVAILABLE" or not decision.replicate:
            continue
        shown = view.get(image.id)
        found = replicas(world, image.id)
        for region in decision.targets:
            state = next((t.state for t in shown.targets if t.region == region), None) if shown else None
            if state not in COVERED:
                out.append(Violation("convergence", f"{key} is {state or 'not shown'} in {region} after the passes"))
            elif state == "protected" and not found[region]:
                if not out_of_sight(world, image.id, region):
                    out.append(Violation("truth", f"{key} is reported protected in {region}, which holds no replica"))
            elif state == "protected":
                out += [
                    Violation("truth", f"{key} is reported protected in {region}, {d}")
                    for d in stale(world.ledger.images[key], found[region])
                ]
    out += [Violation("leftovers", name) for name in leftovers(world)]
    return out


def stale(source, replicas: list) -> list[str]:
    """How the replicas differ from the newest version of their source: the tags a user sets, the shapes."""
    out = []
    for replica in replicas:
        if replica.freeform_tags.get("team") != source.freeform_tags.get("team"):
            out.append(
                f"whose replica has team={replica.freeform_tags.get('team')}, not {source.freeform_tags.get('team')}"
            )
        if set(replica.shapes) != set(source.shapes):
            out.append(f"whose replica's shapes are {sorted(replica.shapes)}, not {sorted(source.shapes)}")
    return out


def leftovers(world: World) -> list[str]:
    """Exports, manifests and landed objects, and pre-authenticated requests, still there."""
    config = world.sandbox.config
    found = []
    with world.cloud.lock:
        for deployment in world.deployments():
            where = "" if deployment is world.sandbox else "dr:"
            for region in deployment.regions:
                store = world.cloud.objectstorage(region)
                for bucket_name in (config.staging_bucket, config.landing_bucket):
                    bucket = store.bucket(deployment.namespace, bucket_name)
                    for name in bucket.objects:
                        kept = bucket_name == config.staging_bucket and name.startswith(
                            tuple(config.object_prefix + p for p in BOOKKEEPING)
                        )
                        if not kept:
                            found.append(f"{where}{region}/{bucket_name}/{name}")
                    found += [f"{where}{region}/{bucket_name}/PAR {p.name}" for p in bucket.pars.values()]
    return found
