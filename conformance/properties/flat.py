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
    comparable,
    dtypes,
    explore,
    model_drawing,
    rule_for,
    run_and_compare,
    sign_stable,
)
from .registry import CaseId, prop


def claimed(rule: Rule, path: str) -> bool:
    """FLAT-6 is not claimed for a per-array rule on one flat vector (RULE-4), nor for a
    global-norm rule driven one array at a time (RULE-8)."""
    if path == "flat_vector":
        return bool(rule.elementwise)
    if path in ("per_array", "legacy"):
        return not rule.needs_global
    return True


@prop("FLAT-6", "UPD-4", axes=("rule", "path"), case_clauses=flat_clauses)
def check_path_matches_structured(adapter: Adapter, profile: Profile, seed: int,
                                  case: CaseId) -> None:
    """Running a program through the path equals the float64 structured reference run,
    parameters and state, over ``profile.steps`` steps with whole gradients (FLAT-6).
    Freezing and adjusting are left to their own properties, so a difference here is the
    path's."""
    assert case.rule is not None and case.path is not None
    path = case.path
    default, rules = rule_for(adapter, case.rule)
    if not claimed(default, path):
        raise Unsupported(f"FLAT-6 is not claimed for {case.rule} on {path} (RULE-4, RULE-8)")

    def draw(dtype_rule: tuple[str, Rule]) -> st.SearchStrategy[Program]:
        dtype, rule = dtype_rule
        return programs(rule, dtype=dtype, steps=profile.steps, whole=True,
                        freeze=False, adjust=False, **model_drawing(adapter),
                        sign_stable=sign_stable(adapter, dtype, rule, path))

    strategy = st.tuples(dtypes(adapter), rules.filter(lambda r: claimed(r, path))).filter(
        lambda dr: comparable(adapter, dr[0], dr[1], path)).flatmap(draw)
    explore(strategy, lambda program: run_and_compare(
        adapter, program, path, clauses=Clauses("FLAT-6")), profile, seed, share=4)
