"""The expression language: shapes, exact gradients, accumulation (EXPR clauses)."""

import dataclasses

import numpy as np
import pytest

from optconf.reference import ShapeError
from optconf.reference.expr import (
    NUMPY_OPS,
    Add,
    Const,
    Dot,
    Expr,
    Index,
    MatMul,
    Mul,
    Param,
    Reshape,
    Square,
    Sum,
    Tanh,
    evaluate,
    reached,
    value_and_grad,
)

# ------------------------------------------------------------ golden gradients, by hand


def grads_of(loss, *params):
    return value_and_grad(loss, [np.asarray(p, dtype=float) for p in params])[1]


def assert_grads(got, *expected):
    assert len(got) == len(expected)
    for g, e in zip(got, expected, strict=True):
        assert g.dtype == np.float64
        np.testing.assert_array_equal(g, np.asarray(e, dtype=float))


def test_add_passes_the_cotangent_to_both_operands():  # EXPR-3
    assert_grads(grads_of(Sum(Add(Param(0), Param(1))), [1, 2], [3, 4]), [1, 1], [1, 1])


def test_add_with_a_0d_operand_sums_its_cotangent():  # EXPR-2, EXPR-3
    assert_grads(grads_of(Sum(Add(Param(0), Param(1))), [1, 2, 3], 5.0), [1, 1, 1], 3)


def test_mul_swaps_the_operands():  # EXPR-3
    assert_grads(grads_of(Sum(Mul(Param(0), Param(1))), [1, 2], [3, 4]), [3, 4], [1, 2])


def test_mul_by_a_0d_operand_gets_the_sum_of_products():  # EXPR-2, EXPR-3
    assert_grads(grads_of(Sum(Mul(Param(0), Param(1))), [1, 2], 3.0), [3, 3], 3)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (np.arange(6.0).reshape(2, 3), np.arange(12.0).reshape(3, 4)),
        (np.arange(3.0), np.arange(12.0).reshape(3, 4)),
        (np.arange(6.0).reshape(2, 3), np.arange(3.0)),
        (np.arange(3.0), np.array([4.0, 5.0, 6.0])),
    ],
    ids=["2d@2d", "1d@2d", "2d@1d", "1d@1d"],
)
def test_matmul_gradients_are_the_transposed_products(a, b):  # EXPR-2, EXPR-3
    c = np.arange(np.matmul(a, b).size, dtype=float).reshape(np.matmul(a, b).shape) + 1
    got = grads_of(Dot(MatMul(Param(0), Param(1)), Const(c)), a, b)
    # d<c, a@b>/da = c @ b.T and d/db = a.T @ c, with 1-d a as a row and 1-d b as a column
    a2, b2 = a.reshape(1, -1) if a.ndim == 1 else a, b.reshape(-1, 1) if b.ndim == 1 else b
    c2 = c.reshape(a2.shape[0], b2.shape[1])
    assert_grads(got, (c2 @ b2.T).reshape(a.shape), (a2.T @ c2).reshape(b.shape))


def test_tanh_derivative_is_one_minus_tanh_squared():  # EXPR-3
    x = np.array([0.0, 0.5])
    assert_grads(grads_of(Sum(Tanh(Param(0))), x), 1 - np.tanh(x) ** 2)
    assert grads_of(Sum(Tanh(Param(0))), [0.0])[0][0] == 1.0


def test_square_derivative_is_twice_x():  # EXPR-3
    assert_grads(grads_of(Sum(Square(Param(0))), [1, -2, 3]), [2, -4, 6])


def test_sum_gives_ones():  # EXPR-3
    assert_grads(grads_of(Sum(Param(0)), np.zeros((2, 3))), np.ones((2, 3)))


def test_dot_gives_the_other_operand():  # EXPR-3
    assert_grads(grads_of(Dot(Param(0), Const([5.0, 7.0])), [1, 2]), [5, 7])


def test_index_puts_the_cotangent_at_the_selected_elements():  # EXPR-2, EXPR-3
    loss = Sum(Index(Param(0), (0, slice(1, None))))
    assert_grads(grads_of(loss, np.ones((2, 3))), [[0, 1, 1], [0, 0, 0]])
    assert_grads(grads_of(Sum(Index(Param(0), -1)), [1, 2, 3]), [0, 0, 1])


