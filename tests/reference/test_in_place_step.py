"""A rule's in-place step (``Rule.apply_``, used by ``update_`` when every rule of the update
has one) gives the same bits as the general path, which runs ``apply`` on copies of the
states and subtracts its step (RULE-1, UPD-8): across block boundaries, dtypes, 0-d and
non-contiguous arrays, ties, variants and steps."""

import dataclasses
import warnings

import numpy as np
import pytest

from optconf.reference import setup, update_
from optconf.reference.rules import Adam, base
from optconf.reference.rules.base import BLOCK


@dataclasses.dataclass(frozen=True)
class GeneralAdam(Adam):
    """Adam without its in-place step: ``update_`` takes the general path."""

    in_place = False


def _model(dtype):
    rng = np.random.default_rng(7)
    big = rng.standard_normal(2 * BLOCK + 3).astype(dtype)
    strided = rng.standard_normal((40, 6)).astype(dtype)[:, ::2]
    tied = rng.standard_normal(5).astype(dtype)
    return {"big": big, "scalar": np.array(0.5, dtype), "strided": strided,
            "tied": [tied, tied], "empty": np.zeros(0, dtype)}


def _grads(model, seed):
    rng = np.random.default_rng(seed)
    return {"big": rng.standard_normal(model["big"].shape) * 1e3,
            "scalar": np.array(-2.0),
            "strided": rng.standard_normal(model["strided"].shape),
            "tied": [np.ones(5), rng.standard_normal(5)], "empty": np.zeros(0)}


# gradients of 1e3 square past float16's range: nu is inf on both paths
@pytest.mark.parametrize("threads", [1, 3])
@pytest.mark.parametrize("dtype", ["float64", "float32", "float16"])
@pytest.mark.parametrize("variant", ["normative", "optimisers", "torch"])
def test_adam_in_place_is_the_general_path_bit_for_bit(dtype, variant, threads, monkeypatch):
    monkeypatch.setattr(base, "THREADS", threads)  # blocks in turn, or shared among threads
    fast_model, slow_model = _model(dtype), _model(dtype)
    fast = setup(Adam(variant=variant), fast_model)
    slow = setup(GeneralAdam(variant=variant), slow_model)
    for seed in range(3):
        update_(fast, fast_model, _grads(fast_model, seed))
        update_(slow, slow_model, _grads(slow_model, seed))
    for key in fast_model:
        np.testing.assert_array_equal(fast_model[key], slow_model[key], strict=True)
    leaf, general = fast["big"], slow["big"]
    np.testing.assert_array_equal(leaf.state.mu, general.state.mu, strict=True)
    np.testing.assert_array_equal(leaf.state.nu, general.state.nu, strict=True)
    assert (leaf.state.beta_t, leaf.state.steps) == (general.state.beta_t, general.state.steps)


def test_the_comparison_takes_both_paths(monkeypatch):
    """update_ calls Adam's in-place step, and never GeneralAdam's."""
    def refuse(*_args):
        raise AssertionError("in place")

    monkeypatch.setattr(Adam, "apply_", refuse)
    model = {"w": np.ones(3)}
    update_(setup(GeneralAdam(), model), model, {"w": np.ones(3)})
    with pytest.raises(AssertionError, match="in place"):
        update_(setup(Adam(), model), model, {"w": np.ones(3)})


def test_a_subclass_redefining_apply_is_not_bypassed_by_the_in_place_step():
    """A rule that changes Adam's ``apply`` but not ``apply_`` takes the general path, so
    its own step is the one that runs (RULE-1): the in-place step must not hide it."""

    class Halved(Adam):
        def apply(self, state, x, dx):
            new_state, step = super().apply(state, x, dx)
            return new_state, step / 2

    assert Adam().runs_in_place and not Halved().runs_in_place
    x_adam, x_half = np.ones(3), np.ones(3)
    g = np.full(3, 0.5)
    update_(setup(Adam(0.1), x_adam), x_adam, g)
    update_(setup(Halved(0.1), x_half), x_half, g)
    np.testing.assert_allclose(1 - x_half, (1 - x_adam) / 2, rtol=1e-12)


@pytest.mark.parametrize("rule", [Adam, GeneralAdam])
def test_a_warning_made_an_error_changes_no_update(rule, monkeypatch):
    """A step's overflow gives IEEE's inf and no warning, on either path (UPD-8): under
    ``-W error`` a float16 gradient whose square overflows in the last block once raised
    there, the in-place path's other blocks already written (its threads ran with NumPy's
    warnings on), and the general path raised having written nothing."""
    monkeypatch.setattr(base, "THREADS", 2)
    grads = np.ones(3 * BLOCK)
    grads[-1] = 1e3  # its square overflows float16
    stepped = []
    for warnings_as_errors in (False, True):
        model = {"w": np.ones(3 * BLOCK, np.float16)}
        state = setup(rule(), model)
        with warnings.catch_warnings():
            warnings.simplefilter("error" if warnings_as_errors else "always")
            update_(state, model, {"w": grads})
        stepped.append((model["w"], state["w"].state.nu))
    assert np.isinf(stepped[1][1][-1])
    np.testing.assert_array_equal(stepped[1][0], stepped[0][0], strict=True)
    np.testing.assert_array_equal(stepped[1][1], stepped[0][1], strict=True)
