"""Flat == structured: every update path gives the structured tree's parameters and state
(FLAT-6, UPD-4)."""

from __future__ import annotations

from hypothesis import strategies as st

from optconf.adapters.protocol import Adapter, Program, Unsupported
from optconf.reference.rules.base import Rule

from ..catalog import flat_clauses
from ..profiles import Profile
from ..strategies import programs
from .common import (
    Clauses,
    claimed,
    comparable,
    dtypes,
    explore,
    model_drawing,
    rule_for,
    run_and_compare,
    sign_stable,
)
from .registry import CaseId, prop


@prop("FLAT-6", "UPD-4", axes=("rule", "path"), case_clauses=flat_clauses)
def check_path_matches_structured(adapter: Adapter, profile: Profile, seed: int,
                                  case: CaseId) -> None:
    """Running a program through the path equals the float64 structured reference run,
    parameters and state, over ``profile.steps`` steps in which every parameter has a
    gradient (FLAT-6 claims nothing else).  A step with no gradient at all is UPD-5's (the
    none_grad property runs it on every path), freezing and adjusting are left to their own
    properties, so a difference here is the path's."""
    assert case.rule is not None and case.path is not None
    path = case.path
    default, rules = rule_for(adapter, case.rule)
    if not claimed(default, path):
        raise Unsupported(f"FLAT-6 is not claimed for {case.rule} on {path} (RULE-4, RULE-8)")

    def draw(dtype_rule: tuple[str, Rule]) -> st.SearchStrategy[Program]:
        dtype, rule = dtype_rule
        return programs(rule, dtype=dtype, steps=profile.steps, whole=True, none=False,
                        freeze=False, adjust=False, **model_drawing(adapter, path),
                        sign_stable=sign_stable(adapter, dtype, rule, path))

    strategy = st.tuples(dtypes(adapter), rules.filter(lambda r: claimed(r, path))).filter(
        lambda dr: comparable(adapter, dr[0], dr[1], path)).flatmap(draw)
    explore(strategy, lambda program: run_and_compare(
        adapter, program, path, clauses=Clauses("FLAT-6")), profile, seed, share=4)
