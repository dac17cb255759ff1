"""What OCI Monitoring learns: stage times and outcomes of each replication, the RPO exposure
of each region, and the alarms of monitoring/alarms on them."""

import itertools

import oci

from replicator.telemetry.catalog import Metric
from replicator_tools.alarms import load_alarms
from replicator_tools.sandbox import deploy
from tests.helpers import FRANKFURT, PHOENIX, REGIONS, SOURCE, target_states

TAGS = {"replicate-to": f"{PHOENIX},{FRANKFURT}"}
HOUR = 3600.0


def _image(cloud, compartment, name="web", size_gb=20):
    return cloud.create_image(SOURCE, compartment, name, size_gb=size_gb, freeform_tags=TAGS)


def _stages(cloud, region, image_compartment, name=Metric.STAGE_SECONDS):
    points = cloud.metrics(region, namespace="image_replicator", name=name, compartmentId=image_compartment)
    return {(p.dimensions["targetRegion"], p.dimensions["stage"]): p for p in points}


def test_a_replication_reports_each_stage_time_in_the_region_that_ran_it(cloud, compartment, replicator):
    image = _image(cloud, compartment)
    cloud.run_until_idle()
    source = _stages(cloud, SOURCE, compartment)
    assert set(source) == {(PHOENIX, "export"), (FRANKFURT, "export")}
    # The event arrives a second on, and the handler's work takes effect when its invocation ends.
    export = 20 * cloud.durations.export_per_gb + 1 + cloud.durations.invocation
    assert source[(PHOENIX, "export")].value == export
    copies = []
    for target in (PHOENIX, FRANKFURT):
        landed = _stages(cloud, target, compartment)
        assert set(landed) == {(target, "copy"), (target, "import"), (target, "finish")}
        copies.append(landed[(target, "copy")].value)
        assert abs(landed[(target, "import")].value - 20 * cloud.durations.import_per_gb) <= 5
        dims = landed[(target, "import")].dimensions
        assert (dims["sourceRegion"], dims["targetRegion"], dims["compartmentId"]) == (SOURCE, target, compartment)
    # The two copies leave the source region together and share its bandwidth: the second takes twice as long.
    one = 20 * cloud.durations.copy_per_gb
    assert [round(c / one) for c in sorted(copies)] == [1, 2] and all(
        abs(c - round(c / one) * one) <= 5 for c in copies
    )
    outcomes = [p.dimensions["outcome"] for p in cloud.metrics(name=Metric.STAGE_OUTCOME)]
    assert outcomes == ["succeeded"] * 8  # export x2 (one per target), then copy, import, finish in each target
    assert image.id not in str([p.dimensions for p in cloud.metrics()])  # no per-image streams: OCI bills by stream
    posts = [c for c in cloud.calls if c.operation == "PostMetricData"]
    assert posts and all(c.service == "monitoring-ingestion" and c.region == c.caller_region for c in posts)
    assert all(c.status == 200 for c in posts)


def test_duplicate_deliveries_count_each_stage_once(cloud, compartment, replicator):
    cloud.events.duplicate(3)
    _image(cloud, compartment)
    cloud.run_until_idle()
    replicator.converge()
    seen = [
        (p.region, p.dimensions["targetRegion"], p.dimensions["stage"])
        for p in cloud.metrics(name=Metric.STAGE_OUTCOME)
    ]
    assert sorted(seen) == sorted(set(seen)) and len(seen) == 8


def test_a_reconcile_pass_reports_zero_exposure_once_every_replica_is_current(cloud, compartment, replicator):
    _image(cloud, compartment)
    cloud.run_until_idle()
    replicator.reconcile(SOURCE)
    gauges = {
        (p.name, p.dimensions["targetRegion"]): p.value
        for p in cloud.metrics(SOURCE, compartmentId=compartment)
        if p.name in (Metric.EXPOSED_IMAGES, Metric.OLDEST_EXPOSURE_SECONDS, Metric.FAILED_IMAGES)
    }
    assert gauges == {
        (m.value, t): 0.0
        for m in (Metric.EXPOSED_IMAGES, Metric.OLDEST_EXPOSURE_SECONDS, Metric.FAILED_IMAGES)
        for t in (PHOENIX, FRANKFURT)
    }
    assert not any(replicator.firing(r, a) for r in REGIONS for a in replicator.alarms[r])


