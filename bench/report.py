"""What `python -m bench` measured, as rows: printed, and written into docs/performance.md and
README between their `bench` markers, so that the published figures are the last run's.

    python -m bench.report            # rewrite the docs from bench/results.json

Pure formatting of bench/results.json, plus the fake's model parameters read from ocifake
itself (so a changed default shows in the docs with the figures it produced).
"""

import json
import re
import sys
from dataclasses import fields
from pathlib import Path

from ocifake import Durations, Options

from .loader import PAIRS
from .scenarios import SOURCE

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).with_name("results.json")
HEADER = ("Benchmark", "Ours", "Baseline (same run)", "Ratio")
WAITER = "SDK waiter (1 s doubling to 30 s)"


def replication_rows(results: dict) -> list[tuple[str, str, str, str]]:
    rows = []
    for n, entry in sorted(results["replication"].items(), key=lambda kv: int(kv[0])):
        fifteen, waiter, direct = entry["baselines"]["every 15 s"], entry["baselines"][WAITER], entry["direct_import"]
        rows.append(
            (
                f"API calls, 1 image -> {n} region(s)",
                f"{entry['calls']} ({entry['polls']} polls) + {entry['metric_calls']} PostMetricData",
                f"parallel polling: {fifteen['calls']} at 15 s, {waiter['calls']} with the SDK waiter; "
                f"direct import {direct['calls']}",
                f"{entry['calls'] / fifteen['calls']:.2f}x / {entry['calls'] / waiter['calls']:.2f}x",
            )
        )
        rows.append(
            (
                f"Time to replicate, {n} region(s) (simulated)",
                f"{entry['simulated_minutes']:.1f} min",
                f"floor {entry['floor_minutes']:.1f} min; polling {fifteen['simulated_minutes']:.1f} / "
                f"{waiter['simulated_minutes']:.1f} min; direct import {direct['simulated_minutes']:.1f} min",
                f"{entry['ratio_to_floor']:.3f}x floor (polling {fifteen['ratio_to_floor']:.3f}x / "
                f"{waiter['ratio_to_floor']:.3f}x; direct {direct['ratio_to_floor']:.3f}x)",
            )
        )
        by_bound = entry.get("direct_import_by_bound")
        if by_bound:
            after, within = by_bound["after"], by_bound["within"]
            rows.append(
                (
                    f"Direct import, {n} region(s) (simulated), the model's two bounds",
                    f"ours {entry['simulated_minutes']:.1f} min (copy, then import)",
                    f"transfer after the import {after['simulated_minutes']:.1f} min (floor "
                    f"{after['floor_minutes']:.1f}); within it {within['simulated_minutes']:.1f} min (floor "
                    f"{within['floor_minutes']:.1f})",
                    f"{after['ratio_to_our_time']:.2f}x / {within['ratio_to_our_time']:.2f}x ours",
                )
            )
    rows += transfer_rows(results)
    per = results["calls_per_additional_target"]
    rows.append(
        (
            f"API calls per additional target region ({per['containers_per_region']} containers per region)",
            f"{per['total']} (the answer included; {per['of_which_once_per_cold_container']} of them the signing "
            f"key, which a container keeps 15 min) + {per['metric_calls']} PostMetricData",
            f"{per['with_one_container']} with one container per region",
            "goal: 15 or fewer",
        )
    )
    by_fleet = results.get("calls_per_additional_target_by_fleet")
    if by_fleet:
        sizes = sorted(by_fleet, key=int)
        listed = sorted({op for n in sizes for op in by_fleet[n]["listings"]})
        rows.append(
            (
                "API calls per additional target region, by custom images already in it",
                "; ".join(f"{int(n):,}: {by_fleet[n]['total']}" for n in sizes),
                f"the same with {int(sizes[0]):,} images: {by_fleet[sizes[0]]['total']}",
                ("listings per target: " + ", ".join(listed)) if listed else "no listing on the import path",
            )
        )
    return rows


def transfer_rows(results: dict) -> list[tuple[str, str, str, str]]:
    """IR_TRANSFER=direct beside =copy, end to end, under each bound of the model."""
    found: dict[tuple[int, str], dict[str, dict]] = {}
    for entry in results.get("transfer", []):
        found.setdefault((entry["images"], entry["bound"]), {})[entry["transfer"]] = entry
    rows = []
    for (images, bound), modes in sorted(found.items()):
        copy, direct = modes["copy"], modes["direct"]
        read = "after the import" if bound == "after" else "within the import"
        rows.append(
            (
                f"Direct transfer, {images} image(s) -> {copy['targets']} regions (simulated), the read {read}",
                f"direct {direct['simulated_minutes']:.1f} min (floor {direct['floor_minutes']:.1f}), "
                f"{direct['calls']} calls",
                f"copy {copy['simulated_minutes']:.1f} min (floor {copy['floor_minutes']:.1f}), {copy['calls']} calls",
                f"{direct['simulated_minutes'] / copy['simulated_minutes']:.2f}x copy's time "
                f"({direct['ratio_to_floor']:.3f}x / {copy['ratio_to_floor']:.3f}x floor)",
            )
        )
    return rows


