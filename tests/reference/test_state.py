"""setup / update / freeze / adjust (STATE, UPD, TIE, FRZ, ADJ clauses)."""

import copy
import dataclasses
import pickle
import warnings

import numpy as np
import pytest

from optconf.reference import (
    Leaf,
    ShapeError,
    TreeError,
    adjust,
    adjust_,
    freeze_,
    setup,
    thaw_,
    trainables,
    update,
    update_,
)
from optconf.reference.rules import (
    Adam,
    ClipGlobalNorm,
    ClipNorm,
    Descent,
    Momentum,
    OptimiserChain,
)


def tied_model():
    w = np.array([1.0, 2.0])
    return {"enc": {"w": w, "b": np.array([0.5])}, "dec": {"w": w}, "act": np.tanh, "n": 3}


def test_setup_mirrors_the_model_with_one_leaf_per_array():  # STATE-1..4, TIE-1
    state = setup(Adam(), tied_model())
    assert isinstance(state["enc"]["w"], Leaf) and state["enc"]["w"] is state["dec"]["w"]
    assert state["act"] is None and state["n"] is None


def test_setup_warns_when_nothing_is_trainable():  # STATE-5
    with pytest.warns(UserWarning, match="no trainable parameters"):
        assert setup(Adam(), {"n": 1}) == {"n": None}


def test_setup_refuses_a_non_rule():  # ERR-4
    with pytest.raises(TypeError, match="is not an optimisation rule"):
        setup("adam", [np.ones(1)])


def test_update_leaves_inputs_untouched_and_keeps_ties():  # UPD-3, TIE-3
    model = tied_model()
    state = setup(Descent(0.5), model)
    grads = {"enc": {"w": np.ones(2), "b": None}, "dec": {"w": np.ones(2)}}
    new_state, new_model = update(state, model, grads)
    np.testing.assert_array_equal(model["enc"]["w"], [1.0, 2.0])
    assert new_model["enc"]["w"] is new_model["dec"]["w"]
    assert new_state["enc"]["w"] is new_state["dec"]["w"]


def test_shared_array_gets_the_rule_once_on_the_summed_gradient():  # TIE-2
    # Momentum: applying twice to g1 and g2 differs from applying once to g1+g2
    model = tied_model()
    state = setup(Momentum(eta=0.1, rho=0.9), model)
    update_(state, model, {"enc": {"w": np.array([1.0, 1.0])}, "dec": {"w": np.array([2.0, 0.0])}})
    np.testing.assert_allclose(model["enc"]["w"], [1.0 - 0.3, 2.0 - 0.1], rtol=0, atol=1e-15)
    np.testing.assert_allclose(state["enc"]["w"].state.velocity, [0.3, 0.1], atol=1e-15)


def test_none_skips_but_zero_advances_state():  # UPD-5
    a, b = np.ones(1), np.ones(1)
    state = setup(Adam(), [a, b])
    update_(state, [a, b], [None, np.zeros(1)])
    assert state[0].observed().beta_t == (0.9, 0.999)
    assert state[1].observed().beta_t == pytest.approx((0.81, 0.998001))


def test_gradient_is_cast_to_the_parameter_dtype():  # UPD-6
    x = np.ones(2, np.float32)
    update_(setup(Descent(0.1), x), x, np.full(2, 1.0, np.float64))
    assert x.dtype == np.float32


def test_gradient_at_carried_value_is_ignored():  # UPD-7
    model = {"w": np.ones(1), "n": 3}
    update_(setup(Descent(1.0), model), model, {"w": np.ones(1), "n": np.ones(5)})
    assert model["w"][0] == 0.0 and model["n"] == 3


def test_the_three_gradient_forms_agree():  # UPD-4, FLAT-6
    results = []
    for grads in (
        {"enc": {"w": np.ones(2), "b": np.full(1, 2.0)}, "dec": {"w": np.ones(2)}},
        [np.full(2, 2.0), np.full(1, 2.0)],
        np.array([2.0, 2.0, 2.0]),
    ):
        model = tied_model()
        update_(setup(Adam(0.1), model), model, grads)
        results.append(np.concatenate([p.ravel() for p in trainables(model)]))
    np.testing.assert_array_equal(results[0], results[1])
    np.testing.assert_array_equal(results[0], results[2])


def test_seed_story_one_flat_workflow_as_written():  # UPD-4, FLAT-6 (seeds.md story 1)
    model, twin = tied_model(), tied_model()
    grads = [np.array([0.1, -0.2]), np.array([0.3])]
    ps = trainables(model)
    state = setup(Adam(), ps)
    update_(state, ps, grads)
    loop_ps = trainables(twin)
    loop_state = setup(Adam(), loop_ps)
    for s, p, g in zip(loop_state, loop_ps, grads, strict=True):
        update_(s, p, g)
    for p, q in zip(ps, loop_ps, strict=True):
        np.testing.assert_array_equal(p, q)


