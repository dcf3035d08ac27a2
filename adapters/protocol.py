"""The adapter protocol, version 1: what an engine must declare and do to be checked by optconf.

An adapter maps one engine onto a few verbs that speak reference terms: model trees of
NumPy arrays in, NumPy out.  Everything engine-specific lives in the adapter; the
properties only ever see this protocol (docs/ADAPTERS.md).

The public API for adapters is this module's ``__all__`` (the protocol, the helpers every
adapter shares, and the reference's tree walk: ``fold``, ``map_params``, ``mirror``,
``occurrences``) and the modules in :data:`PUBLIC_MODULES`; an adapter needs nothing else
from optconf.  Adapters declare the protocol version they were written against
(``Adapter.protocol_version``); ``optconf.adapters.versions`` keeps older ones working.
"""

from __future__ import annotations

import dataclasses
import itertools
import operator
import warnings
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, ClassVar, Literal, NoReturn, TypeVar

import numpy as np

from optconf.reference.collect import flatten, trainables
from optconf.reference.expr import Ops
from optconf.reference.grads import summed
from optconf.reference.rules.base import Rule, variant_form
from optconf.reference.rules.compose import OptimiserChain
from optconf.reference.rules.decay import WeightDecay
from optconf.reference.tree import (
    Occurrence,
    Path,
    PathElem,
    first_occurrences,
    fold,
    map_params,
    mirror,
    occurrences,
    path_str,
    plain,
)

#: The modules an adapter may import from optconf (docs/ADAPTERS.md, "The public API"):
#: each one's ``__all__``.  ``tests/test_public_api.py`` holds the shipped adapters to it.
PUBLIC_MODULES = (
    "optconf.adapters.protocol",   # this module: the protocol, helpers, the tree walk
    "optconf.adapters.session",    # the plan and op loop of the paths (Held, drive)
    "optconf.reference",           # trainables, destructure, value_and_grad, layer, ...
    "optconf.reference.rules",     # the rule classes (and Rule)
    "optconf.reference.expr",      # losses for gradient(): Param, Ops, evaluate, reached
)

#: The protocol, the helpers every adapter shares, and the tree walk (TREE clauses).
__all__ = [
    "CAPABILITIES", "PATHS", "PROTOCOL_VERSION", "PUBLIC_MODULES", "Absent", "Adapter",
    "Adjust", "Composed", "EngineInfo", "Freeze", "NotOffered", "Occurrence", "Op", "Outcome",
    "Path", "PathElem", "PathName", "Program", "Rule", "Step", "Thaw", "Unsupported",
    "WarningRecord", "array_ops", "chain_members", "composed", "consecutive",
    "first_occurrences", "flat_list_grads", "flat_vector_grads", "fold", "frozen_at",
    "frozen_for_gradient", "frozen_places", "frozen_positions",
    "indices_under", "lookup", "map_params", "mirror", "occurrences", "path_entry",
    "path_str", "plain", "refusal", "refused", "require_variant", "rule_entry", "runs_as",
    "trainables", "with_values", "with_warnings",
]

#: Ways of driving an optimiser step.  ``structured``: the engine's own model-shaped update;
#: ``flat_list``: one call over the list of collected arrays; ``per_array``: one optimiser
#: per array; ``flat_vector``: one flat buffer; ``foreach`` / ``fused``: the engine's
#: multi-tensor implementations; ``legacy``: the engine's deprecated entry points.
#: Distributed (SHARD-1): ``zero``: optimiser state sharded over ranks (torch
#: ZeroRedundancyOptimizer); ``fsdp``: parameters, gradients and state sharded (torch FSDP2);
#: ``sharded``: parameters and state placed on a device mesh (JAX NamedSharding).
PathName = Literal[
    "structured", "flat_list", "per_array", "flat_vector", "foreach", "fused", "legacy",
    "zero", "fsdp", "sharded",
]
PATHS: tuple[PathName, ...] = (
    "structured", "flat_list", "per_array", "flat_vector", "foreach", "fused", "legacy",
    "zero", "fsdp", "sharded",
)
#: The paths that run on several ranks or devices: only properties with the
#: ``distributed`` axis expand over them (their cases start rank processes, CONF-13).
DISTRIBUTED_PATHS: frozenset[PathName] = frozenset({"zero", "fsdp", "sharded"})

