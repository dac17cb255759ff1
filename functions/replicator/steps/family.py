"""Target region: a family's replicas in one compartment get their latest mark, and retention runs.

Reached when a replica of the family finishes, and from the pass when the region's listing
shows the mark misplaced or more versions than the family keeps. The listing says who is in
the family; each member's record says whether this product finished it (only those count as
protected, carry the mark, or are ever deleted). The mark goes on the new latest before it
leaves the old one; deletions are `retire` steps, each on its own record.
"""

from .. import logs
from ..actions import Action
from ..engine import Step, StepContext, StepResult, execute
from ..errors import ReplicatorError
from ..families import Member, family_of, family_of_tags, keep_of, member, plan_family
from ..images import ImageFacts
from ..manifest import ReplicationManifest
from ..naming import LATEST_TAG
from ..runtime import Runtime
from ..subjects import FamilyCheck, RetireReplica
from . import retire


def members(runtime: Runtime, check: FamilyCheck) -> tuple[list[Member], dict[str, ImageFacts]]:
    """The family's replicas in the compartment, each with what its record says of it."""
    config = runtime.config
    listed = {
        i.id: i
        for i in runtime.compute.list_images(check.compartment_id)
        if i.replica_of and i.lifecycle_state != "DELETED" and family_of(i, config) == check.family
    }
    found = []
    for image in listed.values():
        record = runtime.records.read("replica", image.replica_of or "").record
        known = (record.state, record.import_.replica_image_id) if record is not None else None
        found.append(member(image, known))
    return found, listed


def run(ctx: StepContext, subject: FamilyCheck) -> StepResult:
    runtime, config, compute = ctx.runtime, ctx.config, ctx.runtime.compute
    found, images = members(runtime, subject)
    newest = max((m for m in found if m.protected), key=lambda m: m.order, default=None)
    keep, why = keep_of(images[newest.replica_id], config) if newest else (config.keep_versions, None)
    plan = plan_family(found, keep, config.min_age_hours, ctx.now)
    # The new latest is marked before any other loses the mark: a reader never finds none.
    for m in plan.mark:
        image = images[m.replica_id]
        compute.update_tags(m.replica_id, {**image.freeform_tags, LATEST_TAG: "true"}, image.defined_tags)
    for m in plan.unmark:
        image = images[m.replica_id]
        kept = {k: v for k, v in image.freeform_tags.items() if k != LATEST_TAG}
        compute.update_tags(m.replica_id, kept, image.defined_tags)
    deleted = []
    latest = plan.latest.display_name if plan.latest else "none"
    for m in plan.delete:
        reason = f"family {subject.family} keeps {keep} version(s); {latest} is the latest"
        outcome = execute(
            retire.STEP,
            runtime,
            RetireReplica(m.source_id, m.replica_id, reason, subject.at_once),
            now=ctx.now,
        )
        if outcome.result == "completed":
            deleted.append(m.display_name)
    spared = f"; spared: {len(plan.spared)}" if plan.spared else ""
    note = f"; {why}" if why else ""
    return StepResult("completed", f"family {subject.family}: {plan.describe()}{spared}{note}")


def follow(ctx: StepContext, manifest: ReplicationManifest, replica: ImageFacts) -> None:
    """After a replica of a family finished: its family's mark and retention, in the same invocation.

    A failure here leaves the replica finished; the pass sees the family and tries again."""
    family = family_of_tags(manifest.freeform_tags, manifest.defined_tags, ctx.config)
    if family is not None and replica.compartment_id is not None:
        follow_family(ctx, family, replica.compartment_id, manifest.source_image_id)


def follow_family(ctx: StepContext, family: str, compartment_id: str, source_id: str, *, at_once: bool = False) -> None:
    """The family step, from inside another step; its failure is logged and left to the pass."""
    check = FamilyCheck(family, compartment_id, source_id, at_once)
    try:
        execute(STEP, ctx.runtime, check, now=ctx.now)
    except ReplicatorError as exc:
        logs.warning("family step failed; the next pass tries again", family=family, reason=exc.reason)


STEP = Step("family", "replica", run, action=Action.FAMILY)
