"""Compute images in ocifake, driven only through the real SDK."""

from datetime import timedelta

import oci
import pytest
from oci.exceptions import ServiceError

from ocifake.compute import image_archive
from support import PHOENIX, SOURCE


def _available(cloud, compartment, name="web", **kwargs):
    image = cloud.create_image(SOURCE, compartment, name, **kwargs)
    cloud.run_until_idle()
    return image


def test_captured_image_provisions_then_becomes_available_on_the_simulated_clock(cloud, compartment, sdk):
    image = cloud.create_image(SOURCE, compartment, "web", size_gb=50)
    assert sdk.compute().get_image(image.id).data.lifecycle_state == "PROVISIONING"
    cloud.advance(60 * 60)
    got = sdk.compute().get_image(image.id)
    assert got.data.lifecycle_state == "AVAILABLE"
    assert got.data.size_in_mbs == 50 * 1024
    assert got.headers["etag"]
    assert got.headers["opc-request-id"]


def test_missing_image_is_not_authorized_or_not_found(sdk):
    with pytest.raises(ServiceError) as e:
        sdk.compute().get_image("ocid1.image.oc1.iad.aaaaaaaanothere")
    assert (e.value.status, e.value.code) == (404, "NotAuthorizedOrNotFound")


def test_images_are_regional(cloud, compartment, sdk):
    image = _available(cloud, compartment)
    with pytest.raises(ServiceError) as e:
        sdk.compute(PHOENIX).get_image(image.id)
    assert e.value.status == 404


def test_list_images_filters_by_name_and_state_and_paginates(cloud, compartment, sdk):
    for n in range(5):
        cloud.create_image(SOURCE, compartment, f"img-{n}")
    cloud.run_until_idle()
    cloud.create_image(SOURCE, compartment, "img-new")
    compute = sdk.compute()
    first = compute.list_images(compartment, limit=2)
    assert len(first.data) == 2 and first.headers["opc-next-page"]
    everything = oci.pagination.list_call_get_all_results(compute.list_images, compartment, limit=2).data
    assert len(everything) == 6
    assert [i.display_name for i in compute.list_images(compartment, display_name="img-3").data] == ["img-3"]
    provisioning = compute.list_images(compartment, lifecycle_state="PROVISIONING").data
    assert [i.display_name for i in provisioning] == ["img-new"]


def test_list_images_takes_a_limit_up_to_1000_and_may_serve_smaller_pages(cloud, compartment, sdk):
    for n in range(5):
        cloud.create_image(SOURCE, compartment, f"img-{n}")
    compute = sdk.compute()
    for limit in (0, 1001):
        with pytest.raises(ServiceError) as e:
            compute.list_images(compartment, limit=limit)
        assert (e.value.status, e.value.code) == (400, "InvalidParameter")
    assert len(compute.list_images(compartment, limit=1000).data) == 5
    # Whether OCI fills a page up to the limit asked is unconfirmed: a service serving fewer
    # answers a next-page token, and a caller that follows it sees the same images.
    cloud.options.list_images_page_serves = 2
    first = compute.list_images(compartment, limit=1000)
    assert len(first.data) == 2 and first.headers["opc-next-page"]
    everything = oci.pagination.list_call_get_all_results(compute.list_images, compartment, limit=1000).data
    assert len(everything) == 5


def test_list_images_requires_a_compartment(sdk):
    with pytest.raises(ServiceError) as e:
        sdk.compute().list_images(None)
    assert e.value.status == 400


def test_update_image_changes_tags_and_name_and_honours_if_match(cloud, compartment, sdk):
    image = _available(cloud, compartment, freeform_tags={"team": "a"})
    compute = sdk.compute()
    etag = compute.get_image(image.id).headers["etag"]
    updated = compute.update_image(
        image.id, oci.core.models.UpdateImageDetails(display_name="web-2", freeform_tags={"team": "b"}), if_match=etag
    )
    assert (updated.data.display_name, updated.data.freeform_tags) == ("web-2", {"team": "b"})
    with pytest.raises(ServiceError) as e:
        compute.update_image(image.id, oci.core.models.UpdateImageDetails(display_name="web-3"), if_match=etag)
    assert (e.value.status, e.value.code) == (412, "NoEtagMatch")


