"""Each rule, in the variant the engine declares, matches the reference over several steps
from random models and gradients: parameters and every state field (RULE-1, RULE-5, and the
rule's own group, e.g. ADAM-1)."""

from __future__ import annotations

from hypothesis import strategies as st

from optconf.adapters.protocol import Adapter, Program
from optconf.reference.rules.base import Rule

from ..catalog import formula_clauses
from ..profiles import Profile
from ..strategies import programs
from .common import (
    Clauses,
    comparable,
    dtypes,
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
