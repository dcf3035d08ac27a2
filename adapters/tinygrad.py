"""The tinygrad adapter: tinygrad 0.14's ``nn.optim`` and ``nn.state`` in reference terms.

Mapping (read from the installed ``tinygrad/nn/optim.py``; findings in docs/FINDINGS.md):

* ``Descent`` / ``Momentum`` / ``Nesterov`` -> ``SGD`` (``LARS`` with the trust ratio off).
  ``classic=True`` multiplies the gradient by lr *before* the momentum buffer, which is
  Optimisers.jl's velocity (MOMENTUM-1, NESTEROV-1); ``classic=False`` (tinygrad's default)
  is the ``"torch"`` variant (MOMENTUM-2, NESTEROV-2).  ``OptimiserChain(WeightDecay(l), r)``
  with ``r`` one of these -> ``SGD(weight_decay=l)``: tinygrad adds ``l*x`` to the gradient
  first (``pre_wd``), as the chain does (WEIGHTDECAY-1, CHAIN-1).
* ``Adam`` -> ``Adam`` and ``AdamW(couple=True)`` -> ``AdamW``: both are ``LAMB(adam=True)``,
  i.e. LAMB with the trust ratio fixed at 1; epsilon is added outside the root of the
  bias-corrected second moment, as in ADAM-3, and the decay sits inside the lr product
  (ADAMW-1).  ``LAMB`` itself has no reference rule.
* Everything else has no tinygrad optimiser: ``supports`` says so.

Paths: ``structured`` (a tree of Tensors with shared arrays as one Tensor, collected with
``nn.state.get_parameters``, gradients put in by ``backward()`` of ``sum(p * g)`` over every
occurrence, so tinygrad itself sums a shared Tensor's gradients), ``flat_list`` (one
optimiser over the Tensors in ``trainables`` order, ``.grad`` assigned), ``per_array`` (one
optimiser per Tensor), ``fused`` (``fused=True``: tinygrad concatenates every parameter into
one flat buffer) and ``flat_vector`` (one Tensor holding the concatenation).

tinygrad's ``Optimizer.step`` needs a ``.grad`` on every parameter it holds and has no
freezing, so a missing gradient or a frozen parameter can only be honoured on ``per_array``
(skip that optimiser); the other paths report such programs as unsupported.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
from collections.abc import Iterator
from importlib.metadata import version
from typing import Any

import numpy as np

from optconf.reference import collect as ref_collect
from optconf.reference import tree as ref_tree
from optconf.reference.expr import Ops, evaluate, reached
from optconf.reference.grads import per_occurrence
from optconf.reference.rules.base import Rule

from .protocol import (
    Adapter,
    Adjust,
    EngineInfo,
    Freeze,
    Op,
    Outcome,
    PathName,
    Program,
    Step,
    Thaw,
    Unsupported,
    flat_list_grads,
    flat_vector_grads,
)
from .reference import _indices_under
from .tinygrad_cc import use_zig_cc_without_clang

INSTALL_HINT = "pip install 'optconf[tinygrad]'"
CLANG_HINT = (
    "tinygrad's CPU device needs clang (apt-get install clang), "
    "or set DEV=PYTHON"
)
PATHS: tuple[PathName, ...] = ("structured", "flat_list", "per_array", "fused", "flat_vector")
DTYPES = ("float32", "float64")
#: Set to 1 to declare float64 (where the device has it).  Off by default: tinygrad's
#: optimisers keep lr, state and b^t in float32 whatever the parameters' dtype and SGD with
#: momentum crashes on float64 (docs/FINDINGS.md T1, T2), so every float64 case fails and
#: the suite's budget would go to shrinking that one known deviation.
FLOAT64_ENV = "OPTCONF_TINYGRAD_FLOAT64"


# ------------------------------------------------------------------------ rule translation


@dataclasses.dataclass(frozen=True)
class Plan:
    """How a reference rule is built in tinygrad: ``factory`` (``"SGD"`` or ``"LAMB"``),
    its keyword arguments, the sign of the momentum buffer relative to the reference
    velocity (None: the rule has no velocity), and the prefix of the reference state's field
    names (a chain's member index)."""

    factory: str
    kwargs: dict[str, Any]
    velocity_sign: float | None = None
    prefix: str = ""


def _sgd(rule: Rule, weight_decay: float, prefix: str) -> Plan | str:
    name = type(rule).__name__
    if name == "Descent":
        return Plan("SGD", dict(lr=rule.eta, momentum=0.0, weight_decay=weight_decay,
                                nesterov=False, classic=True), prefix=prefix)
    nesterov = name == "Nesterov"
    torch_form = rule.variant == "torch"
    # normative Nesterov keeps v = rho v - eta g; tinygrad's classic buffer is its negative
    sign = -1.0 if nesterov and not torch_form else 1.0
    return Plan("SGD", dict(lr=rule.eta, momentum=rule.rho, weight_decay=weight_decay,
                            nesterov=nesterov, classic=not torch_form), sign, prefix)


def plan_for(rule: Rule) -> Plan | str:
    """The tinygrad optimiser that computes ``rule`` exactly, or why there is none."""
    name = type(rule).__name__
    if name in ("Descent", "Momentum", "Nesterov"):
        return _sgd(rule, 0.0, "")
    if name == "Adam":
        b1, b2 = rule.beta
        return Plan("LAMB", dict(lr=rule.eta, b1=b1, b2=b2, eps=rule.epsilon,
                                 weight_decay=0.0, adam=True))
    if name == "AdamW":
        if not rule.couple:
            return ("tinygrad's AdamW always scales the decay by lr (LAMB: lr * (adam + wd*x)); "
                    "it has no AdamW(couple=false) (ADAMW-2)")
        b1, b2 = rule.beta
        return Plan("LAMB", dict(lr=rule.eta, b1=b1, b2=b2, eps=rule.epsilon,
                                 weight_decay=rule.lambda_, adam=True))
    if name == "OptimiserChain":
        return _chain_plan(rule)
    return (f"tinygrad 0.14 has no {name} optimiser (nn/optim.py has SGD, LARS, Muon, LAMB, "
            "Adam, AdamW)")


def _chain_plan(rule: Rule) -> Plan | str:
    members = rule.rules
    names = [type(r).__name__ for r in members]
    if len(members) == 1:
        inner = plan_for(members[0])
        return inner if isinstance(inner, str) else dataclasses.replace(inner, prefix="0.")
    if (len(members) == 2 and names[0] == "WeightDecay"
            and names[1] in ("Descent", "Momentum", "Nesterov")):
        return _sgd(members[1], members[0].lambda_, "1.")
    return (f"tinygrad composes only WeightDecay before SGD (weight_decay=, added to the "
            f"gradient first); it has no chain {' -> '.join(names)}")


# ------------------------------------------------------------------------ the engine


class _Engine:
    """The tinygrad names the adapter uses, imported once the engine is known to work."""

    def __init__(self) -> None:
        use_zig_cc_without_clang()
        try:
            import tinygrad
            from tinygrad.helpers import Context
            from tinygrad.nn import optim, state
        except ImportError as exc:
            raise ImportError(f"{INSTALL_HINT} ({exc})") from exc
        self.tinygrad, self.Tensor, self.dtypes = tinygrad, tinygrad.Tensor, tinygrad.dtypes
        self.Context, self.optim, self.state = Context, optim, state
        self.device = str(tinygrad.Device.DEFAULT)
        compiler = os.environ.get("CC", "clang")
        if self.device.split(":")[0] == "CPU" and shutil.which(compiler) is None:
            raise RuntimeError(CLANG_HINT)
        try:  # the first kernel compiles and runs: a device that cannot is unavailable
            (self.Tensor([1.0]) + 1).realize()
        except FileNotFoundError as exc:
            if "clang" in str(exc):
                raise RuntimeError(CLANG_HINT) from exc
            raise RuntimeError(f"tinygrad device {self.device}: {exc}") from exc
        renderer = tinygrad.Device[self.device].renderer
        self.dtype_names = tuple(
            d for d in DTYPES if getattr(self.dtypes, d) in renderer.supported_dtypes()
        )

    def dtype(self, name: str) -> Any:
        if name not in self.dtype_names:
            raise Unsupported(f"tinygrad on {self.device} runs {', '.join(self.dtype_names)}, "
                              f"not {name}")
        return getattr(self.dtypes, name)

    def tensor(self, array: np.ndarray, dtype: Any, param: bool = True) -> Any:
        """A realized Tensor holding ``array``; ``param=False`` marks a buffer, as tinygrad's
        BatchNorm marks its running statistics."""
        t = self.Tensor(np.ascontiguousarray(array), dtype=dtype).contiguous()
        return t.is_param_(param).realize()

    def optimizer(self, plan: Plan, params: list[Any], fused: bool = False) -> Any:
        factory = getattr(self.optim, plan.factory)
        return factory(params, fused=fused, **plan.kwargs)

    def const(self, array: np.ndarray, dtype: Any, shape: tuple[int, ...] | None = None) -> Any:
        """A gradient or constant as a Tensor of ``dtype`` (reshaped to ``shape``)."""
        array = np.asarray(array) if shape is None else np.reshape(array, shape)
        return self.Tensor(np.ascontiguousarray(array), dtype=dtype)

    def step(self, opt: Any) -> None:
        with self.Context(TRAINING=1):
            opt.step()

    def ops(self, dtype: Any) -> Ops:
        """The expression language's operations on tinygrad Tensors (EXPR-1)."""
        return Ops(
            const=lambda a: self.const(a, dtype),
            add=lambda a, b: a + b,
            mul=lambda a, b: a * b,
            matmul=lambda a, b: a @ b,
            tanh=lambda a: a.tanh(),
            square=lambda a: a.square(),
            sum=lambda a: a.sum(),
            dot=lambda a, b: (a * b).sum(),
            index=lambda a, key: a[key],
            reshape=lambda a, shape: a.reshape(shape),
        )


# ------------------------------------------------------------------------ engine models


class EngineModel:
    """A tree of Tensors mirroring a reference model: one Tensor per distinct array (ties
    are the same Tensor), non-trainable arrays as buffers (``is_param_(False)``), other
    leaves as they were.  ``tensors`` follows ``trainables(model)`` order.

    A 0-d parameter is held as a shape-(1,) Tensor and read back as 0-d: tinygrad's
    optimisers cannot update a 0-d Tensor (their lr is a shape-(1,) Tensor, so the update
    broadcasts; see docs/FINDINGS.md), and hypothesis draws 0-d arrays first, so without
    this one engine bug would hide every other result."""

    def __init__(self, engine: _Engine, model: Any, dtype: Any) -> None:
        self.source = model
        made: dict[int, Any] = {}
        self.shape: dict[int, tuple[int, ...]] = {}

        def param(_path: ref_tree.Path, x: np.ndarray) -> Any:
            made[id(x)] = engine.tensor(x.reshape(1) if x.ndim == 0 else x, dtype)
            self.shape[id(made[id(x)])] = x.shape
            return made[id(x)]

        def carried(_path: ref_tree.Path, value: Any) -> Any:
            if isinstance(value, np.ndarray):
                cast = dtype if np.issubdtype(value.dtype, np.floating) else None
                return engine.tensor(value, cast, param=False)
            return value

        self.tree = ref_tree.map_params(param, model, carried=carried)
        self.tensors = [made[id(p)] for p in ref_collect.trainables(model)]

    def tensor_of(self) -> dict[int, Any]:
        """id of a source array -> its Tensor."""
        return dict(zip(map(id, ref_collect.trainables(self.source)), self.tensors,
                        strict=True))

    def numpy(self, t: Any) -> np.ndarray:
        """A Tensor's value in its source array's shape."""
        return t.numpy().reshape(self.shape.get(id(t), t.shape))

    def shapes(self) -> list[tuple[int, ...]]:
        return [self.shape[id(t)] for t in self.tensors]

    def values(self) -> list[np.ndarray]:
        return [self.numpy(t) for t in self.tensors]

    def rebuilt(self, values: list[np.ndarray]) -> Any:
        """The source model with each distinct array replaced by its new value, in the
        engine's dtype; ties stay one object, carried leaves are the source's own (TIE-3)."""
        by_id = {id(p): v for p, v in zip(ref_collect.trainables(self.source), values,
                                           strict=True)}
        return ref_tree.map_params(lambda _path, x: by_id[id(x)], self.source)


# ------------------------------------------------------------------------ optimiser state


def _slot_state(plan: Plan, opt: Any, slot: int, piece: slice, shape: tuple[int, ...]
                ) -> dict[str, Any] | None:
    """The reference state fields of one parameter, read from slot ``slot`` of ``opt`` (a
    slice ``piece`` of it for fused and flat buffers); None where tinygrad keeps none that
    the reference has (SGD with momentum 0 keeps no buffer)."""

    def read(t: Any) -> np.ndarray:
        return t.numpy().reshape(-1)[piece].reshape(shape)

    p = plan.prefix
    if plan.factory == "LAMB":
        # tinygrad keeps b^t of the last step; the reference keeps b^t of the next (ADAM-2)
        b1t, b2t = float(opt.b1_t.numpy()[0]), float(opt.b2_t.numpy()[0])
        return {f"{p}mu": read(opt.m[slot]), f"{p}nu": read(opt.v[slot]),
                f"{p}beta_t": (b1t * opt.b1, b2t * opt.b2)}
    if opt.momentum and plan.velocity_sign is not None:
        return {f"{p}velocity": plan.velocity_sign * read(opt.b[slot])}
    return None if plan.velocity_sign is not None else {}


# ------------------------------------------------------------------------ the paths


@dataclasses.dataclass
class _StepMask:
    """For one Step: which distinct parameters have a gradient and which are frozen."""

    has_grad: list[bool]
    frozen: list[bool]

    def active(self) -> list[bool]:
        return [g and not f for g, f in zip(self.has_grad, self.frozen, strict=True)]


def _masked(program: Program, model: Any) -> Iterator[tuple[Op, _StepMask | None]]:
    """Each op, and for a Step its mask (UPD-5, FRZ-1, FRZ-3)."""
    frozen = [False] * len(ref_collect.trainables(model))
    for op in program.ops:
        if isinstance(op, Freeze | Thaw):
            for i in _indices_under(model, op.keys):
                frozen[i] = isinstance(op, Freeze)
        mask = None
        if isinstance(op, Step):
            grads = flat_list_grads(model, op.grads)
            mask = _StepMask([g is not None for g in grads], list(frozen))
        yield op, mask


NO_PARTIAL_STEP = (
    "tinygrad's Optimizer.step asserts that every parameter it holds has a .grad (unwrap in "
    "nn/optim.py) and has no freezing: a missing gradient or a frozen parameter can only be "
    "skipped with one optimiser per array (per_array path)"
)


class _Run:
    """One program on one path.  Subclasses build the optimiser(s) in ``start``, put
    gradients in and read values and state back."""

    def __init__(self, engine: _Engine, rule: Rule, model: Any, dtype: Any) -> None:
        self.engine, self.rule, self.dtype = engine, rule, dtype
        plan = plan_for(rule)
        if isinstance(plan, str):
            raise Unsupported(plan)
        self.plan = plan
        self.model = EngineModel(engine, model, dtype)
        # tinygrad asserts an optimiser has a parameter; a model without any gets none, and
        # its steps have nothing to do (STATE-5 differs: docs/FINDINGS.md)
        self.opts: list[Any] = self.start() if self.model.tensors else []

    def start(self) -> list[Any]:
        raise NotImplementedError

    def execute(self, program: Program) -> Outcome:
        for op, mask in _masked(program, self.model.source):
            if mask is not None and any(mask.active()):
                self.step(op.grads, mask)  # type: ignore[union-attr]
            elif isinstance(op, Adjust):
                self.adjust(op.changes)
        return Outcome(self.model.rebuilt(self.values()), self.states() if self.opts else [])

    def step(self, grads: Any, mask: _StepMask) -> None:
        """One ``Optimizer.step``.  A step in which no parameter has a gradient is not taken
        (a training loop does not call ``step`` without gradients); one in which only some
        have, or some are frozen, is what ``step`` asserts against."""
        if not all(mask.active()):
            raise Unsupported(NO_PARTIAL_STEP)
        self.put_grads(grads)
        for opt in self.opts:
            self.engine.step(opt)

    def put_grads(self, grads: Any) -> None:
        for t, g in zip(self.model.tensors, flat_list_grads(self.model.source, grads),
                        strict=True):
            assert g is not None, "a partial step is refused before (NO_PARTIAL_STEP)"
            t.grad = self.engine.const(g, self.dtype, t.shape)

    def adjust(self, changes: Any) -> None:
        """Set the new hyperparameters on the live optimisers, keeping their state (ADJ-1):
        lr is a Tensor, assigned in place as tinygrad's lr schedulers do; the others are
        plain attributes read at every step."""
        self.rule = self.rule.adjusted(**changes)
        plan = plan_for(self.rule)
        if isinstance(plan, str) or _structure(plan) != _structure(self.plan):
            raise Unsupported(f"tinygrad cannot change {sorted(changes)} of a live optimiser "
                              "this way: it would need a different optimiser")
        self.plan = plan
        attribute = {"momentum": "momentum", "b1": "b1", "b2": "b2", "eps": "eps",
                     "weight_decay": "wd"}
        for opt in self.opts:
            for name, value in plan.kwargs.items():
                if name == "lr":
                    opt.lr.assign(self.engine.Tensor([value], dtype=opt.lr.dtype)).realize()
                elif name in attribute:
                    setattr(opt, attribute[name], value)

    def values(self) -> list[np.ndarray]:
        return self.model.values()

    def states(self) -> list[dict[str, Any] | None]:
        raise NotImplementedError


def _structure(plan: Plan) -> tuple[Any, ...]:
    """What a live optimiser cannot change: its class, momentum on/off, nesterov, classic."""
    kw = plan.kwargs
    return (plan.factory, bool(kw.get("momentum")), kw.get("nesterov"), kw.get("classic"))


class _OneOptimiser(_Run):
    """``flat_list``: one optimiser over the Tensors in trainables order."""

    fused = False

    def start(self) -> list[Any]:
        return [self.engine.optimizer(self.plan, self.model.tensors, fused=self.fused)]

    def states(self) -> list[dict[str, Any] | None]:
        """State by Tensor; None for a Tensor the optimiser does not hold."""
        opt = self.opts[0]
        slot_of = {id(t): i for i, t in enumerate(opt.params)}
        offsets = np.cumsum([0] + [t.numel() for t in opt.params])
        out: list[dict[str, Any] | None] = []
        for t, shape in zip(self.model.tensors, self.model.shapes(), strict=True):
            i = slot_of.get(id(t))
            if i is None:
                out.append(None)
            elif self.fused:
                piece = slice(int(offsets[i]), int(offsets[i + 1]))
                out.append(_slot_state(self.plan, opt, 0, piece, shape))
            else:
                out.append(_slot_state(self.plan, opt, i, slice(None), shape))
        return out


class _Fused(_OneOptimiser):
    """``fused=True``: tinygrad concatenates parameters, gradients and state into flat
    buffers and slices the update back (the ``FUSE_OPTIM`` default of that argument)."""

    fused = True


class _Structured(_OneOptimiser):
    """The model tree itself: the optimiser gets ``get_parameters(tree)`` (a shared Tensor
    listed once per occurrence, deduplicated by the Optimizer; buffers kept aside by it), and
    gradients arrive by ``backward()`` of ``sum(p * g)`` over every occurrence, so tinygrad
    accumulates a shared Tensor's gradients itself (TIE-2)."""

    def start(self) -> list[Any]:
        return [self.engine.optimizer(self.plan,
                                      self.engine.state.get_parameters(self.model.tree))]

    def put_grads(self, grads: Any) -> None:
        self.opts[0].zero_grad()
        tensor_of = self.model.tensor_of()
        terms = [(t * self.engine.const(g, self.dtype, t.shape)).sum()
                 for occ, g in per_occurrence(self.model.source, grads) if g is not None
                 for t in [tensor_of[id(occ.array)]]]
        loss = terms[0]
        for term in terms[1:]:
            loss = loss + term
        loss.backward()


class _PerArray(_Run):
    """One optimiser per distinct Tensor: the one path that can leave some out."""

    def start(self) -> list[Any]:
        return [self.engine.optimizer(self.plan, [t]) for t in self.model.tensors]

    def step(self, grads: Any, mask: _StepMask) -> None:
        pairs = zip(self.model.tensors, self.opts, flat_list_grads(self.model.source, grads),
                    mask.active(), strict=True)
        for t, opt, g, on in pairs:
            if on:  # active only where there is a gradient
                assert g is not None
                t.grad = self.engine.const(g, self.dtype, t.shape)
                self.engine.step(opt)

    def states(self) -> list[dict[str, Any] | None]:
        return [_slot_state(self.plan, opt, 0, slice(None), shape)
                for shape, opt in zip(self.model.shapes(), self.opts, strict=True)]


class _FlatVector(_Run):
    """One Tensor holding the concatenated parameters (``destructure``), one optimiser.  A
    flat buffer cannot say "no gradient here": absent gradients are zeros
    (``flat_vector_grads``); freezing is all or nothing."""

    def start(self) -> list[Any]:
        flat, _ = ref_collect.destructure(self.model.source)
        self.flat = self.engine.tensor(flat, self.dtype)
        return [self.engine.optimizer(self.plan, [self.flat])]

    def step(self, grads: Any, mask: _StepMask) -> None:
        if any(mask.frozen):
            raise Unsupported("one optimiser over the flat vector cannot freeze part of it")
        self.flat.grad = self.engine.const(flat_vector_grads(self.model.source, grads),
                                           self.dtype)
        self.engine.step(self.opts[0])

    def values(self) -> list[np.ndarray]:
        if not self.opts:
            return []
        return ref_collect.split_flat(self.model.source, self.flat.numpy())

    def states(self) -> list[dict[str, Any] | None]:
        offsets = np.cumsum([0] + [t.numel() for t in self.model.tensors])
        return [_slot_state(self.plan, self.opts[0], 0,
                            slice(int(offsets[i]), int(offsets[i + 1])), shape)
                for i, shape in enumerate(self.model.shapes())]


_RUNS: dict[str, type[_Run]] = {
    "structured": _Structured,
    "flat_list": _OneOptimiser,
    "fused": _Fused,
    "per_array": _PerArray,
    "flat_vector": _FlatVector,
}


# ------------------------------------------------------------------------ the adapter


class TinygradAdapter(Adapter):
    """tinygrad on ``Device.DEFAULT`` (set with the ``DEV`` environment variable)."""

    def __init__(self) -> None:
        self.engine = _Engine()

    def info(self) -> EngineInfo:
        return EngineInfo(
            name="tinygrad",
            engine="tinygrad",
            version=version("tinygrad"),
            device=self.engine.device,
            dtypes=self.declared_dtypes(),
            # no "freeze" / "none_grad": tinygrad's Optimizer can neither skip a parameter
            # nor freeze one (FINDINGS TG4); per_array emulates both by not stepping that
            # parameter's optimiser, which is the adapter's doing, not the engine's
            capabilities=frozenset({"shared", "adjust", "state", "collect", "destructure",
                                    "gradient", "carried"}),
            paths=PATHS,
            notes=f"no freezing, no missing gradients (per_array can skip them); float64 only with "
                  f"{FLOAT64_ENV}=1: optimiser state, lr and b^t are float32 whatever the "
                  "parameters' dtype",
        )

    def declared_dtypes(self) -> tuple[str, ...]:
        """float32, and float64 when :data:`FLOAT64_ENV` asks for it and the device has it;
        ``run`` accepts every dtype the device has."""
        wanted = ("float32", "float64") if os.environ.get(FLOAT64_ENV) == "1" else ("float32",)
        return tuple(d for d in wanted if d in self.engine.dtype_names)

    def supports(self, rule: Rule) -> str | None:
        plan = plan_for(rule)
        return plan if isinstance(plan, str) else None

    def run(self, program: Program, path: PathName) -> Outcome:
        if path not in _RUNS:
            raise Unsupported(f"tinygrad has no {path!r} path")
        dtype = self.engine.dtype(program.dtype)
        return _RUNS[path](self.engine, program.rule, program.model, dtype).execute(program)

    def collect(self, model: Any, dtype: str) -> list[np.ndarray]:
        """``nn.state.get_parameters`` as it is: one entry per occurrence of a shared Tensor,
        buffers included (COLL-1, TIE-1)."""
        built = EngineModel(self.engine, model, self.engine.dtype(dtype))
        return [built.numpy(t) for t in self.engine.state.get_parameters(built.tree)]

    def destructure(self, model: Any, dtype: str) -> np.ndarray:
        """tinygrad has no flat view; its fused optimiser's is the concatenation of the
        Optimizer's parameters (``get_parameters`` deduplicated, buffers left out)."""
        engine = self.engine
        params = self._optimised(EngineModel(engine, model, engine.dtype(dtype)))
        if not params:
            return np.zeros(0, dtype=dtype)
        return engine.Tensor.cat(*[p.flatten() for p in params]).numpy()

    def gradient(self, model: Any, loss: Any, dtype: str, via: str) -> Any:
        """``backward()`` of the loss evaluated with tinygrad ops.  ``via="trainables"``:
        ``Param(i)`` is the i-th parameter tinygrad's Optimizer would hold; a Tensor the loss
        does not reach keeps ``.grad`` None.  ``via="destructure"``: the loss reads slices
        of one flat Tensor.  A shared Tensor has one ``.grad``; it goes to the first
        occurrence (GRAD-1 .. GRAD-3)."""
        engine, tdtype = self.engine, self.engine.dtype(dtype)
        built = EngineModel(engine, model, tdtype)
        if via == "trainables":
            params = self._optimised(built)
            views = [p.reshape(built.shape.get(id(p), p.shape)) for p in params]
            evaluate(loss, views, engine.ops(tdtype)).backward()
            grads = {id(p): p.grad for p in params}
            cotangents = [None if grads.get(id(t)) is None else
                          grads[id(t)].numpy().reshape(shape)
                          for t, shape in zip(built.tensors, built.shapes(), strict=True)]
            return ref_collect.trainables_pullback(model, cotangents)
        if via == "destructure":
            flat = engine.tensor(ref_collect.destructure(model)[0], tdtype)
            pieces, offset = [], 0
            for t, shape in zip(built.tensors, built.shapes(), strict=True):
                pieces.append(flat[offset:offset + t.numel()].reshape(shape))
                offset += t.numel()
            evaluate(loss, pieces, engine.ops(tdtype)).backward()
            flat_grad = (np.zeros(offset, dtype=dtype) if flat.grad is None or not reached(loss)
                         else flat.grad.numpy())
            return ref_collect.destructure_pullback(model, flat_grad)
        raise Unsupported(f"tinygrad has no {via!r} way to collect parameters")

    def repro_source(self, program: Program, path: PathName) -> str | None:
        """A tinygrad-only replay over a list of Tensors: one optimiser, or one per Tensor
        on ``per_array`` (which skips frozen Tensors and missing gradients)."""
        plan = plan_for(program.rule)
        if (isinstance(plan, str) or path not in ("flat_list", "fused", "per_array")
                or any(isinstance(op, Adjust) for op in program.ops)):
            return None
        frozen = [sorted(_indices_under(program.model, op.keys))
                  if isinstance(op, Freeze | Thaw) else [] for op in program.ops]
        return _REPRO.format(factory=plan.factory, per_array=path == "per_array",
                             kwargs={**plan.kwargs, "fused": path == "fused"}, frozen=frozen)

    def _optimised(self, built: EngineModel) -> list[Any]:
        """What ``Optimizer`` keeps of ``get_parameters``: ``dedup`` by identity, then the
        Tensors with ``is_param`` (nn/optim.py)."""
        from tinygrad.helpers import dedup

        return [t for t in dedup(self.engine.state.get_parameters(built.tree)) if t.is_param]


_REPRO = """\
from tinygrad import Tensor, dtypes
from tinygrad.helpers import Context
from tinygrad.nn import optim

dtype = getattr(dtypes, DTYPE)
params = [Tensor(np.ascontiguousarray(p), dtype=dtype).contiguous().realize() for p in PARAMS]
kwargs = {kwargs!r}
if {per_array!r}:
    opts = [optim.{factory}([p], **kwargs) for p in params]
else:
    opts = [optim.{factory}(params, **kwargs)]
frozen = set()
for op, indices in zip(OPS, {frozen!r}):
    if op["op"] == "freeze":
        frozen |= set(indices)
    elif op["op"] == "thaw":
        frozen -= set(indices)
    else:
        live = [i for i, g in enumerate(op["grads"]) if g is not None and i not in frozen]
        for i in live:
            params[i].grad = Tensor(np.ascontiguousarray(op["grads"][i]), dtype=dtype)
        with Context(TRAINING=1):
            for opt in ([opts[i] for i in live] if len(opts) > 1 else opts):
                opt.step()
GOT = [p.numpy().astype(np.float64) for p in params]"""
