"""The plan and op loop the engine adapters share (adapters/session.py): chains planned
through a rule table, and every op of a program reaching what a path holds."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

from optconf.adapters.protocol import (
    Adjust,
    Freeze,
    NotOffered,
    Program,
    Step,
    Stopped,
    Thaw,
    Unsupported,
)
from optconf.adapters.session import (
    Held,
    Plan,
    Run,
    beta_powers,
    carry_out,
    drive,
    not_offered,
    op_literals,
    planned,
    resumed_from,
)
from optconf.reference.rules import (
    Adam,
    ClipGrad,
    Descent,
    Momentum,
    OptimiserChain,
    WeightDecay,
)

TABLE = {
    Descent: lambda r, decay: Plan("sgd", {"lr": r.eta, "decay": decay}, lambda: {}),
    Momentum: lambda r, decay: Plan("sgd", {"lr": r.eta, "momentum": r.rho}, lambda: {}),
    **not_offered("toy", Adam),
}
VARIANTS = {Momentum: ("torch", "only the torch form")}


def plan_of(rule: Any) -> Plan:
    return planned(rule, TABLE, VARIANTS, "toy", (ClipGrad,), "toy composes one rule")


def test_clipping_and_decay_alone_are_descent_with_eta_one():
    got = plan_of(OptimiserChain(ClipGrad(0.5), WeightDecay(0.1)))
    assert (got.optimiser, dict(got.kwargs)) == ("sgd", {"lr": 1.0, "decay": 0.1})
    assert got.clips == (ClipGrad(0.5),) and got.prefix == ""


def test_a_chains_core_rule_keeps_its_place_as_the_state_prefix():
    got = plan_of(OptimiserChain(ClipGrad(0.5), Momentum(0.1, 0.9, variant="torch")))
    assert got.prefix == "1." and got.kwargs == {"lr": 0.1, "momentum": 0.9}


@pytest.mark.parametrize("rule", [Momentum(), OptimiserChain(Descent(), Descent())])
def test_another_variant_or_a_longer_chain_is_refused(rule):
    with pytest.raises(Unsupported):
        plan_of(rule)


def test_a_rule_the_engine_does_not_have_is_not_offered_by_name():
    with pytest.raises(NotOffered, match="toy has no Adam"):
        plan_of(Adam())


class Recorded:
    """A path that records what reaches it."""

    def __init__(self, run: Run[Plan]) -> None:
        self.run, self.seen = run, list[Any]()

    def held(self) -> Held:
        return Held(lambda grads: self.seen.append(("step", sorted(self.run.frozen))),
                    lambda old, new: self.seen.append(("adjust", old.kwargs["lr"],
                                                       new.kwargs["lr"])),
                    lambda: [np.zeros(2), np.ones(1)], lambda: [{}, None],
                    toggle=lambda positions, freeze: self.seen.append(
                        ("toggle", sorted(positions), freeze)))


MODEL = {"a": np.zeros(2), "b": np.ones(1)}


def test_each_op_reaches_the_path_with_the_frozen_set_and_the_plans_in_force():
    ops = (Step(None), Freeze(("a",)), Step(None), Adjust({"eta": 0.5}), Thaw(("a",)),
           Step(None))
    run = Run(Program(MODEL, Descent(0.1), ops), plan_of)
    path = Recorded(run)
    outcome = drive(run, path.held())
    assert path.seen == [("step", []), ("toggle", [0], True), ("step", [0]),
                         ("adjust", 0.1, 0.5), ("toggle", [0], False), ("step", [])]
    assert run.rule == Descent(0.5) and outcome.states == [{}, None]
    assert [list(v) for v in outcome.model.values()] == [[0.0, 0.0], [1.0]]


def test_a_deprecation_made_an_error_stops_with_what_the_path_left():
    run = Run(Program(MODEL, Descent(0.1), (Step(None),)), plan_of)

    def deprecated(_grads: Any) -> None:
        warnings.warn("old; use new", DeprecationWarning, stacklevel=1)

    held = Held(deprecated, lambda old, new: None, lambda: [np.full(2, 3.0), np.ones(1)],
                lambda: [None, None])
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        with pytest.raises(Stopped) as stopped:
            carry_out(run, held)
    assert list(stopped.value.outcome.model["a"]) == [3.0, 3.0]


def test_beta_powers_are_those_of_the_step_after_the_count():
    assert beta_powers((0.5, 0.25), np.int64(2)) == (0.125, 0.25**3)


def test_op_literals_give_each_ops_data_with_the_rule_adjusted_so_far():
    ops = (Step(None), Freeze(("b",)), Adjust({"eta": 0.5}), Thaw(()), Adjust({"eta": 0.25}))
    got = op_literals(Program(MODEL, Descent(0.1), ops), lambda rule: rule.eta, other=[])
    assert got == [[], [1], 0.5, [0, 1], 0.25]


def test_a_path_optimiser_resumes_from_a_fresh_one_of_its_class_only():
    """STATE-8: the held object takes the fresh one's attributes, so the path's references
    reach it; a fresh optimiser of another class is refused, not silently taken over."""

    class Opt:
        def __init__(self, buffer):
            self.buffer = buffer

    class Other(Opt):
        pass

    held, fresh = Opt([1.0]), Opt([2.0])
    resumed_from(held, fresh)
    assert held.buffer is fresh.buffer
    with pytest.raises(TypeError, match="cannot resume from a Other"):
        resumed_from(held, Other([3.0]))
