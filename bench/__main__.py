"""Run every benchmark in one process; print one table, write bench/results.json, and rewrite
the figures of docs/performance.md and README from it (bench/report.py).

    python -m bench            # everything (hours on 2 cores: the passes over 20,000 and 50,000)
    python -m bench --quick    # smaller sizes, for a smoke run; the docs are left as they are
    python -m bench --only steady --sizes 50000   # one size again, into the last figures

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
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ocifake import Durations
from replicator import logs

from . import coldstart, loader, lost, reconcile_scale, report, scenarios, steady

RESULTS = Path(__file__).with_name("results.json")
FLEET_SIZES = (100, 1000, 20000)  # custom images already in each target region
STEADY_SIZES = (1000, 2000, 5000, 20000, 50000)  # settled replications
LOST_SIZES = (2000, 5000)  # tagged images whose every event was lost
FULL_COLD_RUNS = 9  # cold starts of each kind; the loader's paired runs are at least loader.PAIRS


def remeasured(before: str | None, today: str, sizes: list[int] | None) -> str:
    """When a section was measured again: a run of some sizes keeps what it did not measure again
    ("2026-12-06 (2,000); 2026-12-01 (5,000)"), so the page never dates figures it did not make."""
    if not sizes:
        return today
    kept = []
    for part in (before or "").split("; "):
        date, _, listed = part.partition(" (")
        named = [n for n in listed.rstrip(")").split(", ") if n]
        if not named or not all(n.replace(",", "").isdigit() for n in named):
            named = ["the other sizes"]  # the whole section, measured before: all but these
        left = [n for n in named if not n.replace(",", "").isdigit() or int(n.replace(",", "")) not in sizes]
        if date and left:
            kept.append(f"{date} ({', '.join(left)})")
    return "; ".join([f"{today} ({', '.join(f'{n:,}' for n in sizes)})", *kept])


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def calls_and_time(results: dict, fleet: tuple[int, ...] = FLEET_SIZES) -> None:
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
    # A direct import under the two bounds of the model: the transfer after the import's own time,
    # or within it (how OCI's import reads another region is not documented).
    bounds = {"after": Durations(), "within": Durations(import_overlaps_transfer=True)}
    direct_by_bound = {
        bound: {
            n: scenarios.replicate_by_polling(n, scenarios.waiter_intervals, direct=True, durations=d)
            for n in (1, 3, 10)
        }
        for bound, d in bounds.items()
    }
    direct = direct_by_bound["after"]
    # The same figure with the target regions already holding many custom images: an import
    # that listed its compartment (as one once did, to count against the limit) would grow here.
    by_fleet = {}
    for held in fleet:
        one, two = (scenarios.replicate_with_functions(n, containers=3, held=held) for n in (1, 2))
        listings = Counter(op for (_src, _step, op) in two.calls if op.startswith("List")) - Counter(
            op for (_src, _step, op) in one.calls if op.startswith("List")
        )
        by_fleet[str(held)] = {"total": len(two.calls) - len(one.calls), "listings": dict(listings)}
    results["calls_per_additional_target_by_fleet"] = by_fleet
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
            # The direct import under each bound, beside its own floor (and ours under the same model).
            "direct_import_by_bound": {
                bound: {
                    "simulated_minutes": runs[n]["simulated_seconds"] / 60,
                    "floor_minutes": scenarios.direct_floor_seconds(n, bounds[bound]) / 60,
                    "ratio_to_our_time": runs[n]["simulated_seconds"] / ours.simulated_seconds,
                }
                for bound, runs in direct_by_bound.items()
            },
        }
        replication[n] = entry


def transfers(results: dict, burst: int) -> None:
    """End to end, IR_TRANSFER=copy and =direct side by side, for one image and for a burst, to three
    targets, under both bounds of the model (a direct read across regions after the import's own
    time, or within it), each beside its own floor."""
    bounds = {"after": Durations(), "within": Durations(import_overlaps_transfer=True)}
    measured = []
    for images in (1, burst):
        for bound, durations in bounds.items():
            for mode in ("copy", "direct"):
                run = scenarios.replicate_with_functions(
                    3, images=images, containers=3, transfer=mode, durations=durations
                )
                assert run.images_done == images, f"{mode} did not finish {images} image(s)"
                floor = (scenarios.direct_floor_seconds if mode == "direct" else scenarios.floor_seconds)(
                    3, durations, images=images
                )
                measured.append(
                    {
                        "images": images,
                        "targets": 3,
                        "bound": bound,
                        "transfer": mode,
                        "calls": len(run.calls),
                        "simulated_minutes": run.simulated_seconds / 60,
                        "floor_minutes": floor / 60,
                        "ratio_to_floor": run.simulated_seconds / floor,
                    }
                )
    results["transfer"] = measured


def overhead(results: dict, burst: int) -> None:
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


def cold_start(results: dict, runs: int) -> None:
    paired = coldstart.paired(runs)
    first = coldstart.first_real_event()
    results["cold_start"] = {
        **paired,
        "first_real_event": first,
        "import_seconds_by_package": dict(coldstart.import_breakdown()),
        "runs": runs,
    }
    # The lazy loader's verdict: the production entry against a plain import, on a real event.
    lazy = loader.verdict(runs if runs < FULL_COLD_RUNS else max(runs, loader.PAIRS))
    results["lazy_loader"] = lazy


def reconcile(results: dict, sizes: tuple[int, ...]) -> None:
    reconcile_scale.dry_run_pass(sizes[0])  # not counted: the process's first pass imports what the others reuse
    passes = [reconcile_scale.dry_run_pass(n) for n in sizes]
    results["reconcile"] = passes


def steady_state(results: dict, sizes: tuple[int, ...], latency: float = 0.05) -> None:
    """Scheduled passes in the function's own process over N settled replications (bench/steady.py)."""
    found = [steady.passes(n, latency) for n in sizes]
    results["steady_state"] = found