def test_defined_tags_must_exist_in_a_tag_namespace(cloud, compartment, sdk):
    image = _available(cloud, compartment)
    cloud.create_tag_namespace("Ops", ["CostCenter"])
    compute = sdk.compute()
    compute.update_image(image.id, oci.core.models.UpdateImageDetails(defined_tags={"Ops": {"CostCenter": "42"}}))
    with pytest.raises(ServiceError) as e:
        compute.update_image(image.id, oci.core.models.UpdateImageDetails(defined_tags={"Nope": {"x": "1"}}))
    assert (e.value.status, e.value.code) == (400, "InvalidParameter")


def test_deleted_image_reads_as_deleted_then_cannot_be_deleted_again(cloud, compartment, sdk):
    image = _available(cloud, compartment)
    compute = sdk.compute()
    compute.delete_image(image.id)
    assert compute.get_image(image.id).data.lifecycle_state == "DELETED"
    assert compute.list_images(compartment).data == []
    with pytest.raises(ServiceError) as e:
        compute.delete_image(image.id)
    assert e.value.status == 404


def _export_uri(cloud, sdk, compartment, object_name="exports/web.oci", access="ObjectWrite", hours=4):
    if "staging" not in cloud.objectstorage(SOURCE).buckets:
        cloud.create_bucket(SOURCE, "staging", compartment)
    par = (
        sdk.objects()
        .create_preauthenticated_request(
            cloud.namespace,
            "staging",
            oci.object_storage.models.CreatePreauthenticatedRequestDetails(
                name="export",
                object_name=object_name,
                access_type=access,
                time_expires=cloud.clock.now() + timedelta(hours=hours),
            ),
        )
        .data
    )
    return f"https://objectstorage.{SOURCE}.oraclecloud.com{par.access_uri}", par


def test_export_through_a_pre_authenticated_uri_writes_the_object_when_it_finishes(cloud, compartment, sdk):
    image = _available(cloud, compartment, size_gb=50)
    uri, _ = _export_uri(cloud, sdk, compartment)
    reply = sdk.compute().export_image(
        image.id, oci.core.models.ExportImageViaObjectStorageUriDetails(destination_uri=uri, export_format="OCI")
    )
    assert reply.data.lifecycle_state == "EXPORTING"
    wr_id = reply.headers["opc-work-request-id"]
    with pytest.raises(ServiceError):
        sdk.objects().head_object(cloud.namespace, "staging", "exports/web.oci")
    cloud.advance(10 * 60)
    assert sdk.work_requests().get_work_request(wr_id).data.status == "IN_PROGRESS"
    cloud.advance(11 * 60)
    wr = sdk.work_requests().get_work_request(wr_id).data
    assert (wr.status, wr.percent_complete) == ("SUCCEEDED", 100.0)
    assert sdk.compute().get_image(image.id).data.lifecycle_state == "AVAILABLE"
    data = sdk.objects().get_object(cloud.namespace, "staging", "exports/web.oci").data.content
    assert image_archive.read_metadata(data)["imageSizeInMBs"] == 50 * 1024


def test_export_with_the_bucket_tuple_works_for_an_api_key_user(cloud, compartment, sdk):
    image = _available(cloud, compartment)
    cloud.create_bucket(SOURCE, "staging", compartment)
    details = oci.core.models.ExportImageViaObjectStorageTupleDetails(
        bucket_name="staging", namespace_name=cloud.namespace, object_name="web.oci"
    )
    sdk.compute().export_image(image.id, details)
    cloud.run_until_idle()
    assert sdk.objects().head_object(cloud.namespace, "staging", "web.oci").status == 200


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": "platform"}, "Platform images"),
        ({"kind": "marketplace"}, "Marketplace"),
        ({"size_gb": 401}, "400 GB"),
    ],
)
def test_images_that_cannot_be_exported_are_refused_with_400(cloud, compartment, sdk, kwargs, message):
    image = _available(cloud, compartment, **kwargs)
    uri, _ = _export_uri(cloud, sdk, compartment)
    with pytest.raises(ServiceError) as e:
        sdk.compute().export_image(image.id, oci.core.models.ExportImageViaObjectStorageUriDetails(destination_uri=uri))
    assert (e.value.status, e.value.code) == (400, "InvalidParameter")
    assert message in e.value.message
    assert sdk.compute().get_image(image.id).data.lifecycle_state == "AVAILABLE"


