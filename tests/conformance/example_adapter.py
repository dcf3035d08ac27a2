"""A toy engine and its adapter: the worked example of docs/ADAPTERS.md, run by the tests.
It has the shape of every built-in engine adapter: a table of rules by class, a table of
paths whose functions return what they hold the parameters in, and the shared op loop."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from optconf.adapters.protocol import (
    Adapter,
    EngineInfo,
    Outcome,
    PathName,
    Program,
    Rule,
    Unsupported,
    flat_list_grads,
    path_entry,
    refusal,
    refused,
    rule_entry,
)
from optconf.adapters.session import Held, Run, drive
from optconf.reference import trainables
from optconf.reference.rules import AdaGrad, Descent, Momentum


class ListSGD:
    """The "engine": SGD with momentum over parameters held as flat Python lists,
    ``v = rho*v + eta*g; p = p - v`` (rho = 0 is plain descent)."""

    def __init__(self, params: list[list[float]], eta: float, rho: float = 0.0) -> None:
        self.params, self.eta, self.rho = params, eta, rho
        self.velocity = [[0.0] * len(p) for p in params]

    def step(self, grads: list[list[float] | None]) -> None:
        for p, v, g in zip(self.params, self.velocity, grads, strict=True):
            if g is None:  # no gradient: neither the parameter nor its velocity moves
                continue
            for i, gi in enumerate(g):
                v[i] = self.rho * v[i] + self.eta * gi
                p[i] -= v[i]


#: The rule table: each reference rule class as ListSGD's (eta, rho).  An entry that raises
#: Unsupported is a refusal with its reason; a class without an entry is refused, named.
RULES: dict[type[Rule], Callable[[Any], tuple[float, float]]] = {
    Descent: lambda rule: (rule.eta, 0.0),
    Momentum: lambda rule: (rule.eta, rule.rho),
    AdaGrad: refused("ListSGD keeps no accumulator"),
}


def hyperparameters(rule: Rule) -> tuple[float, float]:
    return rule_entry(RULES, rule, "ListSGD")(rule)


def flat_list(run: Run[tuple[float, float]]) -> Held:
    """One ListSGD over the list of distinct parameters; ``run.plan`` is its (eta, rho)."""
    arrays = trainables(run.program.model)    # one entry per distinct parameter
    engine = ListSGD([a.ravel().tolist() for a in arrays], *run.plan)

    def step(grads: Any) -> None:
        summed = flat_list_grads(run.program.model, grads)  # tied gradients summed
        engine.step([None if g is None else g.ravel().tolist() for g in summed])

    def adjust(_old: tuple[float, float], new: tuple[float, float]) -> None:
        engine.eta, engine.rho = new          # the velocity is kept (ADJ-2)

    def cannot_freeze(_positions: set[int], _freeze: bool) -> None:
        raise Unsupported("ListSGD cannot freeze")

    momentum = isinstance(run.program.rule, Momentum)
    return Held(step, adjust,
                lambda: [np.reshape(p, a.shape) for a, p in zip(arrays, engine.params,
                                                               strict=True)],
                lambda: [{"velocity": np.reshape(v, a.shape)} if momentum else None
                         for a, v in zip(arrays, engine.velocity, strict=True)],
                toggle=cannot_freeze)


#: The path table: one function per update path the engine has.
PATHS: dict[PathName, Callable[[Run[tuple[float, float]]], Held]] = {"flat_list": flat_list}


class ListAdapter(Adapter):
    """ListSGD seen through the protocol: its two tables and the verbs that use them."""

    protocol_version = 1  # the protocol version this adapter was written against

    def info(self) -> EngineInfo:
        return EngineInfo(
            name="listsgd", engine="listsgd", version="1.0", device="cpu",
            dtypes=("float64",),
            capabilities=frozenset({"shared", "none_grad", "adjust", "state"}),
            paths=tuple(PATHS),
        )

    def supports(self, rule: Rule) -> str | None:
        return refusal(hyperparameters, rule)

    def run(self, program: Program, path: PathName) -> Outcome:
        hold = path_entry(PATHS, path, "ListSGD")
        if program.dtype != "float64":
            raise Unsupported(f"ListSGD runs float64, not {program.dtype}")
        run = Run(program, hyperparameters)   # the rule in force and its plan
        return drive(run, hold(run))          # each op in turn on what the path holds
