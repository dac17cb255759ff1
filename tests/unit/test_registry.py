"""The registry: every step declared once, no event or action claimed twice, every action run by a step."""

import pytest

from replicator import registry
from replicator.actions import PASSIVE, Action
from replicator.cloudevents import EventKind
from replicator.engine import Step
from replicator.registry import RegistryError, _by_action, _by_route
from replicator.subjects import SourceImage


def _step(name: str, side="source", **declared) -> Step:
    return Step(name, side, lambda c, s: None, **declared)


def test_every_pass_action_runs_the_step_of_its_name_on_each_side_that_plans_it():
    for (side, action), step in registry.ACTIONS.items():
        assert step.name == action.value and step.side == side


def test_every_action_but_the_passive_ones_has_a_step():
    assert {action for _, action in registry.ACTIONS} == set(Action) - set(PASSIVE)


def test_the_operator_retry_is_found_by_name_on_both_sides():
    assert registry.named("source", "retry").side == "source"
    assert registry.named("replica", "retry").side == "replica"


def test_two_steps_claiming_one_event_are_refused():
    route = (EventKind.IMAGE_AVAILABLE, SourceImage)
    with pytest.raises(RegistryError, match="export and other"):
        _by_route((_step("export", routes=(route,)), _step("other", routes=(route,))))


def test_two_steps_claiming_one_action_on_one_side_are_refused():
    with pytest.raises(RegistryError, match="export and other"):
        _by_action((_step("export", action=Action.EXPORT), _step("other", action=Action.EXPORT)))


def test_an_action_no_step_runs_is_refused():
    with pytest.raises(RegistryError, match="actions no step runs"):
        _by_action((_step("export", action=Action.EXPORT),))


def test_every_step_module_is_registered():
    """A step module whose steps are missing from `registry.ALL` would never run."""
    from pathlib import Path

    import replicator.steps as package

    modules = {p.stem for p in Path(package.__file__).parent.glob("*.py")} - {"__init__"}
    assert modules == {step.run.__module__.rsplit(".", 1)[-1] for step in registry.ALL}