#: Capabilities an adapter may declare, for every path or for some (``EngineInfo.
#: path_capabilities``).  A property that needs one the adapter lacks is reported as
#: ``unsupported`` (never as a pass), on the paths that lack it.
CAPABILITIES = frozenset({
    "shared",        # can express one array at two places in a model (identity ties)
    "freeze",        # can freeze / thaw parts of the state
    "adjust",        # can change hyperparameters mid-run keeping state
    "none_grad",     # distinguishes "no gradient" from a zero gradient
    "state",         # exposes the full optimiser state in reference field names
    "collect",       # collects parameters its own way (collect())
    "destructure",   # has a flat-vector view of the model (destructure())
    "gradient",      # differentiates a loss over collected parameters (gradient())
    "frozen_gradient",  # gradient(..., frozen=keys) gives frozen parameters None (GRAD-3)
    "checkpoint",    # a Checkpoint op on a path of one device: the state saved, reloaded
    "legacy",        # has a deprecated surface checked by the DEP clauses
    "carried",       # keeps non-trainable leaves of the model as they were
})


#: The version of the protocol this module defines (docs/ADAPTERS.md, "Protocol versions").
#: An adapter declares the version it was written against as ``protocol_version``.
PROTOCOL_VERSION = 1


@dataclasses.dataclass(frozen=True)
class EngineInfo:
    """What an adapter declares about its engine (printed by ``optconf list``)."""

    name: str                               # short adapter name, e.g. "torch"
    engine: str                             # distribution name, e.g. "torch"
    version: str                            # engine version string
    device: str                             # "cpu", "cuda:0", ...
    dtypes: tuple[str, ...]                 # float dtypes it runs, first = default
    capabilities: frozenset[str]            # on every path it implements
    paths: tuple[PathName, ...]             # update paths it implements
    variants: Mapping[str, str] = dataclasses.field(default_factory=dict)
    # rule class name -> the named variant this engine implements (RULE-5); absent = normative
    notes: str = ""
    path_capabilities: Mapping[PathName, frozenset[str]] = dataclasses.field(
        default_factory=dict)
    # path -> capabilities that path has beyond ``capabilities`` (optional; absent = none)

    def capabilities_on(self, path: PathName | None) -> frozenset[str]:
        """The capabilities ``path`` has: those of every path and its own; ``None`` (a
        property that picks its own path) gets those of every path."""
        if path is None:
            return self.capabilities
        return self.capabilities | self.path_capabilities.get(path, frozenset())


# ---------------------------------------------------------------- what an adapter runs


@dataclasses.dataclass(frozen=True)
class Step:
    """One optimiser step.  ``grads`` is a gradient tree shaped like the model (reference
    form, None = no gradient there).  Adapters needing a flat form derive it with
    :func:`flat_list_grads` / :func:`flat_vector_grads`.  A step in which no parameter has
    a gradient (``Step(None)`` or None everywhere) is no step on any path: the optimiser is
    not called and its state does not advance (UPD-5)."""

    grads: Any


@dataclasses.dataclass(frozen=True)
class Freeze:
    """Freeze the state under ``keys`` (a path of dict keys / indices / field names);
    :func:`indices_under` resolves them to parameter positions, :func:`frozen_at` gives
    the frozen set at each op (FRZ-1 .. FRZ-3)."""

    keys: tuple[Any, ...] = ()


@dataclasses.dataclass(frozen=True)
class Thaw:
    keys: tuple[Any, ...] = ()


@dataclasses.dataclass(frozen=True)
class Adjust:
    """Change hyperparameters of every rule, keeping state (ADJ-1).  ``changes`` names
    hyperparameters of the program's rule (``rule.hyperparameters()``; for a chain any
    member's, CHAIN-3), never ``variant``; ``rule.adjusted(**changes)`` applies them and
    raises the TypeError ADJ-3 asks for a name the rule does not have."""

    changes: Mapping[str, Any]


@dataclasses.dataclass(frozen=True)
class Checkpoint:
    """Save the whole state (parameters and optimiser state, gathered from every shard)
    and go on from what was saved, loaded ``into`` one unsharded optimiser or into a fresh
    sharded one (SHARD-4).  On a path of one device (with the ``checkpoint`` capability):
    the optimisers' state saved the engine's own way and fresh optimisers over the same
    parameters loaded from it (STATE-8).  It changes nothing: the reference saves its state
    (pickle), loads it back and goes on as it would have."""

    into: Literal["unsharded", "resharded"] = "unsharded"


