"""A toy engine and its adapter: the worked example of docs/ADAPTERS.md, run by the tests.
It has the shape of every built-in adapter: a table of rules by class, a table of paths."""

from __future__ import annotations

import copy
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
    Step,
    Unsupported,
    flat_list_grads,
    path_entry,
    refusal,
    refused,
    rule_entry,
)
from optconf.reference import trainables
from optconf.reference.rules import AdaGrad, Descent, Momentum
from optconf.reference.rules.base import Rule


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


def flat_list(program: Program) -> Outcome:
    """One ListSGD over the list of distinct parameters, stepped op by op."""
    model = copy.deepcopy(program.model)     # deepcopy keeps shared arrays shared
    arrays = trainables(model)                # one entry per distinct parameter
    rule = program.rule
    engine = ListSGD([a.ravel().tolist() for a in arrays], *hyperparameters(rule))
    for op in program.ops:
        if isinstance(op, Step):
            grads = flat_list_grads(model, op.grads)  # tied gradients summed
            engine.step([None if g is None else g.ravel().tolist() for g in grads])
        elif isinstance(op, Adjust):
            rule = rule.adjusted(**op.changes)
            engine.eta, engine.rho = hyperparameters(rule)
        else:
            raise Unsupported(f"ListSGD cannot {type(op).__name__}")
    for a, p in zip(arrays, engine.params, strict=True):
        a[...] = np.reshape(p, a.shape)
    momentum = isinstance(program.rule, Momentum)
    states = [{"velocity": np.reshape(v, a.shape)} if momentum else None
              for a, v in zip(arrays, engine.velocity, strict=True)]
    return Outcome(model, states)


#: The path table: one function per update path the engine has.
PATHS: dict[PathName, Callable[[Program], Outcome]] = {"flat_list": flat_list}


class ListAdapter(Adapter):
    """ListSGD seen through the protocol: its two tables and the verbs that use them."""

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
        run_path = path_entry(PATHS, path, "ListSGD")
        if program.dtype != "float64":
            raise Unsupported(f"ListSGD runs float64, not {program.dtype}")
        return run_path(program)
