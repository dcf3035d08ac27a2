"""WeightDecay, SignDecay, ClipGrad, ClipNorm, ClipGlobalNorm (WEIGHTDECAY, SIGNDECAY,
CLIPGRAD, CLIPNORM, CLIPGLOBALNORM clauses).  Every number here is exact."""

import math

import numpy as np
import pytest

from optconf.reference import freeze_, setup, update_
from optconf.reference.rules import (
    ClipGlobalNorm,
    ClipGrad,
    ClipNorm,
    Descent,
    OptimiserChain,
    SignDecay,
    WeightDecay,
)

from .rules_support import steps


def test_weight_decay_adds_lambda_x():  # WEIGHTDECAY-1
    # [1, 1] + 0.25*[4, -2]
    assert steps(WeightDecay(0.25), [[1.0, 1.0]], x=[4.0, -2.0])[0].tolist() == [2.0, 0.5]


def test_sign_decay_adds_lambda_sign_x():  # SIGNDECAY-1
    # [1, 1, 1] + 0.25*sign([4, -2, 0])
    got = steps(SignDecay(0.25), [[1.0, 1.0, 1.0]], x=[4.0, -2.0, 0.0])[0]
    assert got.tolist() == [1.25, 0.75, 1.0]


def test_clip_grad_clamps_each_element():  # CLIPGRAD-1
    assert steps(ClipGrad(1.5), [[-3.0, 0.5, 2.0]])[0].tolist() == [-1.5, 0.5, 1.5]


@pytest.mark.parametrize(("rule", "g", "want"), [
    (ClipNorm(2.5), [3.0, 4.0], [1.5, 2.0]),                # |g|_2 = 5: g*2.5/5
    (ClipNorm(2.5), [0.3, 0.4], [0.3, 0.4]),                # below omega: unchanged
    (ClipNorm(3.5, p=1), [3.0, -4.0], [1.5, -2.0]),         # |g|_1 = 7
    (ClipNorm(2.0, p=math.inf), [3.0, -4.0], [1.5, -2.0]),  # |g|_inf = 4
    (ClipNorm(2.5), [0.0, 0.0], [0.0, 0.0]),                # zero norm: unchanged
])
def test_clip_norm_scales_the_whole_array(rule, g, want):  # CLIPNORM-1
    assert steps(rule, [g])[0].tolist() == want


def test_clip_norm_refuses_a_non_finite_norm():  # CLIPNORM-3
    with pytest.raises(ValueError, match="CLIPNORM-3"):
        steps(ClipNorm(), [[math.inf, 1.0]])
    # throw=False scales by omega/inf = 0 (inf*0 is nan) and omega/nan = nan
    assert np.isnan(steps(ClipNorm(throw=False), [[math.nan, 1.0]])[0]).all()
    with np.errstate(invalid="ignore"):
        got = steps(ClipNorm(throw=False), [[math.inf, 1.0]])[0]
    assert np.isnan(got[0]) and got[1] == 0.0


def two_arrays(rule, ga, gb, freeze=None):
    """-x after one update of zeros a, b with gradients [ga], [gb] (None: no gradient)."""
    model = {"a": np.zeros(1), "b": np.zeros(1)}
    state = setup(rule, model)
    if freeze:
        freeze_(state, freeze)
    update_(state, model, {"a": np.array([ga]), "b": None if gb is None else np.array([gb])})
    return [-model["a"][0], -model["b"][0]]


def test_clip_global_norm_over_all_arrays():  # CLIPGLOBALNORM-1, RULE-8
    # |[3, 4]| = 5 over both arrays: each scaled by 2.5/5
    assert two_arrays(ClipGlobalNorm(2.5), 3.0, 4.0) == [1.5, 2.0]


def test_clip_global_norm_counts_only_updated_arrays():  # CLIPGLOBALNORM-1, RULE-8
    # b frozen or without gradient: the norm is |3| = 3, a scaled by 2.5/3
    assert two_arrays(ClipGlobalNorm(2.5), 3.0, 4.0, freeze="b") == [2.5, 0.0]
    assert two_arrays(ClipGlobalNorm(2.5), 3.0, None) == [2.5, 0.0]


def test_clip_global_norm_counts_a_shared_array_once():  # CLIPGLOBALNORM-1, TIE-2
    # w at two places with gradients 1 and 2: its gradient is 3; with c = 4 the norm is 5
    w = np.zeros(1)
    model = {"p": w, "q": w, "c": np.zeros(1)}
    state = setup(ClipGlobalNorm(2.5), model)
    update_(state, model, {"p": np.array([1.0]), "q": np.array([2.0]), "c": np.array([4.0])})
    assert (model["p"].tolist(), model["c"].tolist()) == ([-1.5], [-2.0])


def test_clip_global_norm_after_earlier_chain_members():  # CHAIN-4, RULE-8
    # WeightDecay(0.5) at x = [2], [-4] turns g = [2], [0] into [3], [-2], of norm sqrt(13):
    # omega = sqrt(13)/2 halves both, so x becomes [2 - 1.5], [-4 + 1]
    x = {"a": np.array([2.0]), "b": np.array([-4.0])}
    rule = OptimiserChain(WeightDecay(0.5), ClipGlobalNorm(math.sqrt(13) / 2), Descent(1.0))
    update_(setup(rule, x), x, {"a": np.array([2.0]), "b": np.array([0.0])})
    np.testing.assert_allclose([x["a"][0], x["b"][0]], [2 - 1.5, -4 + 1.0], rtol=1e-15)


def test_clip_global_norm_alone_on_one_array_is_clip_norm():  # RULE-8, CLIPGLOBALNORM-1
    assert steps(ClipGlobalNorm(2.5), [[3.0, 4.0]])[0].tolist() == [1.5, 2.0]


def test_clip_global_norm_refuses_a_non_finite_norm():  # CLIPGLOBALNORM-3
    with pytest.raises(ValueError, match="global"):
        two_arrays(ClipGlobalNorm(), math.nan, 1.0)


def test_clip_norm_of_a_large_float16_gradient_is_taken_in_float64():  # CLIPNORM-1 (R1)
    # |[300, 1]| = 300.0017 overflows float16 (max 65504) only if squared in float16
    got = steps(ClipNorm(3.0), [[300.0, 1.0]], dtype=np.float16)[0]
    want = np.array([300.0, 1.0]) * (3.0 / math.hypot(300.0, 1.0))
    np.testing.assert_allclose(got.astype(np.float64), want, rtol=2**-10)


def test_clip_norm_to_omega_zero_clips_everything_to_zero():  # CLIPNORM-1 (R3)
    # Optimisers.jl computes min(0/0, 1) = NaN for a zero gradient; here the zero stays zero
    assert steps(ClipNorm(0.0), [[0.0, 0.0]])[0].tolist() == [0.0, 0.0]
    assert steps(ClipNorm(0.0), [[3.0, -4.0]])[0].tolist() == [0.0, -0.0]