Op = Step | Freeze | Thaw | Adjust | Checkpoint


@dataclasses.dataclass(frozen=True)
class Program:
    """A model, a rule and a sequence of operations.  ``model`` holds float64 arrays; the
    adapter casts parameters to ``dtype`` when it builds the engine's model."""

    model: Any
    rule: Rule
    ops: tuple[Op, ...]
    dtype: str = "float64"


@dataclasses.dataclass
class WarningRecord:
    """A warning seen while running (DEP clauses compare these)."""

    category: str       # e.g. "DeprecationWarning"
    message: str
    filename: str
    lineno: int


@dataclasses.dataclass
class Outcome:
    """What a run leaves behind, in reference terms.

    ``model``: the model tree after the run, NumPy arrays in ``program.dtype`` (the dtype
    the engine ran in, never cast back to float64), carried values as they were, and shared
    arrays as one object at every position.  ``states``: one dict per distinct parameter in
    reference ``trainables`` order, keyed by the reference state's field names (e.g.
    ``mu``, ``nu``, ``beta_t``), arrays in ``program.dtype``, or None where the engine
    exposes no state.  A chain's members' fields are prefixed by their place in it,
    ``"1.0.velocity"`` (:func:`chain_members`); a rule without state has ``{}``.
    """

    model: Any
    states: list[dict[str, Any] | None]
    warnings: list[WarningRecord] = dataclasses.field(default_factory=list)


class Unsupported(Exception):
    """Raised by an adapter for a rule, dtype or path it cannot express faithfully.  The
    message says why; the result is ``unsupported``, never a pass."""


class NotOffered(Unsupported):
    """Raised for a rule the engine does not have at all (its adapter's rule table has no
    entry for the rule's class, or an :class:`Absent` one): the run plans no case for it and
    the report says "not offered" (CONF-3)."""


class Adapter(ABC):
    """Base class for adapters.  Subclasses implement ``info`` and ``run``; the other verbs
    are optional and guarded by capabilities.  ``protocol_version`` is the protocol version
    the adapter was written against (:data:`PROTOCOL_VERSION` for a new one); None, the
    default, is read as version 1, the first, and ``optconf list`` notes it."""

    protocol_version: ClassVar[int | None] = None

    @abstractmethod
    def info(self) -> EngineInfo:
        """Declare engine, version, device, dtypes, capabilities, paths and variants."""

    def supports(self, rule: Rule) -> str | None:
        """None when ``rule`` (with its hyperparameters and variant) maps faithfully onto
        the engine; otherwise the reason it does not."""
        return None

    @abstractmethod
    def run(self, program: Program, path: PathName) -> Outcome:
        """Build the engine's model from ``program.model``, set up ``program.rule``, carry
        out ``program.ops`` through ``path`` and report the result."""

    def collect(self, model: Any, dtype: str) -> list[np.ndarray]:
        """The engine's own collection of trainable parameters (as NumPy, engine order)."""
        raise Unsupported(f"{type(self).__name__} does not collect parameters")

    def destructure(self, model: Any, dtype: str) -> np.ndarray:
        """The engine's own flat vector of the model's parameters."""
        raise Unsupported(f"{type(self).__name__} has no flat-vector view")

    def gradient(self, model: Any, loss: Any, dtype: str, via: str,
                 frozen: tuple[tuple[Any, ...], ...] = ()) -> Any:
        """Differentiate ``loss`` (an ``optconf.reference.expr`` expression over the list of
        collected parameters) with the engine's own autodiff, collecting parameters ``via``
        ``"trainables"`` (a list), ``"destructure"`` (a flat vector cut back into arrays) or
        ``"legacy"``; return the structured gradient tree (GRAD clauses).  ``Param(i)`` is
        the i-th parameter in the *reference's* collection order, ``trainables(model)[i]``,
        whatever order the engine collects in (EXPR-1).  The tree holds a tied array's
        gradient at its first place, None at the others (GRAD-2); an unreached parameter
        gets None through ``"trainables"``, zeros through ``"destructure"`` (EXPR-5).

        ``frozen`` (only with the ``frozen_gradient`` capability, through ``"trainables"``)
        holds key paths of subtrees frozen the engine's way before differentiating, as
        :class:`Freeze` names them (FRZ-3): a parameter with a place under one is frozen
        (everywhere, when tied) and gets None; the loss still reads it (GRAD-3)."""
        raise Unsupported(f"{type(self).__name__} does not differentiate through collection")

    def legacy_replacements(self) -> Mapping[str, tuple[str, ...]]:
        """With the ``legacy`` capability: each deprecated call the legacy path makes, as its
        warnings name it, with the calls that replace it (DEP-3 accepts the engine's own
        wording when a warning names both).  Empty: the warnings must read optconf's form
        ``"<old> is deprecated; use <new>"``."""
        return {}

    def repro_source(self, program: Program, path: PathName) -> str | None:
        """Optional: Python source that replays ``program`` with the engine alone, for the
        standalone repro script of a failure (docs/ADAPTERS.md, CONF-6).  It runs with
        ``np``, ``PARAMS`` (float64 arrays, reference ``trainables`` order), ``OPS`` (dicts:
        ``{"op": "step", "grads": [array | None per param]}``, ``{"op": "adjust",
        "changes": {...}}``, ``{"op": "freeze" | "thaw", "keys": [...]}``), ``RULE``
        (``{"name": ..., hyperparameters...}``) and ``DTYPE`` in scope and must set ``GOT``
        to the final parameters in the same order.  None: the script drives the engine
        through this adapter instead."""
        return None


