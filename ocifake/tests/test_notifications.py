"""Notifications through the real SDK: topics and subscriptions as infra/'s monitoring.tf makes them."""

import oci
import pytest

from ocifake import FakeCloud
from ocifake.notifications.models import NotificationsBackend
from support import REGIONS, SOURCE

TARGET = REGIONS[1]


def _control(cloud, region=SOURCE, config=None):
    return oci.ons.NotificationControlPlaneClient(
        {**(config or cloud.config(region)), "region": region}, retry_strategy=oci.retry.NoneRetryStrategy()
    )


def _data(cloud, region=SOURCE, config=None):
    return oci.ons.NotificationDataPlaneClient(
        {**(config or cloud.config(region)), "region": region}, retry_strategy=oci.retry.NoneRetryStrategy()
    )


def test_a_topic_is_made_active_read_listed_updated_and_deleted(cloud, compartment):
    control = _control(cloud)
    topic = control.create_topic(
        oci.ons.models.CreateTopicDetails(name="image-replicator-us-ashburn-1", compartment_id=compartment)
    ).data
    assert topic.lifecycle_state == "ACTIVE" and topic.api_endpoint.startswith("https://notification.")
    assert [t.topic_id for t in control.list_topics(compartment).data] == [topic.topic_id]
    control.update_topic(topic.topic_id, oci.ons.models.TopicAttributesDetails(description="alarms"))
    assert control.get_topic(topic.topic_id).data.description == "alarms"
    control.delete_topic(topic.topic_id)
    with pytest.raises(oci.exceptions.ServiceError) as gone:
        control.get_topic(topic.topic_id)
    assert gone.value.status == 404


def test_a_topic_name_is_unique_across_the_tenancy_and_a_bad_one_is_refused(cloud, compartment):
    details = oci.ons.models.CreateTopicDetails(name="alerts", compartment_id=compartment)
    _control(cloud).create_topic(details)
    with pytest.raises(oci.exceptions.ServiceError) as taken:
        _control(cloud, TARGET).create_topic(details)  # another region of the same tenancy
    assert taken.value.status == 409
    _control(cloud, TARGET).create_topic(oci.ons.models.CreateTopicDetails(name="Alerts", compartment_id=compartment))
    with pytest.raises(oci.exceptions.ServiceError) as bad:
        _control(cloud).create_topic(oci.ons.models.CreateTopicDetails(name="no spaces", compartment_id=compartment))
    assert bad.value.status == 400


def test_an_email_subscription_waits_for_its_confirmation_and_goes_with_its_topic(cloud, compartment):
    topic = (
        _control(cloud).create_topic(oci.ons.models.CreateTopicDetails(name="notices", compartment_id=compartment)).data
    )
    data = _data(cloud)
    made = data.create_subscription(
        oci.ons.models.CreateSubscriptionDetails(
            topic_id=topic.topic_id, compartment_id=compartment, protocol="EMAIL", endpoint="ops@example.com"
        )
    ).data
    assert made.lifecycle_state == "PENDING"
    cloud.require_region(SOURCE).backend(NotificationsBackend).confirm(made.id)
    assert data.get_subscription(made.id).data.lifecycle_state == "ACTIVE"
    assert [s.id for s in data.list_subscriptions(compartment, topic_id=topic.topic_id).data] == [made.id]
    with pytest.raises(oci.exceptions.ServiceError) as bad:
        data.create_subscription(
            oci.ons.models.CreateSubscriptionDetails(
                topic_id=topic.topic_id, compartment_id=compartment, protocol="EMAIL", endpoint="not-an-address"
            )
        )
    assert bad.value.status == 400
    _control(cloud).delete_topic(topic.topic_id)
    assert data.list_subscriptions(compartment).data == []


def test_using_a_topic_lets_one_subscribe_but_not_make_topics():
    with FakeCloud(regions=REGIONS) as cloud:
        compartment = cloud.create_compartment("alerts")
        topic = cloud.create_topic(SOURCE, "alerts", compartment)
        grant = f"Allow group subscribers to use ons-topics in compartment id {compartment}"
        cloud.create_policy("subscribers", [grant])
        user = cloud.create_user("sue", ["subscribers"])
        _data(cloud, config=user).create_subscription(
            oci.ons.models.CreateSubscriptionDetails(
                topic_id=topic.id, compartment_id=compartment, protocol="HTTPS", endpoint="https://hooks.example.com/x"
            )
        )
        with pytest.raises(oci.exceptions.ServiceError) as refused:
            _control(cloud, config=user).create_topic(
                oci.ons.models.CreateTopicDetails(name="mine", compartment_id=compartment)
            )
        assert refused.value.status == 404
