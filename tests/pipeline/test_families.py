"""Image families: every target region keeps the newest N versions of a family and marks the latest.

Five successive builds of one family, with deliveries in parallel and shuffled (three
containers per region), and again with every event lost (the passes alone). A replica the
replicator did not make, and one younger than the minimum age, are never deleted.
"""

from datetime import timedelta

import pytest

from replicator.families import RETIRE_GRACE
from replicator.naming import LATEST_TAG
from tests.helpers import (
    FRANKFURT,
    PHOENIX,
    SOURCE,
    compute,
    intermediate_objects,
    leftover_pars,
    record,
    replicas,
    target_states,
)
from tests.pipeline.test_adversarial import SEEDS, image, teardown, world  # noqa: F401  (teardown: a fixture)

TARGETS = (PHOENIX, FRANKFURT)
FAMILY = {"replicate-to": f"{PHOENIX},{FRANKFURT}", "image-family": "web", "replicate-keep": "2"}
NO_MIN_AGE = {"IR_MIN_AGE_HOURS": "0"}


def family_replicas(cloud, region: str, compartment: str) -> dict[str, dict]:
    """The family's live replicas in `region`: source display name -> its tags."""
    listed = compute(cloud, region).list_images(compartment).data
    return {
        i.display_name: i.freeform_tags
        for i in listed
        if i.lifecycle_state != "DELETED" and (i.freeform_tags or {}).get("image-family") == "web"
    }


def build(cloud, compartment, n: int):
    """The n-th build of the family, an hour after the previous one."""
    cloud.advance(3600)
    return image(cloud, compartment, f"web-{n}", tags=FAMILY)


def settle(cloud, sandbox, events: str) -> None:
    cloud.run_until_idle()
    if events == "lost":
        sandbox.converge(max_passes=12, parallel=3)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("events", ["delivered", "lost"])
def test_five_builds_with_keep_2_leave_the_two_newest_in_every_region_and_mark_the_newest(seed, events, teardown):  # noqa: F811
    cloud, compartment, sandbox, _ = world(seed, env=NO_MIN_AGE)
    teardown(cloud)
    if events == "lost":
        cloud.events.drop()
    sources = []
    for n in range(1, 6):
        sources.append(build(cloud, compartment, n))
        settle(cloud, sandbox, events)
    # The source hears of each retirement before the replica goes: the old versions are retired
    # there, not lost, and not reported protected; nothing is exposed.
    for old in sources[:3]:
        states = {r: record(cloud, sandbox, "source", old.id, SOURCE)["targets"][r]["state"] for r in TARGETS}
        assert states == {PHOENIX: "retired", FRANKFURT: "retired"}
    report = sandbox.reconcile(SOURCE)
    assert report.exposed == 0
    # The retired replicas are deleted once the grace is over.
    cloud.advance(RETIRE_GRACE.total_seconds())
    sandbox.converge(max_passes=12, parallel=3)
    for region in TARGETS:
        kept = family_replicas(cloud, region, compartment)
        assert sorted(kept) == ["web-4", "web-5"], region
        assert kept["web-5"].get(LATEST_TAG) == "true" and LATEST_TAG not in kept["web-4"]
    assert all(compute(cloud, SOURCE).get_image(s.id).data.lifecycle_state == "AVAILABLE" for s in sources)


@pytest.mark.parametrize("seed", SEEDS[:1])
def test_a_replica_the_replicator_did_not_make_and_a_young_one_are_never_deleted(seed, teardown):  # noqa: F811
    cloud, compartment, sandbox, _ = world(seed, env={"IR_MIN_AGE_HOURS": "48"})
    teardown(cloud)
    for n in range(1, 4):
        build(cloud, compartment, n)
        cloud.run_until_idle()
    # Someone's own image that claims to be a replica of the family, older than every version.
    forged = cloud.create_image(
        PHOENIX, compartment, "web-0", freeform_tags={"image-family": "web", "replica-of": "ocid1.image.oc1.iad.x"}
    )
    cloud.run_until_idle()
    sandbox.converge()
    # Every replica is younger than 48 h: none goes, though the family keeps 2.
    assert sorted(family_replicas(cloud, PHOENIX, compartment)) == ["web-0", "web-1", "web-2", "web-3"]
    cloud.advance(timedelta(hours=49).total_seconds())
    sandbox.converge()
    assert sorted(family_replicas(cloud, PHOENIX, compartment)) == ["web-0", "web-2", "web-3"]
    assert compute(cloud, PHOENIX).get_image(forged.id).data.lifecycle_state == "AVAILABLE"
    assert family_replicas(cloud, PHOENIX, compartment)["web-3"].get(LATEST_TAG) == "true"


