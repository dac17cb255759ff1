"""`image-replicator`: see every replication at a glance, plan, reconcile, retry, and run the demo."""

import dataclasses
import json
import sys
import traceback

import typer
from rich.console import Console

from replicator.api import (
    COVERED,
    NotFound,
    PassHealth,
    ReplicatorError,
    drill,
    family_of,
    is_region,
    keep_of,
    logs,
    ocids,
    place,
    requiring_drill,
    run_pass,
)

from ..inventory import (
    family_summary,
    images_named,
    pass_health,
    protections,
    replicas_named,
    reports,
    with_progress,
)
from ..inventory import latest as latest_version
from ..inventory import plan as plan_images
from ..operations import SETTLED_STATES, retry_region
from .auth import AUTH_MODES, DEFAULT_CONFIG_FILE, AuthOptions, CliError, Operator, UsageError
from .causes import explain
from .rc import DEFAULT_RC_FILE, Param, RcError, RcFile, chosen_profile, default_map, load
from .views import (
    duration,
    notes,
    pass_lines,
    plan_table,
    print_lines,
    query_table,
    status_table,
    steps_table,
    summary_lines,
)

EXPOSED_EXIT = 3  # status --summary: an image has been exposed longer than the RPO
USAGE_EXIT = 2  # the command line itself is off

app = typer.Typer(
    help="Replicate custom OCI compute images across regions: status, plan, reconcile, retry, latest, demo.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode=None,
)
# Options of the whole command, taken anywhere on the line (as the oci CLI takes them): those
# with a value, then the flags.
GLOBAL_VALUED = ("--config-file", "--profile", "--region", "--auth", "--output", "--query", "--cli-rc-file")
OUTPUTS = ("table", "json")
GLOBAL_FLAGS = ("--fake", "--in-flight", "--debug")
# With --fake --in-flight: how far into the demo's replications the fake starts (simulated seconds):
# one image replicated, one refused, the largest one copying to both its regions.
IN_FLIGHT_AT = 30 * 60


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        print(f"image-replicator {version('oci-image-replicator')}")
        raise typer.Exit()


# Piped output (CI logs, files) gets room for a whole table row instead of the 80-column default.
console = Console(width=None if sys.stdout.isatty() else 120)


@app.callback()
def options(
    ctx: typer.Context,
    config_file: str = typer.Option(
        DEFAULT_CONFIG_FILE,
        envvar="OCI_CLI_CONFIG_FILE",
        metavar="PATH",
        help="OCI config file (api_key and security_token auth).",
    ),
    profile: str = typer.Option(
        "DEFAULT", envvar="OCI_CLI_PROFILE", metavar="NAME", help="Profile in the config file."
    ),
    region: str = typer.Option(
        None,
        envvar="OCI_CLI_REGION",
        metavar="REGION",
        help="Region to work in (default: the profile's or the principal's).",
    ),
    auth: str = typer.Option(
        "api_key", envvar="OCI_CLI_AUTH", metavar="MODE", help=f"One of: {', '.join(AUTH_MODES)}."
    ),
    output: str = typer.Option(
        "table", "--output", metavar="FORMAT", help='table (for people) or json (one {"data": ...} document).'
    ),
    query: str | None = typer.Option(
        None,
        "--query",
        metavar="JMESPATH",
        help="Select from the JSON document, as the oci CLI's --query does (query://NAME: a canned query).",
    ),
    cli_rc_file: str = typer.Option(
        DEFAULT_RC_FILE,
        "--cli-rc-file",
        envvar="OCI_CLI_RC_FILE",
        metavar="PATH",
        help="The oci CLI's settings file: default profile, option defaults, canned queries.",
    ),
    version: bool = typer.Option(
        False, "--version", "-v", callback=_version, is_eager=True, help="Print the version and exit."
    ),
    fake: bool = typer.Option(
        False, "--fake", help="Work against the embedded fake cloud, seeded with the demo's replications."
    ),
    in_flight: bool = typer.Option(
        False,
        "--in-flight",
        help="With --fake: start with the replications under way (status --watch shows them move), not settled.",
    ),
    debug: bool = typer.Option(
        False, help="Show tracebacks and the pipeline's JSON log lines (accepted anywhere on the line)."
    ),
):
    # --debug is read by main() before the app runs, so that it also covers startup errors.
    if output not in OUTPUTS:
        raise UsageError(f"--output must be one of: {', '.join(OUTPUTS)}")
    if auth not in AUTH_MODES:
        raise UsageError(f"--auth must be one of: {', '.join(AUTH_MODES)}")
    rc: RcFile = (ctx.obj or {}).get("rc") or RcFile()  # read by main(), before the line is parsed
    try:
        query = rc.query(query)
    except RcError as exc:
        raise CliError(str(exc)) from None
    if query is not None:
        import jmespath

        try:
            jmespath.compile(query)
        except jmespath.exceptions.JMESPathError as exc:
            raise UsageError(f"--query is not a JMESPath expression: {' '.join(str(exc).split())}") from None
    options = AuthOptions(config_file, profile, region, auth)
    if in_flight and not fake:
        raise UsageError("--in-flight is for the embedded fake cloud: add --fake")
    if fake and ctx.invoked_subcommand != "demo":
        options = _seeded_fake(ctx, options, in_flight)
    # --query alone means JSON, as in the oci CLI; with an explicit --output table, the query's
    # result is drawn as a table.
    table = output == "table" and _given("--output", ctx)
    ctx.obj = {"auth": options, "json": output == "json" or (query is not None and not table), "query": query}
    ctx.obj["table_query"] = query is not None and table


