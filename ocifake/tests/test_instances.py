"""Compute instances and console histories in ocifake, driven through the real SDK."""

import oci
import pytest
from oci.exceptions import ServiceError

from ocifake.instances.models import InstancesBackend
from support import PHOENIX, SOURCE

SHAPE = "VM.Standard.E4.Flex"


@pytest.fixture
def subnet(cloud, compartment):
    net = oci.core.VirtualNetworkClient(cloud.config(SOURCE), retry_strategy=oci.retry.NoneRetryStrategy())
    vcn = net.create_vcn(oci.core.models.CreateVcnDetails(compartment_id=compartment, cidr_block="10.1.0.0/16")).data
    return net.create_subnet(
        oci.core.models.CreateSubnetDetails(
            compartment_id=compartment, vcn_id=vcn.id, cidr_block="10.1.0.0/24", prohibit_public_ip_on_vnic=True
        )
    ).data.id


def _image(cloud, compartment, **kwargs):
    image = cloud.create_image(
        SOURCE, compartment, "web", shapes={SHAPE: {"ocpuConstraints": {"min": 1, "max": 8}}}, **kwargs
    )
    cloud.run_until_idle()
    return image


def _details(compartment, image_id, subnet_id, **changes):
    fields = dict(
        compartment_id=compartment,
        availability_domain=f"abcd:{SOURCE.upper()}-AD-1",
        shape=SHAPE,
        shape_config=oci.core.models.LaunchInstanceShapeConfigDetails(ocpus=1, memory_in_gbs=4),
        display_name="drill",
        freeform_tags={"purpose": "drill"},
        source_details=oci.core.models.InstanceSourceViaImageDetails(image_id=image_id),
        create_vnic_details=oci.core.models.CreateVnicDetails(subnet_id=subnet_id, assign_public_ip=False),
    )
    fields.update(changes)
    return oci.core.models.LaunchInstanceDetails(**fields)


def _refused(call) -> tuple[int, str, str]:
    with pytest.raises(ServiceError) as e:
        call()
    return e.value.status, e.value.code, e.value.message


def test_a_launched_instance_runs_prints_its_login_prompt_and_terminates_with_its_events(
    cloud, compartment, sdk, subnet
):
    received = []
    cloud.events.create_rule(
        SOURCE,
        {
            "eventType": [
                "com.oraclecloud.computeapi.launchinstance.end",
                "com.oraclecloud.computeapi.terminateinstance.end",
            ]
        },
        received.append,
    )
    image = _image(cloud, compartment)
    compute = sdk.compute()
    instance = compute.launch_instance(_details(compartment, image.id, subnet)).data
    assert instance.lifecycle_state == "PROVISIONING" and instance.image_id == image.id
    cloud.advance(cloud.durations.instance_launch)
    assert compute.get_instance(instance.id).data.lifecycle_state == "RUNNING"
    cloud.advance(1)  # the event is delivered a moment later
    assert [e["data"]["resourceId"] for e in received] == [instance.id]

    early = compute.capture_console_history(oci.core.models.CaptureConsoleHistoryDetails(instance_id=instance.id)).data
    cloud.advance(cloud.durations.instance_boot)
    late = compute.capture_console_history(oci.core.models.CaptureConsoleHistoryDetails(instance_id=instance.id)).data
    cloud.advance(cloud.durations.console_capture)
    assert compute.get_console_history(late.id).data.lifecycle_state == "SUCCEEDED"
    assert b"login:" not in compute.get_console_history_content(early.id).data
    assert b"drill login: " in compute.get_console_history_content(late.id, length=1024 * 1024).data

    compute.terminate_instance(instance.id, preserve_boot_volume=False)
    assert compute.get_instance(instance.id).data.lifecycle_state == "TERMINATING"
    cloud.run_until_idle()
    assert compute.get_instance(instance.id).data.lifecycle_state == "TERMINATED"
    assert len(received) == 2 and cloud.require_region(SOURCE).backend(InstancesBackend).kept_boot_volumes == []


def test_terminating_keeps_the_boot_volume_unless_told_not_to_as_oci_does(cloud, compartment, sdk, subnet):
    image = _image(cloud, compartment)
    instance = sdk.compute().launch_instance(_details(compartment, image.id, subnet)).data
    cloud.run_until_idle()
    sdk.compute().terminate_instance(instance.id)
    sdk.compute().terminate_instance(instance.id)  # terminating again is no error
    cloud.run_until_idle()
    assert cloud.require_region(SOURCE).backend(InstancesBackend).kept_boot_volumes == [instance.id]


def test_an_image_that_never_runs_ends_its_launch_terminated_with_a_failed_work_request(
    cloud, compartment, sdk, subnet
):
    image = _image(cloud, compartment, boot="never-running")
    instance = sdk.compute().launch_instance(_details(compartment, image.id, subnet)).data
    cloud.run_until_idle()
    assert sdk.compute().get_instance(instance.id).data.lifecycle_state == "TERMINATED"
    (wr,) = [w for w in cloud.compute(SOURCE).work_requests.values() if w.resource_id == instance.id]
    assert (wr.operation_type, wr.status) == ("LaunchInstance", "FAILED")


