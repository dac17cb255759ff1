"""Functions served by the real fdk in their own process, reached by events over http-stream."""

import json
from pathlib import Path

from support import PHOENIX, SOURCE

LOOKUP = str(Path(__file__).parent / "functions" / "lookup_func.py")


def test_an_event_reaches_a_function_over_the_fdk_contract_and_it_calls_back_as_its_resource_principal(
    cloud, compartment
):
    fn = cloud.deploy_function(PHOENIX, LOOKUP, config={"GREETING": "hello"})
    cloud.events.create_rule(PHOENIX, {"eventType": "com.oraclecloud.computeapi.createimage.end"}, fn)
    image = cloud.create_image(PHOENIX, compartment, "web")
    cloud.run_until_idle()
    (reply,) = fn.invocations
    assert reply.status == 200
    assert reply.json() == {"state": "AVAILABLE", "region": PHOENIX, "greeting": "hello"}
    lookups = [c for c in cloud.calls if c.operation == "GetImage"]
    assert [(c.region, c.principal) for c in lookups] == [(PHOENIX, "resource_principal")]
    assert fn.log_records() == [{"message": "looked up", "image": image.id}]


def test_a_function_process_reads_the_simulated_time_from_memory_not_through_a_call(cloud):
    from datetime import datetime

    fn = cloud.deploy_function(SOURCE, LOOKUP)
    asked = json.dumps({"time": True}).encode()
    before = datetime.fromisoformat(fn.invoke(asked).json()["now"])
    assert before == cloud.clock.now()
    cloud.advance(3 * 3600)
    after = datetime.fromisoformat(fn.invoke(asked).json()["now"])
    assert after - before == cloud.clock.now() - before  # the jump, exactly
    assert cloud.clock_round_trips == 0


def test_a_function_that_raises_answers_502_as_the_fdk_does(cloud):
    fn = cloud.deploy_function(SOURCE, LOOKUP)
    assert fn.invoke(json.dumps({"fail": True}).encode()).status == 502


def test_a_function_process_behind_a_service_gateway_cannot_reach_another_region(cloud, compartment):
    fn = cloud.deploy_function(PHOENIX, LOOKUP)
    image = cloud.create_image(SOURCE, compartment, "web")
    cloud.run_until_idle()
    reply = fn.invoke(json.dumps({"region": SOURCE, "data": {"resourceId": image.id}}).encode())
    assert reply.status == 502
    assert b"out of reach" in reply.body
    assert [(c.region, c.status, c.caller_region) for c in cloud.calls] == [(SOURCE, "blocked", PHOENIX)]