# ------------------------------------------------------------- helpers for adapters
#
# Every engine adapter has the same shape (docs/ADAPTERS.md): a table from reference rule
# class to the engine's optimiser (``rule_entry``; a refusal raises Unsupported), a table of
# one function per update path (``path_entry``), and these helpers in between.

Entry = TypeVar("Entry")


def lookup(table: Mapping[type[Rule], Entry], rule: Rule) -> Entry | None:
    """The entry of ``table`` for ``rule``'s class, or for the nearest base class that has
    one (a subclass of a rule is that rule); None when there is none."""
    return next((table[cls] for cls in type(rule).__mro__ if cls in table), None)


def runs_as(rule: Rule, declared: str) -> bool:
    """Whether ``rule`` computes what the variant ``declared`` names: the same value on
    every variant axis (RULE-5), so a preset and its axes spelled out are one variant."""
    if not type(rule).axes:
        return getattr(rule, "variant", None) == declared
    return dict(variant_form(type(rule), getattr(rule, "variant", "normative"))) == dict(
        variant_form(type(rule), declared))


def require_variant(table: Mapping[type[Rule], tuple[str, str]], rule: Rule) -> None:
    """Unsupported with the table's reason unless ``rule`` is in the variant the engine
    declares for its class (``table``: class -> (variant, why another is refused)); a class
    not in the table runs in any variant the adapter's rule table accepts (RULE-5)."""
    declared, why = lookup(table, rule) or (None, "")
    if declared is not None and not runs_as(rule, declared):
        raise Unsupported(why)


def rule_entry(table: Mapping[type[Rule], Entry], rule: Rule, engine: str) -> Entry:
    """:func:`lookup`, NotOffered naming the rule's class when ``table`` has no entry."""
    entry = lookup(table, rule)
    if entry is not None:
        return entry
    raise NotOffered(f"{engine} has no {type(rule).__name__}: the adapter's rule table has "
                     "no entry for it")


@dataclasses.dataclass(frozen=True)
class Absent:
    """A rule-table entry saying the engine has no such rule at all, with the reason (where
    the table would otherwise find a base class's entry, or to say more than "no entry")."""

    reason: str

    def __call__(self, *_args: Any) -> NoReturn:
        raise NotOffered(self.reason)


def refused(reason: str) -> Callable[..., NoReturn]:
    """A rule-table entry that refuses its rule with ``reason``."""
    def refuse(*_args: Any) -> NoReturn:
        raise Unsupported(reason)
    return refuse


def path_entry(table: Mapping[PathName, Entry], path: PathName, engine: str) -> Entry:
    """The entry of ``table`` (one per update path the engine has) for ``path``."""
    if path not in table:
        raise Unsupported(f"{engine} has no {path!r} update path")
    return table[path]


class NotOfferedReason(str):
    """A refusal's reason for a rule the engine does not have at all (:class:`NotOffered`):
    the run plans no case of that rule class and lists it as not offered (CONF-3)."""


