"""`image-replicator`: see every replication at a glance, plan, and run the demo."""

import json
import os
import sys
import traceback

import typer
from rich.console import Console

from .. import logs
from ..errors import ReplicatorError
from ..inventory import plan as plan_images
from ..inventory import reports
from ..operations import retry_region
from ..reconcile.drive import run_pass
from .auth import AUTH_MODES, DEFAULT_CONFIG_FILE, AuthOptions, CliError, build_runtime
from .permissions import explain
from .views import notes, plan_table, status_table, steps_table

app = typer.Typer(
    help="Replicate custom OCI compute images across regions: status, plan, reconcile, retry, demo.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# Piped output (CI logs, files) gets room for a whole table row instead of the 80-column default.
console = Console(width=None if sys.stdout.isatty() else 120)


@app.callback()
def options(
    ctx: typer.Context,
    config_file: str = typer.Option(DEFAULT_CONFIG_FILE, help="OCI config file (api_key and security_token auth)."),
    profile: str = typer.Option("DEFAULT", help="Profile in the config file."),
    region: str = typer.Option(None, help="Region to work in (default: the profile's or the principal's)."),
    auth: str = typer.Option("api_key", help=f"One of: {', '.join(AUTH_MODES)}."),
    fake: bool = typer.Option(False, "--fake", help="Work against the embedded fake cloud, seeded with the demo's replications."),
    debug: bool = typer.Option(False, help="Show tracebacks and the pipeline's JSON log lines."),
):
    # --debug is read by main() before the app runs, so that it also covers startup errors.
    fake_config = None
    if fake and ctx.invoked_subcommand != "demo":
        fake_config = _seeded_fake(ctx)
    ctx.obj = {"auth": AuthOptions(config_file, profile, region, auth, fake_config)}


def _seeded_fake(ctx: typer.Context) -> dict:
    """Start the fake cloud for the command's lifetime, with the demo's images replicated."""
    from ocifake import FakeCloud

    from .demo import DEMO_ENV, REGIONS, SOURCE, seed

    cloud = ctx.with_resource(FakeCloud(regions=REGIONS))
    compartment, _, _ = seed(cloud)
    cloud.run_until_idle()
    for key, value in {**DEMO_ENV, "IR_COMPARTMENTS": compartment}.items():
        os.environ.setdefault(key, value)
    return cloud.config(SOURCE)


def _runtime(ctx: typer.Context):
    return build_runtime(ctx.obj["auth"])


@app.command()
def demo():
    """Replicate a few images across three regions of the embedded fake cloud, live."""
    from .demo import run

    raise typer.Exit(run(console))


@app.command()
def status(
    ctx: typer.Context,
    images: list[str] = typer.Argument(None, help="Source image OCIDs (default: every replication in the region)."),
    compartment: list[str] = typer.Option([], "--compartment", "-c", help="Also show opted-in images of these compartments that have no record yet."),
    as_json: bool = typer.Option(False, "--json", help="One JSON document per image."),
):
    """Each source image, each target region: stage, state, timings, attempts, last error."""
    runtime = _runtime(ctx)
    found = _guard(runtime, lambda: reports(runtime, compartment, images or []))
    if as_json:
        for report in found:
            console.print_json(report.model_dump_json())
    else:
        console.print(status_table(found, title=f"Replication status ({runtime.region})"))
        for line in notes(found):
            console.print(line, markup=False, highlight=False)


@app.command()
def plan(
    ctx: typer.Context,
    compartment: list[str] = typer.Option(..., "--compartment", "-c", help="Compartment OCIDs to look at."),
    as_json: bool = typer.Option(False, "--json"),
):
    """Dry run: which images would replicate where, which are skipped and why."""
    runtime = _runtime(ctx)
    plans = _guard(runtime, lambda: plan_images(runtime, compartment))
    if as_json:
        doc = [{"source_image_id": i.id, "display_name": i.display_name, "opted_in": d.opted_in, "targets": list(d.targets), "reason": d.reason} for i, d in plans]
        console.print_json(json.dumps(doc))
    else:
        console.print(plan_table(runtime.region, plans))


@app.command()
def reconcile(
    ctx: typer.Context,
    dry_run: bool = typer.Option(False, "--dry-run", help="List the steps the pass would take; change nothing."),
    as_json: bool = typer.Option(False, "--json"),
):
    """Run one reconcile pass now over the region's configured compartments (IR_COMPARTMENTS)."""
    runtime = _runtime(ctx)
    report = _guard(runtime, lambda: run_pass(runtime, dry_run=dry_run))
    if as_json:
        console.print_json(report.model_dump_json())
        return
    console.print(steps_table(report))
    for line in report.cleaned:
        console.print(f"removed {line}", markup=False, highlight=False)


@app.command()
def retry(
    ctx: typer.Context,
    image: str = typer.Argument(..., help="Source image OCID."),
    region: str = typer.Option(..., "--region", help="The target region marked failed."),
):
    """Clear a target region marked failed, so the next reconcile pass tries it again."""
    runtime = _runtime(ctx)
    record = _guard(runtime, lambda: retry_region(runtime, image, region))
    entry = record.targets[region]
    console.print(f"{record.display_name or image} -> {region}: pending again after {entry.attempts} attempts; the next pass retries it")


def _guard(runtime, action):
    try:
        return action()
    except ReplicatorError as exc:
        raise CliError(explain(exc, runtime.config.staging_bucket)) from exc


def main() -> None:
    debug = "--debug" in sys.argv
    # The pipeline's JSON log lines are for OCI Logging; at a terminal they only add noise.
    logs.enable(debug)
    try:
        app()
    except Exception as exc:  # one line a person can act on; the traceback on request
        if debug:
            traceback.print_exc()
        message = str(exc) if isinstance(exc, CliError) else f"{type(exc).__name__}: {exc}"
        hint = "" if debug or isinstance(exc, CliError) else " (run with --debug for the traceback)"
        print(f"error: {message}{hint}", file=sys.stderr)
        sys.exit(1)
