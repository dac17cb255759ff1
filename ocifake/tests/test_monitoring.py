"""Monitoring: PostMetricData validated as the service validates it, and alarms evaluated on the data."""

from datetime import timedelta

import oci
import pytest
from oci.exceptions import ServiceError

from ocifake.core.errors import OciError
from support import PHOENIX, SOURCE


def ingestion(cloud, region=SOURCE):
    client = oci.monitoring.MonitoringClient(cloud.config(region), retry_strategy=oci.retry.NoneRetryStrategy())
    client.base_client.endpoint = client.base_client.endpoint.replace("://telemetry.", "://telemetry-ingestion.")
    return client


def metric(compartment, when, *, name="exposure_seconds", value=1.0, namespace="dr_sync", **dims):
    return oci.monitoring.models.MetricDataDetails(
        namespace=namespace,
        compartment_id=compartment,
        name=name,
        dimensions=dims or {"targetRegion": PHOENIX},
        datapoints=[oci.monitoring.models.Datapoint(timestamp=when, value=value)],
    )


def post(client, *metrics, atomicity=None):
    details = oci.monitoring.models.PostMetricDataDetails(metric_data=list(metrics), batch_atomicity=atomicity)
    return client.post_metric_data(details).data


def test_posted_metrics_are_readable_from_the_fake_with_their_dimensions(cloud, compartment):
    answer = post(ingestion(cloud), metric(compartment, cloud.clock.now(), value=42.0, targetRegion=PHOENIX))
    assert answer.failed_metrics_count == 0
    (point,) = cloud.metrics(SOURCE, namespace="dr_sync", targetRegion=PHOENIX)
    assert (point.name, point.value, point.compartment_id, point.region) == (
        "exposure_seconds",
        42.0,
        compartment,
        SOURCE,
    )
    assert cloud.metrics(PHOENIX) == []


def test_the_telemetry_endpoint_refuses_posted_metrics(cloud, compartment):
    client = oci.monitoring.MonitoringClient(cloud.config(SOURCE), retry_strategy=oci.retry.NoneRetryStrategy())
    with pytest.raises(ServiceError) as refused:
        post(client, metric(compartment, cloud.clock.now()))
    assert refused.value.status == 404 and "telemetry-ingestion" in refused.value.message
    assert cloud.metrics() == []


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"namespace": "oci_mine"}, "reserved"),
        ({"namespace": "9lives"}, "Invalid namespace"),
        ({"namespace": "has-dash"}, "Invalid namespace"),
        ({"name": "_hidden"}, "Invalid metric name"),
        ({"name": "has space"}, "Invalid metric name"),
        ({"dimensions": {}}, "dimensions are required"),
        ({"dimensions": {"target region": "x"}}, "Invalid dimension key"),
        ({"dimensions": {"targetRegion": ""}}, "Invalid value"),
        ({"dimensions": {f"d{i}": "x" for i in range(21)}}, "At most 20 dimensions"),
        ({"compartment_id": "ocid1.compartment.oc1..unknown"}, "does not exist"),
    ],
)
def test_invalid_metrics_are_reported_and_not_stored(cloud, compartment, change, reason):
    good = metric(compartment, cloud.clock.now(), name="kept")
    bad = metric(compartment, cloud.clock.now())
    for attribute, value in change.items():
        setattr(bad, attribute, value)
    answer = post(ingestion(cloud), good, bad)
    assert answer.failed_metrics_count == 1
    assert reason in answer.failed_metrics[0].message
    assert [p.name for p in cloud.metrics()] == ["kept"]


def test_an_atomic_batch_with_one_invalid_metric_stores_nothing(cloud, compartment):
    good = metric(compartment, cloud.clock.now(), name="kept")
    bad = metric(compartment, cloud.clock.now(), namespace="oracle_x")
    with pytest.raises(ServiceError) as refused:
        post(ingestion(cloud), good, bad, atomicity="ATOMIC")
    assert refused.value.status == 400 and refused.value.code == "InvalidParameter"
    assert cloud.metrics() == []


@pytest.mark.parametrize("offset", [timedelta(hours=-2, seconds=-1), timedelta(minutes=10, seconds=1)])
def test_datapoints_outside_the_time_window_are_refused(cloud, compartment, offset):
    answer = post(ingestion(cloud), metric(compartment, cloud.clock.now() + offset))
    assert answer.failed_metrics_count == 1 and "window" in answer.failed_metrics[0].message


def test_more_than_fifty_streams_in_one_call_are_refused(cloud, compartment):
    metrics = [metric(compartment, cloud.clock.now(), targetRegion=f"r{i}") for i in range(51)]
    with pytest.raises(ServiceError) as refused:
        post(ingestion(cloud), *metrics)
    assert refused.value.status == 400 and "50" in refused.value.message


def test_a_threshold_alarm_fires_per_stream_and_clears_when_the_data_does(cloud, compartment):
    client = ingestion(cloud)
    query = "exposure_seconds[1h].max() > 14400"
    alarm = cloud.create_alarm(SOURCE, compartment, "dr_sync", query)
    post(client, metric(compartment, cloud.clock.now(), value=20000.0, targetRegion=PHOENIX))
    post(client, metric(compartment, cloud.clock.now(), value=60.0, targetRegion="eu-frankfurt-1"))
    assert cloud.alarm_firing(alarm) == [{"targetRegion": PHOENIX}]
    cloud.advance(1800)
    post(client, metric(compartment, cloud.clock.now(), value=0.0, targetRegion=PHOENIX))
    assert cloud.alarm_firing(alarm) == [{"targetRegion": PHOENIX}]  # the older point is still in the hour
    cloud.advance(1801)
    post(client, metric(compartment, cloud.clock.now(), value=0.0, targetRegion=PHOENIX))
    assert cloud.alarm_firing(alarm) == []


def test_an_absence_alarm_fires_when_a_stream_stops_reporting(cloud, compartment):
    alarm = cloud.create_alarm(SOURCE, compartment, "dr_sync", "passes[1h].groupBy(sourceRegion).absent()")
    post(ingestion(cloud), metric(compartment, cloud.clock.now(), name="passes", sourceRegion=SOURCE))
    assert cloud.alarm_firing(alarm) == []
    cloud.advance(3601)
    assert cloud.alarm_firing(alarm) == [{"sourceRegion": SOURCE}]


def test_an_alarm_query_outside_mql_is_refused(cloud, compartment):
    with pytest.raises(OciError) as refused:
        cloud.create_alarm(SOURCE, compartment, "dr_sync", "exposure_seconds.max() > 1")
    assert "Invalid MQL" in str(refused.value)
