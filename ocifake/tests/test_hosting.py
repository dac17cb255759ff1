"""Functions hosted by ocifake: containers in process, network egress, parallel deliveries."""

import io
import itertools
import json

import oci
import pytest
from fdk import response

from ocifake import FakeCloud, Options
from support import FRANKFURT, PHOENIX, REGIONS, SOURCE


def _signer(ctx):
    env = ctx.Config()
    return oci.auth.signers.EphemeralResourcePrincipalSigner(
        session_token=env["OCI_RESOURCE_PRINCIPAL_RPST"],
        private_key=env["OCI_RESOURCE_PRINCIPAL_PRIVATE_PEM"],
        region=env["OCI_RESOURCE_PRINCIPAL_REGION"],
    )


def namespace_in(ctx, data: io.BytesIO):
    """A handler that reads the Object Storage namespace in the region the body names."""
    region = json.loads(data.getvalue())["region"]
    client = oci.object_storage.ObjectStorageClient(
        {"region": region}, signer=_signer(ctx), retry_strategy=oci.retry.NoneRetryStrategy()
    )
    try:
        found = client.get_namespace().data
    except (oci.exceptions.RequestException, oci.exceptions.ConnectTimeout) as exc:
        found = f"unreachable: {type(exc).__name__}"
    return response.Response(
        ctx, response_data=json.dumps({"namespace": found, "config": ctx.Config().get("GREETING")})
    )


def test_a_function_behind_a_service_gateway_reaches_only_its_own_region(cloud):
    fn = cloud.deploy_handler(SOURCE, lambda: namespace_in, config={"GREETING": "hi"})
    own = fn.invoke(json.dumps({"region": SOURCE}).encode()).json()
    other = fn.invoke(json.dumps({"region": PHOENIX}).encode()).json()
    assert own == {"namespace": cloud.namespace, "config": "hi"}
    assert other["namespace"] == "unreachable: ConnectTimeout"
    assert [(c.region, c.status, c.caller_region) for c in cloud.calls] == [
        (SOURCE, 200, SOURCE),
        (PHOENIX, "blocked", SOURCE),
    ]


def test_a_function_with_internet_egress_reaches_every_region(cloud):
    fn = cloud.deploy_handler(SOURCE, lambda: namespace_in, egress="nat")
    assert fn.invoke(json.dumps({"region": FRANKFURT}).encode()).json()["namespace"] == cloud.namespace


def test_an_in_process_container_answers_as_the_fdk_does(cloud):
    def failing(ctx, data=None):
        raise RuntimeError("asked to fail")

    def teapot(ctx, data=None):
        return response.Response(ctx, response_data="short and stout", status_code=418)

    assert cloud.deploy_handler(SOURCE, lambda: failing).invoke(b"{}").status == 502
    reply = cloud.deploy_handler(SOURCE, lambda: teapot).invoke(b"{}")
    assert (reply.status, reply.body) == (200, b"short and stout")


def _counting_handler(log: list, container: int = 0):
    """Each container counts its own invocations (warm state is per container) and logs its steps."""
    seen = {"n": 0}

    def handler(ctx, data=None):
        seen["n"] += 1
        client = oci.object_storage.ObjectStorageClient({}, signer=_signer(ctx))
        for step in ("first", "second"):
            client.get_namespace()
            log.append((container, step))
        return response.Response(ctx, response_data=str(seen["n"]))

    return handler


def _race(seed: int):
    with FakeCloud(regions=REGIONS, interleave_seed=seed, options=Options(iam_enforced=False)) as cloud:
        compartment = cloud.create_compartment("images")
        log: list = []
        containers = itertools.count()
        fn = cloud.deploy_handler(SOURCE, lambda: _counting_handler(log, next(containers)), instances=3)
        cloud.events.create_rule(SOURCE, {"eventType": "com.oraclecloud.computeapi.createimage.end"}, fn)
        cloud.events.duplicate(3)
        cloud.create_image(SOURCE, compartment, "web")
        cloud.run_until_idle()
        return fn, log, cloud.interleaver.max_concurrency


def test_duplicate_deliveries_run_in_parallel_on_separate_containers():
    fn, order, concurrency = _race(seed=1)
    assert sorted(i.instance for i in fn.invocations) == [0, 1, 2]
    assert [i.body for i in fn.invocations] == [b"1", b"1", b"1"]
    assert concurrency == 3
    assert len(order) == 6


def test_the_interleaving_of_parallel_calls_follows_the_seed():
    orders = {seed: _race(seed)[1] for seed in range(6)}
    assert _race(seed=5)[1] == orders[5]
    assert len({tuple(order) for order in orders.values()}) > 1, "every seed gave the same interleaving"


def test_more_deliveries_than_containers_wait_for_a_free_one(cloud, compartment):
    log: list = []
    fn = cloud.deploy_handler(SOURCE, lambda: _counting_handler(log), instances=2)
    cloud.events.create_rule(SOURCE, {"eventType": "com.oraclecloud.computeapi.createimage.end"}, fn)
    cloud.events.duplicate(5)
    cloud.create_image(SOURCE, compartment, "web")
    cloud.run_until_idle()
    assert len(fn.invocations) == 5
    assert sorted(i.body for i in fn.invocations) == [b"1", b"1", b"2", b"2", b"3"]


def test_functions_can_be_invoked_in_parallel_as_a_schedule_would(cloud):
    fn = cloud.deploy_handler(SOURCE, lambda: namespace_in, instances=3)
    replies = cloud.invoke_parallel([(fn, json.dumps({"region": SOURCE}).encode())] * 3)
    assert [r.json()["namespace"] for r in replies] == [cloud.namespace] * 3
    with pytest.raises(ValueError):
        cloud.invoke_parallel([(fn, b"{}")] * 4)


def test_a_container_killed_after_a_call_makes_no_call_from_its_cleanup(cloud):
    """A killed process runs no `finally`: what its cleanup would have asked never reaches the cloud,
    and the next invocation, in a new container, calls as usual."""

    def read_then_clean_up(ctx, data=None):
        client = oci.object_storage.ObjectStorageClient(
            {"region": SOURCE}, signer=_signer(ctx), retry_strategy=oci.retry.NoneRetryStrategy()
        )
        try:
            client.get_namespace()
        finally:
            client.get_namespace()  # the cleanup
        return response.Response(ctx, response_data="done")

    cloud.faults.kill_after("GetNamespace")
    fn = cloud.deploy_handler(SOURCE, lambda: read_then_clean_up)
    assert fn.invoke(b"{}").status == 502
    assert [c.operation for c in cloud.calls] == ["GetNamespace"]
    assert cloud.faults.died == [SOURCE]
    assert fn.invoke(b"{}").status == 200
    assert [c.operation for c in cloud.calls] == ["GetNamespace"] * 3
