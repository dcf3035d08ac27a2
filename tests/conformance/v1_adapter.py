"""An adapter written against protocol version 1 from docs/ADAPTERS.md alone, kept as it was
written: the suite must keep running it (CONF-2), and it imports only the documented public
API (``protocol.PUBLIC_MODULES``).  Its engine is a toy: NumPy arrays in the program's dtype,
stepped by Descent, Momentum, WeightDecay and chains of them, with state per parameter."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from optconf.adapters.protocol import (
    Adapter,
    Adjust,
    EngineInfo,
    Outcome,
    PathName,
    Program,
    Rule,
    Step,
    Unsupported,
    chain_members,
    flat_list_grads,
    frozen_at,
    path_entry,
    refusal,
    require_variant,
    rule_entry,
    with_values,
)
from optconf.reference import destructure, trainables, trainables_pullback, value_and_grad
from optconf.reference.expr import Expr, reached
from optconf.reference.rules import Descent, Momentum, WeightDecay

State = dict[str, np.ndarray]
#: A rule member's update: (its hyperparameters' rule, its state, parameter, gradient) ->
#: the gradient passed on; the state is updated in place.
Member = Callable[[Any, State, np.ndarray, np.ndarray], np.ndarray]


def _descent(rule: Any, _state: State, _x: np.ndarray, g: np.ndarray) -> np.ndarray:
    return rule.eta * g


def _momentum(rule: Any, state: State, _x: np.ndarray, g: np.ndarray) -> np.ndarray:
    state["velocity"] = rule.rho * state["velocity"] + rule.eta * g
    return state["velocity"].copy()


def _weight_decay(rule: Any, _state: State, x: np.ndarray, g: np.ndarray) -> np.ndarray:
    return g + rule.lambda_ * x


#: The rule table, by reference rule class; a chain is opened into these members.
RULES: dict[type[Rule], Member] = {
    Descent: _descent, Momentum: _momentum, WeightDecay: _weight_decay,
}
#: Momentum keeps the learning rate inside the velocity, the normative form (RULE-5).
VARIANTS = {Momentum: ("normative", "the toy engine keeps eta inside the velocity")}


def members(rule: Rule) -> list[tuple[str, Rule, Member]]:
    """The rules ``rule`` applies in order, each with its state-key prefix and update."""
    found = []
    for prefix, member in chain_members(rule):
        require_variant(VARIANTS, member)
        found.append((prefix, member, rule_entry(RULES, member, "the toy engine")))
    return found


def initial_state(rule: Rule, x: np.ndarray) -> State:
    """One parameter's state: the chain's members' fields, each under its prefix."""
    return {f"{prefix}velocity": np.zeros_like(x)
            for prefix, member, _ in members(rule) if isinstance(member, Momentum)}


def step_one(rule: Rule, state: State, x: np.ndarray, g: np.ndarray) -> None:
    """Apply every member to one parameter, in place."""
    for prefix, member, update in members(rule):
        own = {key.removeprefix(prefix): value for key, value in state.items()
               if key.startswith(prefix)}
        g = update(member, own, x, g)
        state.update({prefix + key: value for key, value in own.items()})
    x -= g


def per_parameter(program: Program) -> Outcome:
    """The structured and flat-list paths: one state per distinct parameter, stepped where
    it has a gradient and is not frozen; a step without any gradient changes nothing."""
    model = engine_model(program.model, program.dtype)
    params = trainables(model)
    rule = program.rule
    states = [initial_state(rule, x) for x in params]
    for op, frozen in frozen_at(model, program.ops):
        if isinstance(op, Adjust):
            rule = rule.adjusted(**op.changes)
        elif isinstance(op, Step):
            for i, g in enumerate(flat_list_grads(model, op.grads)):
                if g is not None and i not in frozen:
                    step_one(rule, states[i], params[i], g.astype(program.dtype))
    return Outcome(model, [dict(s) for s in states])


#: The path table: both paths run the same loop in this engine.
PATHS: dict[PathName, Callable[[Program], Outcome]] = {
    "structured": per_parameter, "flat_list": per_parameter,
}


def engine_model(model: Any, dtype: str) -> Any:
    """A copy of ``model`` with every parameter in ``dtype`` (the outcome's dtype), ties
    kept as one array."""
    return with_values(model, [p.astype(dtype) for p in trainables(model)])


class V1Adapter(Adapter):
    """The toy engine through protocol version 1."""

    protocol_version = 1

    def info(self) -> EngineInfo:
        return EngineInfo(
            name="v1toy", engine="v1toy", version="1.0", device="cpu",
            dtypes=("float64", "float32"),
            capabilities=frozenset({"shared", "freeze", "adjust", "none_grad", "state",
                                    "collect", "destructure", "gradient", "carried"}),
            paths=tuple(PATHS),
            variants={"Momentum": "normative"},
        )

    def supports(self, rule: Rule) -> str | None:
        return refusal(members, rule)

    def run(self, program: Program, path: PathName) -> Outcome:
        run_path = path_entry(PATHS, path, "the toy engine")
        if program.dtype not in self.info().dtypes:
            raise Unsupported(f"the toy engine has no {program.dtype}")
        return run_path(program)

    def collect(self, model: Any, dtype: str) -> list[np.ndarray]:
        return trainables(engine_model(model, dtype))

    def destructure(self, model: Any, dtype: str) -> np.ndarray:
        return destructure(engine_model(model, dtype))[0]

    def gradient(self, model: Any, loss: Expr, dtype: str, via: str) -> Any:
        """``Param(i)`` is the i-th parameter in the reference's collection order; an
        unreached one has no gradient through the list, zeros through the flat vector."""
        if via not in ("trainables", "destructure"):
            raise Unsupported(f"the toy engine has no {via!r} collection")
        params = trainables(engine_model(model, dtype))
        _, grads = value_and_grad(loss, params)
        used = reached(loss)
        cotangents = [g.astype(dtype) if via == "destructure" or i in used else None
                      for i, g in enumerate(grads)]
        return trainables_pullback(model, cotangents)

