"""Monitoring's alarms through the real SDK, as infra/'s monitoring.tf makes them: validated, read back,
updated, deleted, and evaluated on the posted metrics."""

import oci
import pytest

from ocifake.monitoring.models import MonitoringBackend
from support import SOURCE


@pytest.fixture
def setup(cloud, compartment):
    topic = cloud.create_topic(SOURCE, "alarms", compartment)
    client = oci.monitoring.MonitoringClient(cloud.config(SOURCE), retry_strategy=oci.retry.NoneRetryStrategy())
    return client, topic, compartment


def _details(compartment, topic, **changes):
    fields = {
        "display_name": "image-replicator-calls-refused-us-ashburn-1",
        "compartment_id": compartment,
        "metric_compartment_id": compartment,
        "namespace": "image_replicator",
        "query": "refused_calls[2h].groupBy(operation).sum() > 0",
        "severity": "ERROR",
        "destinations": [topic.id],
        "is_enabled": True,
        "body": "A call was refused",
        "pending_duration": "PT1M",
        "repeat_notification_duration": "PT4H",
        "message_format": "ONS_OPTIMIZED",
        "is_notifications_per_metric_dimension_enabled": True,
    }
    return oci.monitoring.models.CreateAlarmDetails(**{**fields, **changes})


def test_an_alarm_is_made_as_terraform_asks_read_back_updated_and_deleted(setup):
    client, topic, compartment = setup
    alarm = client.create_alarm(_details(compartment, topic)).data
    read = client.get_alarm(alarm.id).data
    assert (read.lifecycle_state, read.severity, read.pending_duration, read.destinations) == (
        "ACTIVE",
        "ERROR",
        "PT1M",
        [topic.id],
    )
    assert read.repeat_notification_duration == "PT4H" and read.is_notifications_per_metric_dimension_enabled
    client.update_alarm(alarm.id, oci.monitoring.models.UpdateAlarmDetails(severity="CRITICAL"))
    assert client.get_alarm(alarm.id).data.severity == "CRITICAL"
    assert [a.id for a in client.list_alarms(compartment).data] == [alarm.id]
    client.delete_alarm(alarm.id)
    assert client.get_alarm(alarm.id).data.lifecycle_state == "DELETED"
    assert client.list_alarms(compartment).data == []


@pytest.mark.parametrize(
    "changes",
    [
        {"severity": "LOUD"},
        {"query": "not mql"},
        {"pending_duration": "2 minutes"},
        {"destinations": ["ocid1.onstopic.oc1.iad.missing"]},
    ],
)
def test_an_alarm_oci_would_refuse_is_refused(setup, changes):
    client, topic, compartment = setup
    with pytest.raises(oci.exceptions.ServiceError) as refused:
        client.create_alarm(_details(compartment, topic, **changes))
    assert refused.value.status == 400


def test_an_alarm_made_through_the_api_fires_on_the_metrics_posted(cloud, setup):
    client, topic, compartment = setup
    alarm = client.create_alarm(_details(compartment, topic)).data
    backend = cloud.require_region(SOURCE).backend(MonitoringBackend)
    assert backend.alarm_firing(alarm.id) == []
    backend.emit("image_replicator", compartment, "refused_calls", {"operation": "PutObject"}, 1)
    assert backend.alarm_firing(alarm.id) == [{"operation": "PutObject"}]
