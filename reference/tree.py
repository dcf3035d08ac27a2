"""Model trees: what a node is, its children, its path, and how to rebuild it.

A *model tree* is any nesting of dict, list, tuple, namedtuple, dataclass instances and
classes registered with :func:`layer`.  Its leaves are parameters (floating-point
``numpy.ndarray``, clause TREE-2) or carried values (everything listed in TREE-3).

Clauses: TREE-1 .. TREE-10 (docs/SPEC.md).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import Any, Literal, NamedTuple, TypeVar

import numpy as np

from .errors import AliasError, TreeError, UnknownLeafError, UnsupportedLeafError

Kind = Literal["param", "leaf", "dict", "list", "tuple", "namedtuple", "fields"]
T = TypeVar("T")

#: Registered layer classes -> names of their trainable fields (None: every field).
_LAYERS: dict[type, tuple[str, ...] | None] = {}


class PathElem(NamedTuple):
    """One step from a node to a child: a dict key, a sequence index or a field name."""

    kind: Literal["key", "index", "attr"]
    key: Any

    def __str__(self) -> str:
        if self.kind == "attr":
            return f".{self.key}"
        return f"[{self.key!r}]"


Path = tuple[PathElem, ...]


def path_str(path: Path) -> str:
    """Render a path the way Python would index it, e.g. ``model['enc'][0].weight``."""
    return "model" + "".join(str(elem) for elem in path)


def layer(
    cls: type[T] | None = None, *, trainable: tuple[str, ...] | None = None
) -> Any:
    """Register a class as a layer: a container whose children are its fields (TREE-4).

    ``trainable`` names the fields that hold parameters; other fields are carried through
    untouched and never collected (the Python form of Optimisers.jl ``trainable``).  Fields
    are the dataclass fields, or else the instance ``__dict__`` in insertion order.

    >>> @layer(trainable=("weight",))
    ... class Scale:
    ...     def __init__(self, weight, frozen_bias):
    ...         self.weight, self.frozen_bias = weight, frozen_bias
    """

    def register(klass: type[T]) -> type[T]:
        _LAYERS[klass] = None if trainable is None else tuple(trainable)
        return klass

    return register if cls is None else register(cls)


@dataclasses.dataclass(eq=False)
class Transpose:
    """``parent`` transposed, as a node of a model tree: the way to write ``W.T`` so that it is
    tied to ``W`` (TREE-10).  Its one child is ``parent`` itself, so ``W`` and
    ``Transpose(W)`` are one parameter by identity, with one state (TIE-1, STATE-3); a
    gradient here may be the cotangent of the transposed array, which counts transposed
    towards ``parent`` (TIE-5).  NumPy's own ``W.T`` is a view and stays an alias (TREE-8).

    >>> import numpy as np
    >>> w = np.ones((2, 3))
    >>> Transpose(w).value.shape
    (3, 2)
    """

    parent: np.ndarray[Any, Any]

    def __post_init__(self) -> None:
        if not isinstance(self.parent, np.ndarray):
            raise TypeError(
                f"Transpose takes an array, got {type(self.parent).__qualname__} (clause TREE-10)"
            )

    @property
    def value(self) -> np.ndarray[Any, Any]:
        """The transposed array the model computes with: a view of ``parent``."""
        return self.parent.T


def _is_carried(x: object) -> bool:
    """Values that are never parameters and are carried through untouched (TREE-3)."""
    if x is None or isinstance(x, bool | int | float | complex | str | bytes | np.generic):
        return True
    if isinstance(x, np.ndarray):
        return np.issubdtype(x.dtype, np.integer) or x.dtype == np.bool_
    return callable(x) and not _is_fields(x)


def _is_fields(x: object) -> bool:
    return type(x) in _LAYERS or (
        dataclasses.is_dataclass(x) and not isinstance(x, type)
    )


def kind(x: object, path: Path = ()) -> Kind:
    """Classify a node (TREE-1..TREE-5); raise naming the path for anything else."""
    if isinstance(x, np.ndarray) and np.issubdtype(x.dtype, np.floating):
        return "param"
    if isinstance(x, np.ndarray) and np.issubdtype(x.dtype, np.complexfloating):
        raise UnsupportedLeafError(
            f"{path_str(path)}: complex arrays are not supported yet (clause TREE-6); "
            "split them into real and imaginary parts"
        )
    if _is_fields(x):
        return "fields"
    if type(x) is dict:
        return "dict"
    if isinstance(x, list):
        return "list"
    if isinstance(x, tuple):
        return "namedtuple" if hasattr(x, "_fields") else "tuple"
    if _is_carried(x):
        return "leaf"
    raise UnknownLeafError(
        f"{path_str(path)}: unknown leaf type {type(x).__qualname__}; a model tree holds "
        "dict, list, tuple, namedtuple, dataclasses, @optconf.reference.layer classes, "
        "float arrays and plain values (clause TREE-5)"
    )


def field_names(x: object) -> tuple[str, ...]:
    """The fields of a dataclass or registered layer, in declaration order (TREE-4)."""
    if dataclasses.is_dataclass(x):
        return tuple(f.name for f in dataclasses.fields(x))
    return tuple(vars(x))


def trainable_fields(x: object) -> tuple[str, ...]:
    """The fields that may hold parameters: the layer's filter, else every field (TREE-4)."""
    chosen = _LAYERS.get(type(x))
    names = field_names(x)
    return names if chosen is None else tuple(n for n in names if n in chosen)


