"""A tiny differentiable expression language, as data.

A loss over the collected parameters is a tree of frozen nodes: ``Param(i)`` is the i-th
array of ``trainables(model)``, ``Const`` a fixed array, and the operations below combine
them.  Because the loss is data, an engine's adapter evaluates the *same* loss with its own
operations and autodiff (:func:`evaluate` with its :class:`Ops`), while the reference
differentiates it exactly in float64 NumPy (:func:`value_and_grad`) and pulls the gradient
back onto the model (:func:`gradient_through_trainables`, GRAD-1 .. GRAD-4).

>>> import numpy as np
>>> w = np.array([1.0, 2.0])
>>> value_and_grad(Sum(Square(Param(0))), [w])
(5.0, [array([2., 4.])])

Clauses: EXPR-1 .. EXPR-6.
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import Any, Literal

import numpy as np

from .collect import destructure_pullback, trainables, trainables_pullback
from .errors import ShapeError, UnsupportedLeafError
from .rules.base import Array
from .tree import Path

Shape = tuple[int, ...]
#: Basic indexing only: integers and slices with a positive step, alone or in a tuple
#: (EXPR-2).  Every engine supports exactly this, and it never selects an element twice.
IndexKey = int | slice | tuple[int | slice, ...]


# ---------------------------------------------------------------------------- leaves


@dataclasses.dataclass(frozen=True)
class Param:
    """The ``index``-th array of the collected parameters, ``trainables(model)`` order
    (EXPR-1)."""

    index: int

    def __post_init__(self) -> None:
        if isinstance(self.index, bool) or not isinstance(self.index, int | np.integer):
            raise TypeError(f"Param index must be an int, got {self.index!r}")
        if self.index < 0:
            raise ValueError(f"Param index must be >= 0, got {self.index}")
        object.__setattr__(self, "index", int(self.index))


@dataclasses.dataclass(frozen=True, eq=False)
class Const:
    """A constant array, kept as a read-only float64 copy; two Consts are equal when their
    shapes and values are (EXPR-1)."""

    value: Array

    def __post_init__(self) -> None:
        if np.iscomplexobj(self.value):
            raise UnsupportedLeafError("Const: complex values are not supported (clause TREE-6)")
        value = np.array(self.value, dtype=np.float64)
        value.flags.writeable = False
        object.__setattr__(self, "value", value)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Const)
            and self.value.shape == other.value.shape
            and bool(np.array_equal(self.value, other.value))
        )

    def __hash__(self) -> int:
        return hash((self.value.shape, self.value.tobytes()))


# ------------------------------------------------------------------------ operations


@dataclasses.dataclass(frozen=True)
class Ops:
    """The operations an engine supplies to :func:`evaluate`, one callable per node type.
    ``const`` turns a float64 NumPy array into the engine's array type (EXPR-1)."""

    const: Callable[[Array], Any]
    add: Callable[[Any, Any], Any]
    mul: Callable[[Any, Any], Any]
    matmul: Callable[[Any, Any], Any]
    tanh: Callable[[Any], Any]
    square: Callable[[Any], Any]
    sum: Callable[[Any], Any]
    dot: Callable[[Any, Any], Any]
    index: Callable[[Any, IndexKey], Any]
    reshape: Callable[[Any, Shape], Any]


class Operation(ABC):
    """A node with inputs.  Each subclass states its shape rule, how it runs on an engine's
    :class:`Ops`, and its exact vector-Jacobian product in NumPy."""

    @abstractmethod
    def inputs(self) -> tuple[Expr, ...]:
        """The operand expressions, in order."""

    @abstractmethod
    def shape(self, *shapes: Shape) -> Shape:
        """The result shape for operands of ``shapes``; ShapeError if invalid (EXPR-2)."""

    @abstractmethod
    def run(self, ops: Ops, *values: Any) -> Any:
        """The result, computed with ``ops``."""

    @abstractmethod
    def vjp(self, g: Array, *values: Array) -> tuple[Array, ...]:
        """The cotangent of each operand, given the result's cotangent ``g`` (EXPR-3)."""