def test_export_of_an_image_that_is_not_available_is_incorrect_state(cloud, compartment, sdk):
    image = cloud.create_image(SOURCE, compartment, "web")
    uri, _ = _export_uri(cloud, sdk, compartment)
    with pytest.raises(ServiceError) as e:
        sdk.compute().export_image(image.id, oci.core.models.ExportImageViaObjectStorageUriDetails(destination_uri=uri))
    assert (e.value.status, e.value.code) == (409, "IncorrectState")


def test_export_needs_a_pre_authenticated_request_that_allows_writing(cloud, compartment, sdk):
    image = _available(cloud, compartment)
    uri, _ = _export_uri(cloud, sdk, compartment, access="ObjectRead")
    with pytest.raises(ServiceError) as e:
        sdk.compute().export_image(image.id, oci.core.models.ExportImageViaObjectStorageUriDetails(destination_uri=uri))
    assert e.value.status == 400


def test_image_cannot_be_deleted_while_exporting(cloud, compartment, sdk):
    image = _available(cloud, compartment)
    uri, _ = _export_uri(cloud, sdk, compartment)
    sdk.compute().export_image(image.id, oci.core.models.ExportImageViaObjectStorageUriDetails(destination_uri=uri))
    with pytest.raises(ServiceError) as e:
        sdk.compute().delete_image(image.id)
    assert e.value.status == 409


def test_an_export_can_end_available_without_its_object(cloud, compartment, sdk):
    image = _available(cloud, compartment)
    cloud.faults.export_without_object()
    uri, _ = _export_uri(cloud, sdk, compartment)
    sdk.compute().export_image(image.id, oci.core.models.ExportImageViaObjectStorageUriDetails(destination_uri=uri))
    cloud.run_until_idle()
    assert sdk.compute().get_image(image.id).data.lifecycle_state == "AVAILABLE"
    with pytest.raises(ServiceError) as e:
        sdk.objects().head_object(cloud.namespace, "staging", "exports/web.oci")
    assert e.value.status == 404


def test_export_fails_if_its_pre_authenticated_request_expires_first(cloud, compartment, sdk):
    image = _available(cloud, compartment, size_gb=100)
    uri, _ = _export_uri(cloud, sdk, compartment, hours=0.25)
    reply = sdk.compute().export_image(
        image.id, oci.core.models.ExportImageViaObjectStorageUriDetails(destination_uri=uri)
    )
    cloud.run_until_idle()
    assert sdk.work_requests().get_work_request(reply.headers["opc-work-request-id"]).data.status == "FAILED"


def _import_details(cloud, sdk, compartment, region=PHOENIX, *, size_mb=20 * 1024, name="web"):
    if "landing" not in cloud.objectstorage(region).buckets:
        cloud.create_bucket(region, "landing", compartment)
    objects = sdk.objects(region)
    archive = image_archive.build(
        {
            "operatingSystem": "Oracle Linux",
            "operatingSystemVersion": "9",
            "launchMode": "NATIVE",
            "imageSizeInMBs": size_mb,
        }
    )
    objects.put_object(cloud.namespace, "landing", f"{name}.oci", archive)
    par = objects.create_preauthenticated_request(
        cloud.namespace,
        "landing",
        oci.object_storage.models.CreatePreauthenticatedRequestDetails(
            name="read",
            object_name=f"{name}.oci",
            access_type="ObjectRead",
            time_expires=cloud.clock.now() + timedelta(hours=2),
        ),
    ).data
    return oci.core.models.CreateImageDetails(
        compartment_id=compartment,
        display_name=name,
        freeform_tags={"copied": "yes"},
        image_source_details=oci.core.models.ImageSourceViaObjectStorageUriDetails(
            source_uri=f"https://objectstorage.{region}.oraclecloud.com{par.access_uri}"
        ),
    )


def _import(cloud, sdk, compartment, region=PHOENIX, *, token=None, **kwargs):
    details = _import_details(cloud, sdk, compartment, region, **kwargs)
    return sdk.compute(region).create_image(details, **({"opc_retry_token": token} if token else {}))


def test_import_of_an_oci_object_takes_os_launch_mode_and_size_from_it(cloud, compartment, sdk):
    reply = _import(cloud, sdk, compartment)
    assert reply.data.lifecycle_state == "IMPORTING"
    assert (reply.data.operating_system, reply.data.launch_mode, reply.data.size_in_mbs) == (
        "Oracle Linux",
        "NATIVE",
        20 * 1024,
    )
    cloud.run_until_idle()
    image = sdk.compute(PHOENIX).get_image(reply.data.id).data
    assert image.lifecycle_state == "AVAILABLE"
    assert image.freeform_tags == {"copied": "yes"}
    assert sdk.work_requests(PHOENIX).get_work_request(reply.headers["opc-work-request-id"]).data.status == "SUCCEEDED"


