"""Which replica of a family is the latest in a region, and which versions retention deletes."""

from datetime import UTC, datetime, timedelta

from replicator.config import ReplicatorConfig
from replicator.families import Member, family_of, keep_of, plan_family
from replicator.images import ImageFacts

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def version(n: int, *, protected=True, ours=True, mark=False, age=10 * DAY) -> Member:
    """The n-th build of the family (newer builds have larger n), replicated `age` ago."""
    return Member(
        replica_id=f"replica-{n}",
        source_id=f"source-{n}",
        display_name=f"web-{n}",
        source_created=datetime(2026, 1, n),
        replica_created=NOW - age,
        protected=protected,
        ours=ours,
        latest_mark=mark,
    )


def names(members: list[Member]) -> list[str]:
    return [m.display_name for m in members]


def test_without_retention_every_version_stays_and_the_newest_protected_is_marked():
    plan = plan_family([version(1, mark=True), version(2), version(3, protected=False)], None, 24, NOW)
    assert (plan.latest and plan.latest.display_name, names(plan.mark), names(plan.unmark)) == (
        "web-2",
        ["web-2"],
        ["web-1"],
    )
    assert plan.delete == []


def test_keep_2_deletes_the_older_protected_versions_only():
    members = [version(n) for n in range(1, 6)] + [version(6, protected=False)]  # web-6 still importing
    plan = plan_family(members, 2, 24, NOW)
    assert names(plan.delete) == ["web-3", "web-2", "web-1"] and names(plan.kept) == ["web-5", "web-4"]


def test_replicas_the_replicator_did_not_make_or_too_young_are_spared():
    members = [version(1, ours=False, protected=False), version(2, age=timedelta(hours=3)), version(3), version(4)]
    plan = plan_family(members, 1, 24, NOW)
    assert names(plan.delete) == ["web-3"]
    assert plan.spared == {"replica-2": "younger than IR_MIN_AGE_HOURS (24 h)"}
    assert "replica-1" not in {m.replica_id for m in plan.delete + plan.kept}  # never counted, never deleted


def test_a_settled_family_needs_nothing():
    plan = plan_family([version(1), version(2, mark=True)], 2, 24, NOW)
    assert plan.empty


def test_the_family_and_its_retention_come_from_tags():
    config = ReplicatorConfig(keep_versions=3, family_defined_tag="Ops.family")
    image = ImageFacts(
        id="i",
        compartment_id="c",
        display_name="web",
        lifecycle_state="AVAILABLE",
        freeform_tags={"image-family": "freeform", "replicate-keep": "2"},
        defined_tags={"Ops": {"family": "defined"}},
    )
    assert family_of(image, config) == "defined"  # the defined tag, when configured, first
    assert keep_of(image, config) == (2, None)
    bad = image.model_copy(update={"freeform_tags": {"replicate-keep": "two"}})
    keep, why = keep_of(bad, config)
    assert keep is None and why is not None and "every version kept" in why
    assert keep_of(image, ReplicatorConfig(retention=False)) == (None, None)
