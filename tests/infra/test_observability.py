"""Logs, topics, metrics and alarms in infra/: what Terraform creates, checked against the code."""

import re

import pytest

from ocifake.monitoring import mql
from replicator.config import ReplicatorConfig
from replicator.telemetry.catalog import DEFAULT_NAMESPACE, Metric, namespace_problem
from replicator_tools.alarms import ALARMS_DIR, load_alarms
from tests.helpers import ROOT
from tests.infra.test_terraform import MODULE, REGION, _resources, _statements, _variables, blocks, parse


def test_each_region_keeps_the_functions_invoke_log_for_the_retention_asked():
    log = _resources(MODULE, "oci_logging_log")["invoke"]
    source = log["configuration"][0]["source"][0]
    assert (source["service"], source["category"], source["source_type"]) == ("functions", "invoke", "OCISERVICE")
    assert source["resource"] == "${oci_functions_application.this.id}"
    assert log["log_type"] == "SERVICE" and log["is_enabled"] is True
    assert log["retention_duration"] == "${var.settings.log_retention_days}"
    assert log["log_group_id"] == "${oci_logging_log_group.this.id}"
    retention = _variables()["log_retention_days"]
    assert retention["default"] == 30
    assert "[30, 60, 90, 120, 150, 180]" in retention["validation"][0]["condition"]


def test_each_region_has_its_own_topic_for_notices_and_alarms_and_an_optional_email():
    topic = _resources(MODULE, "oci_ons_notification_topic")["this"]
    assert "${var.region}" in topic["name"]  # topic names are unique across the tenancy
    subscription = _resources(MODULE, "oci_ons_subscription")["email"]
    assert subscription["protocol"] == "EMAIL" and "notification_email == null ? 0 : 1" in subscription["count"]
    function = _resources(MODULE, "oci_functions_function")["this"]
    assert "oci_ons_notification_topic.this.id" in str(function["config"])
    assert "notification_topic_ocids" not in _variables()
    alarm = _resources(MODULE, "oci_monitoring_alarm")["this"]
    assert alarm["destinations"] == ["${oci_ons_notification_topic.this.id}"]


def test_alarms_are_read_from_monitoring_alarms_with_only_the_values_terraform_passes():
    text = (MODULE / "monitoring.tf").read_text()
    assert "path.module}/../../../monitoring/alarms" in text
    assert (MODULE / "../../../monitoring/alarms").resolve() == ALARMS_DIR.resolve()
    block = text.split('templatefile("${local.alarms_dir}', 1)[1].split("}))", 1)[0]
    passed = set(re.findall(r"^\s*(\w+)\s*=", block, re.M))
    assert passed == {"window", "rpo_seconds", "rpo_hours", "function_id"}
    for path in ALARMS_DIR.glob("*.json"):
        assert set(re.findall(r"\$\{(\w+)\}", path.read_text())) <= passed, path.name
    alarm = _resources(MODULE, "oci_monitoring_alarm")["this"]
    assert "local.alarms" in alarm["for_each"]
    # The deployment's namespace, unless the file names a service's (whose metrics are the function's).
    assert alarm["namespace"] == "${coalesce(each.value.namespace, var.settings.metrics_namespace)}"
    assert alarm["metric_compartment_id"] == (
        "${each.value.namespace == null ? var.settings.metrics_compartment_id : var.functions_compartment_id}"
    )
    assert "function_id = oci_functions_function.this.id" in block
    assert alarm["query"] == "${each.value.query}"


# What OCI Functions posts of each invocation in its own namespace (its "Function Metrics" page).
FUNCTIONS_SERVICE_METRICS = {"FunctionInvocationCount", "FunctionExecutionDuration", "FunctionResponseCount"}


def test_every_alarm_reads_a_metric_the_function_emits_and_parses_as_mql():
    alarms = load_alarms(function_id="ocid1.fnfunc.oc1.iad.aaaa")
    names = {
        "rpo-exceeded",
        "replication-failed",
        "reconcile-silent",
        "calls-refused",
        "function-errors",
        "drill-failed",
    }
    assert {a.name for a in alarms} == names
    for alarm in alarms:
        if alarm.namespace is None:
            assert alarm.metric in {m.value for m in Metric}, alarm.name
        else:
            assert (alarm.namespace, alarm.metric) == ("oci_faas", "FunctionResponseCount"), alarm.name
            assert 'resourceId = "ocid1.fnfunc.oc1.iad.aaaa"' in alarm.query  # this function's only
        mql.parse(alarm.query)
        assert alarm.severity in ("CRITICAL", "ERROR", "WARNING", "INFO")
        assert re.fullmatch(r"PT\d+[MH]", alarm.pending_duration)


@pytest.mark.parametrize("hours", [4, 1.5])
def test_the_rpo_alarm_fires_past_rpo_hours(hours):
    (rpo,) = [a for a in load_alarms(rpo_hours=hours) if a.name == "rpo-exceeded"]
    assert rpo.metric == Metric.OLDEST_EXPOSURE_SECONDS
    assert rpo.query.endswith(f"> {int(hours * 3600)}")
    assert _variables()["rpo_hours"]["default"] == 4


def test_the_metrics_namespace_is_one_value_everywhere_and_valid_for_custom_metrics():
    variable = _variables()["metrics_namespace"]
    assert variable["default"] == DEFAULT_NAMESPACE == ReplicatorConfig().metrics_namespace
    assert namespace_problem(DEFAULT_NAMESPACE) is None
    assert 'IR_METRICS_NAMESPACE: "image_replicator"' in (ROOT / "func.yaml").read_text()
    root = (REGION / "main.tf").read_text()
    assert "IR_METRICS_NAMESPACE           = var.metrics_namespace" in root
    assert "IR_METRICS_COMPARTMENT_ID      = local.metrics_compartment_ocid" in root


def test_the_functions_may_post_metrics_in_their_own_namespace_only():
    (statement,) = [s for s in _statements() if " metrics " in s]
    assert statement.startswith("Allow dynamic-group image-replicator-functions to use metrics in compartment id ")
    assert statement.endswith("where target.metrics.namespace = 'image_replicator'")


def test_outputs_give_topics_logs_and_alarms_per_region():
    outputs = {k for block in blocks(REGION, "output") for k in block}
    assert {"notification_topic_id", "invoke_log", "alarm_ids"} <= outputs
    module_outputs = {k for block in parse(MODULE / "outputs.tf")["output"] for k in block}
    assert {"topic_id", "log_id", "log_group_id", "alarm_ids"} <= module_outputs
