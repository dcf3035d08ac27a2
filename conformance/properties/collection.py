"""Collection: the engine's own list of trainable arrays and its flat vector are the
reference's -- same arrays, same order, a shared array once (COLL-1, COLL-2, TIE-1, FLAT-1,
FLAT-2)."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from optconf.adapters.protocol import Adapter
from optconf.adapters.reference import engine_model
from optconf.reference import collect as ref_collect
from optconf.reference import tree as ref_tree

from ..asserts import Context, assert_close, case_data, fail
from ..profiles import Profile
from ..strategies import models
from .common import dtypes, explore, model_drawing
from .registry import CaseId, prop


def _model_and_dtype(adapter: Adapter) -> st.SearchStrategy[tuple[Any, str]]:
    return dtypes(adapter).flatmap(
        lambda d: st.tuples(models(dtype=d, **model_drawing(adapter)), st.just(d)))


def _context(adapter: Adapter, model: Any, dtype: str) -> Context:
    return Context(adapter.info().name, None, dtype, None, case_data(model=model, dtype=dtype))


@prop("COLL-1", "COLL-2", "TIE-1", "TREE-1", "TREE-2", requires=("collect",))
def check_same_arrays_same_order(adapter: Adapter, profile: Profile, seed: int,
                                 case: CaseId) -> None:
    """``collect(model)`` gives the distinct trainable arrays in depth-first container
    order, a shared array once, with their values and dtype (exact: no arithmetic)."""

    def test(drawn: tuple[Any, str]) -> None:
        model, dtype = drawn
        ctx = _context(adapter, model, dtype)
        got = adapter.collect(model, dtype)
        want = ref_collect.trainables_with_paths(engine_model(model, dtype))
        occurrences = len(ref_tree.occurrences(model))
        if len(got) != len(want):
            clause = "TIE-1" if len(got) == occurrences > len(want) else "COLL-1"
            fail(f"len(collect(model))={len(got)}, but should be {len(want)}",
                 clause=clause, ctx=ctx)
        for i, (array, (path, param)) in enumerate(zip(got, want, strict=True)):
            assert_close(f"collect(model)[{i}] ({ref_tree.path_str(path)})", np.asarray(array),
                         param, allowed=0.0, clause="COLL-2", ctx=ctx, dtype=dtype)

    explore(_model_and_dtype(adapter), test, profile, seed)


@prop("FLAT-1", "FLAT-2", requires=("destructure",))
def check_destructure_matches(adapter: Adapter, profile: Profile, seed: int,
                              case: CaseId) -> None:
    """The engine's flat vector is the reference ``destructure(model)[0]``: every distinct
    array raveled in C order, in collection order, in the parameters' dtype (exact)."""

    def test(drawn: tuple[Any, str]) -> None:
        model, dtype = drawn
        want, _ = ref_collect.destructure(engine_model(model, dtype))
        got = np.asarray(adapter.destructure(model, dtype))
        ctx = _context(adapter, model, dtype)
        if got.dtype != want.dtype:
            fail(f"destructure(model).dtype={got.dtype}, but should be {want.dtype}",
                 clause="FLAT-2", ctx=ctx)
        assert_close("destructure(model)", got, want, allowed=0.0, clause="FLAT-1", ctx=ctx)

    explore(_model_and_dtype(adapter), test, profile, seed)
