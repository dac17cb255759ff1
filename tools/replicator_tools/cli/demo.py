"""The demo: a full replication on the embedded fake cloud, watched as an operator would."""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from rich.console import Console, Group
from rich.live import Live
from rich.text import Text

from ..alarms import DEFAULT_RPO_HOURS
from ..inventory import protections, reports, with_progress
from ..report import ImageReport
from .auth import AuthOptions, Operator
from .views import duration, minutes, notes, print_lines, status_table, summary_lines

SOURCE, PHOENIX, FRANKFURT = "us-ashburn-1", "us-phoenix-1", "eu-frankfurt-1"
REGIONS = [SOURCE, PHOENIX, FRANKFURT]
STEP_SECONDS = 60.0
LOOK_EVERY = 5 * 60.0  # simulated seconds between the operator's reads of the work in flight


@dataclass(frozen=True)
class DemoImage:
    name: str
    size_gb: int
    freeform_tags: dict
    expected_replicas: tuple[str, ...] = ()
    expected_reason: str = ""
    kind: str = "custom"
    defined_tags: dict = field(default_factory=dict)
    shapes: dict = field(default_factory=dict)


IMAGES = (
    DemoImage(
        "web-server",
        50,
        {"replicate-to": f"{PHOENIX},{FRANKFURT}", "team": "web", "image-family": "web-server"},
        expected_replicas=(PHOENIX, FRANKFURT),
        defined_tags={"Operations": {"CostCenter": "1042"}},
        shapes={
            "VM.Standard.E4.Flex": {
                "ocpuConstraints": {"min": 1, "max": 16},
                "memoryConstraints": {"minInGBs": 4, "maxInGBs": 256},
            },
            "VM.Standard3.Flex": {},
        },
    ),
    DemoImage("batch-worker", 20, {"replicate-to": "default", "team": "batch"}, expected_replicas=(PHOENIX,)),
    DemoImage("scratch-build", 10, {"team": "ci"}),
    DemoImage(
        "vendor-appliance", 30, {"replicate-to": FRANKFURT}, expected_reason="cannot be exported", kind="marketplace"
    ),
)
DEMO_ENV = {"IR_DEFAULT_REGIONS": PHOENIX}


