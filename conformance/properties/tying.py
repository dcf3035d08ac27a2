"""Tied (shared) arrays: one parameter, one state, the summed gradient applied once, and
still one object afterwards (TIE-1 .. TIE-3)."""

from __future__ import annotations

from hypothesis import strategies as st

from optconf.adapters.protocol import Adapter, Program, Step

from ..profiles import Profile
from ..strategies import models, programs, tied
from .common import (
    Clauses,
    drawing,
    dtypes,
    explore,
    faithful_rules,
    model_drawing,
    probe,
    run_and_compare,
)
from .registry import CaseId, prop

#: Rules for which applying the rule to each occurrence differs from applying it once to
#: the sum (Optimisers.jl's tests pick Momentum for this reason); the engine's faithful ones
#: are drawn.
STATEFUL_RULES = ("Momentum", "Adam")


@prop("TIE-1", "TIE-2", "TIE-3", "UPD-9", requires=("shared",), axes=("path",))
def check_shared_summed_once(adapter: Adapter, profile: Profile, seed: int,
                             case: CaseId) -> None:
    """A model holding one array at two places is updated as one parameter with one state,
    from the sum of the gradients at its places, and the array is still one object at both
    places afterwards."""
    assert case.path is not None
    path = case.path
    default, rules = faithful_rules(adapter, STATEFUL_RULES, path)
    probe(adapter, path, default, Step(None))
    whole = path == "flat_vector"

    def draw(dtype: str) -> st.SearchStrategy[Program]:
        return rules.flatmap(lambda rule: programs(
            rule, dtype=dtype, steps=profile.steps, whole=whole, freeze=False, adjust=False,
            none=drawing(adapter, path)["none"],
            model=models(dtype=dtype, **model_drawing(adapter, path)).map(tied)))

    explore(dtypes(adapter).flatmap(draw), lambda program: run_and_compare(
        adapter, program, path, clauses=Clauses("TIE-2", ties="TIE-3")),
        profile, seed)
