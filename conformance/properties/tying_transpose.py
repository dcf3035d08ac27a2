"""Weights tied through a transpose: an autoencoder's ``W`` and ``Transpose(W)`` are one
parameter with one state, updated once from ``W``'s gradient plus the transpose of the
cotangent given for ``W.T``, and still tied afterwards (TREE-10, TIE-5)."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from optconf.adapters.protocol import Adapter, Program, Step
from optconf.reference import Transpose
from optconf.reference.rules.base import Rule

from ..profiles import Profile
from .common import Clauses, dtypes, explore, probe, rule_for, run_and_compare
from .registry import CaseId, prop
from .tying import STATEFUL_RULES


def autoencoder(rule: Rule, steps: int, shape: tuple[int, int], seed: int,
                dtype: str) -> Program:
    """``{"enc": W, "bias": b, "dec": Transpose(W)}`` and ``steps`` Steps whose gradient at
    ``dec`` is a plain array shaped like ``W.T`` (TIE-5), values in [-1, 1)."""
    rng = np.random.default_rng(seed)
    w = rng.uniform(-1, 1, size=shape)
    model = {"enc": w, "bias": rng.uniform(-1, 1, size=shape[1]), "dec": Transpose(w)}
    ops = tuple(Step({"enc": rng.uniform(-1, 1, size=shape),
                      "bias": rng.uniform(-1, 1, size=shape[1]),
                      "dec": rng.uniform(-1, 1, size=shape[::-1])}) for _ in range(steps))
    return Program(model, rule, ops, dtype)


@prop("TREE-10", "TIE-5", requires=("shared",), axes=("path",))
def check_transpose_tied_to_its_parent(adapter: Adapter, profile: Profile, seed: int,
                                       case: CaseId) -> None:
    """A model holding ``W`` and ``Transpose(W)`` updates ``W`` as one parameter from the
    sum of its gradient and the transposed cotangent of ``W.T``, and ``W`` is still the
    Transpose's parent afterwards."""
    assert case.path is not None
    path = case.path
    rules = [rule_for(adapter, name) for name in STATEFUL_RULES]
    probe(adapter, path, rules[0][0], Step(None))
    drawn = st.builds(autoencoder, st.one_of(*(r for _, r in rules)),
                      st.integers(1, profile.steps),
                      st.tuples(st.integers(1, 3), st.integers(1, 3)),
                      st.integers(0, 2**32 - 1), dtypes(adapter))
    explore(drawn, lambda program: run_and_compare(
        adapter, program, path, clauses=Clauses("TIE-5", state="TREE-10", ties="TREE-10")),
        profile, seed)
