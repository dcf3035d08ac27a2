"""No gradient vs a zero gradient: None skips the rule and leaves the state as it was; an
explicit zero array is a gradient and advances the state (UPD-5)."""

from __future__ import annotations

from hypothesis import strategies as st

from optconf.adapters.protocol import Adapter, Step

from ..profiles import Profile
from ..strategies import programs
from .common import (
    Clauses,
    dtypes,
    explore,
    faithful_rules,
    model_drawing,
    probe,
    run_and_compare,
)
from .registry import CaseId, prop

#: Rules whose state visibly advances on a zero gradient (moments decay, counters move); the
#: engine's faithful ones are drawn.
RULES = ("Adam", "Momentum", "AccumGrad")


@prop("UPD-5", requires=("none_grad",), axes=("path",))
def check_none_skips_zero_advances(adapter: Adapter, profile: Profile, seed: int,
                                   case: CaseId) -> None:
    """Steps whose gradients hold None (whole subtrees or single arrays) and explicit
    zeros: parameters and state equal the reference's, so a None step left the state alone
    and a zero step advanced it."""
    assert case.path is not None
    path = case.path
    default, rules = faithful_rules(adapter, RULES, path)
    probe(adapter, path, default, Step(None))
    strategy = st.tuples(dtypes(adapter), rules).flatmap(lambda dr: programs(
        dr[1], dtype=dr[0], steps=profile.steps, whole=path == "flat_vector",
        freeze=False, adjust=False, **model_drawing(adapter, path)))
    explore(strategy, lambda program: run_and_compare(
        adapter, program, path, clauses=Clauses("UPD-5")), profile, seed)
