"""A deployment made only through the API, as Terraform's two roots make it, replicates.

`tests.deploying.deploy` creates, with the SDK and nothing else, every resource infra/ declares.
No sandbox wiring: an image tagged for two regions is then replicated by the functions those
rules and schedules invoke.
"""

from tests.deploying import InProcess, deploy
from tests.helpers import FRANKFURT, PHOENIX, REGIONS, SOURCE, replicas


def test_a_deployment_made_only_through_the_api_replicates_a_tagged_image(cloud, compartment):
    deployed = deploy(InProcess(cloud), REGIONS, compartment, {})
    source = cloud.create_image(
        SOURCE, compartment, "web", size_gb=20, freeform_tags={"replicate-to": f"{PHOENIX},{FRANKFURT}"}
    )
    cloud.run_until_idle()
    for region in (PHOENIX, FRANKFURT):
        (replica,) = replicas(cloud, region, source.id, compartment)
        assert replica.lifecycle_state == "AVAILABLE"
    # Every region's function was invoked by the rules made through the API, none by anything else.
    invoked = {region: len(cloud.function_by_id(fn_id).invocations) for region, fn_id in deployed.items()}
    assert all(count > 0 for count in invoked.values()), invoked
    # The schedules made through the API run each region's pass, which finds nothing left to do.
    runs, _ = cloud.advance_to_next_schedule()
    assert {run.function_id for run in runs} == set(deployed.values())
    assert all(run.invocation is not None and run.invocation.status == 200 for run in runs)
