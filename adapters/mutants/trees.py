"""Mutants whose bug is in walking the model: collection order, the flat view, ties through
restructure, the pullback of collection, non-trainable fields and carried values."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from optconf.adapters import reference as ref_adapter
from optconf.reference import collect, expr, grads, tree

from .base import Method, mutant, swapped, wrapped


@mutant("dict_keys_sorted",
        "Dicts walked in sorted key order (JAX pytrees), not insertion order, so the flat "
        "order differs from the tree order and rebuilt dicts come back sorted", "COLL-2",
        "FLAT-1", "TREE-7")
@contextmanager
def _dict_keys_sorted() -> Iterator[None]:
    def key(item: tuple[Any, Any]) -> str:
        return str(item[0])

    def sorted_children(original: Method) -> Method:
        def children(x: object, node_kind: str) -> list[Any]:
            kids = original(x, node_kind)
            return sorted(kids, key=lambda kid: str(kid[0].key)) if node_kind == "dict" else kids
        return children

    def sorted_rebuild(original: Method) -> Method:
        def rebuild(x: Any, node_kind: str, new_children: list[Any]) -> Any:
            if node_kind != "dict":
                return original(x, node_kind, new_children)
            keys = [k for k, _ in sorted(x.items(), key=key)]
            return dict(zip(keys, new_children, strict=True))
        return rebuild

    with wrapped(tree, "children", sorted_children), wrapped(tree, "rebuild", sorted_rebuild):
        yield


@mutant("destructure_column_major",
        "The flat vector ravels each array column-major (Julia's vec) and cuts it back the "
        "same way, so flat positions differ from NumPy's C order", "FLAT-1")
@contextmanager
def _column_major() -> Iterator[None]:
    def destructure(model: object) -> tuple[Any, Callable[[Any], Any]]:
        params = collect.trainables(model)
        dtype = collect.flat_dtype(params)
        pieces = [p.ravel(order="F").astype(dtype) for p in params]
        flat = np.concatenate(pieces) if pieces else np.zeros(0)
        return flat, lambda vector: collect.restructure(model, vector)

    def column_major_split(original: Method) -> Method:
        return lambda model, vector: [piece.reshape(-1).reshape(piece.shape, order="F")
                                      for piece in original(model, vector)]

    with wrapped(collect, "destructure", lambda _original: destructure), \
            wrapped(collect, "split_flat", column_major_split):
        yield


class _Forgetful(dict[int, Any]):
    """A memo that never remembers: ``map_params`` then builds every occurrence anew."""

    def __contains__(self, key: object) -> bool:
        return False


@mutant("restructure_unties",
        "restructure builds a separate array at each occurrence of a shared array, so ties "
        "are lost", "TIE-3", "FLAT-3")
@contextmanager
def _restructure_unties() -> Iterator[None]:
    def untying(original: Method) -> Method:
        def restructure(model: object, vector: Any) -> Any:
            return tree.map_params(lambda _path, x: x.copy(), original(model, vector),
                                   memo=_Forgetful())
        return restructure

    with wrapped(collect, "restructure", untying):
        yield


@mutant("pullback_repeats_tied",
        "The trainables pullback repeats a shared array's cotangent at every occurrence "
        "(Optimisers.jl's trainables), so updating with it counts the gradient twice",
        "GRAD-2", "GRAD-4")
@contextmanager
def _pullback_repeats() -> Iterator[None]:
    def trainables_pullback(model: object, cotangents: Any, *,
                            frozen: Callable[[Any], bool] | None = None) -> Any:
        position = {occ.path: occ.position for occ in tree.occurrences(model)}
        return tree.mirror(model, lambda path, _x: None if frozen and frozen(path)
                           else cotangents[position[path]])

    with swapped(expr, "trainables_pullback", trainables_pullback):
        yield


@mutant("gradient_shape_unchecked",
        "Gradients are not checked against their parameter's shape: NumPy's broadcasting "
        "error surfaces later, naming no path", "ERR-1", "ERR-3")
@contextmanager
def _gradient_shape_unchecked() -> Iterator[None]:
    def as_gradient(value: Any, path: Any, like: np.ndarray) -> np.ndarray:
        return np.asarray(value).astype(like.dtype, copy=False)

    with wrapped(grads, "as_gradient", lambda _original: as_gradient):
        yield


@mutant("layer_filter_ignored",
        "A layer's trainable-field filter is ignored: every float field is collected and "
        "updated", "TREE-4", "COLL-1")
@contextmanager
def _layer_filter_ignored() -> Iterator[None]:
    with wrapped(tree, "trainable_fields", lambda _original: tree.field_names):
        yield


@mutant("carried_numbers_to_arrays",
        "Carried Python numbers become NumPy 0-d arrays (tree_map(asarray) over the whole "
        "model); carried floats then train", "TREE-3")
@contextmanager
def _carried_to_arrays() -> Iterator[None]:
    def as_array(_path: Any, value: Any) -> Any:
        numeric = isinstance(value, int | float) and not isinstance(value, bool)
        return np.asarray(value) if numeric else value

    def converting(original: Method) -> Method:
        return lambda model, dtype: original(
            tree.map_params(lambda _path, x: x, model, carried=as_array), dtype)

    with wrapped(ref_adapter, "engine_model", converting):
        yield


@mutant("frozen_gradient_kept",
        "The pullback of collection ignores frozen parts: a frozen parameter the loss reads "
        "gets its gradient (autodiff over every parameter, frozen or not)", "GRAD-3")
@contextmanager
def _frozen_gradient_kept() -> Iterator[None]:
    def ignoring(original: Method) -> Method:
        return lambda model, cotangents, frozen=None: original(model, cotangents)

    with wrapped(collect, "trainables_pullback", ignoring):
        yield
