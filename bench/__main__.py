"""Run every benchmark in one process; print one table and write bench/results.json.

    python -m bench            # everything (a few minutes on 2 cores)
    python -m bench --quick    # smaller burst and reconcile sizes, for a smoke run

Every figure stands next to a baseline measured in the same run, and is reported as a ratio.
"""

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from replicator import logs

from . import coldstart, loader, reconcile_scale, scenarios, steady

RESULTS = Path(__file__).with_name("results.json")
HEADER = ("Benchmark", "Ours", "Baseline (same run)", "Ratio")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def calls_and_time(results: dict, rows: list) -> None:
    # Three containers per region, as deployed by the sandbox and as OCI runs concurrent invocations.
    runs = {n: scenarios.replicate_with_functions(n, containers=3) for n in (1, 2, 3, 10)}
    single = {n: scenarios.replicate_with_functions(n, containers=1) for n in (1, 2)}
    polling = {
        name: {n: scenarios.replicate_by_polling(n, schedule) for n in (1, 3, 10)}
        for name, schedule in (
            ("every 15 s", lambda: scenarios.fixed_intervals(15)),
            ("SDK waiter (1 s doubling to 30 s)", scenarios.waiter_intervals),
        )
    }
    direct = {n: scenarios.replicate_by_polling(n, scenarios.waiter_intervals, direct=True) for n in (1, 3, 10)}
    per_target = len(runs[2].calls) - len(runs[1].calls)
    stages = Counter(runs[2].calls) - Counter(runs[1].calls)
    per_container = sum(n for (_src, _step, op), n in stages.items() if op == "GetSecretBundle")
    results["calls_per_additional_target"] = {
        "total": per_target,
        "containers_per_region": 3,
        "with_one_container": len(single[2].calls) - len(single[1].calls),
        "of_which_once_per_cold_container": per_container,
        "metric_calls": runs[2].metric_calls - runs[1].metric_calls,
        "by_stage": sorted(
            (
                {"region": "source" if src else "target", "step": step, "operation": op, "calls": n}
                for (src, step, op), n in stages.items()
            ),
            key=lambda r: (r["region"], r["step"], r["operation"]),
        ),
    }
    replication: dict[int, dict] = {}
    results["replication"] = replication
    for n in (1, 3, 10):
        ours, floor = runs[n], scenarios.floor_seconds(n)
        assert ours.images_done == 1, "the pipeline did not finish"
        polls = sum(1 for c in ours.calls if c[2] == "GetWorkRequest")
        entry: dict[str, Any] = {
            "targets": n,
            "calls": len(ours.calls),
            "metric_calls": ours.metric_calls,
            "polls": polls,
            "simulated_minutes": ours.simulated_seconds / 60,
            "floor_minutes": floor / 60,
            "ratio_to_floor": ours.simulated_seconds / floor,
            "baselines": {
                name: {
                    **p[n],
                    "simulated_minutes": p[n]["simulated_seconds"] / 60,
                    "ratio_to_floor": p[n]["simulated_seconds"] / floor,
                }
                for name, p in polling.items()
            },
            "direct_import": {
                **direct[n],
                "simulated_minutes": direct[n]["simulated_seconds"] / 60,
                "ratio_to_floor": direct[n]["simulated_seconds"] / floor,
            },
        }
        replication[n] = entry
        fifteen, waiter = entry["baselines"]["every 15 s"], entry["baselines"]["SDK waiter (1 s doubling to 30 s)"]
        rows.append(
            (
                f"API calls, 1 image -> {n} region(s)",
                f"{entry['calls']} ({polls} polls) + {ours.metric_calls} PostMetricData",
                f"parallel polling: {fifteen['calls']} at 15 s, {waiter['calls']} with the SDK waiter",
                f"{entry['calls'] / fifteen['calls']:.2f}x / {entry['calls'] / waiter['calls']:.2f}x",
            )
        )
        rows.append(
            (
                f"Time to replicate, {n} region(s) (simulated)",
                f"{entry['simulated_minutes']:.1f} min",
                f"floor {entry['floor_minutes']:.0f} min; "
                f"polling {fifteen['simulated_minutes']:.1f} / {waiter['simulated_minutes']:.1f} min",
                f"{entry['ratio_to_floor']:.3f}x floor "
                f"(polling {fifteen['ratio_to_floor']:.3f}x / {waiter['ratio_to_floor']:.3f}x)",
            )
        )
        straight = entry["direct_import"]
        rows.append(
            (
                f"Direct import from a source PAR, {n} region(s) (simulated)",
                f"ours {entry['simulated_minutes']:.1f} min, {entry['calls']} calls",
                f"direct import {straight['simulated_minutes']:.1f} min, {straight['calls']} calls (SDK waiter)",
                f"{ours.simulated_seconds / straight['simulated_seconds']:.3f}x its time",
            )
        )
    rows.append(
        (
            "API calls per additional target region (3 containers per region)",
            f"{per_target} (answer included; {per_container} once per cold container) "
            f"+ {runs[2].metric_calls - runs[1].metric_calls} PostMetricData",
            f"{results['calls_per_additional_target']['with_one_container']} with one container per region",
            "listed stage by stage below",
        )
    )


