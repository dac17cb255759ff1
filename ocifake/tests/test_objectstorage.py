"""Object Storage in ocifake, driven only through the real SDK."""

from datetime import timedelta

import oci
import pytest
from oci.exceptions import ServiceError

from support import FRANKFURT, PHOENIX, SOURCE


@pytest.fixture
def bucket(cloud, compartment):
    cloud.create_bucket(SOURCE, "staging", compartment)
    return "staging"


def test_namespace_is_one_per_tenancy(cloud, sdk):
    assert sdk.objects(SOURCE).get_namespace().data == sdk.objects(PHOENIX).get_namespace().data == cloud.namespace


def test_buckets_are_created_read_and_updated_through_the_api(cloud, compartment, sdk):
    objects = sdk.objects()
    details = oci.object_storage.models.CreateBucketDetails(
        name="landing", compartment_id=compartment, object_events_enabled=False
    )
    assert objects.create_bucket(cloud.namespace, details).data.object_events_enabled is False
    objects.update_bucket(
        cloud.namespace, "landing", oci.object_storage.models.UpdateBucketDetails(object_events_enabled=True)
    )
    got = objects.get_bucket(cloud.namespace, "landing").data
    assert (got.object_events_enabled, got.public_access_type) == (True, "NoPublicAccess")
    with pytest.raises(ServiceError) as e:
        objects.create_bucket(cloud.namespace, details)
    assert (e.value.status, e.value.code) == (409, "BucketAlreadyExists")
    with pytest.raises(ServiceError) as e:
        objects.get_bucket(cloud.namespace, "nope")
    assert (e.value.status, e.value.code) == (404, "BucketNotFound")


def test_objects_keep_their_metadata_and_etag(cloud, bucket, sdk):
    objects = sdk.objects()
    put = objects.put_object(
        cloud.namespace, bucket, "a/b.json", b"{}", opc_meta={"source-image": "img-1"}, content_type="application/json"
    )
    got = objects.get_object(cloud.namespace, bucket, "a/b.json")
    assert got.data.content == b"{}"
    assert got.headers["etag"] == put.headers["etag"]
    assert got.headers["opc-meta-source-image"] == "img-1"
    assert objects.head_object(cloud.namespace, bucket, "a/b.json").headers["content-type"] == "application/json"


def test_conditional_writes_use_etags(cloud, bucket, sdk):
    objects = sdk.objects()
    first = objects.put_object(cloud.namespace, bucket, "status.json", b"1", if_none_match="*")
    with pytest.raises(ServiceError) as e:
        objects.put_object(cloud.namespace, bucket, "status.json", b"2", if_none_match="*")
    assert (e.value.status, e.value.code) == (412, "IfNoneMatchFailed")
    second = objects.put_object(cloud.namespace, bucket, "status.json", b"2", if_match=first.headers["etag"])
    with pytest.raises(ServiceError) as e:
        objects.put_object(cloud.namespace, bucket, "status.json", b"3", if_match=first.headers["etag"])
    assert (e.value.status, e.value.code) == (412, "NoEtagMatch")
    assert second.headers["etag"] != first.headers["etag"]


def test_list_objects_by_prefix_pages_with_next_start_with(cloud, bucket, sdk):
    objects = sdk.objects()
    for n in range(5):
        objects.put_object(cloud.namespace, bucket, f"p/{n}", b"x")
    objects.put_object(cloud.namespace, bucket, "other", b"x")
    page = objects.list_objects(cloud.namespace, bucket, prefix="p/", limit=2, fields="name,size,md5").data
    assert [o.name for o in page.objects] == ["p/0", "p/1"] and page.next_start_with == "p/2"
    everything = oci.pagination.list_call_get_all_results(
        objects.list_objects, cloud.namespace, bucket, prefix="p/", limit=2
    ).data
    assert len(everything.objects) == 5


