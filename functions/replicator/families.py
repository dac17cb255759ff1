"""Image families in a target region: which replica is the latest, which versions go.

A family is the set of source images carrying the same family tag (`image-family=web`), one
per build; their replicas carry it too. In each target region, among the family's protected
replicas (finished by this product and present), ordered by their source's creation time:

- the newest carries `image-family-latest=true`, and only it (the mark is added to the new
  latest before it is removed from the old one, so a reader never finds none);
- with a retention of N versions, protected replicas beyond the newest N are deleted, unless
  the product did not make them, they are younger than the minimum age, or they are the newest.

A pure function of what the region's listing and records show; the family step carries it out.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .config import ReplicatorConfig
from .images import ImageFacts
from .naming import KEEP_TAG, LATEST_TAG, SOURCE_CREATED_TAG

# How long a retired replica stays after its `retired` answer was sent, before it is deleted: the
# source stops reporting the version protected there when the answer arrives (its event, or the
# source's next hourly pass if the event is lost), so the deletion must not come first. Two
# hours cover a lost event and one failed pass. Only the custom-image limit deletes at once.
RETIRE_GRACE = timedelta(hours=2)


def family_of(image: ImageFacts, config: ReplicatorConfig) -> str | None:
    """The image's family: the defined tag when configured, else the freeform tag; None if untagged."""
    return family_of_tags(image.freeform_tags, image.defined_tags, config)


def family_of_tags(freeform: dict[str, str], defined: dict[str, dict], config: ReplicatorConfig) -> str | None:
    if config.family_defined is not None:
        namespace, key = config.family_defined
        value = defined.get(namespace, {}).get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    value = freeform.get(config.family_tag, "").strip()
    return value or None


def keep_of(image: ImageFacts, config: ReplicatorConfig) -> tuple[int | None, str | None]:
    """How many versions of the image's family to keep (None: all), and why a tag was not taken."""
    if not config.retention:
        return None, None
    raw = image.freeform_tags.get(KEEP_TAG)
    if raw is None:
        return config.keep_versions, None
    if raw.strip().isdigit() and 1 <= int(raw) <= 1000:
        return int(raw), None
    # A bad value never deletes anything: every version is kept and the reason shown.
    return None, f"{KEEP_TAG}={raw!r} is not a whole number from 1 to 1000: every version kept"


def _parsed(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=None)
    except ValueError:
        return None


@dataclass(frozen=True)
class Member:
    """A replica of one of the family's versions, as the region shows it."""

    replica_id: str
    source_id: str
    display_name: str
    source_created: datetime | None  # the version's order (its source's creation time)
    replica_created: datetime | None
    protected: bool  # finished by this product (its record names it) and AVAILABLE
    ours: bool  # a record of this region names it as the replica the product made
    latest_mark: bool

    @property
    def order(self) -> tuple:
        created = self.source_created or self.replica_created
        return (created.replace(tzinfo=None) if created else datetime.min, self.source_id)

    @classmethod
    def of(cls, image: ImageFacts, *, protected: bool, ours: bool) -> "Member":
        return cls(
            replica_id=image.id,
            source_id=image.replica_of or "",
            display_name=image.display_name,
            source_created=_parsed(image.freeform_tags.get(SOURCE_CREATED_TAG)),
            replica_created=image.time_created,
            protected=protected,
            ours=ours,
            latest_mark=image.freeform_tags.get(LATEST_TAG) == "true",
        )


def member(image: ImageFacts, known: tuple[str, str | None] | None) -> Member:
    """`known`: the state and replica its record (or settled mark) names, if any."""
    ours = known is not None and known[1] == image.id
    protected = ours and known is not None and known[0] == "finished" and image.lifecycle_state == "AVAILABLE"
    return Member.of(image, protected=protected, ours=ours)


@dataclass
class FamilyPlan:
    latest: Member | None = None
    mark: list[Member] = field(default_factory=list)  # to carry the latest mark (first)
    unmark: list[Member] = field(default_factory=list)  # to lose it (after)
    delete: list[Member] = field(default_factory=list)
    kept: list[Member] = field(default_factory=list)  # protected versions that stay
    spared: dict[str, str] = field(default_factory=dict)  # replica id -> why retention left it

    @property
    def empty(self) -> bool:
        return not (self.mark or self.unmark or self.delete)

    def describe(self) -> str:
        parts = []
        if self.mark:
            parts.append(f"mark {self.mark[0].display_name} latest")
        if self.unmark:
            parts.append(f"unmark {', '.join(m.display_name for m in self.unmark)}")
        if self.delete:
            parts.append(
                f"delete {', '.join(m.display_name for m in self.delete)} (beyond the newest {len(self.kept)})"
            )
        return "; ".join(parts) or "nothing to change"


def plan_family(members: list[Member], keep: int | None, min_age_hours: float, now: datetime) -> FamilyPlan:
    """The latest mark and the deletions a family's replicas in one region call for."""
    protected = sorted((m for m in members if m.protected), key=lambda m: m.order, reverse=True)
    plan = FamilyPlan()
    if not protected:
        return plan
    plan.latest = protected[0]
    if not plan.latest.latest_mark:
        plan.mark.append(plan.latest)
    plan.unmark = [m for m in members if m.latest_mark and m.replica_id != plan.latest.replica_id]
    if keep is None:
        plan.kept = protected
        return plan
    plan.kept = protected[:keep]
    naive_now = now.replace(tzinfo=None)
    for member in protected[keep:]:
        created = member.replica_created.replace(tzinfo=None) if member.replica_created else None
        if not member.ours:
            plan.spared[member.replica_id] = "not made by the replicator"
        elif created is None or naive_now - created < timedelta(hours=min_age_hours):
            plan.spared[member.replica_id] = f"younger than IR_MIN_AGE_HOURS ({min_age_hours:g} h)"
        else:
            plan.delete.append(member)
    plan.kept += [m for m in protected[keep:] if m.replica_id in plan.spared]
    return plan
