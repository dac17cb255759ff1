"""Tables for people; the same data goes out as JSON for scripts."""

import json
from collections.abc import Callable, Sequence

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.measure import Measurement
from rich.table import Table

from replicator.api import COVERED, Decision, ImageFacts, ImageProtection, PassReport, TargetProtection

from ..report import STAGES, ImageReport

STATE_STYLES = {
    "done": "green",
    "failed": "red",
    "skipped": "yellow",
    "in_progress": "cyan",
    "pending": "dim",
    "deleted": "dim",
    "closed": "dim",
}


def minutes(seconds: float | None) -> str:
    if seconds is None:
        return "…"
    return f"{seconds / 60:.0f}m" if seconds >= 60 else f"{seconds:.0f}s"


def _table(title: str) -> Table:
    """Every table of the command in one style."""
    return Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)


# Columns a narrow terminal may leave out, least wanted last: the image's name, the region and the
# state always show; then the attempts, the import's and the export's times, then the rest.
OPTIONAL_COLUMNS = ("Tries", "Import", "Export", "Copy", "Finish")


def fitted(build: Callable[[tuple[str, ...]], Table], optional: Sequence[str], width: int | None) -> Table:
    """`build`'s table with as many of the optional columns (most wanted first) as fit in `width`.

    rich measures each candidate: a table fits when its natural width (every cell whole, on one
    line) is no more than `width`. With every optional column gone, the table is what rich
    makes of it at that width.
    """
    if width is None:
        return build(tuple(optional))
    console = Console(width=10_000)  # room enough that rich reports the natural width, not the limit
    for keep in range(len(optional), -1, -1):
        table = build(tuple(optional[:keep]))
        if Measurement.get(console, console.options, table).maximum <= width:
            return table
    return table


def status_table(
    reports: list[ImageReport], title: str = "Replication status", *, wide: bool = False, width: int | None = None
) -> Table:
    """One row per image and target region: name, region and state always; the stage times and
    attempts as the width allows (`width`: None keeps every column). Reasons go to `notes`.

    `wide` adds the source image's and the replica's OCIDs, whole, for the console and scripts.
    """
    timed = [s.capitalize() for s in STAGES]

    def build(optional: tuple[str, ...]) -> Table:
        table = _table(title)
        table.add_column("Image", no_wrap=True)
        if wide:
            table.add_column("Image OCID", no_wrap=True)
        table.add_column("Target", no_wrap=True)
        table.add_column("Status", no_wrap=True)
        shown = [c for c in (*timed, "Tries") if c in optional]
        for column in shown:
            table.add_column(column, no_wrap=True, justify="right", min_width=len(column))
        if wide:
            table.add_column("Replica OCID", no_wrap=True)
        for report in reports:
            ocid = [report.source_image_id] if wide else []
            if not report.regions:
                cells = dict.fromkeys(shown, "")
                table.add_row(
                    report.display_name,
                    *ocid,
                    "-",
                    _styled(report.state, report.state),
                    *cells.values(),
                    *([""] if wide else []),
                )
            for n, region in enumerate(report.regions):
                cells = {s.capitalize(): minutes(region.durations[s]) if s in region.durations else "-" for s in STAGES}
                cells["Tries"] = str(region.attempts)
                table.add_row(
                    report.display_name,  # on every row: a row read alone (grep, a narrow screen) says whose it is
                    *(ocid if n == 0 else [""] * len(ocid)),
                    region.region,
                    _status(region.stage, region.state, _progress(region)),
                    *(cells[c] for c in shown),
                    *([region.replica_image_id or "-"] if wide else []),
                )
        return table

    return build(OPTIONAL_COLUMNS) if wide else fitted(build, OPTIONAL_COLUMNS, width)


def _status(stage: str, state: str, progress: str = "") -> str:
    if state == "done":
        return _styled(state, "done")
    if state == "failed":
        return _styled(state, f"failed: {stage}")
    if state == "in_progress":
        return _styled(state, f"{stage} {progress}" if progress else f"{stage}…")
    return _styled(state, state)


def _progress(region) -> str:
    """`42% ~12m left` from the work request OCI reports (the time left is an estimate)."""
    p = region.progress
    if p is None or p.percent_complete is None:
        return ""
    left = f" ~{minutes(region.seconds_left)} left" if region.seconds_left else ""
    return f"{p.percent_complete:.0f}%{left}"


def notes(reports: list[ImageReport]) -> list[str]:
    """Why each failed or skipped image and region is where it is."""
    lines = []
    for report in reports:
        if report.state == "skipped":
            lines.append(f"{report.display_name}: skipped: {report.reason}")
        for region in report.regions:
            if region.last_error:
                lines.append(f"{report.display_name} -> {region.region}: {region.last_error}")
            if region.note:
                lines.append(f"{report.display_name} -> {region.region}: {region.note}")
    return lines


def _styled(state: str, text: str) -> str:
    style = STATE_STYLES.get(state, "")
    return f"[{style}]{text}[/{style}]" if style else text


def plan_table(region: str, plans: list[tuple[ImageFacts, Decision]], *, wide: bool = False) -> Table:
    """Name, decision, and the targets or the reason; the image's OCID, whole, only when `wide`."""
    table = _table(f"Plan for {region}")
    table.add_column("Image", no_wrap=True)
    if wide:
        table.add_column("OCID", no_wrap=True)  # whole, on one line: it is for copying
    table.add_column("Decision", no_wrap=True)
    # Targets wrap between regions; a long reason is cut to its line (all of it with --wide or JSON).
    table.add_column("Targets / reason", overflow="fold" if wide else "ellipsis", no_wrap=not wide)
    for image, decision in plans:
        verdict = "replicate" if decision.replicate else ("skip" if decision.opted_in else "not opted in")
        what = ", ".join(decision.targets) or decision.reason
        table.add_row(image.display_name, *([image.id] if wide else []), verdict, what)
    return table


