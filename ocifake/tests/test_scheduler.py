"""Resource Scheduler through the real SDK: schedules fire on the simulated clock, as their principal."""

import json
from datetime import timedelta

import oci
import pytest

from ocifake import FakeCloud, Options
from support import REGIONS, SOURCE


def _echo(ctx, data=None):
    return data.getvalue().decode()


@pytest.fixture
def setup(cloud):
    functions = cloud.create_compartment("functions")
    fn = cloud.deploy_handler(SOURCE, lambda: _echo, compartment_id=functions)
    client = oci.resource_scheduler.ScheduleClient(cloud.config(SOURCE))
    return cloud, functions, fn, client


def details(functions, fn, recurrence="0 * * * *", kind="CRON"):
    return {
        "compartmentId": functions,
        "displayName": "hourly",
        "action": "START_RESOURCE",
        "recurrenceType": kind,
        "recurrenceDetails": recurrence,
        "resources": [{"id": fn.id, "parameters": [{"parameterType": "BODY", "value": {"action": "reconcile"}}]}],
    }


def test_an_hourly_cron_schedule_invokes_its_function_at_every_full_hour_with_its_body(setup):
    cloud, functions, fn, client = setup
    cloud.create_policy(
        "schedule",
        [
            f"Allow any-user to use functions-family in compartment id {functions} "
            "where request.principal.type = 'resourceschedule'"
        ],
    )
    schedule = client.create_schedule(details(functions, fn)).data
    assert schedule.recurrence_type == "CRON"
    cloud.advance(3 * 3600)
    assert [json.loads(i.body) for i in fn.invocations] == [{"action": "reconcile"}] * 3
    seen = client.get_schedule(schedule.id).data
    assert (seen.time_last_run.minute, seen.time_last_run.second) == (0, 0)
    assert seen.time_next_run - seen.time_last_run == timedelta(hours=1)


def test_a_schedule_iam_does_not_allow_invokes_nothing(setup):
    cloud, functions, fn, client = setup
    client.create_schedule(details(functions, fn))
    runs, _ = cloud.advance_to_next_schedule()
    assert [r.outcome for r in runs] == ["denied"] and fn.invocations == []


@pytest.mark.parametrize(
    ("kind", "recurrence"),
    [("CRON", "0 * * *"), ("CRON", "61 * * * *"), ("ICAL", "FREQ=HOURLY;INTERVAL=1"), ("WEEKLY", "x")],
)
def test_recurrences_oci_does_not_document_are_refused(setup, kind, recurrence):
    _, functions, fn, client = setup
    with pytest.raises(oci.exceptions.ServiceError) as e:
        client.create_schedule(details(functions, fn, recurrence, kind))
    assert (e.value.status, e.value.code) == (400, "InvalidParameter")


def test_an_hourly_ical_rule_can_be_accepted_for_the_unconfirmed_case():
    with FakeCloud(regions=REGIONS, options=Options(scheduler_accepts_hourly_ical=True, iam_enforced=False)) as cloud:
        fn = cloud.deploy_handler(SOURCE, lambda: _echo)
        cloud.create_schedule(
            SOURCE, cloud.tenancy_id, fn.id, {}, recurrence="FREQ=HOURLY;INTERVAL=2", recurrence_type="ICAL"
        )
        cloud.advance(4 * 3600)
        assert len(fn.invocations) == 2


def test_an_update_changes_the_recurrence_and_a_deactivated_schedule_fires_nothing(setup):
    cloud, functions, fn, client = setup
    cloud.create_policy(
        "schedule",
        [
            f"Allow any-user to use functions-family in compartment id {functions} "
            "where request.principal.type = 'resourceschedule'"
        ],
    )
    schedule = client.create_schedule(
        {**details(functions, fn), "description": "hourly pass", "freeformTags": {"team": "platform"}}
    ).data
    assert (schedule.description, schedule.freeform_tags) == ("hourly pass", {"team": "platform"})
    updated = client.update_schedule(schedule.id, {"recurrenceDetails": "0 */2 * * *", "description": "every two"})
    assert updated.status == 202
    work = client.get_work_request(updated.headers["opc-work-request-id"]).data
    assert (work.operation_type, work.status) == ("UPDATE_SCHEDULE", "SUCCEEDED")
    seen = client.get_schedule(schedule.id).data
    assert (seen.recurrence_details, seen.description, seen.freeform_tags) == (
        "0 */2 * * *",
        "every two",
        {"team": "platform"},
    )
    cloud.advance(4 * 3600)
    assert len(fn.invocations) == 2
    assert client.deactivate_schedule(schedule.id).data.lifecycle_state == "INACTIVE"
    cloud.advance(4 * 3600)
    assert len(fn.invocations) == 2
    assert client.activate_schedule(schedule.id).data.lifecycle_state == "ACTIVE"
    cloud.advance(2 * 3600)
    assert len(fn.invocations) == 3


def test_an_update_with_a_recurrence_oci_does_not_document_is_refused_and_changes_nothing(setup):
    _, functions, fn, client = setup
    schedule = client.create_schedule(details(functions, fn)).data
    with pytest.raises(oci.exceptions.ServiceError) as e:
        client.update_schedule(schedule.id, {"recurrenceDetails": "61 * * * *"})
    assert (e.value.status, e.value.code) == (400, "InvalidParameter")
    assert client.get_schedule(schedule.id).data.recurrence_details == "0 * * * *"
