"""DR drills: each finished replica is launched in its region, its console read, and nothing left running.

The replicator runs in three regions with three containers each, IAM enforced from
policies.json and the Events rules from events/rules/. A good replica is reported booted;
one that never runs, or runs without the expected line on its console, is reported failed;
a launch the region refuses for capacity is retried and not blamed on the image; and an
instance whose drill was lost is terminated by the pass.
"""

import functools
import re
import sys
from datetime import timedelta

import oci
import pytest

from ocifake.instances.models import InstancesBackend
from replicator.api import requiring_drill
from replicator.drills import RETRY_AFTER
from replicator_tools import cli
from replicator_tools.cli import main
from replicator_tools.cli.auth import AuthOptions, Operator
from replicator_tools.cli.views import summary_lines
from replicator_tools.inventory import protections
from replicator_tools.sandbox import deploy, drill_places
from tests.helpers import FRANKFURT, PHOENIX, REGIONS, SOURCE, objects, record, replicas, target_states

SHAPE = "VM.Standard.E4.Flex"
SHAPES = {SHAPE: {"ocpuConstraints": {"min": 1, "max": 8}, "memoryConstraints": {"minInGBs": 1, "maxInGBs": 64}}}
NO_RETRY = oci.retry.NoneRetryStrategy()


def drill_network(cloud, compartment: str, regions=REGIONS) -> dict[str, dict[str, str]]:
    return drill_places(cloud, compartment, list(regions))


@pytest.fixture
def drills(cloud, compartment, tag_namespace):
    """The replicator with weekly drills that expect a login prompt."""
    place = cloud.create_compartment("drills")
    env = {
        "IR_DEFAULT_REGIONS": f"{PHOENIX},{FRANKFURT}",
        "IR_DRILL_EVERY_DAYS": "7",
        "IR_DRILL_COMPARTMENT_ID": place,
        "IR_DRILL_EXPECT": "login:",
    }
    sandbox = deploy(cloud, REGIONS, compartment, env, per_region=drill_network(cloud, place))
    sandbox.drill_compartment = place
    return sandbox


def _replicated(cloud, sandbox, compartment, name="web", **kwargs):
    image = cloud.create_image(
        SOURCE, compartment, name, freeform_tags={"replicate-to": f"{PHOENIX},{FRANKFURT}"}, shapes=SHAPES, **kwargs
    )
    cloud.run_until_idle()  # replicated by the events alone; the drills start at the next pass
    return image


def _drill_for(cloud, sandbox, minutes: int = 60) -> None:
    """The next `minutes`: the hourly passes start drills, the drill tick (every 5 min) and the
    instances' events move them on."""
    cloud.advance(minutes * 60)


def _history(cloud, sandbox, source_id: str, region: str) -> list[dict]:
    found = record(cloud, sandbox, "replica", source_id, region)
    assert found is not None
    return found["drill"]["history"]


def _left_running(cloud, place: str) -> list[str]:
    running = []
    for region in REGIONS:
        listed = oci.core.ComputeClient(cloud.config(region), retry_strategy=NO_RETRY).list_instances(place).data
        running += [i.id for i in listed if i.lifecycle_state not in ("TERMINATED", "TERMINATING")]
    return running


def _kept_boot_volumes(cloud) -> list[str]:
    return [v for region in REGIONS for v in cloud.require_region(region).backend(InstancesBackend).kept_boot_volumes]


def test_a_good_replica_is_launched_reported_booted_and_terminated_with_its_boot_volume(cloud, compartment, drills):
    source = _replicated(cloud, drills, compartment)
    _drill_for(cloud, drills)
    for region in (PHOENIX, FRANKFURT):
        (replica,) = replicas(cloud, region, source.id, compartment)
        (run,) = _history(cloud, drills, source.id, region)
        assert (run["outcome"], run["shape"]) == ("booted", SHAPE), run
        assert "login:" in run["reason"]
        launched = cloud.require_region(region).backend(InstancesBackend).instances[run["instance_id"]]
        assert launched.image_id == replica.id and launched.compartment_id == drills.drill_compartment
    assert _left_running(cloud, drills.drill_compartment) == []
    assert _kept_boot_volumes(cloud) == []
    assert drills.firing(PHOENIX, "drill-failed") == []