def overhead(results: dict, rows: list, burst: int) -> None:
    steady = scenarios.replicate_with_functions(2, images=20, fdk=True)
    by_kind: dict[str, list[float]] = {}
    for event_type, result, seconds in steady.invocations:
        by_kind.setdefault(f"{event_type.rsplit('.', 2)[-2]}.{event_type.rsplit('.', 1)[-1]} -> {result}", []).append(
            seconds * 1000
        )
    results["handler_ms"] = {
        k: {"median": statistics.median(v), "p95": percentile(v, 0.95), "n": len(v)}
        for k, v in sorted(by_kind.items())
        if len(v) >= 5
    }
    for kind, figures in results["handler_ms"].items():
        rows.append(
            (
                f"Handler, {kind} (warm, real fdk)",
                f"median {figures['median']:.1f} ms",
                f"p95 {figures['p95']:.1f} ms",
                f"n={figures['n']}",
            )
        )
    run = scenarios.replicate_with_functions(3, images=burst, fdk=True, containers=3)
    results["burst"] = {
        "images": burst,
        "targets": 3,
        "containers_per_region": 3,
        "done": run.images_done,
        "wall_seconds": run.wall_seconds,
        "max_concurrency": run.max_concurrency,
        "cpu_ms_per_image": 1000 * run.cpu_seconds / burst,
        "function_peak_rss_mb": run.peak_rss_mb,
    }
    rows.append(
        (
            f"Burst: {burst} images -> 3 regions, parallel delivery",
            f"{run.images_done}/{burst} done in {run.wall_seconds:.0f} s wall",
            f"up to {run.max_concurrency} invocations at once; CPU {results['burst']['cpu_ms_per_image']:.0f} ms/image",
            "all done" if run.images_done == burst else "INCOMPLETE",
        )
    )
    rows.append(
        (
            "Function peak RSS after the burst",
            f"{run.peak_rss_mb:.1f} MB",
            "func.yaml memory: 128 MB",
            f"{run.peak_rss_mb / 128:.2f} of it",
        )
    )


