"""Events rules through the real SDK, as infra/'s events.tf makes them: a rule's FAAS action invokes
the function on a matching event; disabled or deleted, it invokes nothing."""

import json

import oci
import pytest

from ocifake import FakeCloud
from support import REGIONS, SOURCE

CREATED = "com.oraclecloud.computeapi.createimage.end"


def _echo(ctx, data=None):
    return data.getvalue().decode()


@pytest.fixture
def setup(cloud, compartment):
    fn = cloud.deploy_handler(SOURCE, lambda: _echo, compartment_id=compartment)
    client = oci.events.EventsClient(cloud.config(SOURCE), retry_strategy=oci.retry.NoneRetryStrategy())
    return cloud, compartment, fn, client


def _rule(compartment, fn_id, enabled=True):
    return oci.events.models.CreateRuleDetails(
        display_name="image-created-us-ashburn-1",
        compartment_id=compartment,
        condition=json.dumps({"eventType": [CREATED], "data": {"compartmentId": [compartment]}}),
        is_enabled=enabled,
        actions=oci.events.models.ActionDetailsList(
            actions=[oci.events.models.CreateFaaSActionDetails(is_enabled=True, function_id=fn_id)]
        ),
    )


def _emit(cloud, compartment):
    image = "ocid1.image.oc1.iad.x"
    cloud.events.emit(SOURCE, CREATED, compartment_id=compartment, resource_id=image, resource_name="x")
    cloud.run_until_idle()


def test_a_rule_made_through_the_api_invokes_its_function_on_a_matching_event(setup):
    cloud, compartment, fn, client = setup
    grant = f"Allow service cloudEvents to use functions-family in compartment id {compartment}"
    cloud.create_policy("events", [grant])
    rule = client.create_rule(_rule(compartment, fn.id)).data
    assert rule.lifecycle_state == "ACTIVE" and rule.actions.actions[0].function_id == fn.id
    _emit(cloud, compartment)
    assert [json.loads(i.body)["eventType"] for i in fn.invocations] == [CREATED]
    client.update_rule(rule.id, oci.events.models.UpdateRuleDetails(is_enabled=False))
    _emit(cloud, compartment)
    assert len(fn.invocations) == 1
    client.update_rule(rule.id, oci.events.models.UpdateRuleDetails(is_enabled=True))
    client.delete_rule(rule.id)
    _emit(cloud, compartment)
    assert len(fn.invocations) == 1
    assert client.get_rule(rule.id).data.lifecycle_state == "DELETED"


def test_a_rule_without_the_events_grant_delivers_nothing():
    with FakeCloud(regions=REGIONS) as cloud:  # the shared fixture grants cloudEvents everything
        compartment = cloud.create_compartment("images")
        fn = cloud.deploy_handler(SOURCE, lambda: _echo, compartment_id=compartment)
        oci.events.EventsClient(cloud.config(SOURCE)).create_rule(_rule(compartment, fn.id))
        _emit(cloud, compartment)
        assert fn.invocations == [] and cloud.events.deliveries[-1].outcome == "denied"


def test_a_rule_naming_a_function_that_does_not_exist_or_a_bad_condition_is_refused(setup):
    _, compartment, fn, client = setup
    bad_condition = _rule(compartment, fn.id)
    bad_condition.condition = "not json"
    for details in (_rule(compartment, "ocid1.fnfunc.oc1.iad.missing"), bad_condition):
        with pytest.raises(oci.exceptions.ServiceError) as refused:
            client.create_rule(details)
        assert refused.value.status == 400
