"""Two tenancies in one fake: each with its own compartments, IAM and namespace; a request that
crosses them needs an Endorse in the caller's tenancy and an Admit in the resource's."""

import oci
import pytest

from ocifake import FakeCloud
from support import PHOENIX, REGIONS, SOURCE

NO_RETRY = oci.retry.NoneRetryStrategy()


def objects_as_function(cloud, monkeypatch, compartment_id, region=SOURCE):
    """An Object Storage client signed as a function's resource principal in `compartment_id`."""
    for key, value in cloud.resource_principal_env(region, compartment_id=compartment_id).items():
        monkeypatch.setenv(key, value)
    signer = oci.auth.signers.get_resource_principals_signer()
    return oci.object_storage.ObjectStorageClient({}, signer=signer, retry_strategy=NO_RETRY)


@pytest.fixture
def world():
    with FakeCloud(regions=REGIONS) as cloud:
        dr = cloud.add_tenancy("acme-dr", namespace="acmedr")
        source = cloud.create_compartment("images")
        recovery = cloud.create_compartment("recovery", tenancy=dr)
        cloud.create_bucket(SOURCE, "staging", source, object_events=False)
        for name in ("landing", "vault-of-backups"):
            cloud.create_bucket(PHOENIX, name, recovery, object_events=False)
        fns = cloud.create_dynamic_group("replicator", f"resource.compartment.id = '{source}'")
        cloud.create_policy("own", [f"Allow dynamic-group replicator to manage objects in compartment id {source}"])
        yield cloud, dr, source, recovery, fns


def endorse(cloud, dr):
    return cloud.create_policy(
        "to-dr",
        [
            f"Define tenancy DR as {dr}",
            "Endorse dynamic-group replicator to {OBJECT_CREATE, OBJECT_INSPECT} in tenancy DR",
        ],
    )


def admit(cloud, dr, recovery, fns, bucket="landing"):
    return cloud.create_policy(
        "from-source",
        [
            f"Define tenancy Source as {cloud.tenancy_id}",
            f"Define dynamic-group Replicator as {fns.id}",
            "Admit dynamic-group Replicator of tenancy Source to {OBJECT_CREATE, OBJECT_INSPECT} "
            f"in compartment id {recovery} where target.bucket.name = '{bucket}'",
        ],
        compartment_id=dr,
    )


def test_each_tenancy_has_its_own_namespace_compartments_and_buckets(world, monkeypatch):
    cloud, dr, source, recovery, _ = world
    assert cloud.tenancy_of(recovery) == dr and cloud.tenancy_of(source) == cloud.tenancy_id
    cloud.create_bucket(PHOENIX, "landing", source)  # the same name in the other namespace
    client = objects_as_function(cloud, monkeypatch, recovery, PHOENIX)
    with pytest.raises(oci.exceptions.ServiceError):
        client.get_namespace()  # the DR tenancy's own IAM: nothing granted yet
    cloud.create_tenancy_dynamic_group(dr, "recovery-fns", f"resource.compartment.id = '{recovery}'")
    cloud.create_policy(
        "fns", ["Allow dynamic-group recovery-fns to read objectstorage-namespaces in tenancy"], compartment_id=dr
    )
    assert client.get_namespace().data == "acmedr"
    with pytest.raises(ValueError):
        cloud.add_tenancy("again", namespace="acmedr")


def test_writing_into_another_tenancy_needs_an_endorse_there_and_an_admit_here(world, monkeypatch):
    cloud, dr, source, recovery, fns = world
    client = objects_as_function(cloud, monkeypatch, source, PHOENIX)

    def put(bucket="landing"):
        client.put_object("acmedr", bucket, "image.oci", b"x")

    with pytest.raises(oci.exceptions.ServiceError) as e:
        put()
    assert e.value.status == 404  # no statement on either side
    endorsed = endorse(cloud, dr)
    with pytest.raises(oci.exceptions.ServiceError):
        put()  # the source tenancy vouches; the DR tenancy has not admitted it
    admitted = admit(cloud, dr, recovery, fns)
    put()
    with pytest.raises(oci.exceptions.ServiceError):
        put("vault-of-backups")  # admitted into the landing bucket only
    cloud.identities[cloud.tenancy_id].delete_policy(endorsed.id)
    with pytest.raises(oci.exceptions.ServiceError):
        put()  # the DR tenancy alone cannot let it in
    assert admitted.id in cloud.identities[dr].policies


def test_a_copy_into_another_tenancy_needs_the_requester_admitted_and_the_service_allowed_there(world, monkeypatch):
    cloud, dr, source, recovery, fns = world
    cloud.objectstorage(SOURCE).put_object(cloud.namespace, "staging", "image.oci", b"x" * 100, {}, emit_event=False)
    client = objects_as_function(cloud, monkeypatch, source, SOURCE)
    details = oci.object_storage.models.CopyObjectDetails(
        source_object_name="image.oci",
        destination_region=PHOENIX,
        destination_namespace="acmedr",
        destination_bucket="landing",
        destination_object_name="image.oci",
    )
    admin = oci.object_storage.ObjectStorageClient(cloud.config(SOURCE), retry_strategy=NO_RETRY)
    with pytest.raises(oci.exceptions.ServiceError) as e:
        client.copy_object(cloud.namespace, "staging", details)
    assert e.value.status == 404  # the requester may not write there
    endorse(cloud, dr)
    admit(cloud, dr, recovery, fns)
    first = client.copy_object(cloud.namespace, "staging", details).headers["opc-work-request-id"]
    cloud.run_until_idle()
    assert admin.get_work_request(first).data.status == "FAILED"  # the copying service is not allowed there
    cloud.create_policy(
        "copies-land",
        [f"Allow service objectstorage-{SOURCE} to manage object-family in compartment id {recovery}"],
        compartment_id=dr,
    )
    second = client.copy_object(cloud.namespace, "staging", details).headers["opc-work-request-id"]
    cloud.run_until_idle()
    assert admin.get_work_request(second).data.status == "COMPLETED"
    assert "image.oci" in cloud.objectstorage(PHOENIX).buckets_of("acmedr")["landing"].objects