def test_a_region_that_never_imports_shows_growing_exposure_and_fires_the_rpo_alarm(cloud, compartment):
    # Frankfurt has its landing bucket but no function: copies land there and are never imported.
    sandbox = deploy(cloud, [SOURCE, PHOENIX], compartment)
    cloud.create_bucket(FRANKFURT, sandbox.config.landing_bucket, sandbox.buckets_compartment_id)
    _image(cloud, compartment)
    cloud.run_until_idle()
    sandbox.reconcile_everywhere()  # the first pass falls due when the copies have long been under way
    cloud.run_until_idle()
    ages = []
    for _ in range(6):  # then the schedules' hourly passes, each on the hour
        (report,) = [r for r in sandbox.reconcile_everywhere() if r.region == SOURCE]
        ages.append(report.oldest_exposure_seconds)
        cloud.run_until_idle()
    assert report.exposed == 1
    assert all(later - earlier == HOUR for earlier, later in itertools.pairwise(ages)), ages
    oldest = {p.dimensions["targetRegion"]: p.value for p in cloud.metrics(SOURCE, name=Metric.OLDEST_EXPOSURE_SECONDS)}
    assert oldest[PHOENIX] == 0.0 and oldest[FRANKFURT] == ages[-1]
    assert sandbox.firing(SOURCE, "rpo-exceeded") == [
        {"sourceRegion": SOURCE, "targetRegion": FRANKFURT, "compartmentId": compartment}
    ]
    assert sandbox.firing(SOURCE, "replication-failed") == []


def test_the_rpo_alarm_stays_quiet_before_the_rpo(cloud, compartment):
    sandbox = deploy(cloud, [SOURCE, PHOENIX], compartment, rpo_hours=4)
    cloud.create_bucket(FRANKFURT, sandbox.config.landing_bucket, sandbox.buckets_compartment_id)
    _image(cloud, compartment)
    cloud.run_until_idle()
    cloud.advance(2 * HOUR)
    sandbox.reconcile(SOURCE)
    assert 2 * HOUR < sandbox.reconcile(SOURCE).oldest_exposure_seconds < 4 * HOUR
    assert sandbox.firing(SOURCE, "rpo-exceeded") == []


def test_a_region_given_up_on_fires_the_failure_alarm_until_an_operator_acts(cloud, compartment):
    sandbox = deploy(cloud, [SOURCE, PHOENIX], compartment, {"IR_GIVE_UP_AFTER_HOURS": "0"})  # nothing in Frankfurt
    _image(cloud, compartment)
    cloud.run_until_idle()
    for _ in range(sandbox.config.max_attempts + 1):  # each pass tries the copy again, until it gives up
        sandbox.reconcile(SOURCE)
        cloud.run_until_idle()
        cloud.advance(HOUR)
    sandbox.reconcile(SOURCE)
    latest = {p.dimensions["targetRegion"]: p.value for p in cloud.metrics(SOURCE, name=Metric.FAILED_IMAGES)}
    assert latest == {PHOENIX: 0.0, FRANKFURT: 1.0}
    assert [f["targetRegion"] for f in sandbox.firing(SOURCE, "replication-failed")] == [FRANKFURT]
    copy_failed = cloud.metrics(SOURCE, name=Metric.STAGE_OUTCOME, stage="copy", outcome="failed")
    assert [p.dimensions["targetRegion"] for p in copy_failed] == [FRANKFURT]


