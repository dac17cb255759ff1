"""How ocifake authenticates, records, fails and refuses requests."""

import oci
import pytest
from oci.exceptions import RequestException, ServiceError

from support import SOURCE


def test_every_call_is_recorded_with_region_service_operation_and_status(cloud, sdk):
    with pytest.raises(ServiceError):
        sdk.compute().get_image("ocid1.image.oc1.iad.missing")
    sdk.objects().get_namespace()
    assert [(c.region, c.service, c.operation, c.status, c.principal) for c in cloud.calls] == [
        (SOURCE, "compute", "GetImage", 404, "api_key"),
        (SOURCE, "objectstorage", "GetNamespace", 200, "api_key"),
    ]
    assert cloud.call_count("GetImage") == 1


def test_resource_principal_requests_are_told_apart_by_their_key_id(cloud, monkeypatch):
    for key, value in cloud.resource_principal_env(SOURCE).items():
        monkeypatch.setenv(key, value)
    signer = oci.auth.signers.get_resource_principals_signer()
    oci.object_storage.ObjectStorageClient({}, signer=signer).get_namespace()
    assert cloud.calls[-1].principal == "resource_principal"
    assert cloud.calls[-1].region == SOURCE


def test_resource_principal_cannot_use_the_bucket_form_of_export(cloud, compartment, monkeypatch):
    image = cloud.create_image(SOURCE, compartment, "web")
    cloud.create_bucket(SOURCE, "staging", compartment)
    cloud.run_until_idle()
    for key, value in cloud.resource_principal_env(SOURCE).items():
        monkeypatch.setenv(key, value)
    compute = oci.core.ComputeClient({}, signer=oci.auth.signers.get_resource_principals_signer())
    details = oci.core.models.ExportImageViaObjectStorageTupleDetails(
        bucket_name="staging", namespace_name=cloud.namespace, object_name="x.oci"
    )
    with pytest.raises(ServiceError) as e:
        compute.export_image(image.id, details)
    assert (e.value.status, e.value.code) == (400, "InvalidParameter")
    assert "Invalid objectName" in e.value.message


def test_a_request_signed_with_another_key_is_not_authenticated(cloud):
    config = dict(cloud.config(SOURCE), fingerprint="00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff")
    with pytest.raises(ServiceError) as e:
        oci.object_storage.ObjectStorageClient(config).get_namespace()
    assert (e.value.status, e.value.code) == (401, "NotAuthenticated")


def test_a_signature_must_cover_date_request_target_and_host(cloud):
    from ocifake.core.errors import NotAuthenticated

    c = cloud.config(SOURCE)
    signer = oci.signer.Signer(c["tenancy"], c["user"], c["fingerprint"], c["key_file"])
    request = oci._vendor.requests.Request("GET", f"https://objectstorage.{SOURCE}.oraclecloud.com/n/").prepare()
    signer.do_request_sign(request)
    headers = {k.lower(): v for k, v in request.headers.items()}
    assert cloud.auth.principal_for("GET", "/n/", headers).kind == "api_key"
    # The same signature claimed over the date alone: OCI refuses it, and so does the fake.
    narrowed = headers["authorization"].replace('headers="date (request-target) host"', 'headers="date"')
    with pytest.raises(NotAuthenticated, match="must cover"):
        cloud.auth.principal_for("GET", "/n/", {**headers, "authorization": narrowed})


def test_a_region_outside_the_tenancy_is_not_authenticated(cloud):
    config = dict(cloud.config(SOURCE), region="ap-tokyo-1")
    with pytest.raises(ServiceError) as e:
        oci.object_storage.ObjectStorageClient(config).get_namespace()
    assert e.value.status == 401


def test_unknown_operations_fail_loudly(cloud, sdk):
    with pytest.raises(ServiceError) as e:
        sdk.compute().list_dedicated_vm_hosts(cloud.tenancy_id)
    assert (e.value.status, e.value.code) == (501, "NotImplemented")
    assert "not implemented by ocifake" in e.value.message


def test_no_request_leaves_the_machine(cloud):
    client = oci.object_storage.ObjectStorageClient(
        cloud.config(SOURCE), service_endpoint="https://example.com", retry_strategy=oci.retry.NoneRetryStrategy()
    )
    with pytest.raises(RequestException):
        client.get_namespace()


@pytest.mark.parametrize(
    ("status", "code"), [(429, "TooManyRequests"), (500, "InternalServerError"), (503, "ServiceUnavailable")]
)
def test_injected_faults_fail_the_nth_call_with_oci_errors(cloud, sdk, status, code):
    cloud.faults.fail_call("GetNamespace", status, nth=2)
    objects = oci.object_storage.ObjectStorageClient(cloud.config(SOURCE), retry_strategy=oci.retry.NoneRetryStrategy())
    objects.get_namespace()
    with pytest.raises(ServiceError) as e:
        objects.get_namespace()
    assert (e.value.status, e.value.code) == (status, code)
    objects.get_namespace()


def test_an_injected_timeout_loses_the_answer_but_not_the_work(cloud, compartment, sdk):
    cloud.create_bucket(SOURCE, "b", compartment)
    cloud.faults.fail_call("PutObject", "timeout")
    objects = oci.object_storage.ObjectStorageClient(cloud.config(SOURCE), retry_strategy=oci.retry.NoneRetryStrategy())
    with pytest.raises(RequestException):
        objects.put_object(cloud.namespace, "b", "x", b"1")
    assert objects.get_object(cloud.namespace, "b", "x").data.content == b"1"
    assert cloud.calls[0].status == "timeout"


def test_a_region_out_of_service_answers_its_functions_503_until_it_is_back(cloud, monkeypatch):
    for key, value in cloud.resource_principal_env(SOURCE).items():
        monkeypatch.setenv(key, value)
    function = oci.object_storage.ObjectStorageClient({}, signer=oci.auth.signers.get_resource_principals_signer())
    cloud.faults.outage(SOURCE, until=cloud.clock.seconds + 3600)
    with pytest.raises(ServiceError) as e:
        function.get_namespace()
    assert (e.value.status, e.value.code) == (503, "ServiceUnavailable")
    # The operator's own reads are left alone: what a test checks meanwhile is not faulted.
    oci.object_storage.ObjectStorageClient(cloud.config(SOURCE)).get_namespace()
    cloud.advance(3600)
    assert function.get_namespace().status == 200


def test_messages_published_to_a_topic_are_kept_in_order(cloud, compartment):
    topic = cloud.create_topic(SOURCE, "replication", compartment)
    client = oci.ons.NotificationDataPlaneClient(cloud.config(SOURCE))
    for title in ("first", "second"):
        reply = client.publish_message(topic.id, oci.ons.models.MessageDetails(title=title, body="{}"))
        assert reply.data.message_id
    assert [m.title for m in topic.messages] == ["first", "second"]
    with pytest.raises(ServiceError) as e:
        client.publish_message("ocid1.onstopic.oc1.iad.missing", oci.ons.models.MessageDetails(body="x"))
    assert e.value.status == 404
