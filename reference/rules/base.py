"""What a rule is: a frozen record of hyperparameters plus ``init`` and ``apply``.

A rule never holds buffers.  ``init(x)`` builds the state for one parameter array;
``apply(state, x, dx)`` returns ``(new_state, step)`` and the caller subtracts the step,
``x <- x - step`` (clause RULE-1).  ``apply`` may update the state's arrays in place and
must not write to ``x`` or ``dx`` (RULE-2), except a rule declaring ``writes_param``
(MixedPrecision), which writes ``x`` and returns None.  A step of ``None`` means "no update
this call" (AccumGrad, RULE-3).  A rule that needs the norm over *all* arrays of an update
(global-norm clipping) says so with ``needs_global`` and is driven through ``apply_global``
by :func:`apply_rules` (RULE-8).

Clauses: RULE-1 .. RULE-8.
"""

from __future__ import annotations

import collections
import concurrent.futures
import dataclasses
import functools
import math
import os
from abc import ABC, abstractmethod
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from types import MappingProxyType
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.floating[Any]]

#: What ``apply`` returns: the new state and the step to subtract, or None for no update.
Applied = tuple[Any, Array | None]

#: ``apply_global`` of a rule that needs the global norm: it yields its array's share (the
#: squared L2 norm of the dx reaching it), is sent the global L2 norm over every array of the
#: update, may do so again, and finally returns what ``apply`` returns (RULE-8).
GlobalApply = Generator[float, float, Applied]

#: The name of every rule's normative variant, first in ``variants`` (RULE-5).
NORMATIVE = "normative"


@dataclasses.dataclass(frozen=True)
class Rule(ABC):
    """Base class of every optimisation rule.

    ``elementwise`` says whether splitting or concatenating parameter arrays can change the
    result (RULE-4): True for every rule except the per-array ones (ClipNorm, and a chain
    holding it, which overrides it with a property).

    Variants are named by what differs (RULE-5): ``axes`` maps each way engines' formulas
    differ (``bias_correction``, ``lr_placement``, ...) to its values, the normative one
    first; ``presets`` names sets of axis values after the engines that compute them
    (``"torch"``, ``"optax"``, ``"optimisers"``), as readable aliases.  A rule with axes has
    a ``variant`` field: ``"normative"``, a preset name, or ``"axis=value, axis=value"``
    (the axes not named keep their normative value).  ``variants`` lists ``"normative"``
    and the presets.
    """

    elementwise: ClassVar[bool] = True
    #: RULE-2's one exception: ``apply`` writes the parameter's new value into ``x`` itself
    #: and returns a None step (MixedPrecision, MIXED-2).  The update hands such a rule a
    #: working copy of ``x`` and commits it with everything else (UPD-8).
    writes_param: ClassVar[bool] = False
    axes: ClassVar[Mapping[str, tuple[str, ...]]] = {}
    presets: ClassVar[Mapping[str, Mapping[str, str]]] = {}
    variants: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.axes:
            cls.variants = (NORMATIVE, *cls.presets)

    @abstractmethod
    def init(self, x: Array) -> Any:
        """The state for parameter ``x`` before any step."""

    @abstractmethod
    def apply(self, state: Any, x: Array, dx: Array) -> tuple[Any, Array | None]:
        """One step: ``(new_state, step)``; the caller does ``x -= step``."""

    @property
    def needs_global(self) -> bool:
        """True when a step needs the norm over all arrays of the update, so the update must
        call :meth:`apply_global` rather than :meth:`apply` (RULE-8)."""
        return False

    #: Whether the rule has :meth:`apply_`, the same step written in place (RULE-1).
    in_place: ClassVar[bool] = False

    @property
    def runs_in_place(self) -> bool:
        """Whether :func:`update_` may take :meth:`apply_`: the rule has it and no subclass
        redefined :meth:`apply` after it, whose step ``apply_`` would silently bypass."""
        owner = type(self)
        return self.in_place and _defining(owner, "apply_") is _defining(owner, "apply")

    def apply_(self, state: Any, x: Array, dx: Array) -> Any:
        """The step of :meth:`apply` subtracted from ``x`` in place, the state's arrays moved
        on in place, bit for bit as ``x -= apply(state, x, dx)[1]``; returns the new state.
        Only rules with ``in_place``, whose step cannot fail once :func:`update_`'s checks
        have passed, have it (RULE-1, UPD-8)."""
        raise TypeError(f"{type(self).__name__} has no in-place step (clause RULE-1)")

    def apply_global(self, state: Any, x: Array, dx: Array) -> GlobalApply:
        """One step of a rule with ``needs_global`` (RULE-8); see :data:`GlobalApply`."""
        raise TypeError(f"{type(self).__name__} does not use the global norm (clause RULE-8)")

    def hyperparameters(self) -> tuple[str, ...]:
        """Names ``adjust`` may change (ADJ-1); a rule's variant is fixed at construction."""
        return tuple(f.name for f in dataclasses.fields(self) if f.name != "variant")

    def adjusted(self, **changes: Any) -> Rule:
        """This rule with some hyperparameters changed, validated again (ADJ-1, ADJ-3)."""
        check_adjustable(self, changes)
        return dataclasses.replace(self, **changes)

    def axis(self, name: str) -> str:
        """The value of variant axis ``name`` this rule computes with (RULE-5)."""
        return variant_form(type(self), getattr(self, "variant", NORMATIVE))[name]

    def observed(self, state: Any) -> Any:
        """``state`` as an engine's state is compared with it (TOL-7); most rules show their
        state as it is."""
        return state

    def __post_init__(self) -> None:
        if self.axes:
            variant = getattr(self, "variant", NORMATIVE)
            if not isinstance(variant, str):
                raise ValueError(f"{type(self).__name__}: variant={variant!r} must be a str "
                                 "(clause RULE-5)")
            variant_form(type(self), variant)
        self.validate()

    def validate(self) -> None:  # noqa: B027  (a rule without hyperparameters keeps it)
        """Raise ValueError naming a hyperparameter outside its valid range (RULE-6)."""