def runtime_rows(results: dict) -> list[tuple[str, str, str, str]]:
    rows = []
    cold, lazy = results["cold_start"], results["lazy_loader"]
    fn, trivial, oci, first = cold["function"], cold["trivial"], cold["import_oci"], cold["first_real_event"]
    runs = cold.get("runs", "n")
    rows.append(
        (
            f"Cold start to the first answer to {{}} (refused without a call: start-up alone), median of {runs}",
            f"{fn['seconds']:.3f} s",
            f"'import oci' {oci['seconds']:.3f} s; trivial fdk handler {trivial['seconds']:.3f} s",
            f"{cold['ratio_to_import_oci']:.2f}x import oci; {cold['ratio_to_trivial']:.2f}x trivial",
        )
    )
    rows.append(
        (
            f"First answer to a real createimage.end (the export step), median of {lazy.get('runs', runs)}, paired",
            f"lazy loader {lazy['loader']['seconds']:.3f} s, {lazy['loader']['peak_rss_mb']:.1f} MB",
            f"plain 'import oci' {lazy['plain']['seconds']:.3f} s, {lazy['plain']['peak_rss_mb']:.1f} MB",
            f"{lazy['ratio_loader_to_plain']:.2f}x time; {lazy['memory_ratio_loader_to_plain']:.2f}x memory "
            f"({loader_verdict(results)})",
        )
    )
    rows.append(
        (
            "Peak RSS: first answer / first real event",
            f"{fn['peak_rss_mb']:.1f} MB / {first['peak_rss_mb']:.1f} MB",
            f"'import oci' {oci['peak_rss_mb']:.1f} MB; trivial {trivial['peak_rss_mb']:.1f} MB",
            f"{fn['peak_rss_mb'] / oci['peak_rss_mb']:.2f}x import oci",
        )
    )
    for kind, figures in results["handler_ms"].items():
        rows.append(
            (
                f"Handler, {kind} (warm, real fdk)",
                f"median {figures['median']:.1f} ms",
                f"p95 {figures['p95']:.1f} ms",
                f"n={figures['n']}",
            )
        )
    burst = results["burst"]
    rows.append(
        (
            f"Burst: {burst['images']} images -> {burst['targets']} regions, parallel delivery",
            f"{burst['done']}/{burst['images']} done in {burst['wall_seconds']:.0f} s wall",
            f"up to {burst['max_concurrency']} invocations at once; CPU {burst['cpu_ms_per_image']:.0f} ms/image",
            "all done" if burst["done"] == burst["images"] else "INCOMPLETE",
        )
    )
    rows.append(
        (
            "Function peak RSS after the burst",
            f"{burst['function_peak_rss_mb']:.1f} MB",
            "func.yaml memory: 128 MB",
            f"{burst['function_peak_rss_mb'] / 128:.2f} of it",
        )
    )
    return rows


def reconcile_rows(results: dict) -> list[tuple[str, str, str, str]]:
    rows = []
    passes = results["reconcile"]
    for p in passes:
        rows.append(
            (
                f"Reconcile pass (dry run), {p['images']} images",
                f"{p['calls']} calls, {p['seconds']:.2f} s",
                f"{p['calls'] / p['images']:.2f} calls/image",
                f"{p['seconds'] / passes[0]['seconds']:.1f}x the {passes[0]['images']}-image pass",
            )
        )
    for p in results["steady_state"]:
        for key in sorted(k for k in p if k.endswith("/steady")):
            region = key.split("/")[0]
            first, then = p[f"{region}/catch_up"], p[key]
            rows.append(
                (
                    f"Scheduled pass, {p['images']} settled images, {region} "
                    f"({p['latency_seconds'] * 1000:.0f} ms per call)",
                    f"{then['calls']} calls ({then['reads']} record reads), {then['wall_seconds']:.1f} s, "
                    f"{then['peak_rss_mb']:.0f} MB, answer {then['answer_bytes']} B",
                    f"catch-up: {first['passes']} passes, {first['calls']} calls, peak {first['peak_rss_mb']:.0f} MB"
                    + _longest(first),
                    f"{then['calls'] / p['images']:.3f} calls per image",
                )
            )
    for p in results.get("lost_events", []):
        rows.append(
            (
                f"Passes alone after every event was lost, {p['images']:,} images "
                f"({p['latency_seconds'] * 1000:.0f} ms per call)",
                f"{p['done']:,}/{p['images']:,} replicated "
                + (f"in {p['rounds']} rounds" if p.get("converged", True) else f"after {p['rounds']} rounds (stopped)")
                + "; longest pass "
                f"{p['longest_wall_seconds']:.0f} s ({p['most_calls']:,} calls), peak {p['peak_rss_mb']:.0f} MB",
                f"budget {p['budget_seconds']} s; bound 100 MB (func.yaml: 128 MB)",
                f"{p['longest_wall_seconds'] / p['budget_seconds']:.2f} of the budget; "
                f"{p['peak_rss_mb'] / 100:.2f} of the bound",
            )
        )
    return rows


