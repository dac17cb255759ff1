"""The replicator deployed on ocifake the way Terraform deploys it on OCI.

IAM first, as infra/home makes it: the dynamic group and the policies rendered from
`iam/policies.json`, which the fake enforces on every request. Per region: a staging and a
landing bucket with object events on (in a buckets compartment), the function (in a
functions compartment, behind a service gateway, with several containers), the Events rules
of `events/rules/`, created where Terraform creates them (the tenancy, by default) and
filtering on the compartments, a Notifications topic, the Monitoring alarms of
`monitoring/alarms/` on the function's metrics, and the region's schedule policy. Containers run
in this process by default (fast; the sandbox's clock is the fake's), or as real fdk
processes (`fdk=True`). Used by the demo, the tests and the benchmarks; the function itself
never imports this.
"""

import dataclasses
import json
import secrets
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from ocifake import FakeCloud
from replicator.api import PassReport, ReplicatorConfig, logs, make_handler

from .alarms import DEFAULT_RPO_HOURS, DEFAULT_WINDOW, load_alarms
from .policies import Deployment, PeerGrant, PolicySpec, render
from .rules import load_rules

# What functions/func.py holds, for fdk processes wherever the packages are installed.
ENTRY_FILE = (
    "from replicator.gateways import sdk\n\nsdk.install()\n\n"
    'from replicator.handler import handler  # noqa: E402\n\n__all__ = ["handler"]\n'
)


def func_entry(directory: str) -> str:
    """An entry file for `fdk <entry> handler`, as the function image has at /function/func.py."""
    path = Path(directory) / "func.py"
    path.write_text(ENTRY_FILE)
    return str(path)


RECONCILE_SCHEDULE = "0 * * * *"  # Terraform's default reconcile_schedule: every full hour (cron)
RECONCILE_BODY = {"action": "reconcile"}  # what Terraform's schedule passes as its BODY parameter
# Terraform's default drills.schedule: the drill tick, where drills are on; off the hour, when the
# reconcile pass starts (the two would work on the same drills at once).
DRILL_SCHEDULE = "2-59/5 * * * *"
DRILL_BODY = {"action": "drills"}


