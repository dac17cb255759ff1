"""Events rules, envelopes and deliveries in ocifake."""

import oci
import pytest

from ocifake.events import conditions
from support import PHOENIX, SOURCE


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({}, True),
        ({"eventType": "com.oraclecloud.objectstorage.createobject"}, True),
        ({"eventType": ["x", "com.oraclecloud.objectstorage.createobject"]}, True),
        ({"eventType": "com.oraclecloud.objectstorage.*"}, True),
        ({"eventType": "com.oraclecloud.computeapi.*"}, False),
        ({"data": {"resourceName": "exports/*.oci"}}, True),
        ({"data": {"resourceName": ["other/*"]}}, False),
        ({"data": {"additionalDetails": {"bucketName": ["landing"]}}}, True),
        ({"data": {"additionalDetails": {"bucketName": "staging"}}}, False),
        ({"data": {"missingField": "*"}}, False),
        ({"data": {"freeFormTags": {"replicate-to": "*"}}}, True),
        ({"eventType": "com.oraclecloud.objectstorage.createobject", "data": {"resourceName": "nope"}}, False),
    ],
)
def test_conditions_follow_oci_filter_semantics(condition, expected):
    event = {
        "eventType": "com.oraclecloud.objectstorage.createobject",
        "data": {
            "resourceName": "exports/a.oci",
            "freeFormTags": {"replicate-to": "us-phoenix-1"},
            "additionalDetails": {"bucketName": "landing"},
        },
    }
    assert conditions.matches(condition, event) is expected


def test_image_events_carry_the_cloudevents_envelope(cloud, compartment):
    received = []
    cloud.events.create_rule(SOURCE, {"eventType": "com.oraclecloud.computeapi.createimage.end"}, received.append)
    image = cloud.create_image(SOURCE, compartment, "web", freeform_tags={"replicate-to": "default"})
    cloud.run_until_idle()
    (event,) = received
    assert event["cloudEventsVersion"] == "0.1"
    assert event["extensions"]["compartmentId"] == compartment
    assert event["data"]["resourceId"] == image.id
    assert event["data"]["resourceName"] == "web"
    assert event["data"]["freeFormTags"] == {"replicate-to": "default"}
    assert event["eventID"] and event["eventTime"].endswith("Z")


def test_rules_are_regional_and_scoped_to_their_compartment_tree(cloud, compartment):
    child = cloud.create_compartment("child", parent=compartment)
    other = cloud.create_compartment("other")
    here, elsewhere, scoped = [], [], []
    cloud.events.create_rule(SOURCE, {}, here.append)
    cloud.events.create_rule(PHOENIX, {}, elsewhere.append)
    cloud.events.create_rule(SOURCE, {}, scoped.append, compartment_id=compartment)
    cloud.create_image(SOURCE, child, "in-child")
    cloud.create_image(SOURCE, other, "in-other")
    cloud.run_until_idle()
    assert len(here) == 4 and elsewhere == []
    assert {e["data"]["resourceName"] for e in scoped} == {"in-child"}


def test_object_events_fire_only_on_buckets_that_enable_them(cloud, compartment, sdk):
    received = []
    cloud.events.create_rule(SOURCE, {"eventType": "com.oraclecloud.objectstorage.*"}, received.append)
    cloud.create_bucket(SOURCE, "loud", compartment, object_events=True)
    cloud.create_bucket(SOURCE, "quiet", compartment, object_events=False)
    objects = sdk.objects()
    objects.put_object(cloud.namespace, "loud", "a", b"1")
    objects.put_object(cloud.namespace, "loud", "a", b"2")
    objects.delete_object(cloud.namespace, "loud", "a")
    objects.put_object(cloud.namespace, "quiet", "a", b"1")
    cloud.run_until_idle()
    assert [e["eventType"].rsplit(".", 1)[1] for e in received] == ["createobject", "updateobject", "deleteobject"]
    details = received[0]["data"]["additionalDetails"]
    assert (details["bucketName"], details["namespace"]) == ("loud", cloud.namespace)
    assert details["eTag"] and received[0]["data"]["resourceName"] == "a"