def test_reshape_is_row_major_and_its_gradient_reshapes_back():  # EXPR-2, EXPR-3
    c = np.arange(6.0).reshape(3, 2)
    assert_grads(grads_of(Dot(Reshape(Param(0), (3, 2)), Const(c)), np.ones((2, 3))),
                 np.arange(6.0).reshape(2, 3))


def test_value_is_the_loss():  # EXPR-3
    value, _ = value_and_grad(Dot(Param(0), Param(0)), [np.array([3.0, 4.0])])
    assert value == 25.0 and isinstance(value, float)


def test_gradients_are_float64_whatever_the_parameters_dtype():  # EXPR-3
    _, (g,) = value_and_grad(Sum(Square(Param(0))), [np.ones(2, np.float32)])
    assert g.dtype == np.float64


def test_an_overflowing_loss_is_inf_without_a_warning(recwarn):  # EXPR-3
    with np.errstate(all="raise"):  # the caller's settings do not reach the arithmetic
        value, (g, _) = value_and_grad(Sum(Mul(Square(Param(0)), Param(1))),
                                     [np.array([1e200]), np.array([0.0])])
        forward = evaluate(Square(Param(0)), [np.array([1e200])])
    assert value != value and list(g) == [0.0] and list(forward) == [np.inf]
    assert not recwarn.list


# ---------------------------------------------------------------------- accumulation


def test_a_node_used_twice_receives_both_cotangents():  # EXPR-4
    t = Tanh(Param(0))
    x = np.array([0.3, -0.7])
    assert_grads(grads_of(Sum(Add(t, Mul(t, Const(3.0)))), x), 4 * (1 - np.tanh(x) ** 2))


def test_a_parameter_used_twice_gets_the_sum_of_its_uses():  # EXPR-4
    loss = Add(Mul(Const(3.0), Sum(Param(0))), Mul(Const(13.0), Sum(Param(0))))
    assert_grads(grads_of(loss, np.ones(2)), [16, 16])


def test_mul_of_a_parameter_with_itself_is_its_square():  # EXPR-4
    assert_grads(grads_of(Sum(Mul(Param(0), Param(0))), [1, -2]), [2, -4])


def test_unreached_parameter_gets_zeros_and_is_not_reached():  # EXPR-5
    loss = Sum(Param(1))
    assert_grads(grads_of(loss, [1, 2], [3.0]), [0, 0], [1])
    assert reached(loss) == {1}


# ------------------------------------------------------------------- data and shapes


def test_const_is_a_read_only_float64_copy_equal_by_value():  # EXPR-1
    source = np.array([1, 2])
    c = Const(source)
    source[0] = 9
    assert c.value.dtype == np.float64 and not c.value.flags.writeable
    assert c == Const([1.0, 2.0]) and hash(c) == hash(Const([1.0, 2.0]))
    assert Sum(Add(Param(0), c)) == Sum(Add(Param(0), Const([1.0, 2.0])))


def test_operands_must_be_expressions():  # EXPR-1
    with pytest.raises(TypeError, match=r"wrap arrays in Const"):
        Add(Param(0), np.ones(2))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("loss", "message"),
    [
        (Sum(Add(Param(0), Param(1))), r"Add: operand shapes \(2,\) and \(3,\) differ"),
        (Sum(Mul(Param(1), Param(0))), r"Mul: operand shapes \(3,\) and \(2,\) differ"),
        (Sum(MatMul(Param(0), Param(1))), r"MatMul: cannot multiply shapes \(2,\) and \(3,\)"),
        (Dot(Param(0), Param(1)), r"Dot: operand shapes"),
        (Sum(Index(Param(0), 2)), r"Index: cannot index shape \(2,\)"),
        (Sum(Reshape(Param(1), (2, 2))), r"Reshape: cannot reshape \(3,\) to \(2, 2\)"),
        (Sum(Param(2)), r"Param\(2\) refers to parameter 2, but there are 2"),
        (Param(0), r"loss has shape \(2,\); a loss must be 0-d"),
    ],
    ids=["add", "mul", "matmul", "dot", "index", "reshape", "param", "loss"],
)
def test_shape_errors_name_the_node_and_shapes(loss, message):  # EXPR-2, EXPR-3
    with pytest.raises(ShapeError, match=message):
        value_and_grad(loss, [np.ones(2), np.ones(3)])


