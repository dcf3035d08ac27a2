"""Flat list, per-array loop, flat vector and structured updates agree exactly in float64 for
every elementwise rule, over several steps, with shared and frozen arrays (FLAT-6, TIE-2, FRZ-1).
"""

import copy
import inspect

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from optconf.reference import destructure, freeze_, setup, trainables, update_
from optconf.reference import rules as rules_module
from optconf.reference.grads import summed
from optconf.reference.rules import Rule


def default_rules() -> list[Rule]:
    """Every exported elementwise rule that has a default construction."""
    found = []
    for name in rules_module.__all__:
        cls = getattr(rules_module, name)
        if inspect.isclass(cls) and issubclass(cls, Rule) and not inspect.isabstract(cls):
            try:
                rule = cls()
            except TypeError:  # needs arguments (e.g. a chain's members)
                continue
            if rule.elementwise:
                found.append(rule)
    return found


RULES = default_rules()


def tied_model(rng: np.random.Generator) -> dict:
    w = rng.normal(size=(2, 3))
    return {"enc": {"w": w, "b": rng.normal(size=3)}, "dec": [w, rng.normal(size=())], "n": 7}


def gradient_trees(rng: np.random.Generator, model: dict, steps: int) -> list[dict]:
    def like(x):
        return rng.normal(size=x.shape)

    return [
        {"enc": {"w": like(model["enc"]["w"]), "b": like(model["enc"]["b"])},
         "dec": [like(model["dec"][0]), like(model["dec"][1])]}
        for _ in range(steps)
    ]


def run_structured(rule, model, grads, frozen):
    state = setup(rule, model)
    if frozen:
        freeze_(state, "enc", "b")
    for g in grads:
        update_(state, model, g)
    return trainables(model)


def run_flat_list(rule, model, grads, frozen):
    ps = trainables(model)
    state = setup(rule, ps)
    if frozen:
        freeze_(state, 1)
    for g in grads:
        update_(state, ps, summed(model, g))
    return ps


def run_per_array(rule, model, grads, frozen):
    ps = trainables(model)
    state = setup(rule, ps)
    if frozen:
        freeze_(state, 1)
    for g in grads:
        for s, p, gi in zip(state, ps, summed(model, g), strict=True):
            update_(s, p, gi)
    return ps


def run_flat_vector(rule, model, grads, frozen):
    flat, re = destructure(model)
    state = setup(rule, flat)
    for g in grads:
        update_(state, flat, np.concatenate([gi.ravel() for gi in summed(model, g)]))
    return trainables(re(flat))


@settings(max_examples=len(RULES) * 3, deadline=None, database=None)
@given(rule=st.sampled_from(RULES), seed=st.integers(0, 2**32 - 1), steps=st.integers(1, 5),
       frozen=st.booleans())
def test_flat_forms_equal_structured_bit_for_bit(rule, seed, steps, frozen):
    rng = np.random.default_rng(seed)
    model = tied_model(rng)
    grads = gradient_trees(rng, model, steps)
    expected = run_structured(rule, copy.deepcopy(model), grads, frozen)
    runners = [run_flat_list, run_per_array] + ([] if frozen else [run_flat_vector])
    for runner in runners:
        got = runner(rule, copy.deepcopy(model), grads, frozen)
        for e, g in zip(expected, got, strict=True):
            np.testing.assert_array_equal(g, e, err_msg=f"{runner.__name__} {rule}")


def test_the_catalogue_covers_the_elementwise_rules():
    names = {type(r).__name__ for r in RULES}
    assert {"Descent", "Momentum", "Adam"} <= names