def test_a_silent_region_fires_the_absence_alarm(cloud, compartment, replicator):
    replicator.reconcile_everywhere()
    assert replicator.firing(PHOENIX, "reconcile-silent") == []
    # Phoenix's schedule stops (deleted, or refused by IAM): its passes stop reporting.
    scheduler = oci.resource_scheduler.ScheduleClient(cloud.config(PHOENIX))
    scheduler.delete_schedule(replicator.schedules[PHOENIX].id)
    cloud.advance(2 * HOUR + 60)
    assert replicator.firing(PHOENIX, "reconcile-silent") == [{"sourceRegion": PHOENIX}]
    replicator.reconcile(PHOENIX)
    assert replicator.firing(PHOENIX, "reconcile-silent") == []


def test_every_metric_an_alarm_reads_is_posted_by_a_replication_and_a_pass(cloud, compartment, replicator):
    _image(cloud, compartment)
    cloud.run_until_idle()
    replicator.reconcile_everywhere()
    posted = {p.name for p in cloud.metrics()}
    # A refused call is counted only when one happens (the next test), a failed drill only where one
    # fails (test_drills.py).
    assert {a.metric for a in load_alarms()} - {"refused_calls", "drills_failed"} <= posted


def test_a_call_refused_to_the_functions_is_counted_and_the_calls_refused_alarm_fires(cloud, compartment):
    sandbox = deploy(cloud, REGIONS, compartment, without_statements=frozenset({"read-buckets"}))
    _image(cloud, compartment)
    cloud.run_until_idle()
    sandbox.reconcile_everywhere()
    refused = {p.dimensions["operation"] for p in cloud.metrics(SOURCE, name="refused_calls")}
    assert refused == {"ListPreauthenticatedRequests"}
    assert sandbox.firing(SOURCE, "calls-refused") == [{"operation": "ListPreauthenticatedRequests"}]


def test_metrics_that_cannot_be_posted_never_fail_a_replication(cloud, compartment, replicator):
    cloud.faults.fail_call("PostMetricData", 503, times=100)
    image = _image(cloud, compartment)
    cloud.run_until_idle()
    assert cloud.metrics(namespace="image_replicator") == []
    lines = [r for r in replicator.logs() if r.get("message") == "metrics not posted"]
    assert lines and all(r.get("source_image_id") == image.id for r in lines)
    replicator.converge()
    assert target_states(cloud, replicator, image.id) == {PHOENIX: "done", FRANKFURT: "done"}


def test_a_pass_that_may_neither_write_its_report_nor_post_metrics_says_so_on_its_topic(cloud, compartment):
    sandbox = deploy(cloud, REGIONS, compartment, without_statements=frozenset({"objects", "metrics"}))
    reports = sandbox.reconcile_everywhere()
    assert not any(r.unreported for r in reports)  # the notice went out: an operator reads it
    (notice,) = [m for m in sandbox.topics[SOURCE].messages if "cannot report" in (m.title or "")]
    assert notice.title == f"Image replicator in {SOURCE} cannot report its passes"
    assert "PutObject" in notice.body and "PostMetricData" in notice.body


def test_a_pass_that_may_write_post_and_publish_nothing_answers_an_error_that_an_alarm_sees(cloud, compartment):
    """Its log is the one thing left: the error answer makes Functions count it (oci_faas), the
    function-errors alarm fires, and the log line names the calls refused."""
    sandbox = deploy(cloud, REGIONS, compartment, without_statements=frozenset({"objects", "metrics", "notices"}))
    assert sandbox.firing(SOURCE, "function-errors") == []
    reports = sandbox.reconcile_everywhere()
    assert all(r.unreported for r in reports)
    fn = sandbox.functions[SOURCE]
    errors = cloud.metrics(SOURCE, namespace="oci_faas", name="FunctionResponseCount", responseType="Error")
    assert [p.dimensions["resourceId"] for p in errors] == [fn.id]
    assert sandbox.firing(SOURCE, "function-errors")
    (line,) = [r for r in sandbox.logs() if r.get("message") == "pass can neither report nor notify"][:1]
    assert any(refused.startswith("PutObject") for refused in line["refused"])
    assert any(refused.startswith("PostMetricData") for refused in line["refused"])
    sandbox.withhold(frozenset())
    cloud.advance(HOUR)
    assert not any(r.unreported for r in sandbox.reconcile_everywhere())