@pytest.mark.parametrize("seed", SEEDS[:1])
def test_a_full_region_applies_retention_first_and_then_imports(seed, teardown):  # noqa: F811
    cloud, compartment, sandbox, _ = world(seed, env={"IR_MIN_AGE_HOURS": "48", "IR_IMAGE_LIMIT": "2"})
    teardown(cloud)
    cloud.compute(PHOENIX).custom_image_limit = 2  # OCI refuses a third
    tags = {**FAMILY, "replicate-to": PHOENIX, "replicate-keep": "1"}
    for n in (1, 2):
        cloud.advance(3600)
        image(cloud, compartment, f"web-{n}", tags=tags)
        cloud.run_until_idle()
    assert sorted(family_replicas(cloud, PHOENIX, compartment)) == ["web-1", "web-2"]  # web-1 too young to go
    cloud.advance(timedelta(hours=49).total_seconds())
    third = image(cloud, compartment, "web-3", tags=tags)
    cloud.run_until_idle()
    # The region held its limit of 2: retention removed web-1 at once so that web-3 could be
    # imported; once web-3 was protected, web-2 (keep 1, now old enough) was retired, and goes
    # when the grace is over.
    assert target_states(cloud, sandbox, third.id) == {PHOENIX: "done"}
    assert sorted(family_replicas(cloud, PHOENIX, compartment)) == ["web-2", "web-3"]
    cloud.advance(RETIRE_GRACE.total_seconds())
    sandbox.converge()
    assert sorted(family_replicas(cloud, PHOENIX, compartment)) == ["web-3"]


@pytest.mark.parametrize("where", ["the replicator's compartment", "a compartment it cannot see"])
def test_a_region_without_room_waits_for_it_by_name_and_imports_once_there_is(where, teardown):  # noqa: F811
    cloud, compartment, sandbox, _ = world(SEEDS[0])
    teardown(cloud)
    cloud.compute(PHOENIX).custom_image_limit = 1  # OCI's own limit, counted over every compartment
    theirs = cloud.create_compartment("someone-else") if where == "a compartment it cannot see" else compartment
    their_own = cloud.create_image(PHOENIX, theirs, "their-own")
    cloud.run_until_idle()
    source = image(cloud, compartment, "web", tags={"replicate-to": PHOENIX})
    cloud.run_until_idle()
    for _ in range(3):  # passes come and go: each tries once more
        sandbox.reconcile_everywhere()
        cloud.run_until_idle()
    # Nothing imported, nothing counted against the image: it waits, saying why, with what landed.
    assert replicas(cloud, PHOENIX, source.id, compartment) == []
    assert target_states(cloud, sandbox, source.id) == {PHOENIX: "landed"}
    error = record(cloud, sandbox, "replica", source.id, PHOENIX)["import"]["error"]
    assert "custom image limit reached" in error and "custom-image-count" in error
    assert leftover_pars(cloud, sandbox) == []
    # Room is made (here: their image deleted); the next pass imports, and nothing is left over.
    with cloud.lock:
        cloud.compute(PHOENIX).delete_image(their_own.id)
    cloud.run_until_idle()
    sandbox.converge()
    assert len(replicas(cloud, PHOENIX, source.id, compartment)) == 1
    assert target_states(cloud, sandbox, source.id) == {PHOENIX: "done"}
    assert leftover_pars(cloud, sandbox) == [] and intermediate_objects(cloud, sandbox) == []
