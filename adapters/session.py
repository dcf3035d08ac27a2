"""What the engine adapters share between their rule table and their path table: a rule's
plan, and the loop that carries a program's ops out on what one update path holds.

An adapter's path function (one per path, ``PATHS``) sets the path up for a :class:`Run`
and returns :class:`Held`: how one step, one adjustment, a freeze or thaw and a checkpoint
are done on that path's optimisers, and how to read the parameters and states back.
:func:`drive` then takes the program's ops in turn, the same way for every engine and path
(docs/ADAPTERS.md, "A worked example").  Engines whose optimisers are objects built from a
class name and keyword arguments (torch, keras, mlx) plan each rule as a :class:`Plan`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Generic, TypeVar

from optconf.reference.rules import Descent

from .protocol import (
    Absent,
    Adjust,
    Checkpoint,
    Freeze,
    Outcome,
    Program,
    Rule,
    Step,
    Stopped,
    Thaw,
    Unsupported,
    composed,
    frozen_at,
    indices_under,
    require_variant,
    rule_entry,
    with_values,
)

__all__ = ["Held", "Plan", "Run", "beta_powers", "carry_out", "drive", "finished", "not_offered",
           "op_literals", "planned", "refuse_flat", "refuse_per_array", "resumed_from"]

#: A rule's plan (a :class:`Plan`, or whatever an engine builds its optimisers from).
P = TypeVar("P")


@dataclasses.dataclass(frozen=True)
class Plan:
    """How an engine runs one rule: gradient ``clips`` (applied before the step, as the
    engine's users clip), then ``optimiser(**kwargs)``; ``state`` reads one parameter's
    optimiser state as the reference's fields (None where the engine keeps no counterpart),
    each key then prefixed with ``prefix``, the core rule's place in a chain (CHAIN-1)."""

    optimiser: str
    kwargs: Mapping[str, Any]
    state: Callable[..., dict[str, Any] | None]
    clips: tuple[Rule, ...] = ()
    prefix: str = ""

    def fields(self, pick: Callable[[Any], Any], array: type, *raw: Any
               ) -> dict[str, Any] | None:
        """``state(*raw)`` keyed as the reference's state record, each ``array`` value
        passed through ``pick`` (the parameter's piece of a flat buffer, a NumPy copy)."""
        found = self.state(*raw)
        if found is None:
            return None
        return {self.prefix + key: pick(value) if isinstance(value, array) else value
                for key, value in found.items()}


def planned(rule: Rule, table: Mapping[type[Rule], Callable[[Any, float], Plan]],
            variants: Mapping[type[Rule], tuple[str, str]], engine: str,
            clips: Iterable[type[Rule]], composes: str) -> Plan:
    """The plan of ``rule``, a rule or a chain composed as optimiser libraries compose one
    (:func:`composed`: clipping, one coupled WeightDecay, one rule): ``table``'s entry for
    the core rule, in the variant the engine implements (RULE-5), given the decay.  Clipping
    and decay alone are Descent(eta=1): ``x -= clipped g + lambda x``."""
    chain = composed(rule, tuple(clips), composes)
    prefix, core = chain.core or ("", Descent(eta=1.0))
    require_variant(variants, core)
    plan = rule_entry(table, core, engine)(core, chain.decay or 0.0)
    return dataclasses.replace(plan, clips=chain.clips, prefix=prefix)


def beta_powers(betas: Iterable[float], count: Any) -> tuple[float, ...]:
    """``b^t`` of each of ``betas`` for the step after ``count`` taken ones, as engines that
    keep a step count bias-correct with their current betas (ADAM-2)."""
    t = int(count) + 1
    return tuple(b**t for b in betas)


def not_offered(engine: str, *classes: type[Rule]) -> dict[type[Rule], Absent]:
    """Rule-table entries for the rule ``classes`` that ``engine`` does not have at all:
    ``Absent("<engine> has no <class>")`` each (NotOffered, CONF-3)."""
    return {cls: Absent(f"{engine} has no {cls.__name__}") for cls in classes}


def refuse_per_array(rule: Rule, what: str) -> None:
    """Unsupported for a rule that needs the norm over every array (RULE-8) on a path
    that updates ``what`` (one array at a time)."""
    if rule.needs_global:
        raise Unsupported(f"{rule!r} needs the norm over every array of an update, which "
                          f"{what} does not see (RULE-8)")


def refuse_flat(rule: Rule, what: str) -> None:
    """Unsupported for a rule that works per array (RULE-4) on a path that concatenates
    the parameters into ``what``."""
    if not rule.elementwise:
        raise Unsupported(f"{rule!r} works per array; {what} is one array, a different "
                          "computation (RULE-4)")


class Run(Generic[P]):
    """One program on an engine: the rule and plan in force and the parameter positions
    frozen now.  ``plan_of`` plans a rule (again after each Adjust)."""

    def __init__(self, program: Program, plan_of: Callable[[Rule], P]) -> None:
        self.program, self.plan_of = program, plan_of
        self.rule, self.plan = program.rule, plan_of(program.rule)
        self.frozen: frozenset[int] = frozenset()


def _untouched(*_args: Any) -> None:
    """A Freeze, Thaw or Checkpoint that the path's optimisers do not see: the path reads
    ``run.frozen`` when it steps, or keeps its state as it is (SHARD-4)."""


@dataclasses.dataclass
class Held:
    """What one update path holds a program's parameters in, as the ops reach it:
    ``step(grads)`` takes a Step's gradient tree, ``adjust(old, new)`` the plans before and
    after an Adjust (``run.rule`` and ``run.plan`` are the new ones once it returns),
    ``toggle(positions, freeze)`` the parameters a Freeze or Thaw names, ``reload(into)`` a
    Checkpoint.  ``values()`` and ``states()`` read the parameters (trainables order, NumPy
    in the run's dtype) and their states (reference fields, None where there is none)."""

    step: Callable[[Any], None]
    adjust: Callable[[Any, Any], None]
    values: Callable[[], list[Any]]
    states: Callable[[], list[dict[str, Any] | None]]
    toggle: Callable[[set[int], bool], None] = _untouched
    reload: Callable[[str], None] = _untouched

    def outcome(self, program: Program) -> Outcome:
        """``program``'s model with the values read back (ties kept), and the states."""
        return Outcome(with_values(program.model, self.values()), self.states())


def finished(values: list[Any], states: list[dict[str, Any] | None]) -> Held:
    """A path carried out elsewhere (in a rank process): what it left, the ops having been
    done there."""
    return Held(_untouched, _untouched, lambda: values, lambda: states)


def resumed_from(held: Any, fresh: Any) -> None:
    """A Checkpoint's fresh optimiser (STATE-8) put in the place of ``held``, the one a path
    holds: ``held`` takes ``fresh``'s attributes, so every reference the path keeps to it
    reaches the fresh optimiser (of the same class)."""
    if type(fresh) is not type(held):
        raise TypeError(f"a {type(held).__name__} cannot resume from a {type(fresh).__name__}")
    vars(held).clear()
    vars(held).update(vars(fresh))


def carry_out(run: Run[Any], held: Held) -> None:
    """Each op of ``run``'s program on ``held``, ``run.frozen`` the positions frozen when it
    runs (FRZ-1, FRZ-3); a DeprecationWarning made an error stops the run with the model and
    states it left (Stopped, DEP-5)."""
    model = run.program.model
    try:
        for op, frozen in frozen_at(model, run.program.ops):
            run.frozen = frozen
            if isinstance(op, Step):
                held.step(op.grads)
            elif isinstance(op, Freeze | Thaw):
                held.toggle(indices_under(model, op.keys), isinstance(op, Freeze))
            elif isinstance(op, Adjust):
                rule = run.rule.adjusted(**op.changes)
                old, run.rule, run.plan = run.plan, rule, run.plan_of(rule)
                held.adjust(old, run.plan)
            elif isinstance(op, Checkpoint):
                held.reload(op.into)
    except DeprecationWarning as error:
        raise Stopped(error, held.outcome(run.program)) from error


def op_literals(program: Program, adjusted: Callable[[Rule], Any], other: Any = None
                ) -> list[Any]:
    """Each op's data, for a repro script to hold as a literal: the sorted positions a Freeze
    or Thaw names, ``adjusted(rule)`` of the rule after an Adjust, ``other`` for the rest."""
    rule, found = program.rule, list[Any]()
    for op in program.ops:
        if isinstance(op, Adjust):
            rule = rule.adjusted(**op.changes)
            found.append(adjusted(rule))
        else:
            found.append(sorted(indices_under(program.model, op.keys))
                         if isinstance(op, Freeze | Thaw) else other)
    return found


def drive(run: Run[Any], held: Held) -> Outcome:
    """The outcome of ``run``'s program carried out on ``held``."""
    carry_out(run, held)
    return held.outcome(run.program)
