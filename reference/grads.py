"""The three forms a gradient may take, resolved to one gradient per distinct parameter.

* a **tree** shaped like the model (``None`` anywhere = no gradient there),
* a **flat list** aligned with ``trainables(model)``,
* a **flat vector** aligned with ``destructure(model)[0]``.

Clauses: UPD-4 .. UPD-7, TIE-2, TIE-5, ERR-2, ERR-3.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, Literal

import numpy as np

from .errors import ShapeError, TreeError
from .rules.base import Array
from .tree import (
    Kind,
    Occurrence,
    Path,
    PathElem,
    Transpose,
    children,
    first_occurrences,
    fold,
    kind,
    occurrences,
    path_str,
    trainable_children,
)


def as_gradient(value: object, path: Path, like: Array) -> Array:
    """Check one gradient against its parameter and cast it to the parameter's dtype
    (ERR-3, UPD-6)."""
    if not isinstance(value, np.ndarray | np.generic):
        raise TreeError(
            f"{path_str(path)}: gradient is a {type(value).__qualname__}, expected an array "
            f"of shape {like.shape} or None (clause ERR-2)"
        )
    g = np.asarray(value)
    if not (np.issubdtype(g.dtype, np.floating) or np.issubdtype(g.dtype, np.integer)):
        raise TreeError(f"{path_str(path)}: gradient has dtype {g.dtype}, expected real numbers")
    if g.shape != like.shape:
        raise ShapeError(
            f"{path_str(path)}: gradient has shape {g.shape}, parameter has {like.shape} "
            "(clause ERR-3)"
        )
    return g.astype(like.dtype, copy=False)


def _transposed_cotangent(x: Transpose, g: object, path: Path) -> Array:
    """A cotangent of ``x.value`` given as a plain array, turned towards ``x.parent``: its
    transpose (TIE-5, ERR-3)."""
    ct = np.asarray(g)
    if ct.shape != x.value.shape:
        raise ShapeError(
            f"{path_str(path)}: gradient has shape {ct.shape}, the transpose has "
            f"{x.value.shape} (clause ERR-3)"
        )
    return ct.T


def _grad_children(x: object, node_kind: str, g: object, path: Path) -> Iterator[object]:
    """The gradient's child for each of ``x``'s children; missing dict keys are None; an
    array at a :class:`Transpose` is the transposed array's cotangent (TIE-5)."""
    kids = children(x, node_kind)  # type: ignore[arg-type]
    if isinstance(x, Transpose) and isinstance(g, np.ndarray | np.generic):
        return iter([_transposed_cotangent(x, g, path)])
    if node_kind in ("dict", "fields"):
        if isinstance(g, dict):
            extra = set(g) - {elem.key for elem, _ in kids}
            if extra:
                raise TreeError(
                    f"{path_str(path)}: gradient has keys {sorted(extra, key=repr)} that the "
                    "model does not have (clause ERR-2)"
                )
            return (g.get(elem.key) for elem, _ in kids)
        if node_kind == "fields" and type(g) is type(x):
            return (getattr(g, elem.key) for elem, _ in kids)
        raise TreeError(
            f"{path_str(path)}: gradient is a {type(g).__qualname__}, expected a dict keyed "
            f"like the model's {type(x).__qualname__} (clause ERR-2)"
        )
    if isinstance(g, list | tuple) and len(g) == len(kids):
        return iter(g)
    raise TreeError(
        f"{path_str(path)}: gradient is {type(g).__qualname__}"
        f"{f' of length {len(g)}' if isinstance(g, list | tuple) else ''}, expected a "
        f"sequence of length {len(kids)} like the model (clause ERR-2)"
    )


def per_occurrence(model: object, grads: object, occs: list[Occurrence] | None = None
                   ) -> list[tuple[Occurrence, Array | None]]:
    """Pair each parameter occurrence (``occs``: the model's, when collected already) with
    its gradient from a tree-form ``grads`` (UPD-4).

    ``None`` at any node means no gradient for everything below it (UPD-5).  Gradients at
    carried values and non-trainable fields are ignored (UPD-7).
    """
    Pairing = Callable[[object], dict[Path, Array]]

    def at_param(path: Path, x: Array) -> Pairing:
        return lambda g: {} if g is None else {path: as_gradient(g, path, x)}

    def at_carried(_path: Path, _x: object) -> Pairing:
        return lambda _g: {}  # UPD-7: a gradient here is ignored

    def at_node(path: Path, x: object, node_kind: Kind,
                kids: list[tuple[PathElem, Pairing]]) -> Pairing:
        def pair(g: object) -> dict[Path, Array]:
            if g is None:
                return {}
            found: dict[Path, Array] = {}
            for (_, kid), (_, _, may_hold), gchild in zip(
                    kids, trainable_children(x, node_kind),
                    _grad_children(x, node_kind, g, path), strict=True):
                if may_hold:
                    found |= kid(gchild)
            return found
        return pair

    found = fold(model, at_param, at_node, at_carried)(grads)
    return [(occ, found.get(occ.path)) for occ in (occurrences(model) if occs is None else occs)]