@functools.cache
def variant_form(cls: type[Rule], variant: str) -> Mapping[str, str]:
    """Every axis of ``cls`` with its value under ``variant``: a preset name, ``"normative"``
    or ``"axis=value, ..."``; ValueError for anything else (RULE-5)."""
    form = {axis: values[0] for axis, values in cls.axes.items()}
    if variant == NORMATIVE:
        return MappingProxyType(form)
    if variant in cls.presets:
        return MappingProxyType(form | dict(cls.presets[variant]))
    pairs = [(axis.strip(), value.strip())
             for axis, _, value in (part.partition("=") for part in variant.split(","))]
    if all(value in cls.axes.get(axis, ()) for axis, value in pairs):
        return MappingProxyType(form | dict(pairs))
    axes = "; ".join(f"{axis}: {', '.join(values)}" for axis, values in cls.axes.items())
    raise ValueError(
        f"{cls.__name__}: variant={variant!r} is not one of {cls.variants} nor "
        f"'axis=value, ...' with the axes {axes} (clause RULE-5)"
    )


def check_adjustable(rule: Rule, changes: dict[str, Any]) -> None:
    """TypeError unless ``changes`` names at least one hyperparameter and only those (ADJ-3)."""
    if not changes:
        raise TypeError(f"adjust: name at least one hyperparameter of {type(rule).__name__}")
    valid = rule.hyperparameters()
    unknown = sorted(set(changes) - set(valid))
    if unknown:
        raise TypeError(
            f"{type(rule).__name__} has no hyperparameter {unknown[0]!r}; valid names: "
            f"{', '.join(valid)} (clause ADJ-3)"
        )


def check_nonnegative(rule: Rule, name: str) -> None:
    """``name`` must be a finite number >= 0 (RULE-6)."""
    value = getattr(rule, name)
    if not (isinstance(value, int | float) and math.isfinite(value) and value >= 0):
        raise ValueError(f"{type(rule).__name__}: {name}={value!r} must be finite and >= 0")


