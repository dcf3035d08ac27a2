"""Each rule, in the variant the engine declares, matches the reference over several steps
from random models and gradients: parameters and every state field (RULE-1, RULE-5, and the
rule's own group, e.g. ADAM-1)."""

from __future__ import annotations

import dataclasses

import numpy as np
from hypothesis import strategies as st

from optconf.adapters.protocol import Adapter, Program, Step, Unsupported
from optconf.reference import tree as ref_tree
from optconf.reference.rules.base import Rule

from ..catalog import FLOAT16_CLAUSES, float16_clauses, formula_clauses
from ..profiles import Profile
from ..strategies import programs
from .common import (
    Clauses,
    assert_outcome,
    bound_for,
    comparable,
    context,
    dtypes,
    expected,
    explore,
    model_drawing,
    path_for,
    rule_for,
    run_and_compare,
    sign_stable,
)
from .registry import CaseId, prop

#: Rule classes whose clause group is not their upper-cased name.
GROUPS = {"OptimiserChain": "CHAIN"}


def rule_clause(name: str) -> str:
    """The first clause of a rule's own group: its update formula (``ADAM-1``)."""
    return f"{GROUPS.get(name, name.upper())}-1"


@prop("RULE-1", "RULE-5", "STATE-2", axes=("rule",), case_clauses=formula_clauses)
def check_matches_reference(adapter: Adapter, profile: Profile, seed: int,
                            case: CaseId) -> None:
    """``profile.steps`` steps of the rule, with random hyperparameters in the declared
    variant, zero gradients included: parameters and state equal the float64 reference's
    within the tolerance model, state arrays in the parameter's dtype (STATE-2).  None
    gradients, freezing and adjusting are left to their
    own properties, so a difference here breaks the rule's own clause."""
    assert case.rule is not None
    info = adapter.info()
    default, rules = rule_for(adapter, case.rule)
    path = path_for(adapter, default)
    variant = info.variants.get(case.rule)

    def draw(dtype_rule: tuple[str, Rule]) -> st.SearchStrategy[Program]:
        dtype, rule = dtype_rule
        return programs(rule, dtype=dtype, steps=profile.steps, none=False, freeze=False,
                        adjust=False, **model_drawing(adapter),
                        sign_stable=sign_stable(adapter, dtype, rule, path))

    def test(program: Program) -> None:
        run_and_compare(adapter, program, path, clauses=Clauses(rule_clause(case.rule or "")),
                        variant=variant)

    strategy = st.tuples(dtypes(adapter), rules).filter(
        lambda dr: comparable(adapter, dr[0], dr[1], path)).flatmap(draw)
    explore(strategy, test, profile, seed, share=2)


#: The epsilon every float16 program runs with: below float16's smallest subnormal (6e-8),
#: so it rounds to 0 there unless floored (RULE-7).
EPSILON16 = 1e-8


@prop("RULE-7", axes=("rule",), case_clauses=float16_clauses)
def check_float16_epsilon_floor(adapter: Adapter, profile: Profile, seed: int,
                                case: CaseId) -> None:
    """At float16, with epsilon = 1e-8 and a step of zero gradients first, the rule's steps
    equal the float64 reference's run with the floored epsilon, 1e-7, within the float16
    tolerance.  Unfloored, the epsilon rounds to 0 and the zero step's 0/0 is NaN where the
    reference has 0 (RULE-7, ADAMW-3).  Other gradients are sign-stable (|g| >= 0.25): a
    smaller one's square underflows float16, which no tolerance bounds (TOL-6)."""
    assert case.rule is not None
    if "float16" not in adapter.info().dtypes:
        raise Unsupported("the adapter declares no float16")
    if case.rule not in FLOAT16_CLAUSES:
        raise Unsupported(f"{case.rule} has no epsilon to floor (RULE-7)")
    default, rules = rule_for(adapter, case.rule)
    if default.axes.get("epsilon_floor") and default.axis("epsilon_floor") == "none":
        raise Unsupported("the declared form has no float16 floor: its 0/0 is NaN where the "
                          "float64 reference has 0, so there is nothing to compare (ADAMW-3)")
    path = path_for(adapter, default)

    def draw(rule: Rule) -> st.SearchStrategy[Program]:
        return programs(dataclasses.replace(rule, epsilon=EPSILON16), dtype="float16",
                        steps=profile.steps, none=False, freeze=False, adjust=False,
                        sign_stable=True, **model_drawing(adapter)).map(_zero_step_first)

    def test(program: Program) -> None:
        floored = dataclasses.replace(program.rule, epsilon=FLOOR16)
        want = expected(dataclasses.replace(program, rule=floored))
        assert_outcome(adapter.run(program, path), want, program=program,
                       bound=bound_for(adapter, program, path),
                       ctx=context(adapter, program, path), clauses=Clauses("RULE-7"))

    explore(rules.filter(lambda r: comparable(adapter, "float16", r, path)).flatmap(draw),
            test, profile, seed, share=2)


#: What RULE-7 floors a float16 epsilon to.
FLOOR16 = 1e-7


def _zero_step_first(program: Program) -> Program:
    """``program`` with a step of zero gradients in front: where the floor shows."""
    zeros = ref_tree.map_params(lambda _path, x: np.zeros_like(x), program.model)
    return dataclasses.replace(program, ops=(Step(zeros), *program.ops))
