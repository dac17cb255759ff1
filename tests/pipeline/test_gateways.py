"""The SDK wrappers: their retries stay inside a function's time, their errors say what to do."""

import pytest

from replicator.config import ReplicatorConfig
from replicator.errors import NotFound, PreconditionFailed, TransientError
from replicator.gateways.clients import Clients
from replicator.gateways.compute import Compute
from replicator.gateways.objects import Objects
from tests.helpers import SOURCE


@pytest.fixture
def gateways(cloud, compartment):
    cloud.create_bucket(SOURCE, "b", compartment)
    config = ReplicatorConfig(sdk_max_attempts=1)
    clients = Clients(config, SOURCE, sdk_config=cloud.config(SOURCE))
    return Compute(clients), Objects(clients, lambda: cloud.namespace)


@pytest.mark.parametrize("operation", ["ListImageShapeCompatibilityEntries", "ListImages"])
def test_a_throttled_listing_is_not_retried_behind_the_configured_strategy(cloud, compartment, gateways, operation):
    compute, _ = gateways
    image = cloud.create_image(SOURCE, compartment, "web")
    cloud.run_until_idle()
    cloud.faults.fail_call(operation, 429)
    before = len(cloud.calls)
    with pytest.raises(TransientError):
        compute.list_shapes(image.id) if operation.startswith("ListImageShape") else compute.list_images(compartment)
    assert len(cloud.calls) - before == 1


def test_failures_in_a_row_do_not_stop_the_calls_that_follow(cloud, compartment, gateways):
    # The SDK's default circuit breaker, shared by every client of a process, would refuse every call
    # for 30 s after ten failures in a row (a region's outage, a burst of throttling): a pass that
    # met them could do nothing else. Each failure is the step's own; the next call is made.
    compute, objects = gateways
    image = cloud.create_image(SOURCE, compartment, "web")
    cloud.run_until_idle()
    cloud.faults.fail_call("HeadObject", 503, times=12)
    for _ in range(12):
        with pytest.raises(TransientError):
            objects.head("b", "missing")
    assert compute.get_image(image.id).id == image.id
    assert objects.head("b", "missing") is None


def test_a_call_the_sdk_refused_to_send_for_its_open_breaker_is_transient(monkeypatch):
    from circuitbreaker import CircuitBreaker, CircuitBreakerError

    from replicator.gateways.calls import call

    def refused():
        raise CircuitBreakerError(CircuitBreaker(name="auth"))

    with pytest.raises(TransientError, match="GetImage not sent: the SDK's circuit breaker is open"):
        call("GetImage", SOURCE, refused)


@pytest.mark.parametrize(("fault", "sent"), [(503, True), ("timeout", False)])
def test_a_notice_is_published_again_only_when_the_service_said_it_was_not(cloud, compartment, fault, sent):
    # PublishMessage has no retry token: after a timeout the message may be out, and a second one
    # could not be taken back. An error the service answered published nothing: that is retried.
    from replicator.gateways.notifications import Notifier

    topic = cloud.create_topic(SOURCE, "notices", compartment)
    clients = Clients(ReplicatorConfig(sdk_max_attempts=3), SOURCE, sdk_config=cloud.config(SOURCE))
    cloud.faults.fail_call("PublishMessage", fault)
    assert Notifier(clients, topic.id).publish("Image web replicated", {}) is sent
    assert [m.title for m in topic.messages] == ["Image web replicated"]


def test_listings_follow_every_page(cloud, compartment, gateways):
    _, objects = gateways
    backend = cloud.objectstorage(SOURCE)  # setting up 1205 objects through the SDK would take a second
    for n in range(1205):
        backend.put_object(cloud.namespace, "b", f"p/{n:05d}", b"{}", {}, emit_event=False)
    assert len(objects.list_objects("b", "p/")) == 1205
    cloud.compute(SOURCE).custom_image_limit = 200  # a tenancy whose limit was raised
    for n in range(130):
        cloud.create_image(SOURCE, compartment, f"img-{n}")
    assert len(gateways[0].list_images(compartment)) == 130


def test_a_listing_carries_creation_times_only_when_asked(gateways):
    # Each time is a date to parse; only the landing listing reads them (how long an object waited).
    _, objects = gateways
    objects.put("b", "p/one", b"{}")
    (plain,) = objects.list_objects("b", "p/")
    (timed,) = objects.iter_objects("b", "p/", times=True)
    assert (plain.name, plain.size, plain.time_created) == ("p/one", 2, None)
    assert timed.time_created is not None and timed.etag == plain.etag


def test_a_listing_read_without_the_sdks_models_says_what_a_read_of_each_image_says(cloud, compartment, gateways):
    # Listings skip the SDK's models (most of a large pass's CPU); what they give must not differ.
    compute, objects = gateways
    cloud.create_tag_namespace("ops", ["replicate-to"])
    made = cloud.create_image(
        SOURCE,
        compartment,
        "web",
        freeform_tags={"replicate-to": "us-phoenix-1", "team": "a"},
        defined_tags={"ops": {"replicate-to": "default"}},
    )
    cloud.create_image(SOURCE, compartment, "other")
    cloud.run_until_idle()
    listed = {i.id: i for i in compute.list_images(compartment)}
    assert listed[made.id] == compute.get_image(made.id)
    assert listed[made.id].time_created is not None and listed[made.id].time_created.tzinfo is not None
    assert len(listed) == 2
    objects.put("b", "p/one", b"{}")
    (timed,) = objects.iter_objects("b", "p/", times=True)
    assert timed.time_created is not None and timed.time_created.tzinfo is not None


def test_conditional_writes_and_missing_objects_are_told_apart(cloud, gateways):
    _, objects = gateways
    etag = objects.put("b", "r.json", b"1", if_none_match=True)
    with pytest.raises(PreconditionFailed):
        objects.put("b", "r.json", b"2", if_none_match=True)
    with pytest.raises(PreconditionFailed):
        objects.put("b", "r.json", b"2", if_match="not-" + etag)
    assert objects.get("b", "missing") is None and objects.head("b", "missing") is None
    with pytest.raises(NotFound):
        Compute(Clients(ReplicatorConfig(), SOURCE, sdk_config=cloud.config(SOURCE))).get_image(
            "ocid1.image.oc1.iad.aaaanothere"
        )


@pytest.mark.parametrize(("setting", "trusted"), [("true", True), ("false", False)])
def test_the_proxy_environment_is_read_only_when_configured(cloud, setting, trusted):
    config = ReplicatorConfig.from_env({"IR_HTTP_TRUST_ENV": setting})
    client = Clients(config, SOURCE, sdk_config=cloud.config(SOURCE)).objects()
    assert client.base_client.session.trust_env is trusted