def test_a_replica_is_drilled_again_only_once_its_period_has_passed(cloud, compartment, drills):
    source = _replicated(cloud, drills, compartment)
    _drill_for(cloud, drills)
    cloud.advance(timedelta(days=3).total_seconds())
    _drill_for(cloud, drills)
    assert len(_history(cloud, drills, source.id, PHOENIX)) == 1
    cloud.advance(timedelta(days=4).total_seconds())
    _drill_for(cloud, drills)
    assert [r["outcome"] for r in _history(cloud, drills, source.id, PHOENIX)] == ["booted", "booted"]


@pytest.mark.parametrize(
    ("boot", "outcome", "reason"),
    [
        ("never-running", "failed-to-run", "without running"),
        ("silent", "no-expected-output", "Kernel panic"),
    ],
)
def test_a_replica_that_does_not_boot_is_reported_failed_and_terminated(
    cloud, compartment, drills, boot, outcome, reason
):
    source = _replicated(cloud, drills, compartment, boot=boot)
    _drill_for(cloud, drills, minutes=drills.config.drill_timeout_minutes + 30)
    for region in (PHOENIX, FRANKFURT):
        (run,) = _history(cloud, drills, source.id, region)
        assert run["outcome"] == outcome and reason in run["reason"]
        assert [f["targetRegion"] for f in drills.firing(region, "drill-failed")] == [region]
    assert _left_running(cloud, drills.drill_compartment) == []