def rows(results: dict) -> list[tuple[str, str, str, str]]:
    return [*replication_rows(results), *runtime_rows(results), *reconcile_rows(results)]


def table(found: list[tuple[str, str, str, str]]) -> str:
    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in found]
    return "\n".join(lines)


def _longest(catch_up: dict) -> str:
    """The longest catch-up pass, when they were timed with the per-call latency."""
    if catch_up.get("max_reads"):
        return f", not timed, {catch_up['max_reads']:,} reads a pass"
    if not catch_up.get("latency_seconds"):
        return ""
    return f", longest {catch_up['longest_wall_seconds']:.0f} s ({catch_up['most_calls']:,} calls)"


def steady_table(results: dict) -> str:
    lines = [
        "| images | region | catch-up | steady pass: calls (record reads) | by operation | wall | CPU | peak RSS "
        "| peak RSS with `import oci` as it ships |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for p in results["steady_state"]:
        for key in sorted(k for k in p if k.endswith("/steady")):
            region = key.split("/")[0]
            first, then = p[f"{region}/catch_up"], p[key]
            ops = ", ".join(f"{op} {n}" for op, n in then.get("by_operation", {}).items())
            lines.append(
                f"| {p['images']:,} | {region} | {first['passes']} passes, {first['calls']:,} calls, "
                f"{first['peak_rss_mb']:.0f} MB{_longest(first)} | {then['calls']} ({then['reads']}) | {ops} | "
                f"{then['wall_seconds']:.1f} s | {then['cpu_seconds']:.1f} s | {then['peak_rss_mb']:.0f} MB | "
                + (f"{plain['peak_rss_mb']:.0f} MB |" if (plain := p.get(f"{region}/steady_plain_sdk")) else "- |")
            )
    return "\n".join(lines)


def lost_table(results: dict) -> str:
    lines = [
        "| images | round | region | steps | calls | wall | CPU | peak RSS | exposed after |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for p in results.get("lost_events", []):
        for one in p["passes"]:
            lines.append(
                f"| {p['images']:,} | {one['round']} | {one['region']} | {one['steps']} | {one['calls']:,} | "
                f"{one['wall_seconds']:.0f} s | {one['cpu_seconds']:.1f} s | {one['peak_rss_mb']:.0f} MB | "
                f"{one['exposed']} |"
            )
    return "\n".join(lines)


def stages_table(results: dict) -> str:
    lines = ["| region | step | operation | calls |", "|---|---|---|---|"]
    for entry in results["calls_per_additional_target"]["by_stage"]:
        lines.append(f"| {entry['region']} | {entry['step']} | {entry['operation']} | {entry['calls']} |")
    return "\n".join(lines)


def assumptions() -> str:
    """The fake's model parameters as this checkout defines them."""
    durations, options = Durations(), Options()
    lines = ["| model parameter | value |", "|---|---|"]
    for f in fields(durations):
        lines.append(f"| `Durations.{f.name}` | {getattr(durations, f.name)} |")
    for name in ("call_latency_seconds", "list_images_page_serves", "custom_image_limit"):
        lines.append(f"| `Options.{name}` | {getattr(options, name)} |")
    return "\n".join(lines)


def _replace(path: Path, marker: str, body: str) -> None:
    text = path.read_text()
    pattern = re.compile(rf"(<!-- bench:{marker} -->\n)(?:.*?\n)?(<!-- /bench:{marker} -->)", re.S)
    if not pattern.search(text):
        raise SystemExit(f"{path}: no <!-- bench:{marker} --> block")
    path.write_text(pattern.sub(lambda m: m.group(1) + body + "\n" + m.group(2), text))


def publish(results: dict) -> None:
    results = json.loads(json.dumps(results, default=str))  # as results.json holds it (string keys)
    machine = results["machine"]
    run = (
        f"Measured {results['when']} on {machine['cpus']} CPUs, Python {machine['python']} "
        f"({results['total_seconds'] / 60:.0f} min for the whole run)."
    )
    again = results.get("remeasured", {})
    if again:  # sections run again alone (`--only`) since the whole run
        run += " Measured again since: " + "; ".join(f"{k} on {v}" for k, v in sorted(again.items())) + "."
    docs = ROOT / "docs" / "performance.md"
    _replace(docs, "run", run)
    _replace(docs, "table", table(rows(results)))
    _replace(docs, "stages", stages_table(results))
    _replace(docs, "steady", steady_table(results))
    if results.get("lost_events"):
        _replace(docs, "lost", lost_table(results))
    _replace(docs, "model", assumptions())
    _replace(ROOT / "README.md", "summary", summary(results))


def summary(results: dict) -> str:
    per = results["calls_per_additional_target"]
    three = results["replication"]["3"]
    largest = max(results["steady_state"], key=lambda p: p["images"])
    source = largest[f"{SOURCE}/steady"]
    lazy = results["lazy_loader"]
    return "\n".join(
        [
            f"- 1 image to 3 regions: {three['calls']} calls and no poll, "
            f"{three['ratio_to_floor']:.3f}x the fastest time the model allows "
            f"(a polling script: {three['baselines'][WAITER]['calls']} calls).",
            f"- {per['total']} calls per additional target region ({per['of_which_once_per_cold_container']} of "
            "them the signing key, which a container keeps 15 minutes).",
            f"- A steady reconcile pass over {largest['images']:,} settled images: {source['calls']} calls, "
            f"{source['wall_seconds']:.0f} s at {largest['latency_seconds'] * 1000:.0f} ms per call, "
            f"{source['peak_rss_mb']:.0f} MB.",
            *_transfer_summary(results),
            f"- First answer to a real event: {lazy['ratio_loader_to_plain']:.2f}x the time of a plain `import oci`.",
            f"- {results['when']}; every figure, baseline and model assumption in "
            "[docs/performance.md](docs/performance.md).",
        ]
    )


def _transfer_summary(results: dict) -> list[str]:
    one = {(e["bound"], e["transfer"]): e for e in results.get("transfer", []) if e["images"] == 1}
    if len(one) < 4:
        return []
    minutes = {key: entry["simulated_minutes"] for key, entry in one.items()}
    ratio = {b: minutes[(b, "direct")] / minutes[(b, "copy")] for b in ("after", "within")}
    return [
        f"- `IR_TRANSFER=direct`, 1 image to 3 regions: {ratio['within']:.2f}x the time of a copy if the import "
        f"absorbs the read across regions, {ratio['after']:.2f}x if the read comes on top (OCI does not say which)."
    ]


PASS_BOUND_MB = 100  # what a scheduled pass may hold, whatever it finds (func.yaml gives 128 MB)


def loader_verdict(results: dict) -> str:
    """The lazy loader stays if it answers a real event in 0.75x the time of a plain `import oci`, or
    if it is what keeps a steady pass under the memory bound (the steady section measures both)."""
    lazy = results["lazy_loader"]
    ratio = lazy["ratio_loader_to_plain"]
    if ratio <= 0.75 and lazy.get("runs", 0) >= PAIRS:
        return f"kept: {ratio:.2f}x time, 0.75x or less over {lazy['runs']} paired runs"
    for size in sorted(results.get("steady_state", []), key=lambda p: -p["images"]):
        for key, steady in size.items():
            plain = size.get(key.replace("/steady", "/steady_plain_sdk")) if key.endswith("/steady") else None
            if plain and steady["peak_rss_mb"] <= PASS_BOUND_MB < plain["peak_rss_mb"]:
                judged = "time above 0.75x" if ratio > 0.75 else f"time judged on fewer than {PAIRS} pairs"
                return (
                    f"{judged}; kept: the steady pass at {size['images']:,} images peaks at "
                    f"{steady['peak_rss_mb']:.0f} MB with it, {plain['peak_rss_mb']:.0f} MB without, "
                    f"bound {PASS_BOUND_MB} MB"
                )
    if ratio <= 0.75:
        return f"not judged: fewer than {PAIRS} paired runs, and no pass needs it under the memory bound"
    return "REMOVE: above 0.75x time, and no pass needs it under the memory bound"


def main() -> int:
    results = json.loads(RESULTS.read_text())
    publish(results)
    print(table(rows(results)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