def refusal(check: Callable[[Rule], object], rule: Rule) -> str | None:
    """What :meth:`Adapter.supports` answers for an adapter whose ``check(rule)`` raises
    Unsupported: the reason (a :class:`NotOfferedReason` for NotOffered), or None when it
    does not raise.  A chain is never "not offered": it composes rules, so a member the
    engine lacks makes the chain one it cannot express (CONF-3)."""
    try:
        check(rule)
    except NotOffered as reason:
        return str(reason) if isinstance(rule, OptimiserChain) else NotOfferedReason(reason)
    except Unsupported as reason:
        return str(reason)
    return None


def chain_members(rule: Rule, prefix: str = "") -> list[tuple[str, Rule]]:
    """The rules ``rule`` applies in order, nested OptimiserChains opened, each with the
    prefix of its state fields in the reference's state record (``"1."``, ``"0.2."``; ``""``
    for a rule that is no chain) (CHAIN-1)."""
    if not isinstance(rule, OptimiserChain):
        return [(prefix, rule)]
    return [member for i, sub in enumerate(rule.rules)
            for member in chain_members(sub, f"{prefix}{i}.")]


@dataclasses.dataclass(frozen=True)
class Composed:
    """A chain as optimiser libraries compose one (CHAIN-1): gradient ``clips`` first, then
    the coupled ``decay`` of one WeightDecay (None: no WeightDecay), then at most one
    ``core`` rule with the prefix of its state fields (None: no rule after them)."""

    clips: tuple[Rule, ...]
    decay: float | None
    core: tuple[str, Rule] | None


def composed(rule: Rule, clips: tuple[type[Rule], ...], composes: str) -> Composed:
    """``rule`` (a rule, or a chain) as :class:`Composed`, clipping rules of the classes
    ``clips``; Unsupported saying what the engine ``composes`` when more rules follow."""
    members = chain_members(rule)
    leading: list[Rule] = []
    while members and isinstance(members[0][1], clips):
        leading.append(members.pop(0)[1])
    decay = None
    if members and isinstance(members[0][1], WeightDecay):
        decay = float(members.pop(0)[1].lambda_)
    if len(members) > 1:
        names = ", ".join(type(m).__name__ for _, m in members)
        raise Unsupported(f"{composes}; this chain continues with {names}")
    return Composed(tuple(leading), decay, members[0] if members else None)


def indices_under(model: Any, keys: tuple[Any, ...]) -> set[int]:
    """Distinct-parameter positions (``trainables`` order) with an occurrence under the
    subtree ``keys``; KeyError when ``keys`` names no entry of the model (FRZ-3)."""
    found = {occ.position for occ in occurrences(model)
             if tuple(elem.key for elem in occ.path[:len(keys)]) == tuple(keys)}
    if keys and not found:
        node: Any = mirror(model, lambda _path, _x: 0)
        for key in keys:
            try:
                node = node[key]
            except (KeyError, IndexError, TypeError):
                raise KeyError(f"state{list(keys)}: no such entry (clause FRZ-3)") from None
    return found


def frozen_positions(model: Any, frozen: Sequence[tuple[Any, ...]]) -> frozenset[int]:
    """The positions (``trainables`` order) of the parameters with a place under any of the
    subtrees ``frozen`` (key paths as :class:`Freeze` takes them; FRZ-3, GRAD-3)."""
    return frozenset(i for keys in frozen for i in indices_under(model, keys))


def frozen_for_gradient(model: Any, frozen: Sequence[tuple[Any, ...]],
                        via: str) -> frozenset[int]:
    """The positions ``gradient(model, loss, dtype, via, frozen=frozen)`` freezes
    (:func:`frozen_positions`); Unsupported when parts are frozen for a gradient through
    another collection than ``"trainables"``, the one GRAD-3 and the ``frozen_gradient``
    capability name."""
    if frozen and via != "trainables":
        raise Unsupported(f"frozen parts are given through 'trainables', not {via!r}")
    return frozen_positions(model, frozen)


def frozen_places(model: Any, frozen: Sequence[tuple[Any, ...]],
                  via: str = "trainables") -> Callable[[Path], bool]:
    """Whether the parameter at a place of ``model`` is frozen by ``frozen``
    (:func:`frozen_for_gradient`): the reference pullbacks' ``frozen`` argument (GRAD-3)."""
    positions = frozen_for_gradient(model, frozen, via)
    position = {occ.path: occ.position for occ in occurrences(model)}
    return lambda path: position[path] in positions