def test_bad_update_mutates_nothing():  # UPD-8, ERR-3
    model = {"a": np.ones(2), "b": np.ones(3)}
    state = setup(Adam(), model)
    with pytest.raises(ShapeError, match=r"model\['b'\]: gradient has shape \(2,\)"):
        update_(state, model, {"a": np.ones(2), "b": np.ones(2)})
    np.testing.assert_array_equal(model["a"], np.ones(2))
    assert state["a"].observed().beta_t == (0.9, 0.999)


def test_read_only_parameter_is_refused_by_update_but_not_update():  # UPD-2, UPD-3
    x = np.ones(2)
    x.flags.writeable = False
    state = setup(Descent(), x)
    with pytest.raises(TreeError, match="read-only"):
        update_(state, x, np.ones(2))
    assert update(state, x, np.ones(2))[1][0] == pytest.approx(0.9)


def test_mismatched_gradient_tree_names_the_path():  # ERR-2
    model = {"enc": [np.ones(1), np.ones(1)]}
    with pytest.raises(TreeError, match=r"model\['enc'\]: gradient is list of length 1"):
        update_(setup(Descent(), model), model, {"enc": [np.ones(1)]})
    with pytest.raises(TreeError, match=r"model: gradient has keys \['dec'\]"):
        update_(setup(Descent(), model), model, {"dec": None})


def test_state_for_another_model_is_refused():  # ERR-2, TIE-1
    model = tied_model()
    state = setup(Descent(), {"enc": {"w": np.ones(2), "b": np.ones(1)}, "dec": {"w": np.ones(2)}})
    with pytest.raises(TreeError, match=r"model\['dec'\]\['w'\]: this array is shared"):
        update_(state, model, [np.ones(2), np.ones(1)])


def test_frozen_subtree_and_its_state_stay_put_until_thawed():  # FRZ-1, FRZ-2, FRZ-3
    model = {"a": np.ones(1), "b": np.ones(1)}
    state = setup(Momentum(0.1, 0.5), model)
    freeze_(state, "a")
    update_(state, model, {"a": np.ones(1), "b": np.ones(1)})
    assert model["a"][0] == 1.0 and state["a"].state.velocity[0] == 0.0
    thaw_(state)
    update_(state, model, {"a": np.ones(1), "b": np.ones(1)})
    assert model["a"][0] == pytest.approx(0.9)


def test_a_state_saved_and_loaded_mid_run_resumes_the_run_exactly():  # STATE-8, STATE-3
    """The state tree is plain data: pickled with the model mid-run (a frozen part and an
    adjusted hyperparameter included) and loaded back, it goes on bit for bit, and the tie's
    two places still share one Leaf."""
    grads = [{"enc": {"w": np.array([g, -g]), "b": np.array([g])}, "dec": {"w": np.array([1.0, g])}}
             for g in (0.5, -1.5, 2.0, 0.25)]
    model = tied_model()
    state = setup(OptimiserChain(ClipGlobalNorm(1.0), Adam(0.1)), model)
    freeze_(state, "enc", "b")
    for g in grads[:2]:
        update_(state, model, g)
    adjust_(state, eta=0.05)
    saved = pickle.dumps((state, model))
    for g in grads[2:]:
        update_(state, model, g)
    state, loaded = pickle.loads(saved)
    assert state["enc"]["w"] is state["dec"]["w"] and loaded["enc"]["w"] is loaded["dec"]["w"]
    for g in grads[2:]:
        update_(state, loaded, g)
    for a, b in zip(trainables(loaded), trainables(model), strict=True):
        np.testing.assert_array_equal(a, b)


def test_freezing_one_occurrence_freezes_a_shared_array():  # TIE-4
    model = tied_model()
    state = setup(Descent(), model)
    freeze_(state, "dec")
    update_(state, model, [np.ones(2), np.ones(1)])
    np.testing.assert_array_equal(model["enc"]["w"], [1.0, 2.0])


def test_freeze_refuses_model_arrays_and_unknown_keys():  # FRZ-3, FRZ-4
    model = {"a": np.ones(1)}
    with pytest.raises(TypeError, match="state tree"):
        freeze_(model)
    with pytest.raises(TreeError, match="no such entry"):
        freeze_(setup(Descent(), model), "zzz")


def test_adjust_keeps_state_and_changes_later_steps():  # ADJ-1, ADJ-2
    x = np.zeros(1)
    state = setup(Momentum(eta=1.0, rho=0.5), x)
    update_(state, x, np.ones(1))  # v = 1
    adjust_(state, 0.1)
    update_(state, x, np.ones(1))  # v = 0.5 + 0.1: eta lives inside the velocity
    assert state.rule.eta == 0.1 and x[0] == pytest.approx(-1.6)


def test_adjust_unknown_name_is_a_type_error_listing_valid_names():  # ADJ-3
    with pytest.raises(TypeError, match="no hyperparameter 'etta'; valid names: eta, beta"):
        adjust(Adam(), etta=0.1)