def check_positive(rule: Rule, name: str) -> None:
    """``name`` must be a finite number > 0 (RULE-6)."""
    value = getattr(rule, name)
    if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
        raise ValueError(f"{type(rule).__name__}: {name}={value!r} must be finite and > 0")


def check_unit_interval(rule: Rule, name: str, value: float | None = None) -> None:
    """A decay rate must lie in [0, 1) (RULE-6).  ``value`` checks one member of a tuple."""
    value = getattr(rule, name) if value is None else value
    if not (isinstance(value, int | float) and 0 <= value < 1):
        raise ValueError(f"{type(rule).__name__}: {name}={value!r} must lie in [0, 1)")


def check_betas(rule: Rule, name: str = "beta") -> None:
    """A pair of decay rates, each in [0, 1) (RULE-6)."""
    pair = getattr(rule, name)
    if not (isinstance(pair, tuple) and len(pair) == 2):
        raise ValueError(f"{type(rule).__name__}: {name}={pair!r} must be a pair (b1, b2)")
    for b in pair:
        check_unit_interval(rule, name, b)


def eps_for(x: Array, epsilon: float) -> float:
    """Epsilon as used at ``x``'s dtype: float16 floors it at 1e-7 unless it is 0, so it
    does not round to zero (Optimisers.jl ``_eps``, src/utils.jl; RULE-7)."""
    if x.dtype == np.float16 and epsilon != 0:
        return max(epsilon, 1e-7)
    return epsilon


def check_flag(rule: Rule, name: str) -> None:
    """A switch such as ``centred`` must be a bool (RULE-6)."""
    value = getattr(rule, name)
    if not isinstance(value, bool):
        raise ValueError(f"{type(rule).__name__}: {name}={value!r} must be True or False")


def scaled_copy(a: Array, c: float) -> Array:
    """A new array ``a * c``; an explicit ``out`` keeps it an array for 0-d ``a``, where a
    bare ufunc call returns a NumPy scalar that later in-place steps could not write."""
    return np.multiply(a, c, out=np.empty_like(a))


def _defining(cls: type, name: str) -> type:
    """The class in ``cls``'s method resolution order that defines ``name``."""
    return next(c for c in cls.__mro__ if name in vars(c))


#: Elements per block of an in-place step: a block of each of a step's arrays and its scratch
#: stay in the CPU's cache between the step's NumPy calls, so the step passes over memory
#: once rather than once per call.
BLOCK = 1 << 16
#: Threads the blocks of one in-place step are shared among: NumPy's ufuncs release the GIL,
#: so a large step runs on the cores this process may use, as the engines' steps do.
THREADS = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") \
    else os.cpu_count() or 1


def for_each_block(step: Callable[..., object], *arrays: Array,
                   scratch: tuple[np.dtype[Any], ...] = ()) -> None:
    """``step(*pieces, *buffers)`` for every block of ``arrays`` (:func:`blocks`).

    The blocks are shared among :data:`THREADS` threads, each taking the next block not yet
    taken until none is left, under the caller's floating-point error state
    (``np.errstate``).  Each thread has one buffer per dtype in ``scratch``, made once and as
    large as a block, which ``step`` may overwrite: a new buffer per block costs more than
    the block's pass over memory (its pages are faulted in again).  The blocks are disjoint
    and ``step`` is elementwise (RULE-4), so the order they run in changes no bit of the
    result."""
    pieces = list(blocks(*arrays))
    if not pieces:
        return  # arrays of no elements
    untaken = collections.deque(pieces)  # shared: a deque's pops are thread-safe
    errors = np.geterr()  # NumPy's error state is per thread: the blocks run under the caller's

    def run() -> None:
        with np.errstate(**errors):
            buffers = [np.empty(pieces[0][0].shape, dtype) for dtype in scratch]
            while True:
                try:
                    piece = untaken.popleft()
                except IndexError:
                    return  # every block is taken
                step(*piece, *(_fitted(buffer, piece[0]) for buffer in buffers))

    threads = min(THREADS, len(pieces))
    if threads == 1:
        run()
        return
    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        for done in [pool.submit(run) for _ in range(threads)]:
            done.result()  # re-raises a block's exception here