def frozen_at(model: Any, ops: Sequence[Op]) -> Iterator[tuple[Op, frozenset[int]]]:
    """Each op with the positions of the parameters frozen when it runs (FRZ-1, FRZ-3)."""
    frozen: frozenset[int] = frozenset()
    for op in ops:
        if isinstance(op, Freeze):
            frozen |= indices_under(model, op.keys)
        elif isinstance(op, Thaw):
            frozen -= indices_under(model, op.keys)
        yield op, frozen


def _deprecation_errors() -> list[tuple[Any, ...]]:
    """The caller's filters that make a DeprecationWarning an error wherever it is issued,
    every one or those matching a message, innermost first, down to the innermost filter
    for a bare DeprecationWarning (which hides the filters below it)."""
    found = []
    for entry in warnings.filters:
        action, message, category, module, _ = entry
        if not issubclass(DeprecationWarning, category) or module is not None:
            continue
        if action == "error":
            found.append(entry)
        if message is None:
            break
    return found


def with_warnings(run: Callable[[], Outcome], *, always: bool = True) -> Outcome:
    """``run()``'s outcome with the warnings raised while it ran recorded in it; ``always``
    records every call's own, not only the first from each line, except that a
    DeprecationWarning the caller has made an error (every one, or one message's) is still
    raised (DEP-5)."""
    with warnings.catch_warnings(record=True) as seen:
        if always:
            errors = _deprecation_errors()
            warnings.simplefilter("always")
            for _, message, category, _, lineno in reversed(errors):
                warnings.filterwarnings("error", message=message.pattern if message else "",
                                        category=category, lineno=lineno)
        outcome = run()
    outcome.warnings = [WarningRecord(w.category.__name__, str(w.message), w.filename,
                                      w.lineno) for w in seen]
    return outcome


class Stopped(Exception):
    """A run that an exception stopped, with what it left of the caller's objects:
    ``outcome`` holds the model and every state as they are after ``error`` was raised.  The
    legacy path raises it for a DeprecationWarning made an error, so that what the
    deprecated call changed before raising is observable (DEP-5); an adapter that lets the
    bare error through cannot show it."""

    def __init__(self, error: Exception, outcome: Outcome) -> None:
        super().__init__(f"{type(error).__name__}: {error}")
        self.error, self.outcome = error, outcome


def flat_list_grads(model: Any, grads: Any) -> list[np.ndarray | None]:
    """A step's gradient tree as one array per distinct parameter (ties summed), aligned
    with ``optconf.reference.trainables(model)``."""
    return summed(model, grads)


def flat_vector_grads(model: Any, grads: Any) -> np.ndarray:
    """A step's gradient as one flat vector aligned with ``destructure(model)``; a
    parameter without gradient contributes zeros (a flat buffer cannot say None)."""
    return flatten([
        np.zeros_like(p) if g is None else g
        for p, g in zip(trainables(model), flat_list_grads(model, grads), strict=True)
    ])


def with_values(model: Any, values: Sequence[Any]) -> Any:
    """``model`` with its i-th distinct parameter (``trainables`` order) replaced by
    ``values[i]``: ties stay one object, carried values are the model's own (TIE-3)."""
    position = {id(occ.array): occ.position for occ in occurrences(model)}
    return map_params(lambda _path, x: values[position[id(x)]], model)


def consecutive(sizes: Iterable[int]) -> list[slice]:
    """The slices of a flat buffer holding pieces of ``sizes`` one after another."""
    sizes = list(sizes)
    return [slice(end - size, end)
            for size, end in zip(sizes, itertools.accumulate(sizes), strict=True)]


def array_ops(const: Callable[[np.ndarray], Any], tanh: Callable[[Any], Any],
              square: Callable[[Any], Any]) -> Ops:
    """The expression operations (EXPR-1) on an engine's arrays that have Python's
    arithmetic operators, indexing and ``sum`` / ``reshape`` methods, as torch, jax and
    tinygrad arrays do: only ``const``, ``tanh`` and ``square`` differ between them."""
    return Ops(const=const, add=operator.add, mul=operator.mul, matmul=operator.matmul,
               tanh=tanh, square=square, sum=lambda x: x.sum(),
               dot=lambda a, b: (a * b).sum(), index=operator.getitem,
               reshape=lambda x, shape: x.reshape(shape))
