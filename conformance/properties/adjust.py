"""Adjusting hyperparameters mid-run keeps the state and changes the later steps as the
reference does (ADJ-1, ADJ-2); for Momentum and Nesterov this is where eta inside and eta
outside the velocity differ (MOMENTUM-2, NESTEROV-2), and for the rules with a beta power
where the bias-correction forms differ after beta changes (ADAM-2: the product of the betas
applied, Optimisers.jl's lagged product, torch's and optax's recomputed power)."""

from __future__ import annotations

import dataclasses

from hypothesis import strategies as st

from optconf.adapters.protocol import Adapter, Adjust, Program, Step
from optconf.reference.rules.base import Rule

from ..catalog import adjust_clauses, adjustments
from ..deviation import Deviation
from ..profiles import Profile
from ..strategies import programs
from .common import (
    Clauses,
    comparable,
    drawing,
    dtypes,
    explore,
    path_for,
    probe,
    rule_for,
    run_and_compare,
    sign_stable,
)
from .registry import CaseId, prop
from .rules import rule_clause

#: Rules whose variants agree until eta changes: a difference here breaks their clause.
SPECIFIC = {"Momentum": "MOMENTUM-2", "Nesterov": "NESTEROV-2"}


@st.composite
def _adjusted(draw: st.DrawFn, program: Program) -> Program:
    change = Adjust(draw(adjustments(program.rule)))
    at = draw(st.integers(1, max(1, len(program.ops) - 1)))
    return Program(program.model, program.rule, (*program.ops[:at], change,
                                                 *program.ops[at:]), program.dtype)


@prop("ADJ-1", "ADJ-2", requires=("adjust",), axes=("rule",), case_clauses=adjust_clauses)
def check_mid_run(adapter: Adapter, profile: Profile, seed: int, case: CaseId) -> None:
    """Steps, then ``adjust`` of one or two hyperparameters, then more steps: parameters and
    state equal the reference's, which kept its state across the change (ADJ-2).  Where they
    do not, the steps before the change are compared alone: a difference there breaks the
    rule's own clause, not adjust's.  (Run only then: a second run per example is a second
    compile on the compiling engines.)"""
    assert case.rule is not None
    default, rules = rule_for(adapter, case.rule)
    path = path_for(adapter, default)
    probe(adapter, path, rule_for(adapter, "Descent")[0], Step(None), Adjust({"eta": 0.1}))
    clause = SPECIFIC.get(case.rule, "ADJ-2")

    def draw(dtype_rule: tuple[str, Rule]) -> st.SearchStrategy[Program]:
        dtype, rule = dtype_rule
        return programs(rule, dtype=dtype, steps=max(profile.steps, 2), freeze=False,
                        adjust=False, sign_stable=sign_stable(adapter, dtype, rule, path),
                        **drawing(adapter, path)).flatmap(_adjusted)

    def test(program: Program) -> None:
        try:
            run_and_compare(adapter, program, path, clauses=Clauses(clause))
        except Deviation:
            before = program.ops[:[isinstance(op, Adjust) for op in program.ops].index(True)]
            run_and_compare(adapter, dataclasses.replace(program, ops=before), path,
                            clauses=Clauses(rule_clause(case.rule or "")))
            raise

    strategy = st.tuples(dtypes(adapter), rules).filter(
        lambda dr: comparable(adapter, dr[0], dr[1], path)).flatmap(draw)
    explore(strategy, test, profile, seed, share=2)
