"""The replicator deployed on ocifake the way Terraform deploys it on OCI.

Per region: a staging and a landing bucket with object events on, the function served by
the real fdk from `functions/func.py`, and the Events rules of `events/rules/`. Used by the
demo, the end-to-end tests and the benchmarks; the function itself never imports this.
"""

import json
from dataclasses import dataclass, field

from ocifake import FakeCloud
from ocifake.core.clock import iso
from ocifake.functions.hosting import Function as FdkFunction

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

    def reconcile(self, region: str | None = None, *, dry_run: bool = False) -> dict:
        """Invoke the function's scheduled reconcile pass in `region` (default: the first), now."""
        fn = self.functions[region or self.regions[0]]
        payload = {"action": "reconcile", "dryRun": dry_run, "at": iso(self.cloud.clock.now())}
        reply = fn.invoke(json.dumps(payload).encode())
        if reply.status != 200:
            raise RuntimeError(f"reconcile in {fn.region} answered {reply.status}: {reply.body[:500]!r}")
        return reply.json()

    def converge(self, max_passes: int = 10) -> int:
        """Alternate reconcile passes (every region) and simulated time until nothing is left to do."""
        for n in range(1, max_passes + 1):
            reports = [self.reconcile(region) for region in self.regions]
            self.cloud.run_until_idle()
            if all(step["action"] == "none" for report in reports for step in report["steps"]):
                return n
        raise AssertionError(f"not converged after {max_passes} reconcile passes")


def deploy(cloud: FakeCloud, regions: list[str], compartment_id: str, env: dict[str, str] | None = None) -> Sandbox:
    env = {"IR_COMPARTMENTS": compartment_id, **(env or {})}
    config = ReplicatorConfig.from_env(env)
    sandbox = Sandbox(cloud, list(regions), compartment_id, config, env)
    specs = load_rules(config)
    for region in regions:
        cloud.create_bucket(region, config.staging_bucket, compartment_id, object_events=True)
        cloud.create_bucket(region, config.landing_bucket, compartment_id, object_events=True)
        fn = cloud.deploy_function(region, str(FUNC_ENTRY), "handler", config=env, name="image-replicator", egress="nat", wait=False)
        sandbox.functions[region] = fn
        for spec in specs:
            cloud.events.create_rule(region, spec.condition, fn, display_name=spec.display_name)
    for fn in sandbox.functions.values():
        fn.wait_ready()
    return sandbox