def test_a_launch_refused_for_capacity_is_not_blamed_on_the_image_and_is_tried_again(cloud, compartment, drills):
    phoenix = cloud.require_region(PHOENIX).backend(InstancesBackend)
    phoenix.out_of_capacity.add(SHAPE)
    source = _replicated(cloud, drills, compartment)
    _drill_for(cloud, drills, minutes=15)
    (refused,) = _history(cloud, drills, source.id, PHOENIX)
    assert (refused["outcome"], refused["counted"]) == ("not-launched", False)
    assert "Out of host capacity" in refused["reason"]
    phoenix.out_of_capacity.clear()
    _drill_for(cloud, drills, minutes=2 * 60)  # tried again later, not at every pass
    assert len(_history(cloud, drills, source.id, PHOENIX)) == 1
    _drill_for(cloud, drills, minutes=int(RETRY_AFTER.total_seconds() // 60))
    assert _history(cloud, drills, source.id, PHOENIX)[-1]["outcome"] == "booted"


def test_no_instance_outlives_its_drill_when_every_event_is_lost(cloud, compartment, drills):
    source = _replicated(cloud, drills, compartment)
    cloud.events.drop()  # from here on, every event is lost: the passes alone move drills on
    _drill_for(cloud, drills, minutes=drills.config.drill_timeout_minutes + 30)
    assert [r["outcome"] for r in _history(cloud, drills, source.id, PHOENIX)] == ["booted"]
    assert _left_running(cloud, drills.drill_compartment) == []


def test_an_instance_whose_drill_was_lost_is_terminated_by_the_pass(cloud, compartment, drills):
    source = _replicated(cloud, drills, compartment)
    _drill_for(cloud, drills, minutes=5)  # the drill is launched
    name = f"{drills.config.object_prefix}records/replica/{source.id}.json"
    objects(cloud, PHOENIX).delete_object(cloud.namespace, drills.config.staging_bucket, name)
    _drill_for(cloud, drills, minutes=drills.config.drill_timeout_minutes + 30)
    assert _left_running(cloud, drills.drill_compartment) == []


def test_a_replica_deleted_during_its_drill_ends_the_drill_and_its_instance(cloud, compartment, drills):
    source = _replicated(cloud, drills, compartment)
    phoenix = cloud.require_region(PHOENIX).backend(InstancesBackend)
    for _ in range(24):  # until the pass has launched Phoenix's drill
        cloud.advance(5 * 60)
        if phoenix.instances:
            break
    (replica,) = replicas(cloud, PHOENIX, source.id, compartment)
    oci.core.ComputeClient(cloud.config(PHOENIX), retry_strategy=NO_RETRY).delete_image(replica.id)
    _drill_for(cloud, drills, minutes=drills.config.drill_timeout_minutes + 30)
    assert _left_running(cloud, drills.drill_compartment) == []
    ended = [r for r in _history(cloud, drills, source.id, PHOENIX) if r["instance_id"] in phoenix.instances]
    assert ended and ended[0]["counted"] is False


def _summary(cloud, sandbox, compartment, *, require_drill: bool = False) -> list[str]:
    """What `image-replicator status --summary [--require-drill]` prints in the source region."""
    operator = Operator(
        AuthOptions(fake=cloud.config(SOURCE), fake_env=sandbox.region_env[SOURCE], clock=cloud.clock.now)
    )
    runtime = operator.runtime()
    found = protections(runtime, [compartment], runtime_for=operator.runtime)
    now = cloud.clock.now()
    if require_drill:
        found = [requiring_drill(p, now) for p in found]
    return [re.sub(r"\[/?[a-z ]+\]", "", line) for line in summary_lines(found, now, 4 * 3600)]


def test_the_source_region_s_status_says_which_replicas_booted_and_which_failed_their_drill(cloud, compartment, drills):
    good = _replicated(cloud, drills, compartment, name="web")
    _replicated(cloud, drills, compartment, name="appliance", boot="silent")
    _drill_for(cloud, drills, minutes=drills.config.drill_timeout_minutes + 120)
    lines = {line.split()[1]: line for line in _summary(cloud, drills, compartment)}
    assert lines["web"].startswith("PROTECTED") and f"{PHOENIX} (booted " in lines["web"]
    assert lines["appliance"].startswith("PROTECTED")
    assert f"{PHOENIX} (failed its drill (no-expected-output) " in lines["appliance"]
    assert "Kernel panic" in lines["appliance"]  # the reason, from the body of the answer that carried it
    required = {line.split()[1]: line for line in _summary(cloud, drills, compartment, require_drill=True)}
    assert required["web"].startswith("PROTECTED")
    assert required["appliance"].startswith("LAGGING") and "no passed DR drill" in required["appliance"]
    # The answer that carried the drill is the replica's done answer again: nothing else changed.
    assert target_states(cloud, drills, good.id) == {PHOENIX: "done", FRANKFURT: "done"}


def test_an_operator_starts_a_drill_now_and_the_tick_ends_it(cloud, compartment, tmp_path, capsys, monkeypatch):
    place = cloud.create_compartment("drills")
    on_demand = {"IR_DEFAULT_REGIONS": PHOENIX, "IR_DRILL_COMPARTMENT_ID": place}  # no drill is ever due
    drills = deploy(cloud, REGIONS, compartment, on_demand, per_region=drill_network(cloud, place))
    source = _replicated(cloud, drills, compartment)
    config = tmp_path / "config"
    config.write_text("[DEFAULT]\n" + "".join(f"{k}={v}\n" for k, v in cloud.config(PHOENIX).items()))
    for key, value in drills.region_env[PHOENIX].items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(sys, "argv", ["image-replicator", "--config-file", str(config), "drill", "web"])
    # The operator's time is the cloud's (simulated here): what the drill's timeout counts from.
    monkeypatch.setattr(cli, "AuthOptions", functools.partial(AuthOptions, clock=cloud.clock.now))
    with pytest.raises(SystemExit) as done:
        main()
    captured = capsys.readouterr()
    out = captured.out
    assert done.value.code in (0, None), captured.err
    assert out.startswith(f"{PHOENIX}: drill 1: instance ") and "launched on VM.Standard.E4.Flex" in out
    cloud.advance(20 * 60)  # the event marks it running, the ticks read its console and end it
    (run,) = _history(cloud, drills, source.id, PHOENIX)
    assert run["outcome"] == "booted", run


def test_a_throttled_launch_is_asked_again_with_its_token_and_not_blamed_on_anything(cloud, compartment, drills):
    cloud.faults.fail_call("LaunchInstance", 429, times=1, region=PHOENIX)
    source = _replicated(cloud, drills, compartment)
    _drill_for(cloud, drills, minutes=3 * 60)
    runs = _history(cloud, drills, source.id, PHOENIX)
    assert [r["outcome"] for r in runs] == ["booted"]
    assert len(cloud.require_region(PHOENIX).backend(InstancesBackend).instances) == 1  # one instance, not two
