"""Collecting parameters: ``trainables``, ``destructure`` / ``restructure``, and the pullbacks
that carry gradients of the collected values back onto the model's shape.

Sources: FluxML/Optimisers.jl src/trainables.jl, src/destructure.jl.
Clauses: COLL-1 .. COLL-4, FLAT-1 .. FLAT-6, GRAD-1 .. GRAD-5.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .errors import ShapeError
from .grads import per_occurrence
from .rules.base import Array
from .tree import (
    Occurrence,
    Path,
    first_occurrences,
    map_params,
    mirror,
    occurrences,
    path_str,
)


def trainables(model: object) -> list[Array]:
    """The distinct parameter arrays of ``model``, depth first in container order, each once
    at its first occurrence (COLL-1, COLL-2, TIE-1).  The arrays themselves, not copies
    (COLL-3).

    >>> import numpy as np
    >>> w = np.ones(2)
    >>> [p is w for p in trainables({"a": w, "b": [w, np.zeros(1)], "n": 3})]
    [True, False]
    """
    return [occ.array for occ in first_occurrences(occurrences(model))]


def trainables_with_paths(model: object) -> list[tuple[Path, Array]]:
    """``trainables`` with the path of each array's first occurrence (COLL-4)."""
    return [(occ.path, occ.array) for occ in first_occurrences(occurrences(model))]


def flat_dtype(arrays: Sequence[Array]) -> np.dtype[Any]:
    """The widest float dtype among ``arrays``; float64 when there are none (FLAT-2)."""
    return np.result_type(*arrays) if arrays else np.dtype(np.float64)


def flatten(arrays: Sequence[Array]) -> Array:
    """``arrays`` raveled in C order and concatenated at their widest float dtype; an empty
    float64 vector when there are none (FLAT-1, FLAT-2)."""
    dtype = flat_dtype(arrays)
    return np.concatenate([a.ravel().astype(dtype) for a in arrays]) if arrays else np.zeros(0)


def destructure(model: object) -> tuple[Array, Callable[[Array], Any]]:
    """A flat vector of every distinct parameter, C order, in collection order, and the
    function that rebuilds the model from such a vector (FLAT-1 .. FLAT-4).

    >>> import numpy as np
    >>> flat, re = destructure({"w": np.array([[1.0, 2.0], [3.0, 4.0]]), "n": 7})
    >>> flat
    array([1., 2., 3., 4.])
    >>> re(flat * 10)["w"]
    array([[10., 20.],
           [30., 40.]])
    """
    return flatten(trainables(model)), lambda vector: restructure(model, vector)


def split_flat(model: object, vector: Array) -> list[Array]:
    """Cut a flat vector into arrays shaped like ``trainables(model)`` (FLAT-3, FLAT-4)."""
    params = trainables(model)
    total = sum(p.size for p in params)
    vector = np.asarray(vector)
    if vector.ndim != 1 or vector.size != total:
        raise ShapeError(
            f"flat vector has shape {vector.shape}, but the model has {total} parameter "
            "elements: expected a 1-d vector of that length (clause FLAT-4)"
        )
    pieces, offset = [], 0
    for p in params:
        pieces.append(vector[offset : offset + p.size].reshape(p.shape))
        offset += p.size
    return pieces


def restructure(model: object, vector: Array) -> Any:
    """Rebuild ``model`` with new arrays cut from ``vector``, each cast back to its own
    dtype; ties are kept and carried values reused (FLAT-3, FLAT-5, TIE-3)."""
    pieces = iter(split_flat(model, vector))
    return map_params(lambda _path, p: next(pieces).astype(p.dtype, copy=True), model)


# ---------------------------------------------------------------------------- pullbacks


def _check_cotangent(occ: Occurrence, ct: object) -> Array | None:
    if ct is None:
        return None
    ct = np.asarray(ct)
    if ct.shape != occ.array.shape:
        raise ShapeError(
            f"{path_str(occ.path)}: cotangent has shape {ct.shape}, parameter has "
            f"{occ.array.shape} (clause ERR-3)"
        )
    return ct


def trainables_pullback(
    model: object,
    cotangents: Sequence[object],
    *,
    frozen: Callable[[Path], bool] | None = None,
) -> Any:
    """The structured gradient of ``f(trainables(model))`` given ``cotangents`` = df/d(list).

    Shaped like the model (the shape ``setup``'s state tree has): each distinct array's
    cotangent at its first occurrence, ``None`` at later occurrences of a shared array, at
    carried values and non-trainable fields, and wherever ``frozen(path)`` is true
    (GRAD-1, GRAD-2, GRAD-3).  Summing a shared array's positions gives its true gradient
    once, so updating with this tree equals updating with the flat list (GRAD-4).
    """
    occs = occurrences(model)
    firsts = first_occurrences(occs)
    if len(cotangents) != len(firsts):
        raise ShapeError(
            f"got {len(cotangents)} cotangents for {len(firsts)} trainable arrays (clause GRAD-1)"
        )
    first_paths = {occ.path for occ in firsts}
    by_path = {
        occ.path: _check_cotangent(occ, cotangents[occ.position])
        for occ in occs
        if occ.path in first_paths and not (frozen and frozen(occ.path))
    }
    return mirror(model, lambda path, _x: by_path.get(path))


def destructure_pullback(
    model: object, flat_cotangent: Array, *, frozen: Callable[[Path], bool] | None = None
) -> Any:
    """The structured gradient of ``f(destructure(model)[0])`` (GRAD-1 .. GRAD-3)."""
    return trainables_pullback(model, split_flat(model, flat_cotangent), frozen=frozen)


def restructure_pullback(model: object, tree_cotangent: object) -> Array:
    """The gradient of ``f(restructure(model, v))`` with respect to ``v``: contributions of
    every occurrence of a shared array are summed into its one slot (GRAD-5)."""
    params = trainables(model)
    sums: list[Array] = [np.zeros(p.shape, dtype=p.dtype) for p in params]
    for occ, g in per_occurrence(model, tree_cotangent):
        if g is not None:
            sums[occ.position] += g
    return flatten(sums)


__all__ = [
    "destructure",
    "destructure_pullback",
    "flatten",
    "restructure",
    "restructure_pullback",
    "split_flat",
    "trainables",
    "trainables_pullback",
    "trainables_with_paths",
]