def _check_operand(node: object, x: object) -> None:
    if not isinstance(x, Param | Const | Operation):
        raise TypeError(
            f"{type(node).__name__}: operand is a {type(x).__qualname__}; operands are "
            "expressions -- wrap arrays in Const(...) (clause EXPR-1)"
        )


@dataclasses.dataclass(frozen=True)
class Unary(Operation, ABC):
    x: Expr

    def __post_init__(self) -> None:
        _check_operand(self, self.x)

    def inputs(self) -> tuple[Expr, ...]:
        return (self.x,)


@dataclasses.dataclass(frozen=True)
class Binary(Operation, ABC):
    a: Expr
    b: Expr

    def __post_init__(self) -> None:
        _check_operand(self, self.a)
        _check_operand(self, self.b)

    def inputs(self) -> tuple[Expr, ...]:
        return (self.a, self.b)


def _elementwise_shape(node: Operation, a: Shape, b: Shape) -> Shape:
    """Equal shapes, or one 0-d operand; no other broadcasting (EXPR-2)."""
    if a == b or b == ():
        return a
    if a == ():
        return b
    raise ShapeError(
        f"{type(node).__name__}: operand shapes {a} and {b} differ; Add and Mul need equal "
        "shapes or one 0-d operand (clause EXPR-2)"
    )


def _unbroadcast(g: Array, shape: Shape) -> Array:
    """The cotangent of a 0-d operand combined with a larger one is the sum (EXPR-2)."""
    return np.asarray(np.sum(g)) if shape == () and g.shape != () else g


@dataclasses.dataclass(frozen=True)
class Add(Binary):
    """``a + b``."""

    def shape(self, *shapes: Shape) -> Shape:
        return _elementwise_shape(self, *shapes)

    def run(self, ops: Ops, *values: Any) -> Any:
        return ops.add(*values)

    def vjp(self, g: Array, *values: Array) -> tuple[Array, ...]:
        a, b = values
        return _unbroadcast(g, a.shape), _unbroadcast(g, b.shape)


@dataclasses.dataclass(frozen=True)
class Mul(Binary):
    """``a * b``, elementwise."""

    def shape(self, *shapes: Shape) -> Shape:
        return _elementwise_shape(self, *shapes)

    def run(self, ops: Ops, *values: Any) -> Any:
        return ops.mul(*values)

    def vjp(self, g: Array, *values: Array) -> tuple[Array, ...]:
        a, b = values
        return _unbroadcast(g * b, a.shape), _unbroadcast(g * a, b.shape)


@dataclasses.dataclass(frozen=True)
class MatMul(Binary):
    """``a @ b`` for 1-d and 2-d operands, NumPy's rules without batching (EXPR-2)."""

    def shape(self, *shapes: Shape) -> Shape:
        a, b = shapes
        if len(a) not in (1, 2) or len(b) not in (1, 2) or a[-1] != b[0]:
            raise ShapeError(
                f"MatMul: cannot multiply shapes {a} and {b}; operands must be 1-d or 2-d "
                "with a's last dimension equal to b's first (clause EXPR-2)"
            )
        return a[:-1] + b[1:]

    def run(self, ops: Ops, *values: Any) -> Any:
        return ops.matmul(*values)

    def vjp(self, g: Array, *values: Array) -> tuple[Array, ...]:
        a, b = values
        # a 1-d operand is a row (a) or a column (b); then it is plain 2-d calculus
        a2 = a.reshape(1, -1) if a.ndim == 1 else a
        b2 = b.reshape(-1, 1) if b.ndim == 1 else b
        g2 = g.reshape(a2.shape[0], b2.shape[1])
        return (g2 @ b2.T).reshape(a.shape), (a2.T @ g2).reshape(b.shape)


