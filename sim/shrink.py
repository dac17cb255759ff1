"""A failing script, made short: drop chunks of actions while the run still breaks the same invariant.

Halves first, then quarters, down to single actions (the idea of delta debugging), within a
budget of reruns. What is left replays with the same seed: `python -m sim --seed S --script FILE`.
"""

from __future__ import annotations

from .actions import Action
from .runner import RunResult, run


def shrink(result: RunResult, *, budget: int = 80) -> RunResult:
    """The shortest script found, within `budget` reruns, that breaks `result`'s first invariant."""
    assert result.first is not None, "only a failing run shrinks"
    invariant = result.first.invariant
    best = result
    script: list[Action] = list(result.script[: result.steps])  # what came after the violation played no part
    tries = 0
    chunk = max(len(script) // 2, 1)
    while chunk >= 1 and tries < budget:
        start, removed = 0, False
        while start < len(script) and tries < budget:
            candidate = script[:start] + script[start + chunk :]
            tries += 1
            again = run(result.seed, candidate)
            if again.first is not None and again.first.invariant == invariant:
                script, best, removed = list(candidate[: again.steps]), again, True
            else:
                start += chunk
        if not removed:
            chunk //= 2
    return best


def run_and_shrink(job: tuple[int, int, bool]) -> RunResult:
    """One seed's run of `steps` actions, shrunk if it fails and `shrinking`: what a worker process does."""
    seed, steps, shrinking = job
    result = run(seed, steps=steps)
    if not result.ok and shrinking:
        try:
            result = shrink(result)
        except Exception as exc:  # the unshrunk run still names its seed and what it broke
            print(f"seed {seed}: shrinking stopped ({type(exc).__name__}: {str(exc)[:200]})", flush=True)
    return result