@pytest.mark.parametrize(("overlaps", "minutes"), [(False, 20 * 36 / 60 + 20 * 18 / 60), (True, 20 * 36 / 60)])
def test_an_import_reading_another_region_pays_its_transfer_after_or_during_its_own_time(
    cloud, compartment, sdk, overlaps, minutes
):
    # The two bounds of a direct import (Durations.import_overlaps_transfer): a 20 GB image imports
    # in 12 min and crosses regions in 6; the transfer after the import, or within it.
    cloud.durations.import_overlaps_transfer = overlaps
    details = _import_details(cloud, sdk, compartment, SOURCE)  # the PAR is in the source region
    reply = sdk.compute(PHOENIX).create_image(details)
    started = cloud.clock.seconds
    cloud.run_until_idle()
    wr = sdk.work_requests(PHOENIX).get_work_request(reply.headers["opc-work-request-id"]).data
    assert wr.status == "SUCCEEDED"
    assert (wr.time_finished - wr.time_started).total_seconds() == pytest.approx(minutes * 60, abs=1)
    assert cloud.clock.seconds - started >= minutes * 60


def test_import_over_400_gb_is_refused(cloud, compartment, sdk):
    with pytest.raises(ServiceError) as e:
        _import(cloud, sdk, compartment, size_mb=401 * 1024)
    assert (e.value.status, e.value.code) == (400, "InvalidParameter")


def test_a_failed_import_work_request_leaves_the_image_deleted(cloud, compartment, sdk):
    cloud.faults.fail_work_request("ImportImage")
    reply = _import(cloud, sdk, compartment)
    cloud.run_until_idle()
    assert sdk.work_requests(PHOENIX).get_work_request(reply.headers["opc-work-request-id"]).data.status == "FAILED"
    assert sdk.compute(PHOENIX).get_image(reply.data.id).data.lifecycle_state == "DELETED"


def test_same_retry_token_and_body_replays_the_first_answer(cloud, compartment, sdk):
    details = _import_details(cloud, sdk, compartment)
    compute = sdk.compute(PHOENIX)
    first = compute.create_image(details, opc_retry_token="token-1")
    again = compute.create_image(details, opc_retry_token="token-1")
    assert again.data.id == first.data.id
    assert len(compute.list_images(compartment).data) == 1


def test_retry_token_reused_for_a_different_request_is_refused(cloud, compartment, sdk):
    _import(cloud, sdk, compartment, token="token-1")
    with pytest.raises(ServiceError) as e:
        _import(cloud, sdk, compartment, token="token-1", name="other")
    assert (e.value.status, e.value.code) == (409, "InvalidatedRetryToken")


def test_shape_compatibility_entries_round_trip_with_constraints(cloud, compartment, sdk):
    image = _available(cloud, compartment)
    compute = sdk.compute()
    details = oci.core.models.AddImageShapeCompatibilityEntryDetails(
        memory_constraints=oci.core.models.ImageMemoryConstraints(min_in_gbs=4, max_in_gbs=64),
        ocpu_constraints=oci.core.models.ImageOcpuConstraints(min=1, max=8),
    )
    added = compute.add_image_shape_compatibility_entry(
        image.id, "VM.Standard.E4.Flex", add_image_shape_compatibility_entry_details=details
    ).data
    assert (added.shape, added.memory_constraints.max_in_gbs, added.ocpu_constraints.max) == (
        "VM.Standard.E4.Flex",
        64,
        8,
    )
    compute.add_image_shape_compatibility_entry(image.id, "VM.Standard2.1")
    listed = compute.list_image_shape_compatibility_entries(image.id).data
    assert [e.shape for e in listed] == ["VM.Standard.E4.Flex", "VM.Standard2.1"]
    assert compute.get_image_shape_compatibility_entry(image.id, "VM.Standard2.1").data.memory_constraints is None
    compute.remove_image_shape_compatibility_entry(image.id, "VM.Standard2.1")
    with pytest.raises(ServiceError) as e:
        compute.get_image_shape_compatibility_entry(image.id, "VM.Standard2.1")
    assert e.value.status == 404


