"""Bad input gets a clear reason, a clean answer, and changes nothing."""

import json

import pytest

from replicator.handler import make_handler
from tests.helpers import SOURCE, load_event, mutations


def _invoke(cloud, replicator, payload: bytes):
    before = len(cloud.calls)
    reply = replicator.functions[SOURCE].invoke(payload)
    return reply, mutations(cloud, before), cloud.calls[before:]


def _event(name, **changes):
    event = load_event(name)
    for dotted, value in changes.items():
        target = event
        *path, last = dotted.split(".")
        for key in path:
            target = target[key]
        if value is ...:
            del target[last]
        else:
            target[last] = value
    return json.dumps(event).encode()


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b"{not json", "payload is not JSON"),
        (b"", "empty payload"),
        (b"[1, 2]", "JSON list, not an object"),
        (b"[" * 200_000, "nested too deeply"),
        (b'{"a":' * 40_000 + b"1" + b"}" * 40_000, "nested too deeply"),
        (_event("image-created", eventType="com.oraclecloud.computeapi.terminateinstance.end"), "is not handled"),
        (_event("image-created", eventID=...), "eventID"),
        (_event("image-created", cloudEventsVersion="1.0"), "CloudEvents 0.1"),
        (_event("image-created", data=...), "data"),
        (_event("image-created", **{"data.resourceId": "ocid1.instance.oc1.iad.abc"}), "not an image OCID"),
        (_event("image-created", **{"data.resourceId": "ocid1.image.oc1.iad.x/../../instances"}), "not an image OCID"),
        (_event("object-landed", **{"data.additionalDetails": {}}), "additionalDetails"),
        (_event("image-created", **{"data.freeFormTags": "not-a-dict"}), "freeFormTags"),
        (json.dumps({"action": "reconcile", "at": "2099-01-01T00:00:00Z"}).encode(), "not a reconcile request"),
    ],
)
def test_malformed_events_are_rejected_with_a_reason_and_no_call(cloud, replicator, payload, reason):
    reply, _changed, calls = _invoke(cloud, replicator, payload)
    assert reply.status == 200
    assert reply.json()["result"] == "rejected"
    assert reason in reply.json()["reason"]
    assert calls == []
    assert any(reason in r.get("reason", "") for r in replicator.logs())


def test_an_event_for_an_image_that_no_longer_exists_is_ignored(cloud, replicator):
    reply, changed, _ = _invoke(cloud, replicator, _event("image-created"))
    assert (reply.status, reply.json()["result"], reply.json()["reason"]) == (200, "ignored", "image no longer exists")
    assert changed == []


def test_an_object_outside_our_buckets_is_ignored(cloud, replicator):
    reply, changed, _ = _invoke(
        cloud, replicator, _event("object-landed", **{"data.additionalDetails.bucketName": "someone-elses"})
    )
    assert reply.json()["result"] == "ignored"
    assert changed == []


def test_an_answer_for_a_replication_this_region_never_started_is_ignored(cloud, replicator):
    reply, changed, _ = _invoke(cloud, replicator, _event("answer-arrived"))
    assert reply.json()["result"] == "ignored"
    assert changed == []


def test_an_oversized_payload_is_rejected(cloud, replicator):
    reply, changed, _ = _invoke(cloud, replicator, _event("image-created", **{"data.resourceName": "x" * 300_000}))
    assert reply.json()["result"] == "rejected"
    assert changed == []


def test_a_misconfigured_function_says_which_setting_is_wrong(cloud, compartment):
    fn = cloud.deploy_handler(SOURCE, make_handler, config={"IR_DEFAULT_REGIONS": "mars-north-1"})
    reply = fn.invoke(_event("image-created"))
    assert reply.status == 200
    assert reply.json()["result"] == "errored"
    assert "IR_DEFAULT_REGIONS" in reply.json()["reason"]
    assert cloud.calls == []
