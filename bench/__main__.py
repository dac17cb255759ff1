"""Run every benchmark in one process; print one table and write bench/results.json.

    python -m bench            # everything (a few minutes on 2 cores)
    python -m bench --quick    # smaller burst and reconcile sizes, for a smoke run
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

from replicator import logs

from . import coldstart, reconcile_scale, scenarios

RESULTS = Path(__file__).with_name("results.json")
STAGES = {
    ("com.oraclecloud.computeapi.createimage.end", "started"): "1 image created -> export",
    ("com.oraclecloud.computeapi.exportimage.end", "continued"): "2 export done -> copies",
    ("com.oraclecloud.objectstorage.createobject", "continued"): "3 object landed -> import",
    ("com.oraclecloud.computeapi.createimage.end", "done"): "4 import done -> finish",
}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def calls_and_time(results: dict, rows: list) -> None:
    floor = scenarios.floor_seconds()
    per_targets = {}
    for n in (1, 3, 10):
        ours = scenarios.replicate_with_functions(n)
        polling = scenarios.replicate_by_polling(n)
        assert ours["images_done"] == 1, "the pipeline did not finish"
        ours_calls, polling_calls = Counter(ours["calls"]), Counter(polling["calls"])
        entry = {
            "targets": n,
            "calls": len(ours["calls"]),
            "calls_per_target": len(ours["calls"]) / n,
            "polling_calls": ours_calls["GetWorkRequest"],
            "baseline_calls": len(polling["calls"]),
            "baseline_polling_calls": polling_calls["GetWorkRequest"],
            "simulated_minutes": ours["simulated_seconds"] / 60,
            "baseline_simulated_minutes": polling["simulated_seconds"] / 60,
            "floor_minutes": floor / 60,
            "ratio_to_floor": ours["simulated_seconds"] / floor,
            "baseline_ratio_to_floor": polling["simulated_seconds"] / floor,
            "wall_seconds_per_event": ours["wall_seconds"] / max(1, len(ours["invocations"])),
            "calls_by_operation": dict(sorted(ours_calls.items())),
        }
        per_targets[n] = entry
        rows.append((f"API calls, 1 image -> {n} region(s)", f"{entry['calls']} ({entry['calls_per_target']:.1f}/region, {entry['polling_calls']} polls)", f"polling script: {entry['baseline_calls']} ({entry['baseline_polling_calls']} polls)", f"{entry['calls'] / entry['baseline_calls']:.2f}x"))
        rows.append((f"Time to replicate, {n} region(s) (simulated)", f"{entry['simulated_minutes']:.1f} min", f"floor {entry['floor_minutes']:.0f} min; polling {entry['baseline_simulated_minutes']:.0f} min", f"{entry['ratio_to_floor']:.3f}x floor (polling {entry['baseline_ratio_to_floor']:.2f}x)"))
    results["replication"] = per_targets
    growth = per_targets[10]["calls"] / per_targets[1]["calls"]
    rows.append(("Calls growth 1 -> 10 regions", f"{growth:.1f}x", "linear would be <= 10x", "linear" if growth <= 10 else "super-linear"))


def overhead(results: dict, rows: list, burst: int) -> None:
    steady = scenarios.replicate_with_functions(2, images=20)
    by_stage: dict[str, list[float]] = {}
    first_seen = set()
    for event_type, result, seconds in steady["invocations"]:
        stage = STAGES.get((event_type, result))
        if stage is None:
            continue
        if stage not in first_seen:  # warm figures: the first call of each stage pays imports and clients
            first_seen.add(stage)
            continue
        by_stage.setdefault(stage, []).append(seconds * 1000)
    results["handler_ms"] = {s: {"median": statistics.median(v), "p95": percentile(v, 0.95), "n": len(v)} for s, v in sorted(by_stage.items())}
    for stage, figures in results["handler_ms"].items():
        rows.append((f"Handler, stage {stage} (warm, fdk path)", f"median {figures['median']:.1f} ms", f"p95 {figures['p95']:.1f} ms", f"n={figures['n']}"))
    started = time.perf_counter()
    run = scenarios.replicate_with_functions(3, images=burst)
    total = time.perf_counter() - started
    results["burst"] = {
        "images": burst, "targets": 3, "done": run["images_done"], "wall_seconds": total, "run_wall_seconds": run["wall_seconds"],
        "cpu_ms_per_image": 1000 * run["cpu_seconds"] / burst, "function_peak_rss_mb": run["peak_rss_mb"],
    }
    rows.append((f"Burst: {burst} images -> 3 regions", f"{run['images_done']}/{burst} done in {run['wall_seconds']:.1f} s wall", f"handler CPU {results['burst']['cpu_ms_per_image']:.0f} ms/image", "all done" if run["images_done"] == burst else "INCOMPLETE"))
    rows.append(("Function peak RSS after the burst", f"{run['peak_rss_mb']:.0f} MB", "OCI Functions' smallest size: 128 MB", f"{run['peak_rss_mb'] / 128:.2f} of 128 MB"))


def cold_start(results: dict, rows: list) -> None:
    floor = coldstart.bare_import_oci()
    plain = coldstart.function_first_answer(with_cloud_call=False)
    real = coldstart.function_first_answer(with_cloud_call=True)
    breakdown = coldstart.import_breakdown()
    results["cold_start"] = {"bare_import_oci": floor, "first_answer": plain, "first_real_event": real, "import_seconds_by_package": dict(breakdown)}
    rows.append(("Cold start to first answer", f"{plain['seconds']:.2f} s", f"bare 'import oci' {floor['seconds']:.2f} s", f"{plain['seconds'] / floor['seconds']:.2f}x"))
    rows.append(("Cold start, first real event (via the fake)", f"{real['seconds']:.2f} s", f"bare 'import oci' {floor['seconds']:.2f} s", f"{real['seconds'] / floor['seconds']:.2f}x"))
    fits = "fits 128 MB" if real["peak_rss_mb"] < 128 else "needs > 128 MB"
    rows.append(("Peak memory (RSS)", f"{plain['peak_rss_mb']:.0f} MB (first real event {real['peak_rss_mb']:.0f} MB)", f"bare 'import oci' {floor['peak_rss_mb']:.0f} MB", f"{plain['peak_rss_mb'] / floor['peak_rss_mb']:.2f}x; {fits}"))
    rows.append(("Handler import time by package", ", ".join(f"{p} {s:.2f}s" for p, s in breakdown[:4]), "", ""))


def reconcile(results: dict, rows: list, sizes: tuple[int, ...]) -> None:
    passes = [reconcile_scale.dry_run_pass(n) for n in sizes]
    results["reconcile"] = passes
    base = passes[0]
    for p in passes:
        rows.append((f"Reconcile pass (dry run), {p['images']} images", f"{p['calls']} calls, {p['seconds']:.2f} s", f"{p['calls'] / p['images']:.2f} calls/image", f"{p['seconds'] / base['seconds']:.1f}x the {base['images']}-image pass"))


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
    cold_start(results, rows)
    reconcile(results, rows, (10, 50) if args.quick else (10, 100, 1000))
    results["total_seconds"] = time.perf_counter() - started
    RESULTS.write_text(json.dumps(results, indent=2, default=str) + "\n")
    width = [max(len(r[i]) for r in rows + [("Benchmark", "Ours", "Baseline (same run)", "Ratio")]) for i in range(4)]
    for row in [("Benchmark", "Ours", "Baseline (same run)", "Ratio"), tuple("-" * w for w in width), *rows]:
        print(" | ".join(cell.ljust(w) for cell, w in zip(row, width)))
    print(f"\n{results['machine']['cpus']} CPUs, Python {results['machine']['python']}; {results['total_seconds']:.0f} s in all; written to {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