@dataclass
class Sandbox:
    cloud: FakeCloud
    regions: list[str]
    compartment_id: str  # where the images are
    buckets_compartment_id: str
    functions_compartment_id: str
    config: ReplicatorConfig
    env: dict[str, str]
    policies: dict = field(default_factory=dict)  # policy name -> the fake's policy
    schedules: dict = field(default_factory=dict)  # region -> its reconcile schedule
    functions: dict = field(default_factory=dict)
    topics: dict = field(default_factory=dict)  # region -> its Notifications topic
    alarms: dict = field(default_factory=dict)  # region -> {alarm name: alarm}
    region_env: dict = field(default_factory=dict)  # region -> its function's settings (its own secret, topic)
    records: list[dict] = field(default_factory=list)  # log lines of in-process containers
    tenancy_id: str = ""  # the tenancy it is deployed in
    namespace: str = ""  # that tenancy's Object Storage namespace
    dynamic_group_id: str = ""  # its functions' dynamic group (what another tenancy's Admit names)
    iam: Deployment | None = None  # the values its policies were rendered from
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def capture(self, record: dict) -> None:
        with self._lock:
            self.records.append(record)

    def logs(self) -> list[dict]:
        """Every function's structured log lines."""
        return [*self.records, *(r for fn in self.functions.values() for r in fn.log_records())]

    def reconcile(self, region: str | None = None, *, dry_run: bool = False, parallel: int = 1) -> PassReport:
        """Run the reconcile pass in `region` (default: the first) now, in `parallel` containers at once."""
        fn = self.functions[region or self.regions[0]]
        body = json.dumps({"action": "reconcile", "dryRun": dry_run}).encode()
        replies = self.cloud.invoke_parallel([(fn, body)] * parallel)
        reports = [pass_report(reply) for reply in replies]  # every one is checked
        return reports[0]

    def reconcile_everywhere(self, *, parallel: int = 1) -> list[PassReport]:
        """The next scheduled passes: time moves to the schedules' next run and each fires.

        With `parallel` > 1, as many more passes per region start at the same moment (an
        operator's `image-replicator reconcile` overlapping the schedule's).
        """
        body = json.dumps(RECONCILE_BODY).encode()
        also = [(self.functions[r], body) for r in self.regions for _ in range(parallel - 1)]
        runs, manual, ticks = self.advance_to_next_pass(also)
        for run in [*runs, *ticks]:
            if run.invocation is None:
                raise AssertionError(f"a schedule could not invoke {run.function_id}: {run.outcome}")
        for run in ticks:  # the drill ticks between two passes: each checked, none counted as a pass
            problems = pass_report(run.invocation).problems
            if problems:
                raise AssertionError(f"a drill tick had problems: {problems}")
        return [pass_report(reply) for reply in [*(run.invocation for run in runs), *manual]]

    def advance_to_next_pass(self, also: list | None = None) -> tuple[list, list, list]:
        """Time moves to the next reconcile pass of any region, the schedules between firing on the
        way (the drill ticks): the passes' runs, the invocations of `also` made with them, the ticks'."""
        ticks: list = []
        while True:
            runs, manual = self.cloud.advance_to_next_schedule(also=also)
            also = None
            passes = [run for run in runs if json.loads(run.body or b"{}") == RECONCILE_BODY]
            ticks += [run for run in runs if run not in passes]
            if passes or manual:
                return passes, manual, ticks

    def firing(self, region: str, alarm: str) -> list[dict[str, str]]:
        """The dimension sets for which alarm `alarm` (its file's name) fires in `region` now."""
        return self.cloud.alarm_firing(self.alarms[region][alarm])

    def withhold(self, statements: frozenset[str]) -> None:
        """The tenancy's policies (scope `home`) as Terraform renders them, less `statements` (ids of
        policies.json): an administrator removed them, or (with none) put every one back."""
        assert self.iam is not None
        identity = self.cloud.identity_of(self.tenancy_id)
        for policy in render(self.iam).scope("home"):
            texts = [s.text for s in policy.statements if s.id not in statements]
            current = self.policies.get(policy.name)
            with self.cloud.lock:
                if current is not None and texts:
                    identity.update_policy(current.id, {"statements": texts})
                elif current is not None:
                    identity.delete_policy(current.id)
                    self.policies[policy.name] = None
            if current is None and texts:
                self.policies[policy.name] = _create_policy(self.cloud, policy, statements, self.tenancy_id)

    def converge(self, max_passes: int = 12, *, parallel: int = 1) -> int:
        """Let the schedules run passes in every region until none has anything to do."""
        for n in range(1, max_passes + 1):
            reports = self.reconcile_everywhere(parallel=parallel)
            self.cloud.run_until_idle()
            if all(idle(report) for report in reports):
                return n
        raise AssertionError(f"not converged after {max_passes} reconcile passes")


def pass_report(reply) -> PassReport:
    """A pass's answer: 200 with its report, or 502 with it when the pass could leave no other trace
    (its report, metrics and notice all refused); anything else is a failure of the pass."""
    try:
        report = PassReport.model_validate_json(reply.body) if reply.status in (200, 502) else None
    except ValueError:
        report = None
    if report is None or (reply.status != 200) != report.unreported:
        raise AssertionError(f"a reconcile pass answered {reply.status}: {reply.body[:500]!r}")
    return report


def idle(report: PassReport) -> bool:
    """Nothing planned but steps that found nothing to do."""
    return not report.problems and all(
        s.action == "none" or (s.action != "wait" and s.result == "ignored") for s in report.steps
    )


def drill_places(cloud: FakeCloud, compartment_id: str, regions: list[str]) -> dict[str, dict[str, str]]:
    """Per region, a private subnet in the drill compartment and the region's availability domain: what
    Terraform's drill network hands each region's function (deploy's `per_region`)."""
    return {
        region: {
            "IR_DRILL_SUBNET_ID": cloud.create_private_subnet(region, compartment_id),
            "IR_DRILL_AVAILABILITY_DOMAIN": cloud.availability_domain(region, compartment_id),
        }
        for region in regions
    }


