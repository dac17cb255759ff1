"""The replicator under the IAM statements of iam/policies.json, enforced by the fake as OCI does.

Every statement is needed: without any one of them, something an operator relies on stops
working. And nothing more is granted: calls outside the statements are refused.
"""

import json

import oci
import pytest

from ocifake import FakeCloud
from ocifake.core.errors import OciError
from replicator_tools.policies import POLICIES_FILE
from replicator_tools.sandbox import deploy
from tests.helpers import PHOENIX, SOURCE, compute, intermediate_objects, leftover_pars, record, replicas, start_time
from tests.pipeline.test_drills import drill_network

REGIONS = [SOURCE, PHOENIX]
ENV = {
    "IR_ON_SOURCE_DELETED": "delete",
    "IR_DEFAULT_REGIONS": PHOENIX,
    "IR_DRILL_EVERY_DAYS": "7",
    "IR_DRILL_SHAPE": "VM.Standard.E4.Flex",  # the image has no shape entries to choose from
}
# Object Storage's use of Vault keys: the fake models no Vault, so no bucket is keyed here.
NOT_EXERCISED = {"object-storage-keys"}


def statement_ids() -> list[str]:
    """Those of one tenancy; what two tenancies grant each other is shown needed in test_tenancies.py."""
    doc = json.loads(POLICIES_FILE.read_text())
    return [
        s["id"]
        for p in doc["policies"]
        for s in p["statements"]
        if s["id"] not in NOT_EXERCISED and p["scope"] != "peer"
    ]


def outcome(without: frozenset[str] = frozenset()) -> dict:
    """What an operator sees of one image's whole life, with the statements `without` left out."""
    with FakeCloud(regions=REGIONS, start=start_time()) as cloud:
        cloud.create_tag_namespace("Ops", ["CostCenter"])
        images = cloud.create_compartment("images")
        drills = cloud.create_compartment("drills")
        env = {**ENV, "IR_DRILL_COMPARTMENT_ID": drills}
        try:
            sandbox = deploy(
                cloud,
                REGIONS,
                images,
                env,
                without_statements=without,
                per_region=drill_network(cloud, drills, REGIONS),
            )
        except OciError as exc:  # as `terraform apply` would stop (a lifecycle policy refused)
            return {"deployed": False, "refused": exc.message}
        source = cloud.create_image(
            SOURCE,
            images,
            "web",
            freeform_tags={"replicate-to": "default"},
            defined_tags={"Ops": {"CostCenter": "42"}},
        )
        cloud.run_until_idle()
        seen = {"deployed": True, "replicated by events": _replicated(cloud, source.id, images)}
        try:
            sandbox.converge(max_passes=4)
            seen["passes settle"] = True
        except AssertionError:
            seen["passes settle"] = False
        seen["replicated in the end"] = _replicated(cloud, source.id, images)
        seen["notice sent"] = any(m.title.endswith("replicated") for m in sandbox.topics[SOURCE].messages)
        seen["metrics posted"] = bool(cloud.metrics(namespace=sandbox.config.metrics_namespace))
        seen["nothing left over"] = not leftover_pars(cloud, sandbox) and not intermediate_objects(cloud, sandbox)
        cloud.advance(2 * 3600)  # the next pass starts a drill; the tick and the events end it
        seen["replica boots in its drill"] = _drilled(cloud, sandbox, source.id, drills)
        compute(cloud, SOURCE).delete_image(source.id)
        cloud.run_until_idle()
        seen["replica follows its deleted source"] = replicas(cloud, PHOENIX, source.id, images) == []
        return seen


def _drilled(cloud, sandbox, source_id: str, drills: str) -> bool:
    found = record(cloud, sandbox, "replica", source_id, PHOENIX) or {}
    booted = [r for r in found.get("drill", {}).get("history", []) if r["outcome"] == "booted"]
    listed = compute(cloud, PHOENIX).list_instances(drills).data
    return bool(booted) and all(i.lifecycle_state in ("TERMINATING", "TERMINATED") for i in listed)


def _replicated(cloud, source_id: str, compartment: str) -> bool:
    found = replicas(cloud, PHOENIX, source_id, compartment)
    return (
        len(found) == 1
        and found[0].lifecycle_state == "AVAILABLE"
        and (found[0].defined_tags or {}).get("Ops") == {"CostCenter": "42"}
    )


@pytest.fixture(scope="module")
def granted() -> dict:
    return outcome()


def test_with_every_statement_everything_works(granted):
    assert granted == dict.fromkeys(granted, True)


@pytest.mark.parametrize("statement", statement_ids())
def test_every_statement_is_needed(statement, granted):
    without = outcome(frozenset({statement}))
    broken = sorted(k for k, ok in without.items() if ok is False)
    assert broken, f"nothing stops working without {statement!r}: it grants more than the replicator needs"


@pytest.fixture
def deployed(cloud, compartment):
    return deploy(cloud, REGIONS, compartment, {"IR_DEFAULT_REGIONS": PHOENIX, "IR_RETENTION": "false"})


def as_the_function(cloud, sandbox, monkeypatch, region=SOURCE):
    """SDK clients signed exactly as the deployed function in `region` signs its requests."""
    for key, value in sandbox.functions[region].platform_env().items():
        if key.startswith("OCI_RESOURCE_PRINCIPAL"):
            monkeypatch.setenv(key, value)
    signer = oci.auth.signers.get_resource_principals_signer()
    no_retry = oci.retry.NoneRetryStrategy()
    return (
        oci.core.ComputeClient({}, signer=signer, retry_strategy=no_retry),
        oci.object_storage.ObjectStorageClient({}, signer=signer, retry_strategy=no_retry),
    )


def refused(call) -> tuple[int, str]:
    with pytest.raises(oci.exceptions.ServiceError) as e:
        call()
    return e.value.status, e.value.code


def test_the_function_may_do_nothing_beyond_its_statements(cloud, compartment, deployed, monkeypatch):
    image = cloud.create_image(SOURCE, compartment, "web", freeform_tags={"replicate-to": PHOENIX})
    other = cloud.create_compartment("someone-else")
    cloud.create_bucket(SOURCE, "payroll", deployed.buckets_compartment_id)
    images, objects = as_the_function(cloud, deployed, monkeypatch)
    # Deleting images is granted only when replicas are ever deleted (here: retention off, sources' kept).
    assert refused(lambda: images.delete_image(image.id)) == (404, "NotAuthorizedOrNotFound")
    # Images of compartments the replicator is not given are invisible.
    assert refused(lambda: images.list_images(other)) == (404, "NotAuthorizedOrNotFound")
    # Buckets other than its two, even in the same compartment, are refused as if missing.
    put = lambda: objects.put_object(cloud.namespace, "payroll", "x", b"1")  # noqa: E731
    assert refused(put) == (404, "BucketNotFound")
    # Its own buckets answer.
    objects.put_object(cloud.namespace, deployed.config.staging_bucket, "probe", b"1")
