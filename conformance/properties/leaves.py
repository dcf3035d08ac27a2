"""Models at the edges of what a tree holds: a complex array is refused naming its path
(TREE-6), and a model without parameters warns and passes through (STATE-5)."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from optconf.adapters.protocol import Adapter, Program, Step

from ..asserts import assert_structure, fail
from ..profiles import Profile
from ..strategies import models
from .common import context, dtypes, explore, model_drawing, path_for, rule_for
from .raising import expect_error
from .registry import CaseId, prop


@prop("TREE-6")
def check_complex_refused(adapter: Adapter, profile: Profile, seed: int, case: CaseId) -> None:
    """A model holding a complex array next to real parameters: the run raises an error
    naming the complex array's path, never treating it as real (TREE-6)."""
    rule = rule_for(adapter, "Descent")[0]
    path = path_for(adapter, rule)
    options = model_drawing(adapter)

    def program(dtype_model: tuple[str, object]) -> Program:
        dtype, net = dtype_model
        model = {"net": net, "z": np.ones(2, dtype=np.complex128)}
        return Program(model, rule, (Step(None),), dtype)

    strategy = dtypes(adapter).flatmap(
        lambda d: st.tuples(st.just(d), models(dtype=d, **options))).map(program)
    explore(strategy, lambda p: expect_error(
        adapter, p, path, kind=Exception, naming=("model['z']",), clause="TREE-6",
        ctx=context(adapter, p, path)), profile, seed, share=6)


#: Models without a parameter: empty containers, and carried values only (TREE-3).
EMPTY: tuple[object, ...] = ({}, [], ())
CARRIED_ONLY: tuple[object, ...] = ({"count": 3, "name": "x"}, [None, np.arange(3)],
                                   (1.5, {"flag": True}))


@prop("STATE-5")
def check_no_parameters_warns(adapter: Adapter, profile: Profile, seed: int,
                              case: CaseId) -> None:
    """Steps on a model without parameters: the run warns UserWarning (STATE-5) and
    returns the model as it was (TREE-3, TREE-7)."""
    rule = rule_for(adapter, "Adam")[0]
    path = path_for(adapter, rule)
    shapes = EMPTY + (CARRIED_ONLY if model_drawing(adapter)["carried"] else ())

    def test(program: Program) -> None:
        ctx = context(adapter, program, path)
        outcome = adapter.run(program, path)
        if not any(w.category == "UserWarning" for w in outcome.warnings):
            fail(f"warnings={[w.category for w in outcome.warnings]}, but should include a "
                 "UserWarning: setup found no parameters", clause="STATE-5", ctx=ctx)
        assert_structure(outcome.model, program.model, clause="STATE-5",
                         carried_clause="TREE-3", ctx=ctx)

    strategy = st.tuples(dtypes(adapter), st.sampled_from(shapes)).map(
        lambda dm: Program(dm[1], rule, (Step(None), Step(None)), dm[0]))
    explore(strategy, test, profile, seed, share=6)