GradForm = Literal["auto", "tree", "list", "vector"]


def summed(model: object, grads: object, form: GradForm = "auto",
           occs: list[Occurrence] | None = None) -> list[Array | None]:
    """One gradient per distinct parameter (collection order), from any of the three forms.

    ``form="auto"`` reads a tree first, then a list of one array per trainable, then a 1-d
    vector of the flat length; a list that reads both as a tree and as a flat list with
    different meanings is refused as ambiguous (UPD-4).  The occurrences of a shared array
    are summed in collection order (TIE-2); a parameter whose every occurrence is None gets
    None (UPD-5).  ``occs``: the model's occurrences, when the caller collected them.
    """
    occs = occurrences(model) if occs is None else occs
    firsts = first_occurrences(occs)
    if form == "tree":
        return _sum_tree(len(firsts), per_occurrence(model, grads, occs))
    if form == "list":
        return _flat_list(firsts, grads)
    if form == "vector":
        return _flat_vector(firsts, grads)
    try:
        as_tree = _sum_tree(len(firsts), per_occurrence(model, grads, occs))
    except TreeError as tree_error:
        if isinstance(grads, list | tuple) and len(grads) == len(firsts):
            return _flat_list(firsts, grads)
        if isinstance(grads, np.ndarray) and grads.ndim == 1 and kind(model) != "param":
            return _flat_vector(firsts, grads)
        if _same_container(model, grads):
            raise
        raise TreeError(
            f"{tree_error} -- the gradient is neither a tree shaped like the model, a list of "
            f"{len(firsts)} arrays aligned with trainables(model), nor a flat vector of "
            f"{sum(o.array.size for o in firsts)} elements (clause UPD-4)"
        ) from None
    if isinstance(grads, list | tuple) and len(grads) == len(firsts):
        _refuse_ambiguity(as_tree, firsts, grads)
    return as_tree


def _refuse_ambiguity(
    as_tree: list[Array | None], firsts: list[Occurrence], grads: Sequence[Any]
) -> None:
    """A list that is both a valid tree and a valid flat list must mean the same (UPD-4)."""
    try:
        as_list = _flat_list(firsts, grads)
    except TreeError:
        return
    same = all(
        (a is None and b is None) or (a is not None and b is not None and np.array_equal(a, b))
        for a, b in zip(as_tree, as_list, strict=True)
    )
    if not same:
        raise TreeError(
            "the gradient list fits both the model's shape and trainables(model), with different "
            "meanings; say which with form='tree' or form='list' (clause UPD-4)"
        )


def _same_container(model: object, grads: object) -> bool:
    """Whether ``grads`` is plainly meant as a tree: its top level has the model's shape."""
    model_kind = kind(model)
    if model_kind in ("dict", "fields"):
        return isinstance(grads, dict)
    if model_kind in ("list", "tuple", "namedtuple"):
        return isinstance(grads, list | tuple) and len(grads) == len(model)  # type: ignore[arg-type]
    return model_kind == "param"


def _sum_tree(n: int, pairs: list[tuple[Occurrence, Array | None]]) -> list[Array | None]:
    total: list[Array | None] = [None] * n
    for occ, g in pairs:
        if g is None:
            continue
        current = total[occ.position]
        # a fresh array for each tie: the caller's gradients are never written to;
        # np.add keeps a 0-d sum an array (``+`` gives a NumPy scalar)
        total[occ.position] = g if current is None else np.add(current, g, out=np.empty_like(g))
    return total


def _flat_list(firsts: list[Occurrence], grads: object) -> list[Array | None]:
    if not (isinstance(grads, list | tuple) and len(grads) == len(firsts)):
        raise TreeError(
            f"form='list' needs a list of {len(firsts)} arrays aligned with trainables(model) "
            "(clause UPD-4)"
        )
    return [
        None if g is None else as_gradient(g, occ.path, occ.array)
        for occ, g in zip(firsts, grads, strict=True)
    ]


def _flat_vector(firsts: list[Occurrence], vector: object) -> list[Array | None]:
    total = sum(o.array.size for o in firsts)
    if not (isinstance(vector, np.ndarray) and vector.ndim == 1 and vector.size == total):
        raise ShapeError(
            f"flat gradient must be a 1-d array of {total} elements, the model's flat length "
            f"(clause FLAT-4); got {getattr(vector, 'shape', type(vector).__qualname__)}"
        )
    out: list[Array | None] = []
    offset = 0
    for occ in firsts:
        piece = vector[offset : offset + occ.array.size].reshape(occ.array.shape)
        out.append(as_gradient(piece, occ.path, occ.array))
        offset += occ.array.size
    return out
