"""One run: a world from a seed, a script (drawn from the seed, or given), invariants after each action.

Then the faults stop (events and calls behave, every statement removed is put back) and the schedules run
passes until none has anything to do; the world must then have converged. The first
violation ends the run: what it needs to be replayed is the seed and the script.
"""

from __future__ import annotations

import dataclasses
import hashlib
import random
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from .actions import Action, draw
from .invariants import Violation, check, check_converged
from .world import World, WorldSpec

MAX_PASSES = 12  # convergence: passes after the faults stop, each region's schedule firing once per hour


@dataclass
class RunResult:
    seed: int
    script: list[Action]
    steps: int = 0  # actions applied before the run ended
    violations: list[Violation] = field(default_factory=list)
    # What the cloud was asked, in order (region, operation, answer), as a digest: two runs of one
    # seed and script make the same calls in the same order, or the seed does not replay.
    fingerprint: str = ""

    @property
    def ok(self) -> bool:
        return not self.violations

    @property
    def first(self) -> Violation | None:
        return self.violations[0] if self.violations else None


def until_the_next_day_ends(now: datetime) -> float:
    """Seconds from `now` to the end of the next UTC day."""
    midnight = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return (midnight + timedelta(days=2) - now).total_seconds()


def _converged(world: World) -> list[Violation]:
    try:
        world.sandbox.converge(MAX_PASSES)
    except AssertionError as exc:
        return [Violation("convergence", str(exc).splitlines()[0][:300])]
    world.ledger.checked_after = MAX_PASSES
    return check_converged(world)


def script_for(seed: int, steps: int) -> list[Action]:
    spec = WorldSpec.draw(seed)
    return draw(
        random.Random(f"script-{seed}"),
        spec.regions,
        steps,
        spec.places,
        drills=spec.drills,
        batches=spec.max_reads is not None,
    )


def run(
    seed: int, script: Sequence[Action] | None = None, *, steps: int = 20, transfer: str | None = None
) -> RunResult:
    """Run `script` (default: the seed's own of `steps` actions) in the seed's world (`transfer`: with
    that IR_TRANSFER instead of the one drawn)."""
    spec = WorldSpec.draw(seed)
    if transfer is not None:
        spec = dataclasses.replace(spec, transfer=transfer)
    actions = list(script) if script is not None else script_for(seed, steps)
    result = RunResult(seed, actions)
    world: World | None = None
    try:
        world = World.build(spec)  # inside: a world that cannot be built is this seed's crash, named
        for action in actions:
            if action.resets_truth:
                world.ledger.checked_after = 0
            world.ledger.denied, world.ledger.gauges_from = {}, None
            world.ledger.acted_at = world.cloud.clock.now()
            action.apply(world)
            if action.settles:
                world.cloud.run_until_idle()
            result.steps += 1
            result.violations = check(world)
            if result.violations:
                return result
        world.repair()
        world.ledger.denied = {}  # judged after each pass of the script, not after the convergence
        world.cloud.run_until_idle()
        result.violations = _converged(world)
        if result.violations:
            # What only the daily look at shapes catches (a change whose event was lost) gets hourly
            # passes until the end of the next UTC day: the look falls once in each calendar day, at
            # an hour drawn afresh each day, so two looks may be up to 47 hours apart. A region
            # given up meanwhile for its silence is retried, as the operator its notice reached would.
            world.retry_given_up()
            world.cloud.advance(until_the_next_day_ends(world.cloud.clock.now()))
            world.cloud.run_until_idle()
            result.violations = _converged(world)
    except Exception as exc:  # the harness or the product raised where nothing should
        where = traceback.extract_tb(exc.__traceback__)[-1]
        detail = f"{type(exc).__name__}: {str(exc)[:200]} at {where.filename.rsplit('/', 1)[-1]}:{where.lineno}"
        result.violations = [Violation("crash", detail)]
    finally:
        if world is not None:
            calls = "\n".join(f"{c.region} {c.operation} {c.status}" for c in world.cloud.calls)
            result.fingerprint = hashlib.sha256(calls.encode()).hexdigest()[:16]
            world.close()
    return result
