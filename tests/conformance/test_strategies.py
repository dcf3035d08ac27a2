"""The strategies draw what they promise: valid model trees with ties, carried values,
0-d and empty arrays; gradients shaped like the model; programs with the requested ops;
valid rules for every reference rule class; representable values (TOL-1)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from optconf.adapters.protocol import Freeze, Step, Thaw
from optconf.conformance import catalog, strategies
from optconf.reference import collect, expr, grads, tree
from optconf.reference.rules.base import Rule

FAST = settings(max_examples=25, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow])
#: A deterministic search without shrinking, so a miss is a strategy change, not bad luck.
SEARCH = settings(max_examples=300, deadline=None, database=None, derandomize=True,
                  phases=[Phase.generate], suppress_health_check=[HealthCheck.too_slow])


class Found(Exception):
    """Stops the search at the first example satisfying the condition."""


def reaches(strategy: st.SearchStrategy[Any], condition: Callable[[Any], bool]) -> Any:
    """The first drawn example satisfying ``condition``; fails when none does."""

    @SEARCH
    @given(strategy)
    def search(example: Any) -> None:
        if condition(example):
            raise Found(example)

    try:
        search()
    except Found as found:
        return found.args[0]
    raise AssertionError("no drawn example satisfies the condition")


def shared(model: object) -> bool:
    occurrences = tree.occurrences(model)
    return len({o.position for o in occurrences}) < len(occurrences)


@FAST
@given(strategies.models(dtype="float32"))
def test_models_are_valid_trees_of_representable_values(model: object) -> None:
    params = collect.trainables(model)  # raises on an invalid tree
    assert params
    for p in params:
        assert p.dtype == np.float64
        assert np.array_equal(p.astype(np.float32).astype(np.float64), p)
        assert np.isfinite(p).all()


def features(model: object) -> set[str]:
    params = collect.trainables(model)
    text = repr(model)
    checks = {
        "tie": shared(model),
        "0-d": any(p.ndim == 0 for p in params),
        "empty": any(p.size == 0 and p.ndim > 0 for p in params),
        "layer": "Dense(" in text,
        "namedtuple": "Pair(" in text,
        "callable": "identity" in text or "tanh" in text,
    }
    return {name for name, present in checks.items() if present}


def test_models_reach_every_kind_of_node() -> None:
    """Ties (TIE-1), 0-d and empty arrays, layers with non-trainable fields (TREE-4),
    namedtuples and carried callables all occur."""
    seen: set[str] = set()
    reaches(strategies.models(), lambda m: seen.update(features(m)) or len(seen) == 6)
    assert seen == {"tie", "0-d", "empty", "layer", "namedtuple", "callable"}


@FAST
@given(strategies.models(shared=False))
def test_unshared_models_have_no_ties(model: object) -> None:
    assert not shared(model)


@FAST
@given(st.data())
def test_gradients_fit_their_model(data: st.DataObject) -> None:
    model = data.draw(strategies.models())
    gradient = data.draw(strategies.gradients(model, none=False))
    summed = grads.summed(model, gradient)  # raises on a mismatched tree
    assert all(g is not None for g in summed)
    for g, p in zip(summed, collect.trainables(model), strict=True):
        assert g.shape == p.shape


def test_gradients_hold_none_and_zeros() -> None:
    """UPD-5: both a missing gradient and an explicit zero occur."""
    model = {"a": np.ones(2), "b": [np.ones(3)]}
    seen: set[str] = set()

    def note(g: Any) -> bool:
        a = g["a"] if isinstance(g, dict) else None
        seen.add("none" if a is None else "zeros" if not a.any() else "values")
        return len(seen) == 3

    reaches(strategies.gradients(model), note)


@FAST
@given(st.data())
def test_sign_stable_gradients_keep_their_signs(data: st.DataObject) -> None:
    """TOL-6."""
    model = data.draw(strategies.models(min_magnitude=1.0))
    signs = data.draw(strategies.sign_patterns(model))
    g1 = grads.summed(model, data.draw(strategies.gradients(model, none=False, signs=signs)))
    g2 = grads.summed(model, data.draw(strategies.gradients(model, none=False, signs=signs)))
    for a, b, p in zip(g1, g2, collect.trainables(model), strict=True):
        assert (np.sign(a) == np.sign(b)).all() and (np.abs(a) >= 0.25).all()
        assert (np.abs(p) >= 1.0).all()


@FAST
@given(strategies.programs(catalog.rules("Adam"), steps=3, whole=True))
def test_whole_programs_fit_a_flat_vector(program: object) -> None:
    """FLAT-6: a step's gradient is all there or None, and only the whole model freezes."""
    steps = [op for op in program.ops if isinstance(op, Step)]  # type: ignore[attr-defined]
    assert len(steps) == 3
    model = program.model  # type: ignore[attr-defined]
    for op in program.ops:  # type: ignore[attr-defined]
        if isinstance(op, Step) and op.grads is not None:
            assert all(g is not None for g in grads.summed(model, op.grads))
        if isinstance(op, Freeze | Thaw):
            assert op.keys == ()