def cold_start(results: dict, rows: list, runs: int) -> None:
    paired = coldstart.paired(runs)
    first = coldstart.first_real_event()
    results["cold_start"] = {
        **paired,
        "first_real_event": first,
        "import_seconds_by_package": dict(coldstart.import_breakdown()),
    }
    fn, trivial, oci = paired["function"], paired["trivial"], paired["import_oci"]
    rows.append(
        (
            f"Cold start to first answer to {{}} (refused, no call: start-up alone), median of {runs}, paired",
            f"{fn['seconds']:.3f} s",
            f"'import oci' {oci['seconds']:.3f} s; trivial fdk handler {trivial['seconds']:.3f} s",
            f"{paired['ratio_to_import_oci']:.2f}x import oci; {paired['ratio_to_trivial']:.2f}x trivial",
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
    # The lazy loader's verdict: the production entry against a plain import, on a real event.
    lazy = loader.verdict(runs)
    results["lazy_loader"] = lazy
    rows.append(
        (
            f"First answer to a real createimage.end (the export step), median of {runs}, paired",
            f"loader {lazy['loader']['seconds']:.3f} s, {lazy['loader']['peak_rss_mb']:.1f} MB",
            f"plain 'import oci' {lazy['plain']['seconds']:.3f} s, {lazy['plain']['peak_rss_mb']:.1f} MB",
            f"{lazy['ratio_loader_to_plain']:.2f}x time; {lazy['memory_ratio_loader_to_plain']:.2f}x memory",
        )
    )


def reconcile(results: dict, rows: list, sizes: tuple[int, ...]) -> None:
    passes = [reconcile_scale.dry_run_pass(n) for n in sizes]
    results["reconcile"] = passes
    base = passes[0]
    for p in passes:
        rows.append(
            (
                f"Reconcile pass (dry run), {p['images']} images",
                f"{p['calls']} calls, {p['seconds']:.2f} s",
                f"{p['calls'] / p['images']:.2f} calls/image",
                f"{p['seconds'] / base['seconds']:.1f}x the {base['images']}-image pass",
            )
        )


def steady_state(results: dict, rows: list, sizes: tuple[int, ...], latency: float = 0.05) -> None:
    """Scheduled passes in the function's own process over N settled replications (bench/steady.py)."""
    found = [steady.passes(n, latency) for n in sizes]
    results["steady_state"] = found
    for p in found:
        for region in (steady.SOURCE, steady.TARGET):
            first, then = p[f"{region}/catch_up"], p[f"{region}/steady"]
            rows.append(
                (
                    f"Scheduled pass, {p['images']} settled images, {region} ({latency * 1000:.0f} ms per call)",
                    f"{then['calls']} calls ({then['reads']} record reads), {then['wall_seconds']:.1f} s, "
                    f"{then['peak_rss_mb']:.0f} MB, answer {then['answer_bytes']} B",
                    f"catch-up: {first['passes']} passes, {first['calls']} calls, peak {first['peak_rss_mb']:.0f} MB",
                    f"{then['calls'] / p['images']:.3f} calls per image",
                )
            )


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--quick", action="store_true", help="smaller burst and reconcile sizes")
    args = parser.parse_args()
    logs.enable(False)  # in-process passes would otherwise print every API call
    results: dict = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "when": time.strftime("%Y-%m-%d"),
    }
    rows: list[tuple[str, str, str, str]] = []
    started = time.perf_counter()
    calls_and_time(results, rows)
    overhead(results, rows, burst=40 if args.quick else 200)
    cold_start(results, rows, runs=3 if args.quick else 9)
    reconcile(results, rows, (10, 50) if args.quick else (10, 100, 1000))
    steady_state(results, rows, (200,) if args.quick else (1000, 5000, 20000))
    results["total_seconds"] = time.perf_counter() - started
    RESULTS.write_text(json.dumps(results, indent=2, default=str) + "\n")
    width = [max(len(r[i]) for r in [*rows, HEADER]) for i in range(4)]
    for row in [HEADER, tuple("-" * w for w in width), *rows]:
        print(" | ".join(cell.ljust(w) for cell, w in zip(row, width, strict=False)))
    stages = results["calls_per_additional_target"]["by_stage"]
    print("\nCalls per additional target region, stage by stage:")
    for entry in stages:
        print(f"  {entry['region']:<6} {entry['step']:<12} {entry['operation']:<36} {entry['calls']}")
    print(
        f"\n{results['machine']['cpus']} CPUs, Python {results['machine']['python']}; "
        f"{results['total_seconds']:.0f} s in all; written to {RESULTS}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