def deploy(
    cloud: FakeCloud,
    regions: list[str],
    compartment_id: str,
    env: dict[str, str] | None = None,
    *,
    containers: int = 3,
    fdk: bool = False,
    egress: str = "service_gateway",
    rpo_hours: float = DEFAULT_RPO_HOURS,
    alarm_window: str = DEFAULT_WINDOW,
    without_statements: frozenset[str] = frozenset(),
    tenancy: str | None = None,
    peer_keys: dict[str, bytes] | None = None,
    per_region: dict[str, dict[str, str]] | None = None,
) -> Sandbox:
    """The replicator in every region of `regions`; images are expected in `compartment_id`.

    Each region gets a topic of its own for notices and alarms, unless `env` names one.
    `without_statements` leaves out the statements of those entries of policies.json (by id),
    to show what each one is needed for. `tenancy` deploys into another tenancy of the fake
    (`cloud.add_tenancy`); `peer_keys` are the keys shared with other tenancies, by alias (a
    Vault secret each per region, IR_PEER_SECRET_IDS), and `grant_peer` adds what the two
    tenancies grant each other once both are deployed. `per_region`: settings of one region's
    function only (its drill subnet, say), over `env`.
    """
    tenancy = tenancy or cloud.tenancy_id
    namespace = cloud.namespace_of(tenancy)
    buckets = cloud.create_compartment("replicator-buckets", tenancy=tenancy)
    functions = cloud.create_compartment("replicator-functions", tenancy=tenancy)
    # Metrics go where Terraform puts them by default: the functions' compartment. Terraform
    # also hands each function its namespace and the participating regions.
    defaults = {
        "IR_COMPARTMENTS": compartment_id,
        "IR_METRICS_COMPARTMENT_ID": functions,
        "IR_NAMESPACE": namespace,
    }
    if not fdk:
        # In process the containers share the test's environment, whose proxy settings they
        # would otherwise read on every request; the fdk processes keep the default.
        defaults["IR_HTTP_TRUST_ENV"] = "false"
    if peer_keys:
        # Each region's function is handed its own region's secrets below; the settings shared by
        # every region are checked with a stand-in of the same form.
        defaults["IR_PEER_SECRET_IDS"] = ",".join(f"{alias}=ocid1.vaultsecret.oc1..perregion" for alias in peer_keys)
    env = {**defaults, **(env or {})}
    # What every region shares is checked with one region's own settings added (its drill subnet).
    config = ReplicatorConfig.from_env({**env, **(per_region or {}).get(regions[0], {})})
    sandbox = Sandbox(
        cloud, list(regions), compartment_id, buckets, functions, config, env, tenancy_id=tenancy, namespace=namespace
    )
    image_compartments = [
        *config.compartments,
        *([config.target_compartment_id] if config.target_compartment_id else []),
    ]
    iam = Deployment(
        dynamic_group="image-replicator-functions",
        functions_compartment_id=functions,
        buckets_compartment_id=buckets,
        metrics_compartment_id=config.metrics_compartment_id or functions,
        metrics_namespace=config.metrics_namespace,
        staging_bucket=config.staging_bucket,
        landing_bucket=config.landing_bucket,
        regions=list(regions),
        image_compartment_ids=sorted(set(image_compartments)),
        kms_key_ids={},
        on_source_deleted=config.on_source_deleted,
        retention=config.retention,
        drill_compartment_ids=[config.drill_compartment_id] if config.drill_compartment_id else [],
    )
    grants = render(iam)
    sandbox.iam = iam
    if tenancy == cloud.tenancy_id:
        group = cloud.create_dynamic_group(
            grants.dynamic_group_name, grants.matching_rule, grants.dynamic_group_description
        )
    else:
        group = cloud.create_tenancy_dynamic_group(tenancy, grants.dynamic_group_name, grants.matching_rule)
    sandbox.dynamic_group_id = group.id
    for policy in grants.scope("home"):
        sandbox.policies[policy.name] = _create_policy(cloud, policy, without_statements, tenancy)
    specs = load_rules(config, image_compartments=image_compartments, bucket_compartments=[buckets])
    if not fdk:
        logs.send_to(sandbox.capture)
    # One key for the deployment, a Vault secret in each region (Terraform's signing_key).
    signing_key = secrets.token_bytes(32)
    for region in regions:
        for bucket in (config.staging_bucket, config.landing_bucket):
            cloud.create_bucket(region, bucket, buckets, object_events=True)
            # As Terraform's: leftover exports and manifests expire (records and answers stay).
            cloud.objectstorage(region).put_lifecycle_policy(
                namespace, bucket, {"items": [intermediate_expiry(config.object_prefix)]}
            )
        region_env = {**env, **(per_region or {}).get(region, {})}
        if "IR_SIGNING_SECRET_ID" not in env:
            region_env["IR_SIGNING_SECRET_ID"] = cloud.create_secret(
                region, functions, "image-replicator-signing-key", signing_key
            )
        if peer_keys:
            # As Terraform's peer_signing_keys: a secret per other tenancy, holding the key both share.
            region_env["IR_PEER_SECRET_IDS"] = ",".join(
                f"{alias}={cloud.create_secret(region, functions, f'image-replicator-peer-{alias}', key)}"
                for alias, key in sorted(peer_keys.items())
            )
        if "IR_NOTIFICATION_TOPIC_ID" not in env:
            topic = cloud.create_topic(region, f"image-replicator-{region}", functions)
            sandbox.topics[region] = topic
            region_env["IR_NOTIFICATION_TOPIC_ID"] = topic.id
        if fdk:
            entry = func_entry(tempfile.mkdtemp(prefix="image-replicator-"))
            fn = cloud.deploy_function(
                region,
                entry,
                "handler",
                config=region_env,
                name="image-replicator",
                instances=containers,
                egress=egress,
                wait=False,
                compartment_id=functions,
            )
        else:
            fn = cloud.deploy_handler(
                region,
                lambda: make_handler(clock=cloud.clock.now),
                config=region_env,
                name="image-replicator",
                instances=containers,
                egress=egress,
                compartment_id=functions,
            )
        sandbox.functions[region] = fn
        sandbox.region_env[region] = region_env
        if config.metrics_namespace:
            sandbox.alarms[region] = {
                spec.name: cloud.create_alarm(
                    region,
                    functions,
                    spec.namespace or config.metrics_namespace,
                    spec.query,
                    destinations=[sandbox.topics[region].id] if region in sandbox.topics else [],
                    display_name=f"{spec.display_name}-{region}",
                    # A service's own metrics are posted where its resource is: the function's.
                    metric_compartment_id=functions if spec.namespace else config.metrics_compartment_id,
                    severity=spec.severity,
                )
                for spec in load_alarms(rpo_hours=rpo_hours, window=alarm_window, function_id=fn.id)
            }
        schedule = cloud.create_schedule(
            region,
            functions,
            fn.id,
            RECONCILE_BODY,
            recurrence=RECONCILE_SCHEDULE,
            display_name=f"image-replicator-reconcile-{region}",
        )
        sandbox.schedules[region] = schedule
        drill_schedule = None
        if config.drills_possible:
            drill_schedule = cloud.create_schedule(
                region,
                functions,
                fn.id,
                DRILL_BODY,
                recurrence=DRILL_SCHEDULE,
                display_name=f"image-replicator-drills-{region}",
            )
        regional = render(
            dataclasses.replace(
                iam,
                region=region,
                schedule_id=schedule.id,
                drill_schedule_id=drill_schedule.id if drill_schedule else "",
            )
        )
        for policy in regional.scope("region"):
            sandbox.policies[policy.name] = _create_policy(cloud, policy, without_statements, tenancy)
        for spec in specs:
            # Where Terraform puts them: a compartment over the images and buckets (the tenancy).
            cloud.events.create_rule(region, spec.condition, fn, compartment_id=tenancy, display_name=spec.display_name)
    for fn in sandbox.functions.values():
        fn.wait_ready()
    return sandbox