def steps_table(report: PassReport) -> Table:
    verb = "would take" if report.dry_run else "took"
    table = _table(f"Reconcile pass in {report.region}: {report.images} images; steps it {verb}")
    for column in ("Image", "Part", "Region", "Step", "Why"):
        table.add_column(column, overflow="fold")
    for step in report.steps:
        table.add_row(
            step.display_name or step.source_image_id, step.side, step.region, step.action, step.error or step.reason
        )
    return table


def duration(seconds: float) -> str:
    """A gap's age as people read it: 45m, 3h05m, 2d04h."""
    minutes_total = int(seconds // 60)
    days, rest = divmod(minutes_total, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days}d{hours:02d}h"
    return f"{hours}h{mins:02d}m" if hours else f"{mins}m"


SUMMARY_STYLES = {"protected": "green", "superseded": "green", "lagging": "yellow", "given_up": "red", "refused": "red"}


def pass_lines(found: dict, now) -> list[str]:
    """One line per region whose passes need an operator: what the last one could not do (a refused
    call names the statement of iam/policies.json that grants it), or that none reports any more."""
    from ..policies import statements_for

    lines = []
    for region, health in sorted(found.items()):
        label = "[red]PASSES[/red]   "
        if health is None:
            lines.append(f"{label} {region}: no reconcile pass has reported yet")
            continue
        if isinstance(health, str):
            lines.append(f"{label} {region}: the last pass's report is {escape(health)}")
            continue
        if health.stale(now):
            lines.append(
                f"{label} {region}: no reconcile pass since {health.at:%Y-%m-%d %H:%M} UTC "
                f"({duration((now - health.at).total_seconds())}): the schedule or the function is not "
                "running, or cannot write to staging"
            )
            continue
        if not health.problems:
            continue
        refused = []
        for r in dict.fromkeys((r.operation, r.status, r.code) for r in health.refusals):
            grants = ", ".join(f"'{g}'" for g in statements_for(r[0])) or "none known"
            refused.append(f"{r[0]} refused ({r[1]} {r[2]}): grant {grants} of iam/policies.json")
        others = health.problems_total - len(health.refusals)
        detail = "; ".join(refused) if refused else health.problems[0]
        more = f"; {others} other problem(s) (reconcile --dry-run, or the pass's log)" if refused and others > 0 else ""
        if not refused and health.problems_total > 1:
            more = f"; {health.problems_total - 1} more"
        lines.append(f"{label} {region} at {health.at:%H:%M} UTC: {escape(detail)}{more}")
    return lines


def summary_lines(images: list[ImageProtection], now, rpo_seconds: float) -> list[str]:
    """One line per opted-in image: protected everywhere, lagging (for how long), given up or refused (why)."""
    width = max((len(i.display_name) for i in images), default=0)
    lines = []
    for image in images:
        age = image.exposure_seconds(now)
        late = " [bold red]past RPO[/bold red]" if image.state not in COVERED and age > rpo_seconds else ""
        if image.state in COVERED:
            held = [_held(t, now) for t in image.targets if t.state == "protected"]
            superseded = [t.region for t in image.targets if t.state == "superseded"]
            detail = ("in " + ", ".join(held)) if held else ""
            if superseded:
                detail += f"{'; ' if held else ''}superseded in {', '.join(superseded)} (a newer version is kept)"
        elif image.state == "refused":
            detail = f"for {duration(age)}: {image.reason}"
        else:
            gaps = [t for t in image.targets if t.state not in COVERED]
            where = ", ".join(f"{t.region} for {duration(t.exposure_seconds(now))}" for t in gaps)
            why = "; ".join(dict.fromkeys(t.reason for t in gaps if t.reason))
            detail = where + (f": {why}" if why else "")
        style = SUMMARY_STYLES[image.state]
        label = f"[{style}]{image.state.upper():<10}[/{style}]"
        lines.append(f"{label} {escape(image.display_name):<{width}}  {escape(detail)}{late}")
    return lines


def _held(target: TargetProtection, now) -> str:
    """A protected region, with what its replica's last DR drill proved, if it was drilled."""
    drilled = target.drilled(now)
    return f"{target.region} ({drilled})" if drilled else target.region


def query_table(result) -> Table:
    """A --query's result drawn as the oci CLI's `--output table` draws it: a list of objects as
    rows under their keys, one object as one row, anything else one cell per value."""
    table = _table("")
    rows = result if isinstance(result, list) else [result]
    if rows and all(isinstance(r, dict) for r in rows):
        columns = list(dict.fromkeys(k for r in rows for k in r))
        for column in columns:
            table.add_column(column, overflow="fold")
        for r in rows:
            table.add_row(*(_cell(r.get(c)) for c in columns))
        return table
    table.add_column("Column1", overflow="fold")
    for r in rows:
        table.add_row(_cell(r))
    return table


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return escape(json.dumps(value, default=str))
    return escape(str(value))


def print_lines(out: Console, lines: list[str], *, whole: bool, markup: bool = False) -> None:
    """One line each: at a terminal cut to its width (the whole text with --wide or JSON); piped
    (grep, cron mail) always whole."""
    cut = not whole and out.is_terminal
    for line in lines:
        out.print(
            line,
            markup=markup,
            highlight=False,
            soft_wrap=not cut,
            no_wrap=cut,
            overflow="ellipsis" if cut else None,
        )