def _transitions(before: dict, current: list[ImageReport], elapsed: float) -> list[str]:
    """A line per stage or state a region entered, and per quarter of a stage's work passed
    (its percent and the time left, as `status` shows them)."""
    lines = []
    clock = f"{int(elapsed // 3600):02d}:{int(elapsed % 3600 // 60):02d}"
    for report in current:
        for region in report.regions:
            key = (report.source_image_id, region.region)
            now = (region.stage, region.state)
            head = f"[{clock}] {report.display_name:<17} {region.region:<15} {region.stage:<7}"
            if before.get(key) != now:
                before[key] = now
                lines.append(f"{head} {region.state}")
            percent = region.progress.percent_complete if region.progress else None
            if region.state != "in_progress" or percent is None:
                continue
            quarter = (*now, int(percent // 25))
            if 0 < percent < 100 and before.get((*key, "quarter")) != quarter:
                before[(*key, "quarter")] = quarter
                left = f", ~{minutes(region.seconds_left)} left" if region.seconds_left else ""
                lines.append(f"{head} {percent:.0f}%{left}")
    return lines


def monitoring_checks(cloud, sandbox) -> list[tuple[str, bool]]:
    """What OCI Monitoring holds after the replications and one reconcile pass in each region."""
    results = []
    for region in REGIONS[1:]:
        stages = {p.dimensions["stage"] for p in cloud.metrics(region, name="stage_seconds", targetRegion=region)}
        results.append(
            (f"stage times in {region}'s Monitoring (copy, import, finish)", stages >= {"copy", "import", "finish"})
        )
    failing = sandbox.firing(SOURCE, "replication-failed")
    results.append(
        (
            "the replication-failed alarm fires for vendor-appliance's target only",
            [f["targetRegion"] for f in failing] == [FRANKFURT],
        )
    )
    results.append(("no RPO alarm fires yet", not any(sandbox.firing(r, "rpo-exceeded") for r in REGIONS)))
    return results


def check(cloud, final: list[ImageReport], images: dict, operator: Operator) -> list[tuple[str, bool]]:
    """Each expectation of the demo with whether it held, observed through the SDK."""
    results = []
    by_id = {r.source_image_id: r for r in final}
    for spec in IMAGES:
        image = images[spec.name]
        for region in REGIONS[1:]:
            compute = operator.runtime(region).compute
            found = [
                i
                for i in compute.list_images(image.compartment_id)
                if i.replica_of == image.id and i.lifecycle_state == "AVAILABLE"
            ]
            wanted = region in spec.expected_replicas
            label = f"{spec.name}: {'an AVAILABLE replica' if wanted else 'no replica'} in {region}"
            results.append((label, len(found) == (1 if wanted else 0)))
        if spec.expected_reason:
            report = by_id.get(image.id)
            results.append(
                (
                    f"{spec.name}: refused with a reason ({spec.expected_reason})",
                    bool(report and spec.expected_reason in report.reason),
                )
            )
        if not spec.freeform_tags.get("replicate-to"):
            results.append((f"{spec.name}: untagged, so untouched", image.id not in by_id))
    config = operator.config
    leftover = sum(
        len(operator.runtime(r).objects.list_pars(b))
        for r in REGIONS
        for b in (config.staging_bucket, config.landing_bucket)
    )
    results.append(("no pre-authenticated request left behind", leftover == 0))
    functions = [c for c in cloud.calls if c.principal == "resource_principal"]
    # Events drive every step; an hourly reconcile pass that falls while a copy is overdue looks
    # at that copy's work request once (image and manifest): reconciliation, not a polling loop.
    looks = [c for c in functions if c.operation == "GetWorkRequest"]
    copies = [c for c in functions if c.operation == "CopyObject"]
    results.append(("nothing polled (a work request read at most once per copy)", len(looks) <= len(copies)))
    results.append(("each function called its own region only", all(c.region == c.caller_region for c in functions)))
    return results


def start_time() -> datetime:
    """Where the demo's clock starts: seven minutes past the next full hour. The hourly passes
    then fall at the same point of every run, so two runs print the same times."""
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    return now + timedelta(hours=1, minutes=7)


def seed(cloud, console: Console | None = None):
    """The demo's tenancy on `cloud`: the replicator in every region and the four images."""
    from ..sandbox import deploy

    compartment = cloud.create_compartment("images")
    cloud.create_tag_namespace("Operations", ["CostCenter"])
    if console:
        console.print(f"Fake tenancy with {', '.join(REGIONS)}; deploying the replicator function in each region…")
    sandbox = deploy(cloud, REGIONS, compartment, DEMO_ENV)
    images = {}
    for spec in IMAGES:
        images[spec.name] = cloud.create_image(
            SOURCE,
            compartment,
            spec.name,
            size_gb=spec.size_gb,
            freeform_tags=spec.freeform_tags,
            defined_tags=spec.defined_tags,
            kind=spec.kind,
            shapes=spec.shapes,
        )
        if console:
            tag = spec.freeform_tags.get("replicate-to", "(no replicate-to tag)")
            console.print(f"Created {spec.name} ({spec.size_gb} GB, {spec.kind}) in {SOURCE}: replicate-to = {tag}")
    return compartment, sandbox, images


def run(console: Console) -> int:
    """Run the demo; 0 only if every expected replica is AVAILABLE and every expected refusal happened."""
    from ocifake import FakeCloud

    with FakeCloud(regions=REGIONS, start=start_time()) as cloud:
        compartment, sandbox, images = seed(cloud, console)
        # The view a person has: the tenancy user's API key, reading every region through the real SDK.
        operator = Operator(AuthOptions(fake=cloud.config(SOURCE), fake_env=sandbox.env, clock=cloud.clock.now))
        runtime = operator.runtime()
        console.print(
            "Events flow on a simulated clock: [hh:mm] simulated time since the images were created.\n",
            markup=False,  # the legend's brackets are text, not markup
            highlight=False,
        )

        seen: dict = {}
        current: list[ImageReport] = []
        delivered, looked = 0, 0.0
        with Live(status_table(current), console=console, transient=True, auto_refresh=False) as live:
            while cloud.clock.pending():
                cloud.advance(STEP_SECONDS)
                # The status moves when an event reaches a function; the work in flight, between
                # them: the operator looks at its progress every few minutes, as status --watch does.
                if len(cloud.events.deliveries) == delivered and cloud.clock.seconds - looked < LOOK_EVERY:
                    continue
                delivered, looked = len(cloud.events.deliveries), cloud.clock.seconds
                current = with_progress(
                    reports(runtime, operator.runtime, [compartment], []), operator.runtime, runtime.now()
                )
                for line in _transitions(seen, current, cloud.clock.seconds):
                    live.console.print(line, markup=False, highlight=False)
                live.update(status_table(current, width=console.width), refresh=True)
        console.print()
        title = f"Replication status after {duration(cloud.clock.seconds)} simulated"
        console.print(status_table(current, title=title, width=console.width))
        print_lines(console, notes(current), whole=False)
        # The hourly reconcile pass measures each region's exposure for Monitoring and its alarms.
        sandbox.reconcile_everywhere()
        cloud.run_until_idle()
        console.print(
            f"\nProtection at {duration(cloud.clock.seconds)} simulated, after each region's hourly reconcile pass "
            f"(image-replicator status --summary, RPO {DEFAULT_RPO_HOURS} h):"
        )
        summary = protections(runtime, [compartment], runtime_for=operator.runtime)
        print_lines(console, summary_lines(summary, runtime.now(), DEFAULT_RPO_HOURS * 3600), whole=False, markup=True)
        for region in REGIONS:
            states = ", ".join(
                f"{name} {'FIRING' if sandbox.firing(region, name) else 'OK'}"
                for name in sorted(sandbox.alarms[region])
            )
            posted = len(cloud.metrics(region, namespace=sandbox.config.metrics_namespace))  # the replicator's own
            console.print(f"Monitoring in {region}: {posted} datapoints; alarms: {states}", highlight=False)
        console.print()
        results = check(cloud, current, images, operator) + monitoring_checks(cloud, sandbox)
        console.print(
            Group(
                *(Text(f"{'PASS' if ok else 'FAIL'}  {label}", style="green" if ok else "red") for label, ok in results)
            )
        )
        return 0 if all(ok for _, ok in results) else 1
