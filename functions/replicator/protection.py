"""Is each opted-in image protected in each of its target regions, and if not, since when?

A target region protects an image when it holds a finished replica of the image's current
version (the newest manifest the source issued). Anything else is a gap, open since the
image was created, since the region was asked for, or since the version changed, whichever
is latest. A gap whose replication was given up on is `failed`; an operator must act.

A pure function of the image, the decision, the source region's record and the answers not
yet applied to it: the reconcile pass turns it into metrics, the operator's report into
lines, and both therefore agree.

The pass posts the region's exposure as gauges (`exposure_points`), per target region and
compartment: how many opted-in images lack a current, finished replica there, how long the
oldest such gap has been open, and how many were given up on. Every pair with an opted-in
image reports, zeros included, so that an alarm sees the gap close rather than the data stop.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict

from .decision import Decision
from .images import ImageFacts
from .naming import AckName, drill_ended, drill_outcome
from .records.source import SILENT_AFTER, SourceRecord, TargetPart
from .telemetry.catalog import Dimension, Metric
from .telemetry.points import Point, point
from .tenancies import key_setting, place

# "superseded": retention deleted this version's replica there, a newer version of its family being
# kept; the family's latest version is what the region protects, so this is no gap.
TargetState = Literal["protected", "lagging", "given_up", "superseded"]
ImageState = Literal["protected", "lagging", "given_up", "refused", "superseded"]
COVERED = ("protected", "superseded")  # no gap open
_WORST: tuple[ImageState, ...] = ("refused", "given_up", "lagging", "protected")


class TargetProtection(BaseModel):
    model_config = ConfigDict(defer_build=True, frozen=True)

    region: str
    state: TargetState
    since: datetime | None = None  # when the gap opened; None when protected
    reason: str = ""
    answered_at: datetime | None = None  # protected: when the source recorded the region's answer
    drill: str = ""  # protected: the replica's last DR drill, as its answer says (naming.drill_token)
    drill_reason: str = ""  # a failed drill's reason, as the answer's body (the target's record) gives it

    def exposure_seconds(self, now: datetime) -> float:
        return 0.0 if self.since is None else max(0.0, (now - self.since).total_seconds())

    @property
    def booted(self) -> bool:
        return drill_outcome(self.drill) == "booted"

    def drilled(self, now: datetime) -> str:
        """The last drill in words: "booted 3d ago", "failed its drill (no-expected-output) 2h ago", or ""."""
        outcome = drill_outcome(self.drill)
        if outcome is None:
            return ""
        ago = _ago(now - datetime.fromtimestamp(drill_ended(self.drill), UTC))
        if outcome == "booted":
            return f"booted {ago} ago"
        return f"failed its drill ({outcome}) {ago} ago" + (f": {self.drill_reason}" if self.drill_reason else "")


def _ago(delta: timedelta) -> str:
    hours = max(0, int(delta.total_seconds() // 3600))
    return f"{hours // 24}d" if hours >= 48 else f"{hours}h"


class ImageProtection(BaseModel):
    model_config = ConfigDict(defer_build=True, frozen=True)

    source_image_id: str
    display_name: str
    source_region: str
    compartment_id: str | None
    state: ImageState
    reason: str = ""
    since: datetime | None = None  # the oldest open gap (or, when refused, the image's creation)
    targets: tuple[TargetProtection, ...] = ()

    def exposure_seconds(self, now: datetime) -> float:
        return 0.0 if self.since is None else max(0.0, (now - self.since).total_seconds())


def _from_ms(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


# A target whose answers this region cannot verify cannot be taken as protected, whatever it said before.
DOUBTED = (
    "its answers do not verify with IR_SIGNING_SECRET_ID here: a forgery, or that region's signing key differs "
    "(rotated on one side only?)"
)


def silence(region: str) -> str:
    """Why a target may stay silent once its copy landed, naming the key both sides must share."""
    hours = int(SILENT_AFTER.total_seconds() // 3600)
    return (
        f"no answer {hours} h after its copy landed: if it refuses the manifest's signature, "
        f"compare {key_setting(region)}"
    )


def _target(
    region: str,
    part: TargetPart | None,
    record: SourceRecord | None,
    answers: list[AckName],
    created: datetime,
    now: datetime,
    doubted: bool = False,
) -> TargetProtection:
    current = record.manifest_issued if record is not None else 0
    mine = [a for a in answers if a.target == region and a.issued >= current and (record is None or record.takes(a))]
    newest = max(mine, key=lambda a: a.rank) if mine else None
    if (newest is not None and newest.outcome == "retired") or (part is not None and part.state == "retired"):
        return TargetProtection(region=region, state="superseded", reason="a newer version of its family is kept")
    # A replica reported deleted protects nothing, whatever answered done before it.
    unapplied_loss = newest is not None and newest.outcome == "lost"
    if not unapplied_loss and (
        (newest is not None and newest.outcome == "done")
        or (part is not None and part.state == "done" and part.applied_issued >= current)
    ):
        answered = part.answered_at if part is not None and part.state == "done" else None
        if answered is None:
            # An answer not yet recorded (or a record rebuilt without its time): it is no older than
            # the manifest it answers, so a region that never reported is doubted from then on.
            issued = newest.issued if newest is not None and newest.outcome == "done" else 0
            issued = issued or (part.applied_issued if part is not None else 0)
            answered = _from_ms(issued) if issued else None
        if doubted:
            return TargetProtection(region=region, state="lagging", since=answered or created, reason=DOUBTED)
        said = newest if newest is not None and newest.outcome == "done" else None
        drill = max((said.drill if said else ""), (part.drill if part is not None else ""), key=drill_ended)
        return TargetProtection(region=region, state="protected", answered_at=answered, drill=drill)
    since = created
    if part is not None and part.requested_at is not None:
        since = max(since, part.requested_at)
    if part is not None and part.state == "done" and current:
        since = max(since, _from_ms(current))  # a replica of an older version
    if unapplied_loss:
        since = max(since, part.lost_at or now) if part is not None else now  # not yet recorded: from now
    if part is not None and part.state == "lost":
        return TargetProtection(region=region, state="given_up", since=since, reason=part.error or "replica deleted")
    export = record.export if record is not None else None
    if part is not None and part.state == "failed" and part.gave_up:
        return TargetProtection(region=region, state="given_up", since=since, reason=part.error or "given up")
    if export is not None and export.state == "failed" and export.permanent:
        return TargetProtection(region=region, state="given_up", since=since, reason=f"export: {export.error}")
    if any(a.outcome == "failed" for a in mine) and not any(a.outcome == "done" for a in mine):
        return TargetProtection(region=region, state="given_up", since=since, reason="the target region gave up")
    # Still tried: the last attempt's error, if one failed (a refused call, a secret unreadable).
    why = (export.error if export is not None and export.state == "failed" else None) or (
        part.error if part is not None and part.state in ("failed", "pending") else None
    )
    if not why and part is not None and part.state == "landed" and part.copy_ended_at is not None:
        # The source sends it all again at each pass from now on; an operator should look at keys.
        why = silence(region) if now - part.copy_ended_at > SILENT_AFTER else None
    return TargetProtection(region=region, state="lagging", since=since, reason=why or (DOUBTED if doubted else ""))


def requiring_drill(image: ImageProtection, now: datetime) -> ImageProtection:
    """The image as a report that requires a passed DR drill sees it: a protected region whose replica
    has not booted in its last drill is a gap (open since its answer)."""
    targets = tuple(
        t.model_copy(
            update={
                "state": "lagging",
                "since": t.answered_at or now,
                "reason": f"no passed DR drill ({t.drilled(now) or 'never drilled'})",
            }
        )
        if t.state == "protected" and not t.booted
        else t
        for t in image.targets
    )
    if targets == image.targets:
        return image
    gaps = [t.since for t in targets if t.since is not None and t.state not in COVERED]
    state = image_state(targets) if image.state != "refused" else image.state
    return image.model_copy(update={"targets": targets, "state": state, "since": min(gaps, default=image.since)})


def image_state(targets) -> ImageState:
    """An image's state from its targets': superseded only if every one is; else the worst of them."""
    states = {t.state for t in targets}
    if states == {"superseded"}:
        return "superseded"
    return next(s for s in _WORST if s in states or s == "protected")


def protection(
    image: ImageFacts,
    source_region: str,
    decision: Decision,
    record: SourceRecord | None,
    answers: list[AckName],
    now: datetime,
    doubted: frozenset[str] | set[str] = frozenset(),
) -> ImageProtection | None:
    """The image's protection in each target it asks for; None if it does not ask or does not exist yet."""
    if not decision.opted_in or image.replica_of:
        return None
    created = image.time_created or now
    common = {
        "source_image_id": image.id,
        "display_name": image.display_name,
        "source_region": source_region,
        "compartment_id": image.compartment_id,
    }
    if decision.pending:
        # Being created or exported (hours for a large image): no target holds this version yet.
        targets = tuple(
            _target(
                region, record.targets.get(region) if record else None, record, answers, created, now, region in doubted
            )
            for region in decision.pending
        )
        worst = next(s for s in _WORST if s in {t.state for t in targets} or s == "protected")
        gaps = [t.since for t in targets if t.since is not None]
        return ImageProtection(
            **common, state=worst, reason=decision.reason, since=min(gaps) if gaps else None, targets=targets
        )
    if image.lifecycle_state != "AVAILABLE":
        return None
    if not decision.replicate:
        return ImageProtection(**common, state="refused", reason=decision.reason, since=created)
    targets = tuple(
        _target(
            region, record.targets.get(region) if record else None, record, answers, created, now, region in doubted
        )
        for region in decision.targets
    )
    state = image_state(targets)
    gaps = [t.since for t in targets if t.since is not None]
    reason = next((f"{t.region}: {t.reason}" for t in targets if t.state == "given_up"), "")
    return ImageProtection(**common, state=state, reason=reason, since=min(gaps) if gaps else None, targets=targets)


