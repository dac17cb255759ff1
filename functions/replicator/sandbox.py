"""The replicator deployed on ocifake the way Terraform deploys it on OCI.

Per region: a staging and a landing bucket with object events on, the function served by
the real fdk from `functions/func.py`, and the Events rules of `events/rules/`. Used by the
demo, the end-to-end tests and the benchmarks; the function itself never imports this.
"""

from dataclasses import dataclass, field

from ocifake import FakeCloud
from ocifake.functions.fdk_process import FdkFunction

from .config import ReplicatorConfig
from .rules import REPO_ROOT, load_rules

FUNC_ENTRY = REPO_ROOT / "functions" / "func.py"


@dataclass
class Sandbox:
    cloud: FakeCloud
    regions: list[str]
    compartment_id: str
    config: ReplicatorConfig
    env: dict[str, str]
    functions: dict[str, FdkFunction] = field(default_factory=dict)

    def logs(self) -> list[dict]:
        """Every function's structured log lines, region by region."""
        return [record for fn in self.functions.values() for record in fn.log_records()]


def deploy(cloud: FakeCloud, regions: list[str], compartment_id: str, env: dict[str, str] | None = None) -> Sandbox:
    env = dict(env or {})
    config = ReplicatorConfig.from_env(env)
    sandbox = Sandbox(cloud, list(regions), compartment_id, config, env)
    specs = load_rules(config)
    for region in regions:
        cloud.create_bucket(region, config.staging_bucket, compartment_id, object_events=True)
        cloud.create_bucket(region, config.landing_bucket, compartment_id, object_events=True)
        fn = cloud.deploy_function(region, str(FUNC_ENTRY), "handler", config=env, name="image-replicator", wait=False)
        sandbox.functions[region] = fn
        for spec in specs:
            cloud.events.create_rule(region, spec.condition, fn, display_name=spec.display_name)
    for fn in sandbox.functions.values():
        fn.wait_ready()
    return sandbox
