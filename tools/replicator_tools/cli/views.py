"""Tables for people; the same data goes out as JSON for scripts."""

from rich import box
from rich.markup import escape
from rich.table import Table

from replicator.decision import Decision
from replicator.images import ImageFacts
from replicator.protection import COVERED, ImageProtection
from replicator.reconcile.run import PassReport

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


def status_table(reports: list[ImageReport], title: str = "Replication status", *, wide: bool = False) -> Table:
    """One row per image and target region; reasons go to `notes`, so the table fits 80 columns.

    `wide` adds the source image's and the replica's OCIDs, whole, for `retry` and the console.
    """
    table = _table(title)
    table.add_column("Image", no_wrap=True, overflow="ellipsis", max_width=None if wide else 18)
    if wide:
        table.add_column("Image OCID", no_wrap=True)
    table.add_column("Target", no_wrap=True)
    table.add_column("Status", no_wrap=True)
    for column in (*[s.capitalize() for s in STAGES], "Tries"):
        table.add_column(column, no_wrap=True, justify="right", min_width=len(column))
    if wide:
        table.add_column("Replica OCID", no_wrap=True)
    for report in reports:
        ocid = [report.source_image_id] if wide else []
        if not report.regions:
            table.add_row(
                report.display_name,
                *ocid,
                "-",
                _styled(report.state, report.state),
                "",
                "",
                "",
                "",
                "",
                *([""] if wide else []),
            )
        for n, region in enumerate(report.regions):
            durations = [minutes(region.durations[s]) if s in region.durations else "-" for s in STAGES]
            table.add_row(
                report.display_name if n == 0 else "",
                *(ocid if n == 0 else [""] * len(ocid)),
                region.region,
                _status(region.stage, region.state, _progress(region)),
                *durations,
                str(region.attempts),
                *([region.replica_image_id or "-"] if wide else []),
            )
    return table


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


def plan_table(region: str, plans: list[tuple[ImageFacts, Decision]]) -> Table:
    table = _table(f"Plan for {region}")
    table.add_column("Image", overflow="fold")
    table.add_column("OCID", no_wrap=True)  # whole, on one line: it is for copying
    for column in ("Decision", "Targets / reason"):
        table.add_column(column, overflow="fold")
    for image, decision in plans:
        verdict = "replicate" if decision.replicate else ("skip" if decision.opted_in else "not opted in")
        table.add_row(image.display_name, image.id, verdict, ", ".join(decision.targets) or decision.reason)
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


SUMMARY_STYLES = {"protected": "green", "retired": "green", "lagging": "yellow", "failed": "red", "refused": "red"}


def summary_lines(images: list[ImageProtection], now, rpo_seconds: float) -> list[str]:
    """One line per opted-in image: protected everywhere, lagging (for how long), failed or refused (why)."""
    width = max((len(i.display_name) for i in images), default=0)
    lines = []
    for image in images:
        age = image.exposure_seconds(now)
        late = " [bold red]past RPO[/bold red]" if image.state not in COVERED and age > rpo_seconds else ""
        if image.state in COVERED:
            held = [t.region for t in image.targets if t.state == "protected"]
            retired = [t.region for t in image.targets if t.state == "retired"]
            detail = ("in " + ", ".join(held)) if held else ""
            if retired:
                detail += f"{'; ' if held else ''}retired in {', '.join(retired)} (a newer version is kept)"
        elif image.state == "refused":
            detail = f"for {duration(age)}: {image.reason}"
        else:
            gaps = [t for t in image.targets if t.state not in COVERED]
            where = ", ".join(f"{t.region} for {duration(t.exposure_seconds(now))}" for t in gaps)
            why = "; ".join(dict.fromkeys(t.reason for t in gaps if t.reason))
            detail = where + (f": {why}" if why else "")
        style = SUMMARY_STYLES[image.state]
        label = f"[{style}]{image.state.upper():<9}[/{style}]"
        lines.append(f"{label} {escape(image.display_name):<{width}}  {escape(detail)}{late}")
    return lines