def _retargeted(image: ImageProtection, changed: list[TargetProtection]) -> ImageProtection:
    """`image` with its targets as `changed`, its state and exposure following them."""
    if changed == list(image.targets):
        return image
    gaps = [t.since for t in changed if t.since is not None]
    update = {"targets": tuple(changed), "state": image_state(changed), "since": min(gaps) if gaps else None}
    return image.model_copy(update=update)


def unconfirmed(
    image: ImageProtection, silent: dict[str, datetime | None], now: datetime, grace: timedelta
) -> ImageProtection:
    """`image` as far as the regions still report: a region whose passes stopped reporting (since
    `silent[region]`, or None: it never reported, though its answer is older than `grace`)
    cannot have said that it lost its replica, so it is not claimed protected."""

    def why(region: str, when: str) -> str:
        return f"no reconcile pass has reported in {region} {when}: its replica cannot be confirmed"

    return _doubted_by_silence(image, silent, now, grace, lambda t: t.region if t.region in silent else None, why)


def unrelayed(
    image: ImageProtection, silent: dict[str, datetime | None], now: datetime, grace: timedelta
) -> ImageProtection:
    """`image` as far as its source region still takes in answers from other tenancies. A region of
    another tenancy is heard only through the answers it copies into the source region's landing
    bucket, which the source region's functions check and record; while the source region's passes
    have stopped reporting (since `silent[source]`, or never, though the answer is older than `grace`),
    a loss answered there may lie unread, so such a region is not claimed protected."""
    source = image.source_region

    def hears(t: TargetProtection) -> str | None:
        return source if source in silent and place(t.region).alias is not None else None

    def why(region: str, when: str) -> str:
        return (
            f"its answers are taken in by {region}, where no reconcile pass has reported {when}: "
            "a loss there would not be heard"
        )

    return _doubted_by_silence(image, silent, now, grace, hears, why)


