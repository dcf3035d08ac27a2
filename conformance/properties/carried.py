"""Carried values: non-trainable leaves and fields come back as they were, in value and
type, with every container's type (TREE-3, TREE-4, TREE-7)."""

from __future__ import annotations

from optconf.adapters.protocol import Adapter, Program, Step

from ..asserts import assert_structure, assert_ties
from ..profiles import Profile
from ..strategies import programs
from .common import context, drawing, dtypes, expected, explore, probe, rule_for
from .registry import CaseId, prop


@prop("TREE-3", "TREE-4", "TREE-7", requires=("carried",), axes=("path",))
def check_preserved(adapter: Adapter, profile: Profile, seed: int, case: CaseId) -> None:
    """After a run, the model has the same containers (types, keys, lengths), and every
    carried value and non-trainable field equal in value and type, ties kept."""
    assert case.path is not None
    path = case.path
    default, rules = rule_for(adapter, "Descent")
    probe(adapter, path, default, Step(None))

    def test(program: Program) -> None:
        actual = adapter.run(program, path)
        want = expected(program)
        ctx = context(adapter, program, path)
        assert_structure(actual.model, want.outcome.model, clause="TREE-7",
                         carried_clause="TREE-3", ctx=ctx)
        assert_ties(actual.model, want.outcome.model, clause="TIE-3", ctx=ctx)

    strategy = dtypes(adapter).flatmap(lambda dtype: programs(
        rules, dtype=dtype, steps=1, whole=path == "flat_vector", freeze=False, adjust=False,
        **drawing(adapter, path)))
    explore(strategy, test, profile, seed)
