"""A clipping rule whose norm is not finite raises ValueError naming the first array in
collection order whose gradient is not finite (CLIPNORM-3, CLIPGLOBALNORM-3)."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from optconf.adapters.protocol import Adapter, Program, Step, Unsupported
from optconf.reference import tree as ref_tree
from optconf.reference.rules.base import Rule

from ..profiles import Profile
from ..strategies import gradients, models
from .common import context, dtypes, explore, model_drawing, path_for, rule_for
from .errors import _set
from .raising import expect_error
from .registry import CaseId, prop

RULES = {"ClipNorm": "CLIPNORM-3", "ClipGlobalNorm": "CLIPGLOBALNORM-3"}


@st.composite
def _poisoned(draw: st.DrawFn, rule: Rule, dtype: str,
              options: dict[str, bool]) -> tuple[Program, str]:
    """A step whose gradient holds inf or NaN at one or two non-empty occurrences, and the
    path of the first distinct array in collection order whose summed gradient is not
    finite (UPD-8)."""
    model = {"net": draw(models(dtype=dtype, **options)), "head": np.ones(3)}
    grads: Any = draw(gradients(model, dtype=dtype, none=False))
    places = [o for o in ref_tree.occurrences(model) if o.array.size]
    chosen = draw(st.lists(st.sampled_from(places), min_size=1, max_size=2,
                           unique_by=lambda o: o.path))
    bad = draw(st.sampled_from((np.inf, -np.inf, np.nan)))
    for occ in chosen:
        grads = _set(grads, occ.path, np.full(occ.array.shape, bad))
    poisoned = {id(o.array) for o in chosen}
    first = next(o for o in ref_tree.first_occurrences(ref_tree.occurrences(model))
                 if id(o.array) in poisoned)
    return Program(model, rule, (Step(grads),), dtype), ref_tree.path_str(first.path)


@prop("CLIPNORM-3", "CLIPGLOBALNORM-3")
def check_clip_raises_naming_path(adapter: Adapter, profile: Profile, seed: int,
                                  case: CaseId) -> None:
    """ClipNorm and ClipGlobalNorm (``throw=True``, the default) given a gradient with inf
    or NaN raise ValueError naming the first offending array's path (CLIPNORM-3,
    CLIPGLOBALNORM-3); each rule the adapter refuses is left out, and both refused is
    unsupported."""
    found = []
    for name, clause in RULES.items():
        try:
            found.append((rule_for(adapter, name)[0], clause))
        except Unsupported:  # the other rule may still run
            continue
    if not found:
        rule_for(adapter, next(iter(RULES)))  # raises the adapter's reason
    paths = {clause: path_for(adapter, rule) for rule, clause in found}
    options = model_drawing(adapter)

    def test(drawn: tuple[tuple[Program, str], str]) -> None:
        (program, where), clause = drawn
        expect_error(adapter, program, paths[clause], kind=ValueError, naming=(where,),
                     clause=clause, ctx=context(adapter, program, paths[clause]))

    strategy = st.tuples(dtypes(adapter), st.sampled_from(found)).flatmap(
        lambda d_rc: st.tuples(_poisoned(d_rc[1][0], d_rc[0], options), st.just(d_rc[1][1])))
    explore(strategy, test, profile, seed, share=3)