def test_shape_constraints_with_min_above_max_are_invalid(cloud, compartment, sdk):
    image = _available(cloud, compartment)
    details = oci.core.models.AddImageShapeCompatibilityEntryDetails(
        ocpu_constraints=oci.core.models.ImageOcpuConstraints(min=8, max=2)
    )
    with pytest.raises(ServiceError) as e:
        sdk.compute().add_image_shape_compatibility_entry(
            image.id, "VM.Standard.E4.Flex", add_image_shape_compatibility_entry_details=details
        )
    assert (e.value.status, e.value.code) == (400, "InvalidParameter")


def test_an_import_whose_pre_authenticated_request_is_deleted_midway_fails(cloud, compartment, sdk):
    reply = _import(cloud, sdk, compartment)
    objects = sdk.objects(PHOENIX)
    (par,) = objects.list_preauthenticated_requests(cloud.namespace, "landing").data
    cloud.advance(60)
    objects.delete_preauthenticated_request(cloud.namespace, "landing", par.id)
    cloud.run_until_idle()
    work_request = sdk.work_requests(PHOENIX).get_work_request(reply.headers["opc-work-request-id"]).data
    assert work_request.status == "FAILED"
    assert sdk.compute(PHOENIX).get_image(reply.data.id).data.lifecycle_state == "DELETED"


def test_an_export_whose_pre_authenticated_request_is_deleted_midway_fails(cloud, compartment, sdk):
    image = _available(cloud, compartment)
    uri, _ = _export_uri(cloud, sdk, compartment)
    reply = sdk.compute().export_image(
        image.id, oci.core.models.ExportImageViaObjectStorageUriDetails(destination_uri=uri)
    )
    (par,) = sdk.objects().list_preauthenticated_requests(cloud.namespace, "staging").data
    sdk.objects().delete_preauthenticated_request(cloud.namespace, "staging", par.id)
    cloud.run_until_idle()
    assert sdk.work_requests().get_work_request(reply.headers["opc-work-request-id"]).data.status == "FAILED"
    assert sdk.objects().list_objects(cloud.namespace, "staging").data.objects == []


def test_list_images_of_an_unknown_compartment_is_not_authorized_or_not_found(sdk):
    with pytest.raises(ServiceError) as e:
        sdk.compute().list_images("ocid1.compartment.oc1..aaaaaaaanosuchcompartment")
    assert (e.value.status, e.value.code) == (404, "NotAuthorizedOrNotFound")


@pytest.mark.parametrize("namespace", ["computeimagingapi", "computeapi"])
def test_updates_deletes_and_shape_changes_emit_events_in_the_configured_namespace(compartment, namespace):
    from ocifake import FakeCloud, Options

    with FakeCloud(regions=[SOURCE], options=Options(image_event_namespace=namespace)) as cloud:
        comp = cloud.create_compartment("c")
        seen: list = []
        actions = ["updateimage", "addimageshapecompatibility", "removeimageshapecompatibility", "deleteimage"]
        condition = {"eventType": [f"com.oraclecloud.{namespace}.{action}" for action in actions]}
        cloud.events.create_rule(SOURCE, condition, lambda e: seen.append(e["eventType"].rsplit(".", 1)[1]))
        image = _available(cloud, comp)
        compute = oci.core.ComputeClient(cloud.config(SOURCE))
        compute.update_image(image.id, oci.core.models.UpdateImageDetails(freeform_tags={"a": "b"}))
        compute.add_image_shape_compatibility_entry(image.id, "VM.Standard3.Flex")
        compute.remove_image_shape_compatibility_entry(image.id, "VM.Standard3.Flex")
        compute.delete_image(image.id)
        cloud.run_until_idle()
        assert seen == actions


def test_a_region_refuses_shapes_it_does_not_offer(cloud, compartment, sdk):
    cloud.offer_shapes(SOURCE, ["VM.Standard3.Flex"])
    image = _available(cloud, compartment)
    sdk.compute().add_image_shape_compatibility_entry(image.id, "VM.Standard3.Flex")
    with pytest.raises(ServiceError) as e:
        sdk.compute().add_image_shape_compatibility_entry(image.id, "BM.GPU.A100-v2.8")
    assert (e.value.status, e.value.code) == (400, "InvalidParameter")
