"""Multipart uploads and ranged reads, as the SDK's UploadManager and downloads use them."""

import base64
import hashlib
import io

import oci
import pytest
from oci.exceptions import ServiceError
from oci.object_storage import UploadManager
from oci.object_storage.models import (
    CommitMultipartUploadDetails,
    CommitMultipartUploadPartDetails,
    CreateMultipartUploadDetails,
)

from support import SOURCE

MIB = 1024 * 1024


@pytest.fixture
def bucket(cloud, compartment):
    cloud.create_bucket(SOURCE, "uploads", compartment)
    return "uploads"


def multipart_md5(parts: list[bytes]) -> str:
    digest = hashlib.md5(b"".join(hashlib.md5(p).digest() for p in parts)).digest()
    return f"{base64.b64encode(digest).decode()}-{len(parts)}"


def test_the_upload_manager_writes_an_object_in_parts_that_reads_back_whole(cloud, sdk, bucket):
    data = bytes(range(256)) * (45 * MIB // 256)  # 45 MiB: parts of 10, 10, 10, 10 and 5
    manager = UploadManager(sdk.objects(), allow_parallel_uploads=True, parallel_process_count=3)
    manager.upload_stream(cloud.namespace, bucket, "image.oci", io.BytesIO(data), part_size=10 * MIB)
    head = sdk.objects().head_object(cloud.namespace, bucket, "image.oci").headers
    parts = [data[i : i + 10 * MIB] for i in range(0, len(data), 10 * MIB)]
    assert head["opc-multipart-md5"] == multipart_md5(parts)
    assert "content-md5" not in head and int(head["content-length"]) == len(data)
    assert sdk.objects().get_object(cloud.namespace, bucket, "image.oci").data.content == data
    assert sdk.objects().list_multipart_uploads(cloud.namespace, bucket).data == []


def test_a_commit_names_every_part_with_its_etag(cloud, sdk, bucket):
    objects = sdk.objects()
    upload = objects.create_multipart_upload(
        cloud.namespace, bucket, CreateMultipartUploadDetails(object="a", content_type="text/plain")
    ).data
    first = objects.upload_part(cloud.namespace, bucket, "a", upload.upload_id, 1, b"one").headers["etag"]
    objects.upload_part(cloud.namespace, bucket, "a", upload.upload_id, 2, b"two")
    listed = objects.list_multipart_upload_parts(cloud.namespace, bucket, "a", upload.upload_id).data
    assert [(p.part_number, p.size) for p in listed] == [(1, 3), (2, 3)]

    def commit(parts, exclude=None):
        details = CommitMultipartUploadDetails(
            parts_to_commit=[CommitMultipartUploadPartDetails(part_num=n, etag=e) for n, e in parts],
            parts_to_exclude=exclude,
        )
        return objects.commit_multipart_upload(cloud.namespace, bucket, "a", upload.upload_id, details)

    with pytest.raises(ServiceError) as unnamed:
        commit([(1, first)])
    with pytest.raises(ServiceError) as wrong:
        commit([(1, "not-its-etag")], exclude=[2])
    assert (unnamed.value.status, wrong.value.status) == (400, 400)
    assert "not named: 2" in unnamed.value.message
    done = commit([(1, first)], exclude=[2])
    assert done.headers["opc-multipart-md5"] == multipart_md5([b"one"])
    got = objects.get_object(cloud.namespace, bucket, "a")
    assert (got.data.content, got.headers["content-type"]) == (b"one", "text/plain")


def test_an_aborted_upload_leaves_nothing_and_an_unfinished_one_keeps_its_bucket(cloud, sdk, bucket):
    objects = sdk.objects()
    upload = objects.create_multipart_upload(cloud.namespace, bucket, CreateMultipartUploadDetails(object="b")).data
    objects.upload_part(cloud.namespace, bucket, "b", upload.upload_id, 1, b"x")
    with pytest.raises(ServiceError) as busy:
        objects.delete_bucket(cloud.namespace, bucket)
    assert (busy.value.status, busy.value.code) == (409, "BucketNotEmpty")
    objects.abort_multipart_upload(cloud.namespace, bucket, "b", upload.upload_id)
    with pytest.raises(ServiceError) as gone:
        objects.upload_part(cloud.namespace, bucket, "b", upload.upload_id, 2, b"y")
    assert gone.value.status == 404
    assert objects.list_objects(cloud.namespace, bucket).data.objects == []
    objects.delete_bucket(cloud.namespace, bucket)


def test_part_numbers_run_from_1_to_10000(cloud, sdk, bucket):
    objects = sdk.objects()
    upload = objects.create_multipart_upload(cloud.namespace, bucket, CreateMultipartUploadDetails(object="c")).data
    for number in (0, 10_001):
        with pytest.raises(ServiceError) as refused:
            objects.upload_part(cloud.namespace, bucket, "c", upload.upload_id, number, b"z")
        assert refused.value.status == 400


def test_a_ranged_read_answers_206_with_the_bytes_asked_for(cloud, sdk, bucket):
    objects = sdk.objects()
    objects.put_object(cloud.namespace, bucket, "r", b"0123456789")
    for asked, body, content_range in (
        ("bytes=2-4", b"234", "bytes 2-4/10"),
        ("bytes=7-", b"789", "bytes 7-9/10"),
        ("bytes=-2", b"89", "bytes 8-9/10"),
        ("bytes=8-100", b"89", "bytes 8-9/10"),
    ):
        got = objects.get_object(cloud.namespace, bucket, "r", range=asked)
        assert (got.status, got.data.content, got.headers["content-range"]) == (206, body, content_range)
    with pytest.raises(ServiceError) as beyond:
        objects.get_object(cloud.namespace, bucket, "r", range="bytes=10-12")
    assert (beyond.value.status, beyond.value.code) == (416, "InvalidRange")


def test_copies_are_listed_as_work_requests_of_their_compartment(cloud, sdk, bucket, compartment):
    objects = sdk.objects()
    objects.put_object(cloud.namespace, bucket, "s", b"data")
    cloud.create_bucket("us-phoenix-1", "uploads", compartment)
    details = oci.object_storage.models.CopyObjectDetails(
        source_object_name="s",
        destination_region="us-phoenix-1",
        destination_namespace=cloud.namespace,
        destination_bucket="uploads",
        destination_object_name="s",
    )
    work_request = objects.copy_object(cloud.namespace, bucket, details).headers["opc-work-request-id"]
    listed = objects.list_work_requests(compartment).data
    assert [(w.id, w.operation_type) for w in listed] == [(work_request, "COPY_OBJECT")]
