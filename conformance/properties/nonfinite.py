"""A clipping rule whose norm is not finite raises ValueError naming the first array in
collection order whose gradient is not finite (CLIPNORM-3, CLIPGLOBALNORM-3); told not to
throw, ClipNorm scales by that norm: an infinite norm gives NaN where g is infinite and 0
elsewhere, a NaN norm NaN everywhere in the array (CLIPNORM-3)."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
from hypothesis import strategies as st

from optconf.adapters.protocol import Adapter, Program, Step, Unsupported
from optconf.reference import collect as ref_collect
from optconf.reference import tree as ref_tree
from optconf.reference.rules.base import Rule

from ..asserts import assert_close, fail
from ..profiles import Profile
from ..strategies import gradients, models
from .common import (
    ORACLE,
    bound_for,
    context,
    dtypes,
    explore,
    model_drawing,
    path_for,
    rule_for,
)
from .errors import _set
from .raising import expect_error
from .registry import CaseId, prop


@st.composite
def _poisoned(draw: st.DrawFn, rule: Rule, dtype: str,
              options: dict[str, bool]) -> tuple[Program, str]:
    """A step whose gradient holds inf or NaN in one element of one or two non-empty
    occurrences (0.5 elsewhere there), and the
    path of the first distinct array in collection order whose summed gradient is not
    finite (UPD-8)."""
    model = {"net": draw(models(dtype=dtype, **options)), "head": np.ones(3)}
    grads: Any = draw(gradients(model, dtype=dtype, none=False))
    places = [o for o in ref_tree.occurrences(model) if o.array.size]
    chosen = draw(st.lists(st.sampled_from(places), min_size=1, max_size=2,
                           unique_by=lambda o: o.path))
    bad = draw(st.sampled_from((np.inf, -np.inf, np.nan)))
    for occ in chosen:  # one bad element among finite ones: a NaN norm must spread (CLIPNORM-3)
        poison = np.full(occ.array.shape, 0.5)
        poison.flat[draw(st.integers(0, occ.array.size - 1))] = bad
        grads = _set(grads, occ.path, poison)
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


@prop("CLIPNORM-3")
def check_clipnorm_unthrown_scales_by_it(adapter: Adapter, profile: Profile, seed: int,
                                         case: CaseId) -> None:
    """ClipNorm(throw=False) on a gradient with inf or NaN in one or two arrays: each such
    array's step is NaN exactly where the reference's is (where g is infinite for an infinite
    norm, everywhere for a NaN norm) and every other value is the reference's, within the
    tolerance model (CLIPNORM-3)."""
    rule = dataclasses.replace(rule_for(adapter, "ClipNorm")[0], throw=False)
    if (why := adapter.supports(rule)) is not None:
        raise Unsupported(why)
    path = path_for(adapter, rule)
    options = model_drawing(adapter)

    def test(drawn: tuple[Program, str]) -> None:
        program = drawn[0]
        ctx = context(adapter, program, path)
        got = ref_collect.trainables(adapter.run(program, path).model)
        want = ref_collect.trainables(
            ORACLE.run(dataclasses.replace(program, dtype="float64"), "structured").model)
        before = ref_collect.trainables(program.model)
        bound = bound_for(adapter, program, path)
        for label, g, w, x in zip(_labels(program), got, want, before, strict=True):
            nan = np.isnan(w)
            if (np.isnan(g) != nan).any():
                fail(f"{label} is NaN at {np.argwhere(np.isnan(g)).tolist()}, but should be "
                     f"at {np.argwhere(nan).tolist()}", clause="CLIPNORM-3", ctx=ctx)
            scale = float(np.max(np.abs(x), initial=0.0))
            change = float(np.max(np.abs(w - x)[~nan], initial=0.0))
            assert_close(label, g[~nan], w[~nan], allowed=bound.allowed(scale, change),
                         clause="CLIPNORM-3", ctx=ctx)

    explore(dtypes(adapter).flatmap(lambda d: _poisoned(rule, d, options)), test, profile,
            seed, share=4)


def _labels(program: Program) -> list[str]:
    return [ref_tree.path_str(p) for p, _ in ref_collect.trainables_with_paths(program.model)]
