"""A thousand generated payloads through the real fdk path: no crash, and nothing changed for any of them."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ocifake import FakeCloud
from replicator.cloudevents import EVENT_KINDS
from replicator_tools.sandbox import deploy
from tests.helpers import REGIONS, ROOT, SOURCE, load_event, mutations

pytestmark = pytest.mark.contract
SAMPLES = sorted(p.stem for p in (ROOT / "events" / "samples").glob("*.json"))
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=40))
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
event_types = st.sampled_from([*sorted(EVENT_KINDS), "com.oraclecloud.computeapi.launchinstance.end", "", "x" * 300])


@st.composite
def mangled_samples(draw):
    """A real sample with one field removed, retyped, resized or renamed."""
    event = load_event(draw(st.sampled_from(SAMPLES)))
    section = draw(st.sampled_from(["top", "data", "details"]))
    target = event if section == "top" else event["data"] if section == "data" else event["data"]["additionalDetails"]
    if not target:
        target = event["data"]
    key = draw(st.sampled_from(sorted(target)))
    change = draw(st.sampled_from(["drop", "retype", "huge", "type"]))
    if change == "drop":
        del target[key]
    elif change == "retype":
        target[key] = draw(json_values)
    elif change == "huge":
        target[key] = "z" * draw(st.integers(1_000, 400_000))
    else:
        event["eventType"] = draw(event_types)
    return json.dumps(event).encode()


payloads = st.one_of(
    mangled_samples(),
    st.builds(lambda s, cut: json.dumps(load_event(s)).encode()[:cut], st.sampled_from(SAMPLES), st.integers(0, 400)),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=200),
)


def test_generated_payloads_never_crash_the_handler_and_change_nothing():
    with FakeCloud(regions=REGIONS) as cloud:
        compartment = cloud.create_compartment("images")
        fn = deploy(cloud, REGIONS, compartment, fdk=True, containers=1).functions[SOURCE]
        seen = {"count": 0}

        @settings(max_examples=1000, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        @given(payload=payloads)
        def check(payload):
            before = len(cloud.calls)
            reply = fn.invoke(payload)
            seen["count"] += 1
            assert reply.status == 200, reply.body[:300]
            assert reply.json()["result"] in ("rejected", "ignored", "errored", "skipped", "postponed")
            assert mutations(cloud, before) == []

        check()
        assert seen["count"] >= 1000