def children(x: object, node_kind: Kind) -> list[tuple[PathElem, Any]]:
    """The children of a container, in the order collection visits them (COLL-2)."""
    if node_kind == "dict":
        assert isinstance(x, dict)
        return [(PathElem("key", k), v) for k, v in x.items()]
    if node_kind in ("list", "tuple", "namedtuple"):
        assert isinstance(x, list | tuple)
        return [(PathElem("index", i), v) for i, v in enumerate(x)]
    if node_kind == "fields":
        return [(PathElem("attr", n), getattr(x, n)) for n in field_names(x)]
    return []


def trainable_children(x: object, node_kind: Kind) -> list[tuple[PathElem, Any, bool]]:
    """``children`` with whether each may hold parameters: every child, except a layer's
    fields outside its ``trainable`` filter (TREE-4)."""
    allowed = set(trainable_fields(x)) if node_kind == "fields" else None
    return [(elem, child, allowed is None or elem.key in allowed)
            for elem, child in children(x, node_kind)]


def rebuild(x: object, node_kind: Kind, new_children: list[Any]) -> Any:
    """A container of the same type as ``x`` holding ``new_children`` (TREE-7)."""
    if node_kind == "dict":
        assert isinstance(x, dict)
        return dict(zip(x.keys(), new_children, strict=True))
    if node_kind == "list":
        return list(new_children)
    if node_kind == "tuple":
        return tuple(new_children)
    if node_kind == "namedtuple":
        return type(x)(*new_children)
    if node_kind == "fields":
        clone = object.__new__(type(x))
        clone.__dict__.update(getattr(x, "__dict__", {}))
        for name, value in zip(field_names(x), new_children, strict=True):
            object.__setattr__(clone, name, value)
        return clone
    raise TreeError(f"cannot rebuild a {node_kind} node")


class Occurrence(NamedTuple):
    """One place where a parameter appears: its path, the array, and its position among
    the distinct parameters in collection order, i.e. in ``trainables(model)`` (COLL-2)."""

    path: Path
    array: np.ndarray[Any, Any]
    position: int


def occurrences(model: object) -> list[Occurrence]:
    """Every occurrence of every parameter, depth first, in container order (COLL-1, COLL-2).

    Arrays are identified by object identity (TIE-1): the second occurrence of the same
    array gets the index of the first.  Non-trainable fields are not entered (TREE-4).
    Distinct arrays that share memory are rejected (TREE-8).
    """
    found: list[Occurrence] = []
    index_of: dict[int, int] = {}
    for path, x in _walk(model, (), set()):
        idx = index_of.setdefault(id(x), len(index_of))
        found.append(Occurrence(path, x, idx))
    _reject_aliases(first_occurrences(found))
    return found


def first_occurrences(found: list[Occurrence]) -> list[Occurrence]:
    """The first occurrence of each distinct parameter, in collection order (COLL-2)."""
    seen: set[int] = set()
    firsts = []
    for occ in found:
        if occ.position not in seen:
            seen.add(occ.position)
            firsts.append(occ)
    return firsts