@FAST
@given(st.data())
def test_every_rule_class_draws_valid_rules(data: st.DataObject) -> None:
    for name in catalog.rule_classes():
        rule = data.draw(catalog.rules(name), label=name)
        assert isinstance(rule, Rule) and type(rule).__name__ == name
        changes = data.draw(catalog.adjustments(rule), label=f"{name} changes")
        rule.adjusted(**changes)  # valid new values (ADJ-1)


def test_declared_variants_are_drawn() -> None:
    """RULE-5: a rule drawn for a declared variant has it."""
    rule = reaches(catalog.rules("Momentum", variant="torch"), lambda r: True)
    assert rule.variant == "torch"  # type: ignore[attr-defined]


@FAST
@given(st.data())
def test_losses_are_scalar_over_the_collected_arrays(data: st.DataObject) -> None:
    model = data.draw(strategies.models())
    loss = data.draw(strategies.losses(model))
    value, gradient = expr.value_and_grad(loss, collect.trainables(model))
    assert np.isfinite(value) and len(gradient) == len(collect.trainables(model))


def test_subtree_keys_select_nodes_above_parameters() -> None:
    """FRZ-3: the root and every node above a parameter can be drawn, nothing else."""
    model = {"enc": [np.ones(1), {"w": np.ones(2)}], "n": 3}
    keys = strategies.subtree_keys(model)
    for wanted in [(), ("enc",), ("enc", 0), ("enc", 1), ("enc", 1, "w")]:
        reaches(keys, lambda k, wanted=wanted: k == wanted)


@FAST
@given(strategies.subtree_keys({"enc": [np.ones(1), {"w": np.ones(2)}], "n": 3}))
def test_subtree_keys_never_point_at_carried_values(keys: tuple[object, ...]) -> None:
    assert keys[:1] != ("n",)


@FAST
@given(strategies.subtree_keys({"enc": [np.ones(1), {"w": np.ones(2)}], "n": 3}, deep=True))
def test_deep_subtree_keys_have_a_parameter_beside_them(keys: tuple[object, ...]) -> None:
    """FRZ-3: freezing them leaves a sibling parameter training."""
    assert keys in {("enc", 0), ("enc", 1)}


def test_gradients_never_draw_a_list_that_reads_two_ways() -> None:
    """UPD-4 refuses a list that reads both as a tree and as one entry per trainable with
    different meanings, so it is not a step: the raw trees reach one, the gradients not."""
    p, q = np.ones(()), np.ones(())
    model = strategies.Pair([(), p, q], p)  # trainables [p, q]; (None, g) reads two ways

    def two_ways(g: Any) -> bool:
        try:
            grads.summed(model, g)
        except ValueError:
            return True
        return False

    reaches(strategies.gradient_trees(model), two_ways)
    with pytest.raises(AssertionError, match="no drawn example"):
        reaches(strategies.gradients(model), two_ways)