@dataclasses.dataclass(frozen=True)
class Dot(Binary):
    """``sum(a * b)`` of two equal-shaped operands: a 0-d result (EXPR-2)."""

    def shape(self, *shapes: Shape) -> Shape:
        a, b = shapes
        if a != b:
            raise ShapeError(f"Dot: operand shapes {a} and {b} differ (clause EXPR-2)")
        return ()

    def run(self, ops: Ops, *values: Any) -> Any:
        return ops.dot(*values)

    def vjp(self, g: Array, *values: Array) -> tuple[Array, ...]:
        a, b = values
        return g * b, g * a


@dataclasses.dataclass(frozen=True)
class Tanh(Unary):
    """``tanh(x)``, elementwise."""

    def shape(self, *shapes: Shape) -> Shape:
        return shapes[0]

    def run(self, ops: Ops, *values: Any) -> Any:
        return ops.tanh(values[0])

    def vjp(self, g: Array, *values: Array) -> tuple[Array, ...]:
        return (g * (1 - np.square(np.tanh(values[0]))),)


@dataclasses.dataclass(frozen=True)
class Square(Unary):
    """``x * x``, elementwise."""

    def shape(self, *shapes: Shape) -> Shape:
        return shapes[0]

    def run(self, ops: Ops, *values: Any) -> Any:
        return ops.square(values[0])

    def vjp(self, g: Array, *values: Array) -> tuple[Array, ...]:
        return (2 * g * values[0],)


@dataclasses.dataclass(frozen=True)
class Sum(Unary):
    """The sum of every element: a 0-d result."""

    def shape(self, *shapes: Shape) -> Shape:
        return ()

    def run(self, ops: Ops, *values: Any) -> Any:
        return ops.sum(values[0])

    def vjp(self, g: Array, *values: Array) -> tuple[Array, ...]:
        return (np.full(values[0].shape, g, dtype=np.float64),)


def _index_part(part: object) -> int | slice:
    if isinstance(part, int | np.integer) and not isinstance(part, bool):
        return int(part)
    if isinstance(part, slice):
        ends = (part.start, part.stop, part.step)
        if all(e is None or (isinstance(e, int | np.integer) and not isinstance(e, bool))
               for e in ends) and (part.step is None or part.step > 0):
            return slice(*(None if e is None else int(e) for e in ends))
    raise TypeError(
        f"Index: {part!r} is not an int or a slice with int bounds and a positive step; "
        "only basic indexing is supported (clause EXPR-2)"
    )


@dataclasses.dataclass(frozen=True)
class Index(Unary):
    """``x[idx]`` with basic indexing: an int, a slice with positive step, or a tuple of
    them; indices must be in bounds (EXPR-2)."""

    idx: IndexKey

    def __post_init__(self) -> None:
        super().__post_init__()
        idx = self.idx
        key = tuple(map(_index_part, idx)) if isinstance(idx, tuple) else _index_part(idx)
        object.__setattr__(self, "idx", key)

    def shape(self, *shapes: Shape) -> Shape:
        # index a zero-stride view of the right shape: numpy does the bounds checks
        probe = np.broadcast_to(np.empty(()), shapes[0])
        try:
            return probe[self.idx].shape
        except IndexError as error:
            raise ShapeError(
                f"Index: cannot index shape {shapes[0]} with {self.idx!r}: {error} "
                "(clause EXPR-2)"
            ) from None

    def run(self, ops: Ops, *values: Any) -> Any:
        return ops.index(values[0], self.idx)

    def vjp(self, g: Array, *values: Array) -> tuple[Array, ...]:
        gx = np.zeros(values[0].shape)
        gx[self.idx] = g  # basic indexing selects each element at most once
        return (gx,)