def _walk(x: object, path: Path, stack: set[int]) -> Iterator[tuple[Path, Any]]:
    node_kind = kind(x, path)
    if node_kind == "param":
        yield path, x
        return
    if node_kind == "leaf":
        return
    if id(x) in stack:
        raise TreeError(f"{path_str(path)}: the tree contains a cycle (clause TREE-9)")
    stack.add(id(x))
    for elem, child, may_hold in trainable_children(x, node_kind):
        if may_hold:
            yield from _walk(child, (*path, elem), stack)
    stack.discard(id(x))


def _base_of(x: np.ndarray[Any, Any]) -> object:
    root: object = x
    while isinstance(root, np.ndarray) and root.base is not None:
        root = root.base
    return root


def _reject_aliases(firsts: list[Occurrence]) -> None:
    """Distinct parameter arrays must not overlap in memory (TREE-8)."""
    by_base: dict[int, list[Occurrence]] = {}
    for occ in firsts:
        by_base.setdefault(id(_base_of(occ.array)), []).append(occ)
    for group in by_base.values():
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                if np.shares_memory(a.array, b.array):
                    raise AliasError(
                        f"{path_str(a.path)} and {path_str(b.path)} are different arrays "
                        "that share memory (a view or alias); use the same array object to "
                        "tie them (Transpose(w) for a transpose, TREE-10), or copy one "
                        "(clause TREE-8)"
                    )


def fold(
    model: object,
    at_param: Callable[[Path, np.ndarray[Any, Any]], T],
    at_node: Callable[[Path, Any, Kind, list[tuple[PathElem, T]]], T],
    at_carried: Callable[[Path, Any], T],
) -> T:
    """Fold ``model`` bottom up: ``at_param(path, x)`` at every trainable occurrence,
    ``at_carried(path, x)`` at carried values and at arrays under non-trainable fields, and
    ``at_node(path, x, kind, [(elem, folded child), ...])`` at every container, children in
    container order (TREE-1 .. TREE-4).  The one walk over a model outside collection
    (:func:`occurrences`): every other walk is a choice of these three functions."""

    def go(x: object, path: Path, trainable: bool) -> T:
        node_kind = kind(x, path)
        if node_kind == "param" and trainable:
            assert isinstance(x, np.ndarray)
            return at_param(path, x)
        if node_kind in ("param", "leaf"):
            return at_carried(path, x)
        return at_node(path, x, node_kind, [
            (elem, go(child, (*path, elem), trainable and may_hold))
            for elem, child, may_hold in trainable_children(x, node_kind)
        ])

    return go(model, (), True)


def map_params(
    fn: Callable[[Path, np.ndarray[Any, Any]], Any],
    model: object,
    *,
    carried: Callable[[Path, Any], Any] = lambda _p, v: v,
    memo: dict[int, Any] | None = None,
) -> Any:
    """Rebuild ``model`` with every parameter replaced by ``fn(path, array)`` (TREE-7).

    ``fn`` is called once per distinct array; later occurrences reuse its result, so ties
    survive (TIE-3).  Carried leaves and non-trainable fields go through ``carried``.
    """
    memo = {} if memo is None else memo

    def at_param(path: Path, x: np.ndarray[Any, Any]) -> Any:
        if id(x) not in memo:
            memo[id(x)] = fn(path, x)
        return memo[id(x)]

    return fold(model, at_param,
                lambda _path, x, node_kind, kids: rebuild(x, node_kind, [k for _, k in kids]),
                carried)


def plain(_path: Path, _x: object, node_kind: Kind, kids: list[tuple[PathElem, Any]]) -> Any:
    """A container's folded children in a plain container: a dict for dicts, dataclasses
    and layers (by field name), a list for lists, a tuple for tuples and namedtuples."""
    if node_kind in ("dict", "fields"):
        return {elem.key: kid for elem, kid in kids}
    values = [kid for _, kid in kids]
    return values if node_kind == "list" else tuple(values)


def mirror(model: object, at_param: Callable[[Path, np.ndarray[Any, Any]], Any]) -> Any:
    """A tree shaped like ``model`` in :func:`plain` containers (TREE-7).

    ``at_param(path, x)`` fills every trainable occurrence (asked once per occurrence);
    carried values and non-trainable fields become None.  State trees (STATE-1) and
    structured gradients (GRAD-2) have this shape.
    """
    return fold(model, at_param, plain, lambda _path, _x: None)