def lost_events(results: dict, sizes: tuple[int, ...], latency: float = 0.05, rounds: int | None = None) -> None:
    """The scheduled passes alone after every event was lost (bench/lost.py); `rounds`: stop after so
    many (the first rounds of a size too large to run to the end: what a pass costs, not how long
    the whole catch-up takes)."""
    results["lost_events"] = [lost.passes(n, latency, rounds) for n in sizes]


SECTIONS: dict[str, Callable[..., None]] = {
    "calls": calls_and_time,
    "transfer": transfers,
    "overhead": overhead,
    "coldstart": cold_start,
    "reconcile": reconcile,
    "steady": steady_state,
    "lost": lost_events,
}


# Sections measured size by size, and where their figures go: `--sizes` re-measures some of them.
BY_SIZE = {"steady": "steady_state", "lost": "lost_events"}


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run (docs left as they are)")
    parser.add_argument(
        "--only",
        choices=sorted(SECTIONS),
        action="append",
        help="run these sections again, into the last bench/results.json (its other figures kept, "
        "the docs rewritten, the date of each section run again shown)",
    )
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        help="with --only steady or lost: measure these sizes only, replacing those sizes' figures",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        help="with --only lost: stop after so many rounds (reported as stopped, not converged)",
    )
    args = parser.parse_args()
    if args.quick and args.only:
        parser.error("--only re-measures into the full run's figures; a --quick run makes its own")
    if args.sizes and not (args.only and set(args.only) <= set(BY_SIZE)):
        parser.error("--sizes goes with --only steady and/or --only lost")
    if args.rounds and args.only != ["lost"]:
        parser.error("--rounds goes with --only lost")
    logs.enable(False)  # in-process passes would otherwise print every API call
    quick = args.quick
    sizes = {
        "calls": ((100, 500) if quick else FLEET_SIZES,),
        "transfer": (10 if quick else 50,),
        "overhead": (40 if quick else 200,),
        "coldstart": (3 if quick else FULL_COLD_RUNS,),
        "reconcile": ((10, 50) if quick else (10, 100, 1000),),
        "steady": ((200,) if quick else STEADY_SIZES,),
        "lost": ((100,) if quick else LOST_SIZES,),
    }
    if args.only and not quick:
        results = json.loads(RESULTS.read_text())
        for name in args.only:
            again = results.setdefault("remeasured", {})
            again[name] = remeasured(again.get(name), time.strftime("%Y-%m-%d"), args.sizes)
    else:
        results = {
            "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
            "when": time.strftime("%Y-%m-%d"),
        }
    started = time.perf_counter()
    for name, run in SECTIONS.items():
        if not args.only or name in args.only:
            if args.sizes:
                kept = [p for p in results.get(BY_SIZE[name], []) if p["images"] not in args.sizes]
                run(results, tuple(args.sizes), **({"rounds": args.rounds} if args.rounds else {}))
                results[BY_SIZE[name]] = sorted([*kept, *results[BY_SIZE[name]]], key=lambda p: p["images"])
            else:
                run(results, *sizes[name])
    elapsed = time.perf_counter() - started
    if not args.only:
        results["total_seconds"] = elapsed
    # A smoke run never replaces the figures the docs were made from.
    written = RESULTS.with_name("results.quick.json") if args.quick else RESULTS
    written.write_text(json.dumps(results, indent=2, default=str) + "\n")
    found = report.rows(results)
    width = [max(len(r[i]) for r in [*found, report.HEADER]) for i in range(4)]
    for row in [report.HEADER, tuple("-" * w for w in width), *found]:
        print(" | ".join(cell.ljust(w) for cell, w in zip(row, width, strict=False)))
    print("\nCalls per additional target region, stage by stage:")
    for entry in results["calls_per_additional_target"]["by_stage"]:
        print(f"  {entry['region']:<6} {entry['step']:<12} {entry['operation']:<36} {entry['calls']}")
    if not args.quick:
        report.publish(results)  # docs/performance.md and README show this run's figures
    print(
        f"\n{results['machine']['cpus']} CPUs, Python {results['machine']['python']}; "
        f"{elapsed:.0f} s in all; written to {written}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