def test_cross_region_copy_emits_createobject_in_the_destination_region(cloud, compartment, sdk):
    landed = []
    cloud.create_bucket(SOURCE, "staging", compartment, object_events=False)
    cloud.create_bucket(PHOENIX, "landing", compartment)
    cloud.events.create_rule(
        PHOENIX,
        {
            "eventType": "com.oraclecloud.objectstorage.createobject",
            "data": {"additionalDetails": {"bucketName": "landing"}},
        },
        landed.append,
    )
    sdk.objects().put_object(cloud.namespace, "staging", "img.oci", b"disk")
    sdk.objects().copy_object(
        cloud.namespace,
        "staging",
        oci.object_storage.models.CopyObjectDetails(
            source_object_name="img.oci",
            destination_region=PHOENIX,
            destination_namespace=cloud.namespace,
            destination_bucket="landing",
            destination_object_name="img.oci",
        ),
    )
    cloud.run_until_idle()
    assert [e["data"]["resourceName"] for e in landed] == ["img.oci"]


def test_copy_events_can_be_switched_off_for_the_unconfirmed_case(compartment):
    from ocifake import FakeCloud, Options

    with FakeCloud(
        regions=[SOURCE, PHOENIX], options=Options(copy_emits_object_event=False, iam_enforced=False)
    ) as quiet:
        comp = quiet.create_compartment("c")
        landed = []
        quiet.create_bucket(SOURCE, "staging", comp)
        quiet.create_bucket(PHOENIX, "landing", comp)
        quiet.events.create_rule(PHOENIX, {}, landed.append)
        client = oci.object_storage.ObjectStorageClient(quiet.config(SOURCE))
        client.put_object(quiet.namespace, "staging", "img.oci", b"disk")
        client.copy_object(
            quiet.namespace,
            "staging",
            oci.object_storage.models.CopyObjectDetails(
                source_object_name="img.oci",
                destination_region=PHOENIX,
                destination_namespace=quiet.namespace,
                destination_bucket="landing",
                destination_object_name="img.oci",
            ),
        )
        quiet.run_until_idle()
        assert landed == []
        assert "img.oci" in quiet.objectstorage(PHOENIX).buckets["landing"].objects


def test_deliveries_can_be_dropped_duplicated_and_delayed(cloud, compartment):
    received = []
    cloud.events.create_rule(
        SOURCE,
        {"eventType": "com.oraclecloud.computeapi.createimage.*"},
        lambda e: received.append((cloud.clock.seconds, e["eventType"])),
    )
    cloud.events.drop("*.begin")
    cloud.events.duplicate(3, "*.end")
    cloud.events.delay(600, "*.end")
    cloud.create_image(SOURCE, compartment, "web", size_gb=10)
    cloud.run_until_idle()
    assert [t for _, t in received] == ["com.oraclecloud.computeapi.createimage.end"] * 3
    assert received[0][0] >= 60 + 600
    assert [d.outcome for d in cloud.events.deliveries].count("dropped") == 1


def test_shuffled_deliveries_can_overtake_each_other(cloud, compartment):
    received = []
    cloud.events.create_rule(
        SOURCE,
        {"eventType": "com.oraclecloud.computeapi.createimage.begin"},
        lambda e: received.append(e["data"]["resourceName"]),
    )
    cloud.events.shuffle(3600, seed=3)
    for n in range(8):
        cloud.create_image(SOURCE, compartment, f"img-{n}")
    cloud.run_until_idle()
    assert sorted(received) == [f"img-{n}" for n in range(8)]
    assert received != sorted(received)


def test_a_failing_subscriber_is_recorded_as_a_failed_delivery(cloud, compartment):
    def broken(event):
        raise RuntimeError("boom")

    cloud.events.create_rule(SOURCE, {}, broken)
    cloud.create_image(SOURCE, compartment, "web")
    cloud.run_until_idle()
    assert {d.outcome for d in cloud.events.deliveries} == {"failed"}
    assert "boom" in cloud.events.deliveries[0].detail


def test_a_delivered_invocation_takes_its_duration_and_a_cold_container_its_start(cloud, compartment):
    seen: list[float] = []

    def factory():
        def handler(ctx, data=None):
            seen.append(cloud.clock.seconds)
            return "{}"

        return handler

    fn = cloud.deploy_handler(SOURCE, factory, instances=2)
    cloud.events.create_rule(SOURCE, {"eventType": "com.oraclecloud.computeapi.createimage.end"}, fn)
    durations, delay = cloud.durations, cloud.events.delivery_delay

    def deliver() -> float:
        start = cloud.clock.seconds
        cloud.events.emit(
            SOURCE,
            "com.oraclecloud.computeapi.createimage.end",
            compartment_id=compartment,
            resource_id="ocid1.image.oc1.iad.aaaa",
            resource_name="web",
        )
        cloud.run_until_idle()
        return seen[-1] - start

    assert deliver() == delay + durations.cold_start + durations.invocation  # the first container starts cold
    assert deliver() == delay + durations.invocation  # then it is warm