def _doubted_by_silence(
    image: ImageProtection,
    silent: dict[str, datetime | None],
    now: datetime,
    grace: timedelta,
    hears: Callable[[TargetProtection], str | None],
    why: Callable[[str, str], str],
) -> ImageProtection:
    """A protected target whose loss would be heard by a region that has stopped reporting (`hears`:
    the region, or None when none of the silent ones), since `silent[region]`, or ever though the
    answer is older than `grace`, is lagging, with `why(region, since when)` as its reason."""

    def judged(t: TargetProtection) -> TargetProtection:
        region = hears(t) if t.state == "protected" else None
        if region is None:
            return t
        last = silent[region]
        if last is None and (t.answered_at is None or now - t.answered_at <= grace):
            return t
        when = f"since {last:%Y-%m-%d %H:%M} UTC" if last is not None else "ever"
        return TargetProtection(region=t.region, state="lagging", since=last or t.answered_at, reason=why(region, when))

    return _retargeted(image, [judged(t) for t in image.targets])


def unheard(image: ImageProtection, mute: dict[str, str]) -> ImageProtection:
    """`image` as far as its regions can still answer: a region whose last pass could not read its
    signing key (`mute[region]`, why) could not have answered that it lost its replica, so it is not
    claimed protected."""
    why = {r: f"{r} cannot sign its answers ({m}): a loss there would not be heard" for r, m in mute.items()}
    return _not_claimed(image, why)


