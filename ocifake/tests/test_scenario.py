"""The whole path an image takes, on three regions, through the real SDK only."""

from datetime import timedelta

import oci

from support import FRANKFURT, PHOENIX, SOURCE


def _read_or_write_uri(objects, region, namespace, bucket, name, access, now):
    details = oci.object_storage.models.CreatePreauthenticatedRequestDetails(
        name=name, object_name=name, access_type=access, time_expires=now + timedelta(hours=6)
    )
    par = objects.create_preauthenticated_request(namespace, bucket, details).data
    return f"https://objectstorage.{region}.oraclecloud.com{par.access_uri}"


def test_image_exported_copied_to_two_regions_and_imported_in_both(cloud, compartment, sdk):
    ns, targets = cloud.namespace, (PHOENIX, FRANKFURT)
    compute = {r: sdk.compute(r) for r in (SOURCE, *targets)}
    objects = {r: sdk.objects(r) for r in (SOURCE, *targets)}
    cloud.create_bucket(SOURCE, "staging", compartment)
    for region in targets:
        cloud.create_bucket(region, "landing", compartment)
    image = cloud.create_image(
        SOURCE,
        compartment,
        "web",
        size_gb=50,
        launch_mode="NATIVE",
        operating_system="Ubuntu",
        operating_system_version="24.04",
    )
    cloud.run_until_idle()

    write = _read_or_write_uri(objects[SOURCE], SOURCE, ns, "staging", "web.oci", "ObjectWrite", cloud.clock.now())
    compute[SOURCE].export_image(image.id, oci.core.models.ExportImageViaObjectStorageUriDetails(destination_uri=write))
    cloud.run_until_idle()
    for region in targets:
        objects[SOURCE].copy_object(
            ns,
            "staging",
            oci.object_storage.models.CopyObjectDetails(
                source_object_name="web.oci",
                destination_region=region,
                destination_namespace=ns,
                destination_bucket="landing",
                destination_object_name="web.oci",
            ),
        )
    cloud.run_until_idle()
    replicas = {}
    for region in targets:
        read = _read_or_write_uri(objects[region], region, ns, "landing", "web.oci", "ObjectRead", cloud.clock.now())
        details = oci.core.models.CreateImageDetails(
            compartment_id=compartment,
            display_name="web",
            image_source_details=oci.core.models.ImageSourceViaObjectStorageUriDetails(source_uri=read),
        )
        replicas[region] = compute[region].create_image(details).data.id
    elapsed = cloud.run_until_idle()

    for region, replica_id in replicas.items():
        replica = compute[region].get_image(replica_id).data
        assert (
            replica.lifecycle_state,
            replica.operating_system,
            replica.operating_system_version,
            replica.launch_mode,
            replica.size_in_mbs,
        ) == (
            "AVAILABLE",
            "Ubuntu",
            "24.04",
            "NATIVE",
            50 * 1024,
        )
    assert elapsed == 30 * 60
