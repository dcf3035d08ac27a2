"""A clipping rule whose norm is not finite raises ValueError naming the first array in
collection order whose gradient is not finite (CLIPNORM-3, CLIPGLOBALNORM-3)."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from optconf.adapters.protocol import Adapter, Program, Step
from optconf.reference import tree as ref_tree
from optconf.reference.rules.base import Rule

from ..profiles import Profile
from ..strategies import gradients, models
from .common import context, dtypes, explore, model_drawing, path_for, rule_for
from .errors import _set
from .raising import expect_error
from .registry import CaseId, prop


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


def _raises_naming_path(adapter: Adapter, profile: Profile, seed: int, name: str,
                        clause: str) -> None:
    """Rule class ``name`` (default hyperparameters, ``throw=True``) given a gradient with
    inf or NaN raises ValueError naming the first offending array's path (``clause``)."""
    rule = rule_for(adapter, name)[0]
    path = path_for(adapter, rule)
    options = model_drawing(adapter)

    def test(drawn: tuple[Program, str]) -> None:
        program, where = drawn
        expect_error(adapter, program, path, kind=ValueError, naming=(where,), clause=clause,
                     ctx=context(adapter, program, path))

    explore(dtypes(adapter).flatmap(lambda d: _poisoned(rule, d, options)), test, profile,
            seed, share=4)


@prop("CLIPNORM-3")
def check_clipnorm_raises(adapter: Adapter, profile: Profile, seed: int, case: CaseId) -> None:
    """ClipNorm on a gradient with inf or NaN raises ValueError naming the first offending
    array's path (CLIPNORM-3)."""
    _raises_naming_path(adapter, profile, seed, "ClipNorm", "CLIPNORM-3")


@prop("CLIPGLOBALNORM-3")
def check_clipglobalnorm_raises(adapter: Adapter, profile: Profile, seed: int,
                                case: CaseId) -> None:
    """ClipGlobalNorm on a gradient with inf or NaN raises ValueError naming the first array
    in collection order whose gradient is not finite (CLIPGLOBALNORM-3)."""
    _raises_naming_path(adapter, profile, seed, "ClipGlobalNorm", "CLIPGLOBALNORM-3")