INTERMEDIATE_RETENTION_DAYS = 7  # Terraform's intermediate_retention_days


def intermediate_expiry(prefix: str) -> dict:
    return {
        "name": "expire-intermediate-objects",
        "action": "DELETE",
        "target": "objects",
        "timeAmount": INTERMEDIATE_RETENTION_DAYS,
        "timeUnit": "DAYS",
        "isEnabled": True,
        "objectNameFilter": {"inclusionPrefixes": [f"{prefix}images/", f"{prefix}manifests/"]},
    }


def grant_peer(sandbox: Sandbox, other: Sandbox, alias: str, *, without: frozenset[str] = frozenset()) -> None:
    """What `sandbox`'s tenancy grants `other`'s (its alias there: `alias`), as infra/home's `peers`
    makes it: rendered from the peer policy of policies.json. Each side grants its own."""
    assert sandbox.iam is not None
    peer = PeerGrant(alias, other.tenancy_id, other.dynamic_group_id, other.regions)
    grants = render(dataclasses.replace(sandbox.iam, peers=[peer]))
    for policy in grants.scope("peer"):
        sandbox.policies[policy.name] = _create_policy(sandbox.cloud, policy, without, sandbox.tenancy_id)


def _create_policy(cloud: FakeCloud, policy: PolicySpec, without: frozenset[str], tenancy: str | None = None):
    statements = [s.text for s in policy.statements if s.id not in without]
    if not statements:
        return None
    return cloud.create_policy(policy.name, statements, description=policy.description, compartment_id=tenancy)
