"""Tiny adapters for the runner's own tests: one that conforms for Descent, and one for
each way an engine can misbehave (crash, raise, hang, NaN)."""

from __future__ import annotations

import dataclasses
import json
import os
import time

import numpy as np

from optconf.adapters.protocol import (
    Adapter,
    Adjust,
    EngineInfo,
    NotOffered,
    Outcome,
    Program,
    Step,
    Unsupported,
    flat_list_grads,
    refusal,
)
from optconf.adapters.reference import ReferenceAdapter
from optconf.reference import trainables
from optconf.reference.collect import trainables_pullback
from optconf.reference.rules import Adam, Descent
from optconf.reference.rules.adam import advanced


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


class SlowToLoadAdapter(GoodAdapter):
    """An engine whose import takes long (XLA, a CUDA context): its worker says hello late."""

    def __init__(self):
        time.sleep(60)


class ForkingSlowToLoadAdapter(GoodAdapter):
    """An engine that forks a helper as it loads (a compile pool): the helper holds every
    pipe of the worker, its protocol stream too; its pid goes to $OPTCONF_TEST_PIDFILE."""

    def __init__(self):
        helper = os.fork()
        if helper == 0:
            time.sleep(60)
            os._exit(0)
        with open(os.environ["OPTCONF_TEST_PIDFILE"], "w") as pidfile:
            pidfile.write(str(helper))
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


class EnvironmentAdapter(GoodAdapter):
    """Says in its notes the engine settings its worker process was given (as JSON)."""

    NAMES = ("PARALLEL", "JAX_COMPILATION_CACHE_DIR", "CACHEDB")

    def info(self) -> EngineInfo:
        settings = {name: os.environ.get(name) for name in self.NAMES}
        return dataclasses.replace(super().info(), notes=json.dumps(settings))


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


# --------------------------- the reference with one gap or deviation (issue 16, problems 1, 3, 4)


class GradientWithoutFlatView(ReferenceAdapter):
    """Differentiates through ``trainables`` (and ``legacy``) but has no flat-vector view: no
    ``destructure`` capability, and the destructure route refused."""

    def info(self) -> EngineInfo:
        info = super().info()
        return dataclasses.replace(info, capabilities=info.capabilities - {"destructure"})

    def gradient(self, model, loss, dtype, via):
        if via == "destructure":
            raise Unsupported("no flat-vector view")
        return super().gradient(model, loss, dtype, via)


@dataclasses.dataclass(frozen=True)
class EpsInsideRoot(Adam):
    """Adam with epsilon inside the square root (optax #571's TF form), dividing by the
    rule's own bias-correction powers (ADAM-2)."""

    def apply(self, state, x, dx):
        b1t, b2t = self.powers(state.beta_t, state.steps)
        mu, nu = state.mu, state.nu
        mu *= self.beta[0]
        mu += (1 - self.beta[0]) * dx
        nu *= self.beta[1]
        nu += (1 - self.beta[1]) * dx**2
        step = self.eta * (mu / (1 - b1t)) / np.sqrt(nu / (1 - b2t) + self.epsilon)
        return advanced(state, self.beta), step


class AdamEpsInside(ReferenceAdapter):
    """An engine whose Adam deviates (epsilon inside the root) and whose every structural
    behaviour is right."""

    def run(self, program, path):
        rule = program.rule
        if type(rule) is Adam:
            rule = EpsInsideRoot(rule.eta, rule.beta, rule.epsilon)
        return super().run(dataclasses.replace(program, rule=rule), path)


class NoAccumGradNoChain(ReferenceAdapter):
    """Refuses AccumGrad and OptimiserChain (torch.optim and tinygrad have neither) and runs
    everything else as the reference does."""

    def supports(self, rule):
        if type(rule).__name__ in ("AccumGrad", "OptimiserChain"):
            return f"no {type(rule).__name__}"
        return super().supports(rule)


class FlatVectorStepsZeros(ReferenceAdapter):
    """On ``flat_vector``, a step with no gradient anywhere is taken with a zero gradient
    (the rule runs and its state advances) instead of being skipped (UPD-5)."""

    def run(self, program, path):
        if path == "flat_vector":
            params = trainables(program.model)
            zeros = trainables_pullback(program.model, [np.zeros(p.shape) for p in params])
            ops = tuple(Step(zeros) if isinstance(op, Step) and op.grads is None else op
                        for op in program.ops)
            program = dataclasses.replace(program, ops=ops)
        return super().run(program, path)


class NoneGradOnPerArrayOnly(ReferenceAdapter):
    """Tells a missing gradient from a zero one on ``per_array`` only (declared per path);
    records the paths that were sent one and fails elsewhere."""

    def __init__(self):
        super().__init__()
        self.sent_none: set[str] = set()

    def info(self) -> EngineInfo:
        info = super().info()
        return dataclasses.replace(info, capabilities=info.capabilities - {"none_grad"},
                                   path_capabilities={"per_array": frozenset({"none_grad"})})

    def run(self, program, path):
        for op in program.ops:
            if isinstance(op, Step) and op.grads is not None and any(
                    g is None for g in flat_list_grads(program.model, op.grads)):
                self.sent_none.add(path)
                if path != "per_array":
                    raise AssertionError(f"a missing gradient on {path}, which lacks none_grad")
        return super().run(program, path)


class AdamAdjustIgnored(ReferenceAdapter):
    """Steps every rule as the reference does, but an ``adjust`` of Adam changes nothing (an
    engine whose Adam deviates only under adjust, like torch's bias correction, T2)."""

    def run(self, program, path):
        if type(program.rule) is Adam:
            ops = tuple(op for op in program.ops if not isinstance(op, Adjust))
            program = dataclasses.replace(program, ops=ops)
        return super().run(program, path)


class PathFreezeAdapter(GoodAdapter):
    """Can freeze on flat_list only (a capability declared per path)."""

    def info(self) -> EngineInfo:
        return dataclasses.replace(super().info(),
                                   path_capabilities={"flat_list": frozenset({"freeze"})})


class NarrowAdapter(GoodAdapter):
    """Has only Descent and Adam and runs only Descent: Adam is a rule it has but cannot
    express, every other rule one it does not offer (NotOffered)."""

    def supports(self, rule):
        def check(rule):
            if type(rule).__name__ not in ("Adam", "Descent"):
                raise NotOffered(f"toy has no {type(rule).__name__}")
            if not isinstance(rule, Descent):
                raise Unsupported("only Descent")
        return refusal(check, rule)