def test_adjust_copy_leaves_caller_state_alone():  # ADJ-4
    state = setup(Adam(), [np.ones(1)])
    new_state = adjust(state, beta=(0.5, 0.5))
    assert state[0].rule.beta == (0.9, 0.999) and new_state[0].rule.beta == (0.5, 0.5)


def test_rules_never_write_the_callers_gradient():  # RULE-2
    g = np.ones(3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        update_(setup(Adam(), np.ones(3)), np.ones(3), g)
    np.testing.assert_array_equal(g, np.ones(3))


def test_list_meaning_both_tree_and_flat_list_is_refused():  # UPD-4
    # [layer, carried]: as a tree the gradient would land on the carried value and be ignored
    dense = {"w": np.ones(2), "b": np.zeros(2)}
    model = [dense, sum]
    state = setup(Descent(1.0), model)
    with pytest.raises(TreeError, match="form='tree' or form='list'"):
        update_(state, model, [None, np.ones(2)])
    update_(state, model, [None, np.ones(2)], form="list")
    np.testing.assert_array_equal(dense["b"], [-1.0, -1.0])


def test_explicit_forms_refuse_the_other_shapes():  # UPD-4, FLAT-4
    model = {"w": np.ones(2)}
    with pytest.raises(TreeError, match="form='list' needs a list of 1 arrays"):
        update_(setup(Descent(), model), model, np.ones(2), form="list")
    with pytest.raises(TreeError, match="1-d array of 2 elements"):
        update_(setup(Descent(), model), model, [np.ones(2)], form="vector")


def atomic_case(rule):
    """A two-parameter model, its state after one good step, and copies of both."""
    model = {"a": np.ones(2), "b": np.ones(2)}
    state = setup(rule, model)
    update_(state, model, {"a": np.full(2, 0.5), "b": np.full(2, 0.5)})
    return model, state, copy.deepcopy((model, state))


def values(state):
    """Every array and number in a rule state, in order."""
    if isinstance(state, tuple):
        return [v for item in state for v in values(item)]
    return [state]


def assert_unchanged(model, state, kept):
    kept_model, kept_state = kept
    for key in model:
        np.testing.assert_array_equal(model[key], kept_model[key])
        for got, want in zip(values(state[key].state), values(kept_state[key].state),
                             strict=True):
            np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("clip", [ClipNorm(1.0), ClipGlobalNorm(1.0)], ids=repr)
def test_non_finite_norm_leaves_everything_as_before(clip):  # UPD-8, CLIPNORM-3 (decision b)
    model, state, kept = atomic_case(OptimiserChain(clip, Adam()))
    with pytest.raises(ValueError, match=r"^model\['b'\]: Clip.*CLIPNORM-3"):
        update_(state, model, {"a": np.full(2, 0.5), "b": np.array([np.inf, 1.0])})
    assert_unchanged(model, state, kept)


def test_global_norm_error_names_the_first_non_finite_array():  # UPD-8, CLIPGLOBALNORM-3
    model = {"a": np.ones(1), "b": np.ones(1), "c": np.ones(1)}
    state = setup(ClipGlobalNorm(), model)
    grads = {"a": np.ones(1), "b": np.array([np.nan]), "c": np.array([np.inf])}
    with pytest.raises(ValueError, match=r"^model\['b'\]: "):
        update_(state, model, grads)


@dataclasses.dataclass(frozen=True)
class FailsOnNegative(Momentum):
    """Momentum that refuses a negative gradient after updating its velocity in place."""

    def apply(self, state, x, dx):
        new_state, step = super().apply(state, x, dx)
        if (dx < 0).any():
            raise ArithmeticError("negative gradient")
        return new_state, step


def test_any_error_a_rule_raises_leaves_everything_as_before():  # UPD-8 (decision b)
    model, state, kept = atomic_case(FailsOnNegative(0.1, 0.9))
    with pytest.raises(ArithmeticError, match=r"^model\['b'\]: negative gradient"):
        update_(state, model, {"a": np.ones(2), "b": -np.ones(2)})
    assert_unchanged(model, state, kept)


def test_update_collects_the_model_once_per_call(monkeypatch):  # UPD-1, COLL-1
    from optconf.reference import grads as ref_grads
    from optconf.reference import state as ref_state
    from optconf.reference import tree as ref_tree

    calls = []

    def counted(model):
        calls.append(model)
        return ref_tree.occurrences(model)

    monkeypatch.setattr(ref_state, "occurrences", counted)
    monkeypatch.setattr(ref_grads, "occurrences", counted)
    w = np.ones(2)
    model = {"a": w, "b": [w, np.zeros(3)]}
    state = setup(Descent(0.5), model)
    calls.clear()
    update_(state, model, {"a": np.ones(2), "b": [np.ones(2), None]})
    assert len(calls) == 1
    np.testing.assert_allclose(w, [0.0, 0.0])
