"""The lazy loader's verdict (bench/report.py): kept for time only on enough paired runs, else for
the memory it saves a steady pass, else removed."""

from bench.loader import PAIRS
from bench.report import loader_verdict


def results(ratio: float, runs: int, with_loader_mb: float = 88, without_mb: float = 116) -> dict:
    return {
        "lazy_loader": {"ratio_loader_to_plain": ratio, "runs": runs},
        "steady_state": [
            {
                "images": 50000,
                "us-ashburn-1/steady": {"peak_rss_mb": with_loader_mb},
                "us-ashburn-1/steady_plain_sdk": {"peak_rss_mb": without_mb},
            }
        ],
    }


def test_a_time_gain_counts_only_over_enough_paired_runs():
    assert loader_verdict(results(0.70, PAIRS)).startswith("kept: 0.70x time")
    few = loader_verdict(results(0.70, PAIRS - 1))
    assert few.startswith(f"time judged on fewer than {PAIRS} pairs; kept: the steady pass at 50,000")


def test_a_loader_above_the_time_bar_stays_for_the_memory_it_saves_a_pass():
    assert "kept: the steady pass at 50,000 images peaks at 88 MB with it, 116 MB without" in loader_verdict(
        results(0.76, PAIRS)
    )


def test_a_loader_that_saves_neither_time_nor_a_pass_is_removed():
    assert loader_verdict(results(0.80, PAIRS, without_mb=96)).startswith("REMOVE")
    assert loader_verdict(results(0.70, 3, without_mb=96)).startswith("not judged")