def unseen(image: ImageProtection, blind: dict[str, str]) -> ImageProtection:
    """`image` as far as its regions can still look: a region whose last pass could not list or read
    its images (`blind[region]`, why) could not have seen its replica go, so it is not claimed
    protected."""
    why = {r: f"{r} cannot see its images ({b}): a loss there would not be seen" for r, b in blind.items()}
    return _not_claimed(image, why)


def _not_claimed(image: ImageProtection, why: dict[str, str]) -> ImageProtection:
    def lagging(t: TargetProtection) -> TargetProtection:
        return TargetProtection(region=t.region, state="lagging", since=t.answered_at, reason=why[t.region])

    changed = [lagging(t) if t.state == "protected" and t.region in why else t for t in image.targets]
    return _retargeted(image, changed)


def exposure_points(
    source_region: str,
    protections: list[ImageProtection],
    now: datetime,
    covered: Iterable[tuple[str, str]] = (),
    waiting: Mapping[tuple[str, str], tuple[int, float]] | None = None,
) -> list[Point]:
    """The pass's gauges, plus the one point that says the pass ran.

    `covered`: the (target region, compartment) pairs of replications known protected without
    their protection being built (settled): their gauges say 0 unless another image's says more.
    `waiting`: per pair, the opted-in images not started that the pass left for the next ones
    (past its budget), and how long the oldest has been exposed: counted, not held."""
    exposed: dict[tuple[str, str], int] = defaultdict(int)
    failed: dict[tuple[str, str], int] = defaultdict(int)
    oldest: dict[tuple[str, str], float] = defaultdict(float)
    for key in covered:
        oldest[key] = max(oldest[key], 0.0)
    for image in protections:
        for target in image.targets:
            key = (target.region, image.compartment_id or "")
            oldest[key] = max(oldest[key], target.exposure_seconds(now))
            exposed[key] += target.state not in COVERED
            failed[key] += target.state == "given_up"
    for key, (count, waited) in (waiting or {}).items():
        exposed[key] += count
        oldest[key] = max(oldest[key], waited)
    out = [point(Metric.RECONCILE_PASSES, 1, now, {Dimension.SOURCE_REGION: source_region})]
    for region, compartment in sorted(oldest):
        dims = {
            Dimension.SOURCE_REGION: source_region,
            Dimension.TARGET_REGION: region,
            Dimension.COMPARTMENT_ID: compartment,
        }
        key = (region, compartment)
        out.append(point(Metric.EXPOSED_IMAGES, exposed[key], now, dims))
        out.append(point(Metric.OLDEST_EXPOSURE_SECONDS, oldest[key], now, dims))
        out.append(point(Metric.FAILED_IMAGES, failed[key], now, dims))
    return out
