"""A toy engine and its adapter: the worked example of docs/ADAPTERS.md, run by the tests."""

from __future__ import annotations

import copy

import numpy as np

from optconf.adapters.protocol import (
    Adapter,
    Adjust,
    EngineInfo,
    Outcome,
    Program,
    Step,
    Unsupported,
    flat_list_grads,
)
from optconf.reference import trainables
from optconf.reference.rules import Descent, Momentum


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


class ListAdapter(Adapter):
    """ListSGD seen through the protocol: one flat-list path, Descent and Momentum."""

    def info(self) -> EngineInfo:
        return EngineInfo(
            name="listsgd", engine="listsgd", version="1.0", device="cpu",
            dtypes=("float64",),
            capabilities=frozenset({"shared", "none_grad", "adjust", "state"}),
            paths=("flat_list",),
        )

    def supports(self, rule):
        if type(rule) in (Descent, Momentum):
            return None
        return f"ListSGD has no {type(rule).__name__}"

    def run(self, program: Program, path):
        if path != "flat_list" or program.dtype != "float64":
            raise Unsupported(f"ListSGD runs flat_list at float64, not {path} {program.dtype}")
        model = copy.deepcopy(program.model)     # deepcopy keeps shared arrays shared
        arrays = trainables(model)                # one entry per distinct parameter
        engine = ListSGD([a.ravel().tolist() for a in arrays], program.rule.eta,
                         getattr(program.rule, "rho", 0.0))
        for op in program.ops:
            if isinstance(op, Step):
                grads = flat_list_grads(model, op.grads)  # tied gradients summed
                engine.step([None if g is None else g.ravel().tolist() for g in grads])
            elif isinstance(op, Adjust):
                engine.eta = op.changes.get("eta", engine.eta)
                engine.rho = op.changes.get("rho", engine.rho)
            else:
                raise Unsupported(f"ListSGD cannot {type(op).__name__}")
        for a, p in zip(arrays, engine.params, strict=True):
            a[...] = np.reshape(p, a.shape)
        momentum = isinstance(program.rule, Momentum)
        states = [{"velocity": np.reshape(v, a.shape)} if momentum else None
                  for a, v in zip(arrays, engine.velocity, strict=True)]
        return Outcome(model, states)
