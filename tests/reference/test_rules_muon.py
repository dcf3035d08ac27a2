"""Muon (MUON-1 .. MUON-5): the Newton-Schulz quintic, the matrix of any array, momentum with
and without Nesterov, decoupled decay and the shape-scaled variants."""

import math

import numpy as np
import pytest

from optconf.reference.rules import Muon
from optconf.reference.rules.muon import NS_COEFFICIENTS, matrix_view, newton_schulz

from .rules_support import GOLDEN, final_state, steps

A, B, C = NS_COEFFICIENTS


def quintic(s: float) -> float:
    return A * s + B * s**3 + C * s**5


def test_coefficients_are_the_blogs():  # MUON-2
    assert NS_COEFFICIENTS == (3.4445, -4.7750, 2.0315)


@pytest.mark.parametrize("n", [1, 2])
def test_newton_schulz_maps_singular_values_through_the_quintic(n):  # MUON-2
    # diag(3, 4) / ||.||_F = diag(0.6, 0.8): each step maps a singular value s to p(s)
    got = newton_schulz(np.diag([3.0, 4.0]), n, NS_COEFFICIENTS, 0.0)
    want = [0.6, 0.8]
    for _ in range(n):
        want = [quintic(s) for s in want]
    np.testing.assert_allclose(got, np.diag(want), **GOLDEN)


def test_newton_schulz_works_on_the_wide_form():  # MUON-2
    tall = np.random.default_rng(0).normal(size=(3, 2))
    assert np.array_equal(newton_schulz(tall, 5, NS_COEFFICIENTS, 1e-7),
                          newton_schulz(tall.T, 5, NS_COEFFICIENTS, 1e-7).T)


def test_five_steps_leave_singular_values_near_one():  # MUON-2
    m = np.random.default_rng(1).normal(size=(4, 6))
    singular = np.linalg.svd(newton_schulz(m, 5, NS_COEFFICIENTS, 1e-7), compute_uv=False)
    assert singular.min() > 0.6 and singular.max() < 1.25


@pytest.mark.parametrize(("shape", "matrix"), [
    ((2, 3), (2, 3)), ((2, 3, 4), (2, 12)), ((4,), (4, 1)), ((), (1, 1)),
])
def test_matrix_view_keeps_the_first_axis(shape, matrix):  # MUON-3
    assert matrix_view(np.zeros(shape)).shape == matrix


def test_vector_is_a_column():  # MUON-3
    # [3, 4] as a 2x1 column, wide form [0.6, 0.8]: A = [[1]], one step scales by a + b + c
    got = steps(Muon(eta=1.0, rho=0.0, steps=1, epsilon=0.0), [[3.0, 4.0]])[0]
    np.testing.assert_allclose(got, [0.6 * (A + B + C), 0.8 * (A + B + C)], **GOLDEN)


def test_scalar_gets_its_sign_times_the_quintic():  # MUON-3
    got = steps(Muon(eta=0.5, rho=0.0, steps=1, epsilon=0.0), [-2.5])[0]
    np.testing.assert_allclose(got, -0.5 * (A + B + C), **GOLDEN)


def test_empty_array_gets_a_zero_step():  # MUON-3
    assert steps(Muon(), [np.zeros((2, 0))])[0].shape == (2, 0)


def test_buffer_sums_gradients_without_dampening():  # MUON-1
    # steps=0: NS(U) = U/||U||; B1 = [3, 4], B2 = 0.5*B1 + [0, -4] = [1.5, -2]
    rule = Muon(eta=1.0, rho=0.5, steps=0, epsilon=0.0)
    got = steps(rule, [[3.0, 4.0], [0.0, -4.0]])
    np.testing.assert_allclose(got, [[0.6, 0.8], [0.6, -0.8]], **GOLDEN)
    assert final_state(rule, [[3.0, 4.0], [0.0, -4.0]]).buffer.tolist() == [1.5, -2.0]


def test_nesterov_orthogonalises_gradient_plus_rho_buffer():  # MUON-1
    # step 2: U = [0, -4] + 0.5*[1.5, -2] = [0.75, -5]
    rule = Muon(eta=1.0, rho=0.5, nesterov=True, steps=0, epsilon=0.0)
    got = steps(rule, [[3.0, 4.0], [0.0, -4.0]])[1]
    np.testing.assert_allclose(got, [0.75 / math.hypot(0.75, 5), -5 / math.hypot(0.75, 5)],
                               **GOLDEN)


def test_decay_is_decoupled_scaled_by_eta_and_not_by_the_shape():  # MUON-5, MUON-4
    # the 2x1 column [3, 4]: NS = [0.6, 0.8], shape factor sqrt(2);
    # step = 0.5 * (sqrt(2)*[0.6, 0.8] + 0.25*[2, 0])
    rule = Muon(eta=0.5, rho=0.0, lambda_=0.25, steps=0, epsilon=0.0,
                variant="shape_scale=rows")
    got = steps(rule, [[[3.0], [4.0]]], x=[[2.0], [0.0]])[0]
    np.testing.assert_allclose(got, [[0.3 * math.sqrt(2) + 0.25], [0.4 * math.sqrt(2)]],
                               **GOLDEN)


@pytest.mark.parametrize(("variant", "row", "column"), [
    ("normative", 0.5, 0.5),      # NS of ones(1, 4) or ones(4, 1) is 0.5 everywhere
    ("shape_scale=rows", 0.5, 1.0),  # sqrt(max(1, rows/cols)): 4x1 doubles
    ("shape_scale=cols", 1.0, 0.5),  # sqrt(max(1, cols/rows)): 1x4 doubles
])
def test_variants_scale_by_the_matrix_shape(variant, row, column):  # MUON-4
    rule = Muon(eta=1.0, rho=0.0, steps=0, epsilon=0.0, variant=variant)
    assert steps(rule, [np.ones((1, 4))])[0].tolist() == [[row] * 4]
    assert steps(rule, [np.ones((4, 1))])[0].tolist() == [[column]] * 4


@pytest.mark.parametrize("bad", [{"steps": -1}, {"steps": True}, {"coefficients": (1.0, 2.0)},
                                 {"variant": "shape_scale=diagonal"}, {"nesterov": 1}])
def test_invalid_hyperparameters_raise(bad):  # MUON-1, RULE-5, RULE-6
    with pytest.raises(ValueError):
        Muon(**bad)
    assert not Muon.elementwise