def _given(option: str, ctx: typer.Context) -> bool:
    """Whether the line (or the oci_cli_rc file's defaults) set `option`, rather than its default."""
    source = ctx.get_parameter_source(option.lstrip("-"))
    return source is not None and source.name in ("COMMANDLINE", "ENVIRONMENT", "DEFAULT_MAP")


def _json_wanted(ctx: typer.Context, flag: bool) -> bool:
    return flag or ctx.obj["json"] or ctx.obj["table_query"]


def kebab(value):
    """The oci CLI's key style: every key of the document in kebab-case (`display-name`).

    Keys inside tag maps are the user's own and stay as they are.
    """
    if isinstance(value, dict):
        return {
            (k.replace("_", "-") if isinstance(k, str) else k): (v if str(k).endswith("tags") else kebab(v))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [kebab(v) for v in value]
    return value


def _emit(ctx: typer.Context, data) -> None:
    """One JSON document, as the oci CLI prints it: {"data": ...} with kebab-case keys, narrowed by
    --query if given; with --output table and --query, the query's result as a table."""
    doc = {"data": kebab(json.loads(json.dumps(data, default=str)))}
    if ctx.obj.get("query"):
        import jmespath

        doc = jmespath.search(ctx.obj["query"], doc)
    if ctx.obj.get("table_query"):
        console.print(query_table(doc))
        return
    print(json.dumps(doc, indent=2, default=str))


def _seeded_fake(ctx: typer.Context, options: AuthOptions, in_flight: bool = False) -> AuthOptions:
    """Start the fake cloud for the command's lifetime, with the demo's images replicated (or,
    `in_flight`, part of the way)."""
    FakeCloud = fake_cloud()

    from .demo import REGIONS, SOURCE, seed, start_time

    cloud = ctx.with_resource(FakeCloud(regions=REGIONS, start=start_time()))
    _, sandbox, _ = seed(cloud)
    if in_flight:
        cloud.advance(IN_FLIGHT_AT)
    else:
        cloud.run_until_idle()
        sandbox.reconcile_everywhere()  # each region's pass has reported once, as its schedule does hourly
        cloud.run_until_idle()
    logs.enable("--debug" in sys.argv)
    region = options.region if options.region in sandbox.region_env else SOURCE
    # The settings of the region worked in, as its function has them (its signing secret, its topic).
    return dataclasses.replace(
        options,
        fake=cloud.config(SOURCE),
        fake_env=dict(sandbox.region_env[region]),
        clock=cloud.clock.now,
        wait=cloud.advance,
    )


def fake_cloud():
    """The embedded fake cloud's class, or a one-line error naming the extra that brings it."""
    try:
        from ocifake import FakeCloud
    except ImportError:
        raise CliError(
            "--fake and demo need the embedded fake cloud: pip install 'oci-image-replicator[fake]'"
        ) from None
    return FakeCloud


def _operator(ctx: typer.Context) -> Operator:
    return Operator(ctx.obj["auth"])


def _image_ids(operator: Operator, values: list[str], compartments: list[str]) -> list[str]:
    """Each IMAGE as its OCID: an OCID as given, a display name looked up among the source images
    of the compartments (default IR_COMPARTMENTS). A name that matches no image is an error; one
    that matches several lists them and is a usage error (exit 2)."""
    out = []
    where = compartments or list(operator.config.compartments)
    runtime = operator.runtime()
    for value in values:
        if value.startswith("ocid1."):
            out.append(_ocid(value, "an image", "image"))
            continue
        if not where:
            raise CliError(f"{value!r} is a name: pass -c COMPARTMENT (or set IR_COMPARTMENTS), or give its OCID")
        found = _guard(operator, lambda name=value: images_named(runtime, where, name))
        if not found:
            raise CliError(
                f"no source image named {value!r} in {runtime.region} ({len(where)} compartment(s) looked in)"
            )
        if len(found) > 1:
            listed = "; ".join(f"{i.id} created {i.time_created:%Y-%m-%d %H:%M}" for i in found)
            raise UsageError(f"{len(found)} images are named {value!r}: give one OCID: {listed}")
        out.append(found[0].id)
    return out


def _ocid(value: str, what: str, *kinds: str) -> str:
    if not ocids.is_ocid(value, *kinds):
        raise CliError(f"{ocids.shown(value, 60)} is not {what} OCID")
    return value


@app.command()
def demo():
    """Replicate a few images across three regions of the embedded fake cloud, live."""
    fake_cloud()  # before anything else: the demo runs on it
    from .demo import run

    raise typer.Exit(run(console))


@app.command()
def status(
    ctx: typer.Context,
    images: list[str] = typer.Argument(None, metavar="IMAGE", show_default=False, hidden=True),
    compartment: list[str] = typer.Option(
        [],
        "--compartment",
        "-c",
        metavar="OCID",
        help="Also show opted-in images of these compartments that have no record yet.",
    ),
    as_json: bool = typer.Option(False, "--json", help="The same as --output json."),
    summary: bool = typer.Option(
        False,
        "--summary",
        help=f"One line per opted-in image: protected, lagging or failed; exit {EXPOSED_EXIT} if any is past --rpo.",
    ),
    rpo: float = typer.Option(
        4.0, "--rpo", min=0, metavar="HOURS", help="Recovery point objective in hours, for --summary."
    ),
    require_drill: bool = typer.Option(
        False,
        "--require-drill",
        help="For --summary: a region protects an image only if its replica booted in its last DR drill.",
    ),
    wide: bool = typer.Option(False, "--wide", help="Add the image's and the replica's OCIDs to the table."),
    watch: bool = typer.Option(
        False, "--watch", help="Redraw every --interval seconds until every region has settled (done or failed)."
    ),
    interval: float = typer.Option(30.0, "--interval", min=1, metavar="SECONDS", help="Between redraws of --watch."),
):
    """Each source image, each target region: stage, state, timings, attempts, last error.

    IMAGE: source images, by display name or OCID (default: every replication in the region)."""
    compartments = [_ocid(c, "a compartment", *ocids.COMPARTMENT_TYPES) for c in compartment]
    operator = _operator(ctx)
    runtime = operator.runtime()
    image_ids = _image_ids(operator, images or [], compartments)
    as_json = _json_wanted(ctx, as_json)
    if summary:
        where = compartments or list(runtime.config.compartments)
        raise typer.Exit(_summary(ctx, operator, where, rpo, as_json, wide, require_drill=require_drill))
    if watch and as_json:
        raise CliError("--watch redraws the table: it cannot be combined with JSON output")

    def look():
        found = reports(runtime, operator.runtime, compartments, image_ids)
        # Work in flight: its progress, read now in the region where it runs.
        return with_progress(found, operator.runtime, runtime.now())

    found = _guard(operator, look)
    if as_json:
        _emit(ctx, [report.model_dump(mode="json") for report in found])
        return
    # Wide rows are as long as OCIDs are: never cut to the terminal's width.
    out = Console(width=max(console.width, 300)) if wide else console
    title = f"Replication status (source region {runtime.region})"
    if not watch:
        out.print(status_table(found, title=title, wide=wide, width=out.width))
        print_lines(out, notes(found), whole=wide)
        return
    from rich.console import Group
    from rich.live import Live
    from rich.text import Text

    def view(found):
        cut = not wide and out.is_terminal
        lines = [Text(line, no_wrap=cut, overflow="ellipsis" if cut else None) for line in notes(found)]
        stamp = Text(f"{runtime.now():%H:%M:%S} UTC; again every {interval:g} s until every region settles")
        return Group(status_table(found, title=title, wide=wide, width=out.width), *lines, stamp)

    with Live(view(found), console=out, auto_refresh=False, transient=False) as live:
        while not settled(found):
            operator.wait(interval)
            found = _guard(operator, look)
            live.update(view(found), refresh=True)
    out.print()  # the live view leaves its cursor at the end of its last line


def settled(found) -> bool:
    """Nothing left moving: every image and region done, failed, deleted, skipped or closed."""
    moving = ("in_progress", "pending")
    return all(r.state not in moving and all(g.state not in moving for g in r.regions) for r in found)


def _summary(
    ctx: typer.Context,
    operator: Operator,
    compartments: list[str],
    rpo_hours: float,
    as_json: bool,
    wide: bool,
    *,
    require_drill: bool = False,
) -> int:
    if not compartments:
        raise CliError("no compartments to look at: pass --compartment or set IR_COMPARTMENTS")
    runtime = operator.runtime()
    planned = _guard(operator, lambda: plan_images(runtime, compartments))  # one listing for both views
    # Every region these images' replications run in: the source's and each target of this tenancy.
    asked = {t for _, d in planned if d.opted_in for t in (*d.targets, *d.pending) if place(t).alias is None}
    passes = _guard(operator, lambda: pass_health(operator.runtime, sorted({runtime.region} | asked)))
    # As far as each target region's passes still report: a silent region cannot say it lost a replica.
    found = _guard(operator, lambda: protections(runtime, compartments, planned, health=passes))
    now, rpo_seconds = runtime.now(), rpo_hours * 3600
    if require_drill:
        found = [requiring_drill(p, now) for p in found]
    late = [p for p in found if p.state not in COVERED and p.exposure_seconds(now) > rpo_seconds]
    families = _guard(operator, lambda: family_summary(runtime, operator.runtime, compartments, planned))
    if as_json:
        doc = {
            "region": runtime.region,
            "rpo_hours": rpo_hours,
            "images": [
                {**p.model_dump(mode="json"), "exposure_seconds": p.exposure_seconds(now), "past_rpo": p in late}
                for p in found
            ],
            "past_rpo": [p.source_image_id for p in late],
            "families": [f.model_dump(mode="json") for f in families],
            "passes": [
                {
                    "region": region,
                    "report": health.model_dump(mode="json") if isinstance(health, PassHealth) else None,
                    "stale": health.stale(now) if isinstance(health, PassHealth) else None,
                    "problem": health if isinstance(health, str) else None,
                }
                for region, health in passes.items()
            ],
        }
        _emit(ctx, doc)
    else:
        # One line per image, for grep and cron mail: the name, the state and the regions first.
        print_lines(console, summary_lines(found, now, rpo_seconds), whole=wide, markup=True)
        states = ("protected", "superseded", "lagging", "given_up", "refused")
        counts = {s: sum(p.state == s for p in found) for s in states}
        tally = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
        console.print(
            f"{len(found)} opted-in image(s) in {runtime.region}: {tally or 'none'}; "
            f"{len(late)} exposed longer than the RPO ({duration(rpo_seconds)})",
            highlight=False,
        )
        lines = [f"FAMILY    {f.family}  {f.region}: latest {f.display_name} ({f.kept} kept)" for f in families]
        print_lines(console, lines, whole=wide)  # one line per family and region, as the image lines
        print_lines(console, pass_lines(passes, now), whole=wide, markup=True)
    return EXPOSED_EXIT if late else 0


@app.command()
def plan(
    ctx: typer.Context,
    compartment: list[str] = typer.Option(
        [], "--compartment", "-c", metavar="OCID", help="Compartment OCIDs to look at (default: IR_COMPARTMENTS)."
    ),
    as_json: bool = typer.Option(False, "--json", help="The same as --output json."),
    wide: bool = typer.Option(False, "--wide", help="Add each image's OCID, and show reasons whole."),
):
    """Dry run: which images would replicate where, which are skipped and why."""
    compartments = [_ocid(c, "a compartment", *ocids.COMPARTMENT_TYPES) for c in compartment]
    operator = _operator(ctx)
    runtime = operator.runtime()
    compartments = compartments or list(runtime.config.compartments)
    if not compartments:
        raise CliError("no compartments to look at: pass --compartment or set IR_COMPARTMENTS")
    plans = sorted(
        _guard(operator, lambda: plan_images(runtime, compartments)), key=lambda p: (p[0].display_name, p[0].id)
    )
    if _json_wanted(ctx, as_json):
        doc = [
            {
                "source_image_id": i.id,
                "display_name": i.display_name,
                "opted_in": d.opted_in,
                "targets": list(d.targets),
                "reason": d.reason,
                # Retention each target will apply to the image's family (keep: None = every version).
                "family": family_of(i, runtime.config),
                "keep": keep_of(i, runtime.config)[0] if family_of(i, runtime.config) else None,
            }
            for i, d in plans
        ]
        _emit(ctx, doc)
    else:
        console.print(plan_table(runtime.region, plans, wide=wide))


@app.command()
def reconcile(
    ctx: typer.Context,
    dry_run: bool = typer.Option(False, "--dry-run", help="List the steps the pass would take; change nothing."),
    as_json: bool = typer.Option(False, "--json", help="The same as --output json."),
):
    """Run one reconcile pass now over the region's own part (IR_COMPARTMENTS and its buckets)."""
    operator = _operator(ctx)
    runtime = operator.runtime()
    report = _guard(operator, lambda: run_pass(runtime, dry_run=dry_run, report_limit=None))
    if _json_wanted(ctx, as_json):
        _emit(ctx, report.model_dump(mode="json"))
        return
    console.print(steps_table(report))
    for line in [*report.cleaned, *report.problems]:
        console.print(line, markup=False, highlight=False)


@app.command()
def latest(
    ctx: typer.Context,
    family: str = typer.Argument(..., metavar="FAMILY", show_default=False),
    compartment: list[str] = typer.Option(
        [],
        "--compartment",
        "-c",
        metavar="OCID",
        help="Where to look (default: IR_TARGET_COMPARTMENT_ID and IR_COMPARTMENTS).",
    ),
):
    """The OCID of a family's latest version in the region (--region): its replica marked
    image-family-latest=true, or in the family's source region its newest image.

    FAMILY: the value of the family tag (image-family)."""
    compartments = [_ocid(c, "a compartment", *ocids.COMPARTMENT_TYPES) for c in compartment]
    operator = _operator(ctx)
    runtime = operator.runtime()
    config = runtime.config
    where = compartments or [
        *([config.target_compartment_id] if config.target_compartment_id else []),
        *config.compartments,
    ]
    if not where:
        raise CliError("no compartments to look in: pass --compartment or set IR_COMPARTMENTS")
    found = _guard(operator, lambda: latest_version(runtime, list(dict.fromkeys(where)), family))
    if found is None:
        raise CliError(f"no available version of family {family!r} in {runtime.region}")
    if ctx.obj["json"]:
        _emit(ctx, found.model_dump(mode="json"))
    else:
        print(found.image_id)  # alone on its line, for $(image-replicator latest web --region R)


@app.command()
def retry(
    ctx: typer.Context,
    image: str = typer.Argument(..., metavar="IMAGE", show_default=False, hidden=True),
    region: str = typer.Option(..., "--target", metavar="REGION", help="The target region that gave up."),
    force: bool = typer.Option(False, "--force", help="Try again even after a permanent refusal."),
    compartment: list[str] = typer.Option(
        [], "--compartment", "-c", metavar="OCID", help="Where to look IMAGE up by name (default: IR_COMPARTMENTS)."
    ),
):
    """Count a target region's attempts afresh, so the next passes try it again.

    IMAGE: the source image, by display name or OCID."""
    if not is_region(place(region).region):  # a region here, or <alias>:<region> of another tenancy
        raise CliError(f"unknown region {ocids.shown(region, 40)}")
    compartments = [_ocid(c, "a compartment", *ocids.COMPARTMENT_TYPES) for c in compartment]
    operator = _operator(ctx)
    runtime = operator.runtime()
    (image,) = _image_ids(operator, [image], compartments)
    found = _guard(operator, lambda: runtime.records.read("source", image).record)
    part = found.targets.get(region) if found is not None else None
    if part is None:
        raise CliError(f"no replication of {image} to {region} is recorded in {runtime.region}")
    if part.state in SETTLED_STATES:
        console.print(f"nothing to retry: {region} is {part.state}", highlight=False)
        return
    permanent = part.permanent or found.export.permanent
    if permanent and not force:
        reason = part.error or found.export.error or "refused"
        raise CliError(f"{region} was refused for good ({reason}); pass --force to try anyway")
    record = _guard(operator, lambda: retry_region(runtime, operator.runtime, image, region))
    console.print(f"{record.display_name or image} -> {region}: attempts count afresh; the next passes try again")


@app.command("drill")
def drill_now(
    ctx: typer.Context,
    image: str = typer.Argument(..., metavar="IMAGE", show_default=False, hidden=True),
    compartment: list[str] = typer.Option(
        [],
        "--compartment",
        "-c",
        metavar="OCID",
        help="Where to look IMAGE up by name (default: IR_TARGET_COMPARTMENT_ID and IR_COMPARTMENTS).",
    ),
):
    """Start a DR drill of an image's replica in the region (--region) now: launch it, read its
    console, terminate it. The drill tick and the instance's event take it on from there;
    `status --summary` in the source region shows the result once it ends.

    IMAGE: the source image or its replica here, by display name or OCID. Needs the region's drill
    settings (IR_DRILL_COMPARTMENT_ID, IR_DRILL_SUBNET_ID, IR_DRILL_AVAILABILITY_DOMAIN)."""
    operator = _operator(ctx)
    runtime = operator.runtime()
    config = runtime.config
    if not config.drills_possible:
        raise CliError(
            f"drills are not configured for {runtime.region}: set IR_DRILL_COMPARTMENT_ID, IR_DRILL_SUBNET_ID "
            "and IR_DRILL_AVAILABILITY_DOMAIN as Terraform hands them to the region's function"
        )
    where = [_ocid(c, "a compartment", *ocids.COMPARTMENT_TYPES) for c in compartment] or [
        *([config.target_compartment_id] if config.target_compartment_id else []),
        *config.compartments,
    ]
    source_id = _source_of_replica(operator, image, list(dict.fromkeys(where)))
    outcome = _guard(operator, lambda: drill(runtime, source_id))
    if outcome.result in ("continued", "in_progress", "completed"):
        outcome.reason = f"a drill was already under way: {outcome.reason}"
    elif outcome.result not in ("started", "postponed"):
        raise CliError(f"no drill started in {runtime.region}: {outcome.reason}")
    console.print(f"{runtime.region}: {outcome.reason}", highlight=False, markup=False)


def _source_of_replica(operator: Operator, value: str, where: list[str]) -> str:
    """The source OCID a replica in the operator's region names: from the replica (by OCID or name),
    or a source OCID as given."""
    runtime = operator.runtime()
    if value.startswith("ocid1."):
        image_id = _ocid(value, "an image", "image")
        try:
            found = runtime.compute.get_image(image_id)
        except NotFound:
            return image_id  # a source of another region: its replica here is found by its record
        except ReplicatorError as exc:
            raise CliError(explain(exc, operator)) from exc
        return found.replica_of or image_id
    if not where:
        raise CliError(f"{value!r} is a name: pass -c COMPARTMENT (or set IR_COMPARTMENTS), or give its OCID")
    found = _guard(operator, lambda: replicas_named(runtime, where, value))
    if len(found) != 1:
        raise CliError(f"{len(found)} replicas are named {value!r} in {runtime.region}: give its source's OCID")
    return found[0].replica_of or ""


def _guard(operator: Operator, action):
    try:
        return action()
    except ReplicatorError as exc:
        raise CliError(explain(exc, operator)) from exc


def hoist_global_options(argv: list[str]) -> list[str]:
    """The command line with the global options moved before the subcommand, wherever they stood."""
    commands = {c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands}
    head: list[str] = []
    rest = list(argv)
    while rest and rest[0] not in commands:
        arg = rest.pop(0)
        head.append(arg)
        if arg in GLOBAL_VALUED and rest:
            head.append(rest.pop(0))  # its value, whatever it reads like
    if not rest:
        return argv
    moved, kept, i = [], [rest[0]], 1
    while i < len(rest):
        arg = rest[i]
        name = arg.split("=", 1)[0]
        if name in GLOBAL_FLAGS:
            moved.append(arg)
        elif name in GLOBAL_VALUED:
            moved.append(arg)
            if "=" not in arg and i + 1 < len(rest):
                moved.append(rest[i + 1])
                i += 1
        else:
            kept.append(arg)
        i += 1
    return [*head, *moved, *kept]


def _rc_defaults(argv: list[str]) -> tuple[RcFile, dict]:
    """The oci_cli_rc file and click's default_map from it, for the profile the line will use."""
    import os

    rc = load(argv, os.environ)
    group = typer.main.get_command(app)

    def params(command) -> dict[str, Param]:
        found = {}
        for param in command.params:
            longs = [o for o in getattr(param, "opts", []) if o.startswith("--")]
            if param.param_type_name == "option" and longs and longs[0] not in ("--help", "--json", "--version"):
                found[longs[0][2:]] = Param(param.name, bool(getattr(param, "multiple", False)))
        return found

    commands = {name: params(cmd) for name, cmd in getattr(group, "commands", {}).items()}
    return rc, default_map(rc, chosen_profile(argv, os.environ, rc), params(group), commands)


def main() -> None:
    sys.argv = [sys.argv[0], *hoist_global_options(sys.argv[1:])]
    debug = "--debug" in sys.argv
    # The pipeline's JSON log lines are for OCI Logging; at a terminal they only add noise.
    logs.enable(debug)
    try:
        try:
            rc, defaults = _rc_defaults(sys.argv[1:])
        except RcError as exc:
            raise CliError(str(exc)) from None
        code = app(standalone_mode=False, prog_name="image-replicator", obj={"rc": rc}, default_map=defaults)
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        sys.exit(1)
    except Exception as exc:  # one line a person can act on; the traceback on request
        usage = getattr(exc, "exit_code", None) == USAGE_EXIT and hasattr(exc, "format_message")
        if usage:  # the command line itself is off (an unknown option, a missing argument)
            print(f"error: {' '.join(exc.format_message().split())} (see image-replicator -h)", file=sys.stderr)  # type: ignore[attr-defined]
            sys.exit(USAGE_EXIT)
        if debug:
            traceback.print_exc()
        message = str(exc) if isinstance(exc, CliError) else f"{type(exc).__name__}: {exc}"
        hint = "" if debug or isinstance(exc, CliError) else " (run with --debug for the traceback)"
        print(f"error: {' '.join(message.split())}{hint}", file=sys.stderr)
        sys.exit(exc.exit_code if isinstance(exc, CliError) else 1)
    sys.exit(code if isinstance(code, int) else 0)