def test_deleted_object_is_gone(cloud, bucket, sdk):
    objects = sdk.objects()
    objects.put_object(cloud.namespace, bucket, "x", b"x")
    objects.delete_object(cloud.namespace, bucket, "x")
    with pytest.raises(ServiceError) as e:
        objects.get_object(cloud.namespace, bucket, "x")
    assert (e.value.status, e.value.code) == (404, "ObjectNotFound")


def _par(cloud, sdk, bucket, object_name="x", access="ObjectRead", hours=1.0):
    return (
        sdk.objects()
        .create_preauthenticated_request(
            cloud.namespace,
            bucket,
            oci.object_storage.models.CreatePreauthenticatedRequestDetails(
                name="par-" + object_name,
                object_name=object_name,
                access_type=access,
                time_expires=cloud.clock.now() + timedelta(hours=hours),
            ),
        )
        .data
    )


def test_pre_authenticated_requests_are_listed_without_their_secret_and_deleted(cloud, bucket, sdk):
    created = _par(cloud, sdk, bucket, "img/a.oci")
    assert created.access_uri.startswith("/p/")
    listed = sdk.objects().list_preauthenticated_requests(cloud.namespace, bucket, object_name_prefix="img/").data
    assert [p.id for p in listed] == [created.id]
    assert getattr(listed[0], "access_uri", None) is None
    sdk.objects().delete_preauthenticated_request(cloud.namespace, bucket, created.id)
    assert sdk.objects().list_preauthenticated_requests(cloud.namespace, bucket).data == []


def test_pre_authenticated_request_must_expire_in_the_future(cloud, bucket, sdk):
    with pytest.raises(ServiceError) as e:
        _par(cloud, sdk, bucket, hours=-1)
    assert (e.value.status, e.value.code) == (400, "InvalidParameter")


def test_pre_authenticated_request_is_refused_once_expired(cloud, bucket, sdk):
    import oci._vendor.requests as requests  # the SDK's own transport, which ocifake intercepts

    sdk.objects().put_object(cloud.namespace, bucket, "x", b"payload")
    par = _par(cloud, sdk, bucket, "x", hours=1)
    url = f"https://objectstorage.{SOURCE}.oraclecloud.com{par.access_uri}"
    assert requests.get(url).content == b"payload"
    cloud.advance(2 * 3600)
    assert requests.get(url).status_code == 404


def _copy(cloud, sdk, bucket, dest_region, **extra):
    details = oci.object_storage.models.CopyObjectDetails(
        source_object_name="img.oci",
        destination_region=dest_region,
        destination_namespace=cloud.namespace,
        destination_bucket="landing",
        destination_object_name="img.oci",
        **extra,
    )
    return sdk.objects().copy_object(cloud.namespace, bucket, details)


def test_cross_region_copy_is_asynchronous_and_lands_with_the_source_metadata(cloud, compartment, bucket, sdk):
    cloud.create_bucket(PHOENIX, "landing", compartment)
    sdk.objects().put_object(
        cloud.namespace, bucket, "img.oci", b"disk", opc_meta={"source-image-id": "ocid1.image.oc1.iad.x"}
    )
    reply = _copy(cloud, sdk, bucket, PHOENIX)
    assert reply.status == 202 and reply.data is None
    wr_id = reply.headers["opc-work-request-id"]
    assert sdk.objects().get_work_request(wr_id).data.status == "ACCEPTED"
    cloud.run_until_idle()
    wr = sdk.objects().get_work_request(wr_id).data
    assert (wr.operation_type, wr.status, wr.percent_complete) == ("COPY_OBJECT", "COMPLETED", 100.0)
    landed = sdk.objects(PHOENIX).get_object(cloud.namespace, "landing", "img.oci")
    assert landed.data.content == b"disk"
    assert landed.headers["opc-meta-source-image-id"] == "ocid1.image.oc1.iad.x"