@dataclasses.dataclass(frozen=True)
class Reshape(Unary):
    """``x`` reshaped, row-major (C order), to ``new_shape`` of the same size (EXPR-2)."""

    new_shape: Shape

    def __post_init__(self) -> None:
        super().__post_init__()
        dims = self.new_shape
        if not (isinstance(dims, tuple) and all(
                isinstance(d, int | np.integer) and not isinstance(d, bool) and d >= 0
                for d in dims)):
            raise TypeError(f"Reshape: new_shape {dims!r} must be a tuple of ints >= 0")
        object.__setattr__(self, "new_shape", tuple(int(d) for d in dims))

    def shape(self, *shapes: Shape) -> Shape:
        if int(np.prod(shapes[0])) != int(np.prod(self.new_shape)):
            raise ShapeError(
                f"Reshape: cannot reshape {shapes[0]} to {self.new_shape}: sizes differ "
                "(clause EXPR-2)"
            )
        return self.new_shape

    def run(self, ops: Ops, *values: Any) -> Any:
        return ops.reshape(values[0], self.new_shape)

    def vjp(self, g: Array, *values: Array) -> tuple[Array, ...]:
        return (g.reshape(values[0].shape),)


Expr = Param | Const | Operation

NUMPY_OPS = Ops(
    const=lambda v: v,
    add=lambda a, b: np.asarray(a + b),
    mul=lambda a, b: np.asarray(a * b),
    matmul=lambda a, b: np.asarray(a @ b),
    tanh=np.tanh,
    square=np.square,
    sum=lambda x: np.asarray(np.sum(x)),
    dot=lambda a, b: np.asarray(np.sum(a * b)),
    index=lambda x, idx: np.asarray(x[idx]),
    reshape=lambda x, shape: x.reshape(shape),
)
"""The reference's own operations: float64 NumPy."""


# ------------------------------------------------------------------------ evaluation


def postorder(expr: Expr) -> list[Expr]:
    """Every distinct node (by identity) once, operands before the nodes using them.  A
    node object used twice is one node of a DAG (EXPR-4)."""
    order: list[Expr] = []
    seen: set[int] = set()
    stack: list[tuple[Expr, bool]] = [(expr, False)]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
        elif id(node) not in seen:
            seen.add(id(node))
            stack.append((node, True))
            if isinstance(node, Operation):
                stack.extend((child, False) for child in reversed(node.inputs()))
    return order


def reached(expr: Expr) -> frozenset[int]:
    """The indices of the parameters ``expr`` uses (EXPR-5)."""
    return frozenset(node.index for node in postorder(expr) if isinstance(node, Param))


def shape_of(expr: Expr, param_shapes: Sequence[Shape]) -> Shape:
    """The shape of ``expr``'s value, checking every node's shape rule (EXPR-2)."""
    shapes: dict[int, Shape] = {}
    for node in postorder(expr):
        if isinstance(node, Param):
            if node.index >= len(param_shapes):
                raise ShapeError(
                    f"Param({node.index}) refers to parameter {node.index}, but there are "
                    f"{len(param_shapes)} (clause EXPR-1)"
                )
            shapes[id(node)] = tuple(param_shapes[node.index])
        elif isinstance(node, Const):
            shapes[id(node)] = node.value.shape
        else:
            shapes[id(node)] = node.shape(*(shapes[id(c)] for c in node.inputs()))
    return shapes[id(expr)]


def _forward(order: list[Expr], params: Sequence[Any], ops: Ops) -> dict[int, Any]:
    values: dict[int, Any] = {}
    for node in order:
        if isinstance(node, Param):
            values[id(node)] = params[node.index]
        elif isinstance(node, Const):
            values[id(node)] = ops.const(node.value)
        else:
            values[id(node)] = node.run(ops, *(values[id(c)] for c in node.inputs()))
    return values


def evaluate(expr: Expr, params: Sequence[Any], ops: Ops = NUMPY_OPS) -> Any:
    """The value of ``expr`` with ``Param(i)`` bound to ``params[i]``, computed with ``ops``
    (an engine's operations, so its autodiff can trace it).  Shapes are checked first, so a
    bad expression fails the same way on every engine (EXPR-1, EXPR-2)."""
    shape_of(expr, [tuple(int(d) for d in p.shape) for p in params])
    order = postorder(expr)
    with np.errstate(all="ignore"):  # IEEE values, no warnings (EXPR-3)
        return _forward(order, params, ops)[id(order[-1])]


