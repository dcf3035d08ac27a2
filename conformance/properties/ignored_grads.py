"""Gradients that are not a parameter's: one at a carried value or a non-trainable field is
ignored, and a dict key missing from a gradient tree is None (UPD-7)."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from optconf.adapters.protocol import Adapter, Program, Step, Unsupported
from optconf.reference.rules.base import Rule

from ..profiles import Profile
from ..strategies import Dense, gradients, models
from .common import (
    Clauses,
    drawing,
    dtypes,
    explore,
    path_for,
    rule_for,
    run_and_compare,
)
from .registry import CaseId, prop


@st.composite
def _extra_gradients(draw: st.DrawFn, rule: Rule, dtype: str, steps: int,
                     carried: bool) -> Program:
    """Steps whose gradient trees give arrays at a carried int and a layer's non-trainable
    ``scale`` (with ``carried``), or leave out the dict key of one parameter (without)."""
    net = draw(models(dtype=dtype, shared=False, carried=False))
    model: dict[str, Any] = {"net": net, "dropped": np.ones(2)}
    if carried:
        model |= {"count": 3, "layer": Dense(np.ones(2), np.zeros(2), np.ones(2), np.tanh)}
    ops = []
    for _ in range(steps):
        grads = draw(gradients(model, dtype=dtype, none=False))
        if carried:
            grads["count"] = np.ones(2)
            grads["layer"]["scale"] = np.full(2, 5.0)
        else:
            del grads["dropped"]
        ops.append(Step(grads))
    return Program(model, rule, tuple(ops), dtype)


@prop("UPD-7")
def check_extra_gradients_ignored(adapter: Adapter, profile: Profile, seed: int,
                                  case: CaseId) -> None:
    """Adam steps whose gradients hold arrays at a carried value and at a non-trainable
    field (where the adapter keeps carried values), or lack a parameter's dict key (where
    it tells None from zero): parameters and state equal the reference's, which ignores
    the first and treats the missing key as None (UPD-7)."""
    rule, rules = rule_for(adapter, "Adam")
    path = path_for(adapter, rule)
    able = drawing(adapter, path)
    kinds = [kind for kind, key in (("carried", "carried"), ("missing", "none")) if able[key]]
    if not kinds:
        raise Unsupported("adapter lacks carried and none_grad")
    strategy = st.tuples(dtypes(adapter), rules, st.sampled_from(kinds)).flatmap(
        lambda d: _extra_gradients(d[1], d[0], max(2, profile.steps // 2), d[2] == "carried"))
    explore(strategy, lambda program: run_and_compare(adapter, program, path,
                                                      clauses=Clauses("UPD-7")),
            profile, seed, share=2)