def test_a_copy_into_a_region_out_of_service_fails_and_lands_nothing(cloud, compartment, bucket, sdk):
    cloud.create_bucket(PHOENIX, "landing", compartment)
    sdk.objects().put_object(cloud.namespace, bucket, "img.oci", b"disk")
    cloud.faults.outage(PHOENIX, until=cloud.clock.seconds + 3600)
    wr_id = _copy(cloud, sdk, bucket, PHOENIX).headers["opc-work-request-id"]
    cloud.run_until_idle()
    wr = sdk.objects().get_work_request(wr_id).data
    assert wr.status == "FAILED"
    assert sdk.objects(PHOENIX).list_objects(cloud.namespace, "landing").data.objects == []


def test_copy_metadata_can_be_overridden(cloud, compartment, bucket, sdk):
    cloud.create_bucket(FRANKFURT, "landing", compartment)
    sdk.objects().put_object(cloud.namespace, bucket, "img.oci", b"disk", opc_meta={"a": "1"})
    _copy(cloud, sdk, bucket, FRANKFURT, destination_object_metadata={"opc-meta-b": "2"})
    cloud.run_until_idle()
    headers = sdk.objects(FRANKFURT).head_object(cloud.namespace, "landing", "img.oci").headers
    assert headers.get("opc-meta-b") == "2" and "opc-meta-a" not in headers


def test_copy_with_if_none_match_onto_an_existing_object_fails_at_request_time_by_default(
    cloud, compartment, bucket, sdk
):
    cloud.create_bucket(PHOENIX, "landing", compartment)
    sdk.objects().put_object(cloud.namespace, bucket, "img.oci", b"new")
    sdk.objects(PHOENIX).put_object(cloud.namespace, "landing", "img.oci", b"old")
    with pytest.raises(ServiceError) as e:
        _copy(cloud, sdk, bucket, PHOENIX, destination_object_if_none_match_e_tag="*")
    assert (e.value.status, e.value.code) == (412, "IfNoneMatchFailed")
    assert sdk.objects(PHOENIX).get_object(cloud.namespace, "landing", "img.oci").data.content == b"old"


def test_copy_preconditions_can_be_checked_only_when_the_copy_runs(compartment):
    from ocifake import FakeCloud, Options

    with FakeCloud(
        regions=[SOURCE, PHOENIX], options=Options(copy_preconditions_at_request=False, iam_enforced=False)
    ) as late:
        comp = late.create_compartment("c")
        late.create_bucket(SOURCE, "staging", comp)
        late.create_bucket(PHOENIX, "landing", comp)
        source = oci.object_storage.ObjectStorageClient(late.config(SOURCE))
        source.put_object(late.namespace, "staging", "img.oci", b"new")
        oci.object_storage.ObjectStorageClient(late.config(PHOENIX)).put_object(
            late.namespace, "landing", "img.oci", b"old"
        )
        details = oci.object_storage.models.CopyObjectDetails(
            source_object_name="img.oci",
            destination_region=PHOENIX,
            destination_namespace=late.namespace,
            destination_bucket="landing",
            destination_object_name="img.oci",
            destination_object_if_none_match_e_tag="*",
        )
        work_request = source.copy_object(late.namespace, "staging", details).headers["opc-work-request-id"]
        late.run_until_idle()
        assert source.get_work_request(work_request).data.status == "FAILED"
        (error,) = source.list_work_request_errors(work_request).data
        assert error.code == "IfNoneMatchFailed"


def test_copy_of_a_missing_source_object_is_not_found(cloud, compartment, bucket, sdk):
    with pytest.raises(ServiceError) as e:
        _copy(cloud, sdk, bucket, PHOENIX)
    assert (e.value.status, e.value.code) == (404, "ObjectNotFound")


def test_copy_to_a_missing_bucket_is_refused_at_request_time(cloud, bucket, sdk):
    sdk.objects().put_object(cloud.namespace, bucket, "img.oci", b"disk")
    with pytest.raises(ServiceError) as e:
        _copy(cloud, sdk, bucket, PHOENIX)
    assert (e.value.status, e.value.code) == (404, "BucketNotFound")