def test_an_image_that_boots_silently_runs_but_never_prints_a_login_prompt(cloud, compartment, sdk, subnet):
    image = _image(cloud, compartment, boot="silent")
    instance = sdk.compute().launch_instance(_details(compartment, image.id, subnet)).data
    cloud.advance(cloud.durations.instance_launch + cloud.durations.instance_boot * 10)
    history = (
        sdk.compute()
        .capture_console_history(oci.core.models.CaptureConsoleHistoryDetails(instance_id=instance.id))
        .data
    )
    cloud.run_until_idle()
    content = sdk.compute().get_console_history_content(history.id).data
    assert b"Kernel panic" in content and b"login:" not in content


def test_a_launch_is_validated_as_compute_validates_it(cloud, compartment, sdk, subnet):
    image = _image(cloud, compartment)
    launch = sdk.compute().launch_instance
    assert _refused(lambda: launch(_details(compartment, image.id, subnet, shape="VM.Standard2.1", shape_config=None)))[
        :2
    ] == (400, "InvalidParameter")
    assert _refused(lambda: launch(_details(compartment, image.id, subnet, shape_config=None)))[:2] == (
        400,
        "InvalidParameter",
    )
    too_big = oci.core.models.LaunchInstanceShapeConfigDetails(ocpus=16)
    assert _refused(lambda: launch(_details(compartment, image.id, subnet, shape_config=too_big)))[:2] == (
        400,
        "InvalidParameter",
    )
    public = oci.core.models.CreateVnicDetails(subnet_id=subnet, assign_public_ip=True)
    assert _refused(lambda: launch(_details(compartment, image.id, subnet, create_vnic_details=public)))[:2] == (
        400,
        "InvalidParameter",
    )
    elsewhere = f"abcd:{PHOENIX.upper()}-AD-1"
    assert _refused(lambda: launch(_details(compartment, image.id, subnet, availability_domain=elsewhere)))[:2] == (
        400,
        "InvalidParameter",
    )
    assert _refused(lambda: launch(_details(compartment, "ocid1.image.oc1.iad.nothere", subnet)))[:2] == (
        404,
        "NotAuthorizedOrNotFound",
    )
    assert cloud.require_region(SOURCE).backend(InstancesBackend).instances == {}


def test_capacity_and_limits_refuse_a_launch_with_ocis_codes(cloud, compartment, sdk, subnet):
    image = _image(cloud, compartment)
    backend = cloud.require_region(SOURCE).backend(InstancesBackend)
    launch = sdk.compute().launch_instance
    backend.out_of_capacity.add(SHAPE)
    assert _refused(lambda: launch(_details(compartment, image.id, subnet))) == (
        500,
        "InternalError",
        "Out of host capacity.",
    )
    backend.out_of_capacity.clear()
    backend.shape_limits[SHAPE] = 1
    launch(_details(compartment, image.id, subnet))
    assert _refused(lambda: launch(_details(compartment, image.id, subnet)))[:2] == (400, "LimitExceeded")


def test_a_console_is_captured_only_while_the_instance_runs(cloud, compartment, sdk, subnet):
    image = _image(cloud, compartment)
    instance = sdk.compute().launch_instance(_details(compartment, image.id, subnet)).data
    capture = oci.core.models.CaptureConsoleHistoryDetails(instance_id=instance.id)
    assert _refused(lambda: sdk.compute().capture_console_history(capture))[:2] == (409, "IncorrectState")


def test_instances_are_listed_by_compartment_and_state(cloud, compartment, sdk, subnet):
    image = _image(cloud, compartment)
    first = sdk.compute().launch_instance(_details(compartment, image.id, subnet)).data
    sdk.compute().launch_instance(_details(compartment, image.id, subnet))
    cloud.run_until_idle()
    sdk.compute().terminate_instance(first.id, preserve_boot_volume=False)
    cloud.run_until_idle()
    running = sdk.compute().list_instances(compartment, lifecycle_state="RUNNING").data
    assert len(running) == 1 and running[0].id != first.id
    assert len(sdk.compute().list_instances(compartment).data) == 2


@pytest.mark.parametrize(
    "missing",
    [
        "use subnets",
        "use vnics",
        "use network-security-groups",
        "read instance-images",
        "manage instances",
    ],
)
def test_launching_needs_the_subnet_the_vnic_and_the_image_as_well_as_the_instance(
    cloud, compartment, sdk, subnet, missing
):
    image = _image(cloud, compartment)
    granted = ["use subnets", "use vnics", "use network-security-groups", "read instance-images", "manage instances"]
    cloud.create_policy("drills", [f"Allow group drills to {g} in tenancy" for g in granted if g != missing])
    user = cloud.create_user("driller", ["drills"])
    compute = oci.core.ComputeClient({**user, "region": SOURCE}, retry_strategy=oci.retry.NoneRetryStrategy())
    assert _refused(lambda: compute.launch_instance(_details(compartment, image.id, subnet)))[:2] == (
        404,
        "NotAuthorizedOrNotFound",
    )


def test_a_launch_with_every_permission_it_needs_succeeds_for_a_user_of_a_group(cloud, compartment, sdk, subnet):
    image = _image(cloud, compartment)
    cloud.create_policy(
        "drills",
        [
            f"Allow group drills to {g} in tenancy"
            for g in [
                "use subnets",
                "use vnics",
                "use network-security-groups",
                "read instance-images",
                "manage instances",
            ]
        ],
    )
    user = cloud.create_user("driller", ["drills"])
    compute = oci.core.ComputeClient({**user, "region": SOURCE}, retry_strategy=oci.retry.NoneRetryStrategy())
    assert compute.launch_instance(_details(compartment, image.id, subnet)).data.lifecycle_state == "PROVISIONING"