@pytest.mark.parametrize("idx", [slice(None, None, -1), 1.5, True, np.array([0, 1]), None])
def test_only_basic_indexing_with_positive_steps(idx):  # EXPR-2
    with pytest.raises(TypeError, match=r"only basic indexing"):
        Index(Param(0), idx)


def test_evaluate_checks_shapes_before_running_any_engine_op():  # EXPR-2
    def refuse(*_args):
        raise AssertionError("an op ran")

    refusing = type(NUMPY_OPS)(**{f.name: refuse for f in dataclasses.fields(NUMPY_OPS)})
    with pytest.raises(ShapeError):
        evaluate(Sum(Add(Param(0), Param(1))), [np.ones(2), np.ones(3)], refusing)


def test_evaluate_runs_the_engines_ops():  # EXPR-1
    as_float32 = dataclasses.replace(NUMPY_OPS, const=lambda v: v.astype(np.float32))
    out = evaluate(Dot(Param(0), Const([1.0, 2.0])), [np.ones(2, np.float32)], as_float32)
    assert out.dtype == np.float32 and out == 3.0


# ------------------------------------------------------------- random expressions vs FD

SHAPES = [(), (2,), (3,), (2, 3), (3, 2)]


def random_loss(rng: np.random.Generator, shapes) -> Expr:
    """A random 0-d loss over parameters of ``shapes``; earlier nodes are reused, so the
    result is a DAG with shared nodes and repeated parameters."""
    pool: list[tuple[Expr, tuple[int, ...]]] = [(Param(i), s) for i, s in enumerate(shapes)]
    for _ in range(rng.integers(2, 8)):
        e, s = pool[rng.integers(len(pool))]
        pool.append(_grow(rng, pool, e, s))
    chosen = [pool[-1]] + [pool[i] for i in rng.integers(len(pool), size=2)]
    terms = [Dot(e, Const(rng.normal(size=s))) for e, s in chosen]
    loss = terms[0]
    for t in terms[1:]:
        loss = Add(loss, t)
    return loss


def _grow(rng, pool, e, s):
    op = rng.integers(7)
    if op == 0:
        return Tanh(e), s
    if op == 1:
        return Square(e), s
    if op in (2, 5):
        partners = [p for p, ps in pool if ps in (s, ())] + [Const(rng.normal(size=s))]
        return (Add if op == 2 else Mul)(e, partners[rng.integers(len(partners))]), s
    if op == 3 and len(s) == 2:
        return MatMul(e, Const(rng.normal(size=(s[1], 2)))), (s[0], 2)
    if op == 3 and len(s) == 1:
        return MatMul(Const(rng.normal(size=(2, s[0]))), e), (2,)
    if op == 4 and len(s) >= 1:
        return Index(e, int(rng.integers(-s[0], s[0]))), s[1:]
    return Reshape(e, (int(np.prod(s)),)), (int(np.prod(s)),)


def central_differences(loss, params, h):
    fd = []
    for i, p in enumerate(params):
        g = np.zeros_like(p)
        for j in np.ndindex(p.shape):
            up, down = [q.copy() for q in params], [q.copy() for q in params]
            up[i][j] += h
            down[i][j] -= h
            g[j] = (float(evaluate(loss, up)) - float(evaluate(loss, down))) / (2 * h)
        fd.append(g)
    return fd


@pytest.mark.parametrize("seed", range(40))
def test_gradient_matches_central_differences_on_random_expressions(seed):  # EXPR-3, EXPR-4
    rng = np.random.default_rng(seed)
    shapes = [SHAPES[i] for i in rng.integers(len(SHAPES), size=rng.integers(1, 4))]
    params = [rng.uniform(-1, 1, size=s) for s in shapes]
    loss = random_loss(rng, shapes)
    value, grads = value_and_grad(loss, params)
    assert value == float(evaluate(loss, params))
    # Central differences in float64 with h = 1e-5: truncation <= h^2 |f'''| / 6 ~ 2e-11 |f'''|,
    # rounding <= eps |f| / h ~ 2e-11 |f|.  These losses have |f|, |f'''| well under 1e3,
    # so 1e-6 absolute plus 1e-6 relative leaves a wide margin and still catches any
    # wrong derivative (errors of order one).
    for g, fd in zip(grads, central_differences(loss, params, 1e-5), strict=True):
        np.testing.assert_allclose(g, fd, rtol=1e-6, atol=1e-6 * (1 + abs(value)))
