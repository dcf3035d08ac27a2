"""Hypothesis strategies for model trees, gradients, step programs and losses.

Plain functions with keyword-only options.  Every array is stored as float64 holding values
exactly representable in the run's ``dtype``, so an engine's cast is exact and the float64
reference computes on the very same inputs (TOL-1).  Sizes stay small: at most
``max_params`` distinct arrays of at most 3 dimensions of side at most 2.

Shrink targets: a model shrinks to one 0-d array, a gradient to zeros of the parameter's
shape, a program to no ops, a loss to ``Sum(Param(0))``.

Draws that reach: each strategy names the *features* that make its draws interesting
(:data:`MODEL_FEATURES`, :data:`PROGRAM_FEATURES`, :data:`LOSS_FEATURES`), records the ones
each draw has as hypothesis ``event()`` s, and counts them in every active :func:`tally`, so
that a run can say how often each feature was drawn and a test can fail when one is rare.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any, Literal, NamedTuple

import numpy as np
from hypothesis import event
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.extra import numpy as hnp

from optconf.adapters.protocol import Adjust, Checkpoint, Freeze, Op, Program, Step, Thaw
from optconf.reference import collect as ref_collect
from optconf.reference import expr as ref_expr
from optconf.reference import grads as ref_grads
from optconf.reference import tree as ref_tree
from optconf.reference.errors import OptconfError, TreeError
from optconf.reference.rules.base import Rule

from .catalog import adjustments

#: Bits of each dtype's float format, for ``st.floats(width=...)``.
_WIDTH: dict[str, Literal[16, 32, 64]] = {"float64": 64, "float32": 32, "float16": 16}

# ------------------------------------------------------------------ features of draws


@dataclasses.dataclass
class Drawn:
    """Per strategy, how many draws it made (``draws``), and per feature of that strategy
    how many of the draws it applied to (``applicable``: a chain's features apply only to
    draws with a chain) and how many had it (``found``).  Keys are ``"strategy: feature"``
    for features and the strategy name for draws."""

    draws: Counter[str] = dataclasses.field(default_factory=Counter)
    applicable: Counter[str] = dataclasses.field(default_factory=Counter)
    found: Counter[str] = dataclasses.field(default_factory=Counter)

    def note(self, strategy: str, applicable: set[str], found: set[str]) -> None:
        self.draws[strategy] += 1
        self.applicable.update(f"{strategy}: {name}" for name in applicable)
        self.found.update(f"{strategy}: {name}" for name in found & applicable)

    def frequencies(self) -> dict[str, float]:
        """``"strategy: feature"`` -> the fraction of the draws it applied to that had it."""
        return {key: self.found[key] / count for key, count in sorted(self.applicable.items())}

    def rare(self, floor: float = 0.05) -> dict[str, float]:
        """The features drawn in fewer than ``floor`` of the draws they applied to."""
        return {key: f for key, f in self.frequencies().items() if f < floor}

    def merged(self, other: Drawn) -> Drawn:
        return Drawn(self.draws + other.draws, self.applicable + other.applicable,
                     self.found + other.found)

    def to_json(self) -> dict[str, dict[str, int]]:
        return {"draws": dict(self.draws), "applicable": dict(self.applicable),
                "found": dict(self.found)}

    @classmethod
    def from_json(cls, data: dict[str, dict[str, int]]) -> Drawn:
        return cls(Counter(data["draws"]), Counter(data["applicable"]), Counter(data["found"]))

    def lines(self) -> list[str]:
        """One line per feature: ``strategy: feature  found/applicable  percent``."""
        return [f"{key}  {self.found[key]}/{self.applicable[key]}  {f:.0%}"
                for key, f in self.frequencies().items()]


#: The tallies open in this process (:func:`tally`).
_TALLIES: list[Drawn] = []


@contextlib.contextmanager
def tally() -> Iterator[Drawn]:
    """Count the features of every draw made while the block runs (nested blocks count
    each draw once each)."""
    drawn = Drawn()
    _TALLIES.append(drawn)
    try:
        yield drawn
    finally:
        _TALLIES.remove(drawn)


def record(strategy: str, applicable: set[str], found: set[str]) -> None:
    """Note one draw of ``strategy`` (or a value built like one, e.g. a state machine's
    program) in every open tally and as hypothesis events."""
    for name in sorted(found & applicable):
        try:
            event(f"{strategy}: {name}")
        except InvalidArgument:  # drawn outside a hypothesis test: nothing to tell it
            break
    for drawn in _TALLIES:
        drawn.note(strategy, applicable, found)


# -------------------------------------------------------------- containers for model trees


class Pair(NamedTuple):
    """A namedtuple node."""

    left: Any
    right: Any


@dataclasses.dataclass
class Block:
    """A dataclass node: every field may hold parameters (TREE-4); ``note`` is a carried
    string."""

    w: Any
    b: Any
    note: str = "block"


@ref_tree.layer(trainable=("weight", "bias"))
class Dense:
    """A layer node with non-trainable fields: ``scale`` (a float array that is *not* a
    parameter) and ``act`` (a function), both carried untouched (TREE-4)."""

    def __init__(self, weight: Any, bias: Any, scale: Any, act: Callable[..., Any]) -> None:
        self.weight, self.bias, self.scale, self.act = weight, bias, scale, act

    def __repr__(self) -> str:
        return f"Dense(weight={self.weight!r}, bias={self.bias!r}, scale={self.scale!r})"


def identity(x: Any) -> Any:
    """A carried callable (module level, so counterexamples pickle)."""
    return x


KEYS = ("a", "b", "enc", "dec", "w")
ACTIVATIONS: tuple[Callable[..., Any], ...] = (identity, np.tanh)


# ---------------------------------------------------------------------------- arrays


@functools.cache
def floats(*, dtype: str = "float64", max_magnitude: float = 4.0,
           min_magnitude: float = 0.0) -> st.SearchStrategy[float]:
    """Finite floats representable in ``dtype`` with ``min_magnitude <= |v| <=
    max_magnitude``; no NaN, infinity or subnormals.  Shrinks towards ``min_magnitude``."""
    width = _WIDTH[dtype]
    if min_magnitude == 0.0:
        return st.floats(-max_magnitude, max_magnitude, allow_nan=False,
                         allow_infinity=False, allow_subnormal=False, width=width)
    magnitude = st.floats(min_magnitude, max_magnitude, allow_nan=False, allow_infinity=False,
                          allow_subnormal=False, width=width)
    return st.tuples(magnitude, st.booleans()).map(lambda t: -t[0] if t[1] else t[0])


def shapes(*, max_dims: int = 3, max_side: int = 2) -> st.SearchStrategy[tuple[int, ...]]:
    """Array shapes including 0-d and empty ones.  Shrinks towards ``()``."""
    return hnp.array_shapes(min_dims=0, max_dims=max_dims, min_side=0, max_side=max_side)


@functools.cache
def arrays(*, dtype: str = "float64", shape: tuple[int, ...] | None = None,
           max_magnitude: float = 4.0, min_magnitude: float = 0.0,
           ) -> st.SearchStrategy[np.ndarray]:
    """float64 arrays of ``shape`` (default: drawn by :func:`shapes`) whose values are
    representable in ``dtype``.  Shrinks towards a 0-d zero."""
    elements = floats(dtype=dtype, max_magnitude=max_magnitude, min_magnitude=min_magnitude)
    return hnp.arrays(np.float64, shapes() if shape is None else shape, elements=elements)


@functools.cache
def carried_values() -> st.SearchStrategy[Any]:
    """Values a model carries untouched (TREE-3): ints, strings, None, bools, integer arrays
    and callables.  Shrinks towards ``None``."""
    return st.one_of(
        st.none(), st.integers(-3, 3), st.sampled_from(("relu", "")), st.booleans(),
        hnp.arrays(np.int64, shapes(max_dims=1), elements=st.integers(-5, 5)),
        st.sampled_from(ACTIVATIONS),
    )


# ---------------------------------------------------------------------------- models


@dataclasses.dataclass(frozen=True)
class _Slot:
    """Where the k-th array of the pool goes in a drawn skeleton."""

    k: int


@st.composite
def models(draw: st.DrawFn, *, dtype: str = "float64", max_params: int = 4,
           max_leaves: int = 6, shared: bool = True, carried: bool = True,
           min_params: int = 1, min_magnitude: float = 0.0) -> Any:
    """A model tree over dict, list, tuple, :class:`Pair`, :class:`Block` and
    :class:`Dense`, with carried leaves and at least ``min_params`` trainable arrays, of
    values with |v| >= ``min_magnitude``.  Parameters are drawn from a pool, so with
    ``shared`` the same array object may sit at several places (TIE-1); without it repeats
    are copied apart.  Without ``carried`` the tree holds parameters only, in dicts, lists,
    tuples and :class:`Pair` (TREE-3).  The number of distinct arrays is drawn uniformly
    between ``min_params`` (at least 1) and ``max_params``, and every one of them appears.
    Shrinks towards a single 0-d array."""
    size = draw(st.integers(max(min_params, 1), max_params))
    pool = [draw(arrays(dtype=dtype, min_magnitude=min_magnitude)) for _ in range(size)]
    tree = _fill(draw(_skeletons(dtype, max_params, max_leaves, carried)), pool)
    # every drawn array takes part: otherwise most models hold one array, and bugs in
    # ordering, flattening or per-array handling go unseen
    used = {id(occ.array) for occ in ref_tree.occurrences(tree)}
    unused = [p for p in pool if id(p) not in used]
    if unused:
        tree = [tree, *unused]
    if shared and draw(st.booleans()):
        tree = draw(_tied_again(tree, pool))
    model = tree if shared else untie(tree)
    record("models", *model_features(model, shared=shared, carried=carried))
    return model


def _tied_again(tree: Any, pool: list[np.ndarray]) -> st.SearchStrategy[Any]:
    """``tree`` beside one of its arrays in a new container, so that the array is shared
    across different containers (TIE-1, TIE-2), its first place sometimes the new one."""
    again = st.sampled_from(pool)
    return st.one_of(again.map(lambda p: [p, tree]), again.map(lambda p: {"dec": tree, "a": p}))


@functools.cache
def _skeletons(dtype: str, max_params: int, max_leaves: int,
               carried: bool) -> st.SearchStrategy[Any]:
    """Trees with :class:`_Slot` where parameters go (built once: strategies are costly)."""
    slot = st.integers(0, max_params - 1).map(_Slot)
    leaf = st.one_of(slot, carried_values()) if carried else slot
    extend = _containers(dtype, carried)
    trees = st.recursive(leaf, extend, max_leaves=max_leaves)
    return st.one_of(trees, extend(trees))  # half the trees one level deeper (FRZ-3)


def _fill(node: Any, pool: list[np.ndarray]) -> Any:
    """The skeleton with each slot replaced by a pool array (the same object each time)."""
    if isinstance(node, _Slot):
        return pool[node.k % len(pool)]
    if isinstance(node, dict):
        return {k: _fill(v, pool) for k, v in node.items()}
    if isinstance(node, list):
        return [_fill(v, pool) for v in node]
    if isinstance(node, Pair):
        return Pair(_fill(node.left, pool), _fill(node.right, pool))
    if isinstance(node, tuple):
        return tuple(_fill(v, pool) for v in node)
    if isinstance(node, Block):
        return Block(_fill(node.w, pool), _fill(node.b, pool), node.note)
    if isinstance(node, Dense):
        return Dense(_fill(node.weight, pool), _fill(node.bias, pool), node.scale, node.act)
    return node


def _containers(dtype: str,
                carried: bool) -> Callable[[st.SearchStrategy[Any]], st.SearchStrategy[Any]]:
    def extend(kids: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        few = st.lists(kids, max_size=3)
        # two or more keys in a drawn order: a dict is often out of sorted order (COLL-2)
        dicts = st.tuples(st.lists(kids, min_size=2, max_size=3), st.permutations(KEYS)).map(
            lambda t: dict(zip(t[1], t[0], strict=False)))
        plain = [dicts, few, few.map(tuple), st.builds(Pair, kids, kids)]
        if not carried:
            return st.one_of(*plain)
        return st.one_of(
            *plain,
            st.builds(Block, kids, kids, st.sampled_from(("block", "head"))),
            st.builds(Dense, kids, kids, arrays(dtype=dtype), st.sampled_from(ACTIVATIONS)),
        )

    return extend


def untie(model: Any) -> Any:
    """``model`` with every repeated occurrence of an array replaced by a copy."""
    seen: set[int] = set()

    def once(path: ref_tree.Path, x: Any) -> Any:
        if ref_tree.kind(x, path) != "param":
            return x
        if id(x) in seen:
            return x.copy()
        seen.add(id(x))
        return x

    return ref_tree.fold(model, once, lambda _path, x, node_kind, kids: ref_tree.rebuild(
        x, node_kind, [kid for _, kid in kids]), once)


#: What makes a drawn model interesting, and the clauses it exercises.
MODEL_FEATURES = {
    "dict keys out of sorted order": "COLL-2: insertion order, not sorted (JAX sorts)",
    "tie across containers": "TIE-1, TIE-2: one array under two different parents",
    "0-d array": "TREE-1",
    "empty array": "FLAT-1: a zero-size array takes no place in the flat vector",
    "sizes that do not divide evenly": "FLAT-1, FLAT-3: the flat vector cut unevenly",
    "parameter three levels deep": "FRZ-3: room for deep freeze keys with siblings",
    "layer with a non-trainable array": "TREE-4",
    "carried value": "TREE-3",
}


def model_features(model: Any, *, shared: bool = True,
                   carried: bool = True) -> tuple[set[str], set[str]]:
    """The features of :data:`MODEL_FEATURES` that a model drawn with these options can
    have, and those ``model`` has."""
    applicable = set(MODEL_FEATURES)
    if not shared:
        applicable.discard("tie across containers")
    if not carried:
        applicable -= {"layer with a non-trainable array", "carried value"}
    occurrences = ref_tree.occurrences(model)
    params = ref_collect.trainables(model)
    nodes = _nodes(model)
    parents: dict[int, set[ref_tree.Path]] = {}
    for occ in occurrences:
        parents.setdefault(occ.position, set()).add(occ.path[:-1])
    sizes = [p.size for p in params]
    checks = {
        "dict keys out of sorted order": any(
            k == "dict" and list(x) != sorted(x) for x, k in nodes),
        "tie across containers": any(len(places) > 1 for places in parents.values()),
        "0-d array": any(p.ndim == 0 for p in params),
        "empty array": any(p.size == 0 for p in params),
        "sizes that do not divide evenly": len(sizes) > 1 and sum(sizes) % len(sizes) != 0,
        "parameter three levels deep": any(len(occ.path) >= 3 for occ in occurrences),
        "layer with a non-trainable array": any(
            isinstance(x, Dense) and isinstance(x.scale, np.ndarray) for x, _ in nodes),
        "carried value": any(k == "leaf" for _, k in nodes),
    }
    return applicable, {name for name, present in checks.items() if present}


def _nodes(model: Any) -> list[tuple[Any, str]]:
    """Every node of a model tree with its kind, depth first."""
    return ref_tree.fold(
        model, lambda _path, x: [(x, "param")],
        lambda _path, x, node_kind, kids: [(x, node_kind), *(n for _, kid in kids for n in kid)],
        lambda path, x: [(x, ref_tree.kind(x, path))])


def subtree_keys(model: Any, *, deep: bool = False) -> st.SearchStrategy[tuple[Any, ...]]:
    """The key path of a node above some parameter occurrence (the root included), as
    :class:`~optconf.adapters.protocol.Freeze` takes it (FRZ-3); half the time (with
    ``deep``, always, where the model has one) one two or more levels deep with a parameter
    beside it.  Shrinks towards ``()``."""
    prefixes = {()} | {
        tuple(elem.key for elem in occ.path[:depth])
        for occ in ref_tree.occurrences(model) for depth in range(1, len(occ.path) + 1)
    }
    ordered = sorted(prefixes, key=lambda k: (len(k), repr(k)))
    # as often as all others together: two or more levels deep, beside another parameter
    below = [k for k in ordered if len(k) >= 2
             and _positions_under(model, k[:-1]) - _positions_under(model, k)]
    if deep and below:
        return st.sampled_from(below)
    return st.one_of(st.sampled_from(ordered), *([st.sampled_from(below)] if below else []))


# ------------------------------------------------------------------------- gradients


def gradients(model: Any, *, dtype: str = "float64", none: bool = True,
              signs: dict[int, np.ndarray] | None = None) -> st.SearchStrategy[Any]:
    """:func:`gradient_trees` that read one way only: a list that also reads as one entry
    per trainable array with another meaning is refused by ``form="auto"`` (UPD-4), so it
    is not a valid step."""
    return gradient_trees(model, dtype=dtype, none=none, signs=signs).filter(
        lambda grads: _unambiguous(model, grads))


def _unambiguous(model: Any, grads: Any) -> bool:
    try:
        ref_grads.summed(model, grads)
    except TreeError:
        return False
    return True


@st.composite
def gradient_trees(draw: st.DrawFn, model: Any, *, dtype: str = "float64", none: bool = True,
                   signs: dict[int, np.ndarray] | None = None) -> Any:
    """A gradient tree for ``model`` (the shape ``setup``'s state has, UPD-4): an array at
    every trainable occurrence, sometimes explicit zeros, and with ``none`` sometimes None
    at a parameter, a whole subtree or the whole step (UPD-5); None at carried places.
    Values are scaled by 1 or 2**-10 per array, so epsilon matters.  ``signs``: a +-1 array
    per distinct parameter, keyed by ``id(parameter)``; every value then has that sign and
    |value| in [0.25, 2] (TOL-6).  Shrinks towards zeros."""

    def maybe(draw_below: Callable[[], Any]) -> Callable[[], Any]:
        """Draws top down: first whether this subtree has no gradient at all (UPD-5)."""
        return lambda: None if none and draw(st.integers(0, 4)) == 4 else draw_below()

    def at_param(_path: ref_tree.Path, x: np.ndarray) -> Callable[[], Any]:
        return maybe(lambda: draw(_param_gradient(x.shape, dtype, signs is not None)) * (
            1.0 if signs is None else signs[id(x)]))

    def at_node(path: ref_tree.Path, x: Any, node_kind: ref_tree.Kind,
                kids: list[tuple[ref_tree.PathElem, Callable[[], Any]]]) -> Callable[[], Any]:
        return maybe(lambda: ref_tree.plain(path, x, node_kind,
                                            [(elem, kid()) for elem, kid in kids]))

    return ref_tree.fold(model, at_param, at_node, lambda _path, _x: lambda: None)()


@functools.cache
def _param_gradient(shape: tuple[int, ...], dtype: str,
                    signed: bool) -> st.SearchStrategy[np.ndarray]:
    if signed:  # magnitudes only; the caller applies the sign pattern
        return arrays(dtype=dtype, shape=shape, min_magnitude=0.25,
                      max_magnitude=2.0).map(np.abs)
    return st.one_of(
        arrays(dtype=dtype, shape=shape),
        arrays(dtype=dtype, shape=shape).map(lambda a: a * 2.0**-10),
        st.just(np.zeros(shape)),
    )


def tied(model: Any) -> Any:
    """``{"net": model, "tied": p}`` with ``p`` the first array of ``model``: a model with
    at least one shared array (TIE-1)."""
    return {"net": model, "tied": ref_collect.trainables(model)[0]}


# -------------------------------------------------------------------------- programs


@st.composite
def sign_patterns(draw: st.DrawFn, model: Any) -> dict[int, np.ndarray]:
    """A +-1 array per distinct parameter, keyed by ``id(parameter)`` (TOL-6)."""
    return {
        id(p): draw(hnp.arrays(np.float64, p.shape, elements=st.sampled_from((-1.0, 1.0))))
        for p in ref_collect.trainables(model)
    }


@st.composite
def programs(draw: st.DrawFn, rule: Rule | st.SearchStrategy[Rule], *, dtype: str = "float64",
             steps: int = 4, shared: bool = True, carried: bool = True, none: bool = True,
             freeze: bool = True, adjust: bool = True, whole: bool = False,
             sign_stable: bool = False, model: Any = None) -> Program:
    """A :class:`~optconf.adapters.protocol.Program`: a model (drawn unless given), ``rule``
    and exactly ``steps`` Step ops, each maybe preceded by a Freeze, Thaw or Adjust
    (``freeze`` / ``adjust`` allow them).  ``none``: gradients may hold None (UPD-5).
    ``shared`` / ``carried``: as for :func:`models`.  ``whole``: what one flat buffer can
    express -- a step's gradient is all there or all
    None, and only the whole model is frozen.  ``sign_stable``: every gradient keeps one
    sign per element and |g| >= 0.25, parameters |x| >= 1 (TOL-6).  ``model``: a model or
    a strategy of models.  Shrinks towards steps with zero gradients and no other ops."""
    the_rule = draw(rule) if isinstance(rule, st.SearchStrategy) else rule
    if isinstance(model, st.SearchStrategy):
        model = draw(model)
    elif model is None:
        model = draw(models(dtype=dtype, shared=shared, carried=carried,
                            min_magnitude=1.0 if sign_stable else 0.0))
    signs = draw(sign_patterns(model)) if sign_stable else None
    grads = gradients(model, dtype=dtype, none=none and not whole, signs=signs)
    step = grads if not (none and whole) else st.one_of(grads, st.none())
    extras: list[st.SearchStrategy[Op | None]] = [st.none()]
    keys = st.just(()) if whole else subtree_keys(model)
    if freeze:
        extras += [keys.map(Freeze), keys.map(Thaw)]
    if adjust:
        extras.append(adjustments(the_rule).map(Adjust))
    ops: list[Op] = []
    for _ in range(steps):
        extra = draw(st.one_of(*extras))
        if extra is not None:
            ops.append(extra)
        ops.append(Step(draw(step)))
    program = Program(model, the_rule, tuple(ops), dtype)
    record("programs", *program_features(
        program, none_steps=none, none_inside=none and not whole, zeros=not sign_stable,
        freeze=freeze, partial_freeze=freeze and not whole, adjust=adjust))
    return program


#: What makes a drawn program interesting, and the clauses it exercises.
PROGRAM_FEATURES = {
    "step without any gradient": "UPD-5: the whole step skipped",
    "None inside a gradient": "UPD-5: part of a step skipped",
    "zero gradient": "UPD-5: an explicit zero advances the state",
    "freeze then step": "FRZ-1",
    "thaw of a frozen part then step": "FRZ-2",
    "freeze two or more levels deep with siblings": "FRZ-3: only that subtree freezes",
    "adjust then step": "ADJ-1, ADJ-2",
    "frozen parts under a global-norm rule": "FRZ-1, RULE-8: the norm leaves frozen arrays out",
    "adjust naming what a chain member lacks": "ADJ-1: members without the name keep theirs",
    "every op on the drawn rule": "UPD-1, FRZ-2, ADJ-2: the rule's state through a step, a "
                                  "freeze, a thaw and an adjust in one program",
}


def program_features(program: Program, *, none_steps: bool, none_inside: bool, zeros: bool,
                     freeze: bool, partial_freeze: bool, adjust: bool,
                     ) -> tuple[set[str], set[str]]:
    """The features of :data:`PROGRAM_FEATURES` that a program drawn with these options
    (and its rule) can have, and those ``program`` has.  The options say what the drawing
    allows: steps without gradient, None inside a gradient, zero gradients, freezing,
    freezing part of the model, adjusting."""
    members = [*getattr(program.rule, "rules", ()), program.rule]
    chain = type(program.rule).__name__ == "OptimiserChain"
    global_norm = any(type(m).__name__ == "ClipGlobalNorm" for m in members)
    wanted = {
        "step without any gradient": none_steps,
        "None inside a gradient": none_inside,
        "zero gradient": zeros,
        "freeze then step": freeze,
        "thaw of a frozen part then step": freeze,
        "freeze two or more levels deep with siblings": partial_freeze,
        "adjust then step": adjust,
        "frozen parts under a global-norm rule": global_norm and partial_freeze,
        "adjust naming what a chain member lacks": chain and adjust,
        "every op on the drawn rule": freeze and adjust,
    }
    applicable = {name for name, possible in wanted.items() if possible}
    return applicable, _program_has(program, members)


def _program_has(program: Program, members: list[Rule]) -> set[str]:
    model, ops = program.model, program.ops
    steps = [op for op in ops if isinstance(op, Step)]
    summed = [ref_grads.summed(model, op.grads, form="tree") for op in steps
              if op.grads is not None]
    later_step = {i for i, op in enumerate(ops) if any(isinstance(o, Step) for o in ops[i:])}
    frozen = [(i, op) for i, op in enumerate(ops) if isinstance(op, Freeze) and i in later_step]
    thawed = [i for i, op in enumerate(ops) if isinstance(op, Thaw) and i in later_step
              and any(j < i for j, _ in frozen)]
    partial = [op for _, op in frozen if 0 < len(_positions_under(model, op.keys))
               < len(ref_collect.trainables(model))]
    changed = {key for op in ops if isinstance(op, Adjust) for key in op.changes}
    checks = {
        "step without any gradient": len(summed) < len(steps)
        or any(all(g is None for g in grads) for grads in summed),
        "None inside a gradient": any(
            any(g is None for g in grads) and any(g is not None for g in grads)
            for grads in summed),
        "zero gradient": any(g is not None and g.size and not g.any()
                             for grads in summed for g in grads),
        "freeze then step": bool(frozen),
        "thaw of a frozen part then step": bool(thawed),
        "freeze two or more levels deep with siblings": any(
            len(op.keys) >= 2 and _positions_under(model, op.keys[:-1])
            - _positions_under(model, op.keys) for _, op in frozen),
        "adjust then step": any(isinstance(op, Adjust) for op in ops[:-1]),
        "frozen parts under a global-norm rule": bool(partial),
        "adjust naming what a chain member lacks": any(
            key not in m.hyperparameters() for key in changed for m in members[:-1]),
        "every op on the drawn rule": {Step, Freeze, Thaw, Adjust} <= {type(op) for op in ops},
    }
    return {name for name, present in checks.items() if present}


def _positions_under(model: Any, keys: tuple[Any, ...]) -> set[int]:
    """Distinct-parameter positions with an occurrence under the subtree ``keys``."""
    return {occ.position for occ in ref_tree.occurrences(model)
            if tuple(elem.key for elem in occ.path[:len(keys)]) == keys}


# ---------------------------------------------------------------------------- losses


@st.composite
def losses(draw: st.DrawFn, model: Any) -> ref_expr.Expr:
    """A scalar loss over ``trainables(model)`` (EXPR-1): a sum of terms, each
    ``Sum(Square(p))``, ``Sum(Tanh(p))`` or ``Sum(Mul(Const(c), p))`` for some parameter p;
    some parameters may be unreached (EXPR-5).  Shrinks towards ``Sum(Square(Param(0)))``."""
    params = ref_collect.trainables(model)
    if not params:
        return ref_expr.Sum(ref_expr.Const(np.zeros(())))
    chosen = draw(st.lists(st.integers(0, len(params) - 1), min_size=1, max_size=3))
    terms = [draw(_term(i, params[i].shape)) for i in chosen]
    loss = terms[0]
    for term in terms[1:]:
        loss = ref_expr.Add(loss, term)
    record("losses", set(LOSS_FEATURES) if len(params) > 1 else {"parameter reached twice"},
            {name for name, present in (
                ("parameter the loss does not reach", len(set(chosen)) < len(params)),
                ("parameter reached twice", len(set(chosen)) < len(chosen))) if present})
    return loss


#: What makes a drawn loss interesting, and the clauses it exercises.
LOSS_FEATURES = {
    "parameter the loss does not reach": "EXPR-5: None through a list, zeros through a vector",
    "parameter reached twice": "GRAD-1: the terms' gradients add up",
}


def _term(i: int, shape: tuple[int, ...]) -> st.SearchStrategy[ref_expr.Expr]:
    p = ref_expr.Param(i)
    return st.one_of(
        st.just(ref_expr.Sum(ref_expr.Square(p))),
        st.just(ref_expr.Sum(ref_expr.Tanh(p))),
        arrays(shape=shape).map(lambda c: ref_expr.Sum(ref_expr.Mul(ref_expr.Const(c), p))),
    )


# ------------------------------------------------------------- features of a counterexample

#: Every feature name, as ``optconf run`` prints it and an expectations entry's ``features``
#: names it: ``"<strategy>: <feature>"``.
FEATURE_NAMES = frozenset(
    f"{strategy}: {name}" for strategy, names in (
        ("models", MODEL_FEATURES), ("programs", PROGRAM_FEATURES), ("losses", LOSS_FEATURES))
    for name in names)


def features(model: Any, program: Program | None = None,
             loss: ref_expr.Expr | None = None) -> set[str]:
    """The features of :data:`FEATURE_NAMES` a counterexample has: its model's, its
    program's and its loss's.  Expectations select failures by them (CONF-12); a model the
    reference rejects (an error property's deliberately malformed input) has none."""
    try:
        found = {f"models: {name}" for name in model_features(model)[1]}
        if program is not None:
            members = [*getattr(program.rule, "rules", ()), program.rule]
            found |= {f"programs: {name}" for name in _program_has(program, members)}
        if loss is not None:
            found |= {f"losses: {name}" for name in _loss_has(loss, model)}
    except OptconfError:
        return set()
    return found


def _loss_has(loss: ref_expr.Expr, model: Any) -> set[str]:
    uses = Counter(node.index for node in ref_expr.postorder(loss)
                   if isinstance(node, ref_expr.Param))
    checks = {
        "parameter the loss does not reach": len(uses) < len(ref_collect.trainables(model)),
        "parameter reached twice": any(n > 1 for n in uses.values()),
    }
    return {name for name, present in checks.items() if present}


@st.composite
def checkpointed(draw: st.DrawFn, program: Program,
                 intos: tuple[str, ...] = ("unsharded",)) -> Program:
    """``program`` with a Checkpoint after one of its steps, loaded into one of ``intos``
    (STATE-8, SHARD-4)."""
    ops = list(program.ops)
    after = draw(st.sampled_from([i for i, op in enumerate(ops) if isinstance(op, Step)]))
    ops.insert(after + 1, Checkpoint(draw(st.sampled_from(intos))))
    return dataclasses.replace(program, ops=tuple(ops))