def _fitted(buffer: Array, piece: Array) -> Array:
    """The part of a scratch buffer shaped like ``piece``: the buffer is shaped like the
    first piece, and any other piece is a flat block no longer than it."""
    return buffer if buffer.shape == piece.shape else buffer[:len(piece)]


def blocks(*arrays: Array) -> Iterator[tuple[Array, ...]]:
    """Views of ``arrays`` (all of one shape) cut into the same pieces of at most
    :data:`BLOCK` elements of their flat forms; the arrays whole, as one piece, unless every
    one is C-contiguous (the flat form of another would be a copy)."""
    if not all(a.flags.c_contiguous for a in arrays):
        yield arrays
        return
    flat = [a.reshape(-1) for a in arrays]
    for start in range(0, flat[0].size, BLOCK):
        yield tuple(a[start:start + BLOCK] for a in flat)


def read_only(a: Array) -> Array:
    """A view of ``a`` that cannot be written through (RULE-2)."""
    view = a.view()
    view.flags.writeable = False
    return view


class FailedCall(Exception):
    """Call ``index`` of :func:`apply_rules` raised ``error`` (UPD-8); for a global-norm
    round, ``index`` is the first call whose share was not finite, when one was."""

    def __init__(self, index: int, error: Exception) -> None:
        super().__init__(index, error)
        self.index = index
        self.error = error


def copied(state: Any) -> Any:
    """A copy of a rule state whose arrays a rule may then write (UPD-8): arrays copied,
    tuples and NamedTuples rebuilt, anything else shared."""
    if isinstance(state, np.ndarray):
        return state.copy()
    if isinstance(state, tuple):
        items = [copied(item) for item in state]
        return type(state)(*items) if hasattr(state, "_fields") else tuple(items)
    return state


def apply_rules(
    calls: Iterable[tuple[Rule, Any, Array, Array]],
) -> Iterator[tuple[int, Any, Array | None]]:
    """Apply each ``(rule, state, x, dx)`` once, yielding ``(index, new_state, step)``.

    Ordinary rules are applied, and yielded, one call at a time, in order.  Rules with
    ``needs_global`` run in rounds (RULE-8): each yields its array's share, and once every one
    of them has, each is sent the global norm ``sqrt(sum of shares)`` and runs on to its next
    share or its result.  A call whose rule stops early (a chain whose AccumGrad is still
    accumulating) contributes no share to later rounds.  A rule that raises ends it all with
    :class:`FailedCall` naming the offending call (UPD-8).
    """
    waiting: list[tuple[int, GlobalApply]] = []
    for index, (rule, state, x, dx) in enumerate(calls):
        if not rule.needs_global:
            try:
                result = rule.apply(state, x, dx)
            except Exception as error:
                raise FailedCall(index, error) from error
            yield index, *result
            continue
        waiting.append((index, rule.apply_global(state, x, dx)))
    norm: float | None = None  # the first round starts each run and only collects shares
    shares: list[tuple[int, float]] = []
    while waiting:
        still: list[tuple[int, GlobalApply]] = []
        sent, shares = shares, []
        for index, run in waiting:
            try:
                shares.append((index, next(run) if norm is None else run.send(norm)))
                still.append((index, run))
            except StopIteration as done:
                yield index, *done.value
            except Exception as error:
                offender = next((i for i, share in sent if not math.isfinite(share)), index)
                raise FailedCall(offender, error) from error
        waiting = still
        norm = math.sqrt(math.fsum(share for _, share in shares))


def run_alone(run: GlobalApply) -> Applied:
    """Drive a global-norm run on its own: the global norm is its own array's norm, as if
    that array were the whole model (RULE-8)."""
    try:
        share = next(run)
        while True:
            share = run.send(math.sqrt(share))
    except StopIteration as done:
        result: Applied = done.value
        return result
