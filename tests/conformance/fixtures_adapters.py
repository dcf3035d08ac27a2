"""Tiny adapters for the runner's own tests: one that conforms for Descent, and one for
each way an engine can misbehave (crash, raise, hang, NaN)."""

from __future__ import annotations

import dataclasses
import os
import time

import numpy as np

from optconf.adapters.protocol import Adapter, EngineInfo, Outcome, Program, Unsupported
from optconf.reference import trainables
from optconf.reference.rules import Descent


class GoodAdapter(Adapter):
    """Plain gradient descent over a dict of arrays: conforms for Descent."""

    paths = ("structured", "flat_list")

    def info(self) -> EngineInfo:
        return EngineInfo(name=type(self).__name__, engine="toy", version="0", device="cpu",
                          dtypes=("float64",), capabilities=frozenset({"state"}),
                          paths=self.paths)

    def supports(self, rule):
        return None if isinstance(rule, Descent) else "only Descent"

    def run(self, program: Program, path):
        model = {k: v.copy() for k, v in program.model.items()}
        for op in program.ops:
            for k, g in op.grads.items():
                model[k] -= self.step(program.rule.eta * g, path)
        return Outcome(model, [None] * len(trainables(model)))

    def step(self, update, path):
        return update


class CrashAdapter(GoodAdapter):
    def run(self, program, path):
        os._exit(3)


class RaiseAdapter(GoodAdapter):
    def run(self, program, path):
        raise ValueError("engine exploded")


class HangAdapter(GoodAdapter):
    def run(self, program, path):
        time.sleep(60)


class NanAdapter(GoodAdapter):
    def step(self, update, path):
        return update * np.nan


class WrongAdapter(GoodAdapter):
    """Steps twice as far: a deviation on every path."""

    def step(self, update, path):
        return 2 * update


class FlatBrokenAdapter(GoodAdapter):
    """Deviates on the flat_list path only (for expectations tests)."""

    def step(self, update, path):
        return 2 * update if path == "flat_list" else update


class ReproAdapter(FlatBrokenAdapter):
    """FlatBrokenAdapter with the repro_source hook: its repro scripts need only NumPy."""

    def repro_source(self, program, path):
        factor = 2 if path == "flat_list" else 1
        return (
            "GOT = [p.copy() for p in PARAMS]\n"
            "for op in OPS:\n"
            "    for x, g in zip(GOT, op['grads']):\n"
            f"        x -= {factor} * RULE['eta'] * g\n"
        )


class PrintingAdapter(GoodAdapter):
    """Prints to stdout while running: must not corrupt the worker protocol."""

    def run(self, program, path):
        print("engine chatter {not json")
        return super().run(program, path)


class NoEngineAdapter(GoodAdapter):
    def __init__(self):
        raise Unsupported("toy engine needs a compiler that is not here")


class VariantAdapter(GoodAdapter):
    """Declares torch's Momentum and runs only that variant (and Descent)."""

    def info(self):
        return dataclasses.replace(super().info(), variants={"Momentum": "torch"})

    def supports(self, rule):
        if type(rule).__name__ == "Momentum":
            return None if rule.variant == "torch" else "only Momentum(variant='torch')"
        return super().supports(rule)


class HangingInfoAdapter(GoodAdapter):
    """Its info() never returns, as a deadlocking CUDA or XLA initialisation would."""

    def info(self):
        while True:
            time.sleep(1)


class CrashingInfoAdapter(GoodAdapter):
    """The process dies inside info()."""

    def info(self):
        os._exit(4)


class RaisingInfoAdapter(GoodAdapter):
    def info(self):
        raise RuntimeError("info exploded")


class CrashingLoadAdapter(GoodAdapter):
    """The process dies while the adapter is constructed (an engine's native start-up)."""

    def __init__(self):
        os._exit(5)