def _as_float64(p: Any, i: int) -> Array:
    if np.iscomplexobj(p):
        raise UnsupportedLeafError(f"parameter {i} is complex; not supported (clause TREE-6)")
    return np.asarray(p, dtype=np.float64)


def value_and_grad(expr: Expr, params: Sequence[Any]) -> tuple[float, list[Array]]:
    """The value of the 0-d loss ``expr`` and its exact reverse-mode gradient with respect
    to each of ``params``, in float64 (EXPR-3).

    Cotangents of a node or parameter used several times are summed (EXPR-4).  A parameter
    the loss does not use gets zeros; :func:`reached` tells which are used (EXPR-5).
    """
    arrays = [_as_float64(p, i) for i, p in enumerate(params)]
    loss_shape = shape_of(expr, [a.shape for a in arrays])
    if loss_shape != ():
        raise ShapeError(
            f"the loss has shape {loss_shape}; a loss must be 0-d: wrap it in Sum(...) "
            "(clause EXPR-3)"
        )
    with np.errstate(all="ignore"):  # IEEE values, no warnings (EXPR-3)
        return _reverse_mode(postorder(expr), arrays)


def _reverse_mode(order: list[Expr], arrays: list[Array]) -> tuple[float, list[Array]]:
    values = _forward(order, arrays, NUMPY_OPS)
    grads = [np.zeros_like(a) for a in arrays]
    cotangents: dict[int, Array] = {id(order[-1]): np.ones(())}
    for node in reversed(order):  # every user of a node comes before it
        g = cotangents.pop(id(node))
        if isinstance(node, Param):
            grads[node.index] += g
        elif isinstance(node, Operation):
            operands = node.inputs()
            partials = node.vjp(g, *(values[id(c)] for c in operands))
            for child, dc in zip(operands, partials, strict=True):
                # never in place: a vjp may hand the same array to several operands
                earlier = cotangents.get(id(child))
                cotangents[id(child)] = dc if earlier is None else earlier + dc
    return float(values[id(order[-1])]), grads


# ------------------------------------------------------------- onto the model's shape


def gradient_through_trainables(
    model: object,
    expr: Expr,
    *,
    via: Literal["trainables", "destructure"] = "trainables",
    frozen: Callable[[Path], bool] | None = None,
) -> Any:
    """The structured gradient of ``model -> expr(collect(model))``, shaped like the model
    (EXPR-6, GRAD-1 .. GRAD-3).

    ``via="trainables"``: ``Param(i)`` is ``trainables(model)[i]``; a parameter the loss
    does not reach gets None, a structural zero (EXPR-5).  ``via="destructure"``: the loss
    reads the flat vector cut back into arrays; its cotangent is dense, so every parameter
    gets an array, zeros where unreached.  Either way a shared array's whole gradient sits
    at its first occurrence, None at the others (spec decision 1, GRAD-2).

    >>> import numpy as np
    >>> a, b = np.ones(2), np.zeros(1)
    >>> gradient_through_trainables({"x": a, "y": a, "z": b}, Sum(Param(0)))
    {'x': array([1., 1.]), 'y': None, 'z': None}
    """
    _, grads = value_and_grad(expr, trainables(model))
    if via == "trainables":
        used = reached(expr)
        cotangents = [g if i in used else None for i, g in enumerate(grads)]
        return trainables_pullback(model, cotangents, frozen=frozen)
    if via == "destructure":
        flat = np.concatenate([g.ravel() for g in grads]) if grads else np.zeros(0)
        return destructure_pullback(model, flat, frozen=frozen)
    raise ValueError(f"via={via!r}: expected 'trainables' or 'destructure'")


__all__ = [
    "NUMPY_OPS",
    "Add",
    "Const",
    "Dot",
    "Expr",
    "Index",
    "MatMul",
    "Mul",
    "Operation",
    "Ops",
    "Param",
    "Reshape",
    "Square",
    "Sum",
    "Tanh",
    "evaluate",
    "gradient_through_trainables",
    "postorder",
    "reached",
    "shape_of",
    "value_and_grad",
]
