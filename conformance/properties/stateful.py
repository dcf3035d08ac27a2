"""A state machine interleaving steps, None-gradient steps, adjust, freeze and thaw, comparing
the engine with the reference after every operation; hypothesis shrinks a failure to the
shortest sequence (UPD-1, UPD-5, FRZ-1, FRZ-2, ADJ-2)."""

from __future__ import annotations

from typing import Any

from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    get_state_machine_test,
    initialize,
    invariant,
    precondition,
    rule,
)

from optconf.adapters.protocol import (
    Adapter,
    Adjust,
    Freeze,
    Op,
    PathName,
    Program,
    Step,
    Thaw,
    Unsupported,
)
from optconf.reference.rules.base import Rule

from ..catalog import adjustments
from ..profiles import Profile
from ..strategies import gradients, models, program_features, record, subtree_keys
from .common import (
    Clauses,
    dtypes,
    faithful_rules,
    hypothesis_settings,
    model_drawing,
    probe,
    rule_for,
    run_and_compare,
    with_global_norm_chains,
)
from .registry import CaseId, prop

#: The rules the machine draws from; the engine's faithful ones (common.faithful_rules).
RULES = ("OptimiserChain", "Adam", "Momentum")


def clause_after(ops: list[Op]) -> str:
    """The clause a difference right after ``ops`` breaks: UPD-5 after a step without
    gradient, else that of the latest freeze, thaw or adjust (whose effect shows at the
    next step; shrinking drops the ops that do not matter), else UPD-1."""
    if ops and isinstance(ops[-1], Step) and ops[-1].grads is None:
        return "UPD-5"
    for op in reversed(ops):
        if isinstance(op, Freeze):
            return "FRZ-1"
        if isinstance(op, Thaw):
            return "FRZ-2"
        if isinstance(op, Adjust):
            return "ADJ-2"
    return "UPD-1"


def _can(adapter: Adapter, path: PathName, *ops: Op) -> bool:
    try:
        probe(adapter, path, rule_for(adapter, "Descent")[0], *ops)
    except Unsupported:
        return False
    return True


def machine(adapter: Adapter, path: PathName) -> type[RuleBasedStateMachine]:
    """The state machine for ``adapter`` on ``path``: steps with a whole gradient or none
    (None inside a gradient is the none_grad property's), adjust, freeze and thaw where the
    path can express them (a flat vector freezes only the whole model)."""
    info = adapter.info()
    whole = path == "flat_vector"
    capabilities = info.capabilities_on(path)
    can_freeze = "freeze" in capabilities and _can(adapter, path, Freeze(()), Thaw(()))
    can_adjust = "adjust" in capabilities and _can(adapter, path, Adjust({"eta": 0.1}))
    # what the path claims (RULE-4, RULE-8), global-norm chains as often as the others
    faithful = faithful_rules(adapter, RULES, path, adjust=can_adjust)
    rules = with_global_norm_chains(adapter, path, *faithful, adjust=can_adjust)[1]
    the_dtypes = dtypes(adapter)
    shapes = model_drawing(adapter, path)

    class Run(RuleBasedStateMachine):
        model: Any
        rule: Rule
        dtype: str
        ops: list[Op]

        @initialize(dtype=the_dtypes, data=st.data())
        def start(self, dtype: str, data: st.DataObject) -> None:
            self.dtype, self.ops = dtype, []
            self.rule = data.draw(rules, label="rule")
            self.model = data.draw(models(dtype=dtype, **shapes), label="model")
            # half the runs start with part of the model frozen, every run of a global-norm
            # rule: its norm must leave frozen arrays out (FRZ-1, RULE-8)
            if can_freeze and not whole and (
                    self.rule.needs_global or data.draw(st.booleans(), label="part frozen")):
                deep = subtree_keys(self.model, deep=True)
                self.ops.append(Freeze(data.draw(deep, label="keys")))
                if self.rule.needs_global:  # a step under the frozen part, however it goes on
                    self.step(data)

        @rule(data=st.data())
        def step(self, data: st.DataObject) -> None:
            grads = gradients(self.model, dtype=self.dtype, none=False)
            self.ops.append(Step(data.draw(grads, label="grads")))

        @rule()
        def no_gradient(self) -> None:
            self.ops.append(Step(None))

        @precondition(lambda _: can_adjust)
        @rule(data=st.data())
        def adjust(self, data: st.DataObject) -> None:
            self.ops.append(Adjust(data.draw(adjustments(self.rule), label="changes")))

        @precondition(lambda _: can_freeze)
        @rule(data=st.data(), thaw=st.booleans())
        def freeze_or_thaw(self, data: st.DataObject, thaw: bool) -> None:
            keys = () if whole else data.draw(subtree_keys(self.model), label="keys")
            self.ops.append(Thaw(keys) if thaw else Freeze(keys))

        @precondition(lambda self: can_freeze and any(isinstance(op, Freeze)
                                                      for op in getattr(self, "ops", ())))
        @rule()
        def thaw_frozen(self) -> None:
            """Thaw what was frozen last: independent keys rarely hit a frozen part, and the
            thaw-then-step of FRZ-2 went undrawn (draws that reach)."""
            frozen = [op for op in self.ops if isinstance(op, Freeze)]
            self.ops.append(Thaw(frozen[-1].keys))

        def teardown(self) -> None:
            if hasattr(self, "ops"):  # what this run's interleaving reached (draws that reach)
                program = Program(self.model, self.rule, tuple(self.ops), self.dtype)
                record("programs", *program_features(
                    program, none_steps=True, none_inside=False, zeros=True,
                    freeze=can_freeze, partial_freeze=can_freeze and not whole,
                    adjust=can_adjust))

        @invariant()
        def matches_reference(self) -> None:
            if not hasattr(self, "ops"):
                return  # before initialisation
            program = Program(self.model, self.rule, tuple(self.ops), self.dtype)
            run_and_compare(adapter, program, path, clauses=Clauses(clause_after(self.ops)))

    return Run


@prop("UPD-1", "UPD-5", "FRZ-1", "FRZ-2", "ADJ-2", requires=("state",), axes=("path",))
def check_interleaved_ops(adapter: Adapter, profile: Profile, seed: int, case: CaseId) -> None:
    """Up to ``profile.stateful_steps`` operations in any order; after each one the engine's
    parameters and state equal the reference's."""
    assert case.path is not None
    probe(adapter, case.path, rule_for(adapter, "Descent")[0], Step(None))
    test = get_state_machine_test(machine(adapter, case.path),
                                  settings=hypothesis_settings(
                                      profile, examples=max(2, profile.max_examples // 2)))
    hypothesis_seed(seed)(test)()
