"""Rprop with a learning rate outside its step-size bounds: where ``prev*g = 0`` (every
first step) the step size is kept as it is, not clamped into gamma (RPROP-3)."""

from __future__ import annotations

from hypothesis import strategies as st

from optconf.adapters.protocol import Adapter, Program, Unsupported
from optconf.reference.rules.base import Rule

from ..profiles import Profile
from ..strategies import programs
from .common import (
    Clauses,
    comparable,
    drawing,
    dtypes,
    explore,
    path_for,
    rule_for,
    run_and_compare,
    sign_stable,
)
from .registry import CaseId, prop


def _outside(rule: Rule) -> st.SearchStrategy[Rule]:
    """``rule`` (an Rprop) with eta below gamma[0] or above gamma[1]."""
    below = st.tuples(st.floats(1e-4, 5e-4), st.floats(1e-3, 1e-2)).map(
        lambda eg: rule.adjusted(eta=eg[0], gamma=(eg[1], 50.0)))
    above = st.tuples(st.floats(0.02, 0.05), st.floats(1e-4, 1e-2)).map(
        lambda eg: rule.adjusted(eta=eg[0], gamma=(1e-6, eg[1])))
    return st.one_of(below, above)


@prop("RPROP-3")
def check_size_kept_outside_bounds(adapter: Adapter, profile: Profile, seed: int,
                                   case: CaseId) -> None:
    """Steps of Rprop whose eta lies outside gamma: parameters and state equal the
    reference's, which keeps the step size where ``prev*g = 0`` (RPROP-3)."""
    default, rules = rule_for(adapter, "Rprop")
    path = path_for(adapter, default)
    refused = adapter.supports(default.adjusted(gamma=(default.eta * 2, 50.0)))
    if refused:
        raise Unsupported(refused)

    def draw(dtype_rule: tuple[str, Rule]) -> st.SearchStrategy[Program]:
        dtype, rule = dtype_rule
        return programs(rule, dtype=dtype, steps=max(2, profile.steps // 2), freeze=False,
                        adjust=False, sign_stable=sign_stable(adapter, dtype, rule, path),
                        **drawing(adapter, path))

    strategy = st.tuples(dtypes(adapter), rules.flatmap(_outside)).filter(
        lambda dr: comparable(adapter, dr[0], dr[1], path)
        and adapter.supports(dr[1]) is None).flatmap(draw)
    explore(strategy, lambda program: run_and_compare(
        adapter, program, path, clauses=Clauses("RPROP-3")), profile, seed, share=3)
