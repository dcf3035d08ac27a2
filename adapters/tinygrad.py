"""The tinygrad adapter: tinygrad 0.14's ``nn.optim`` and ``nn.state`` in reference terms,
its rule and path tables read from the installed ``tinygrad/nn/optim.py`` (findings in
docs/FINDINGS.md): ``SGD`` and ``Muon`` are ``LARS``, ``Adam`` and ``AdamW`` ``LAMB``."""

from __future__ import annotations

import dataclasses
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from importlib.metadata import version
from typing import Any

import numpy as np

from optconf.reference import collect as ref_collect
from optconf.reference import rules
from optconf.reference import tree as ref_tree
from optconf.reference.expr import evaluate, reached
from optconf.reference.grads import per_occurrence
from optconf.reference.rules.base import Rule

from . import session
from .protocol import (
    Adapter,
    Adjust,
    EngineInfo,
    Outcome,
    PathName,
    Program,
    Unsupported,
    array_ops,
    composed,
    consecutive,
    flat_list_grads,
    flat_vector_grads,
    frozen_for_gradient,
    path_entry,
    refusal,
    rule_entry,
    with_warnings,
)
from .session import Held, Plan, drive, op_literals, refuse_flat, resumed_from
from .tinygrad_cc import use_zig_cc_without_clang

CLANG_HINT = "tinygrad's CPU device needs clang (apt-get install clang), or set DEV=PYTHON"
DTYPES = ("float32", "float64")
#: Set to 1 to declare float64 (where the device has it).  Off by default: tinygrad keeps lr,
#: state and b^t in float32 whatever the parameters' dtype and SGD with momentum crashes on
#: float64 (docs/FINDINGS.md T1, T2), so every float64 case fails on that one deviation.
FLOAT64_ENV = "OPTCONF_TINYGRAD_FLOAT64"


# ------------------------------------------------------------------------ rule translation


def _buffer(field: str, sign: float = 1.0) -> Callable[[Any, int], dict[str, Any] | None]:
    """The momentum buffer ``opt.b[slot]`` as ``field`` times ``sign``; None without one
    (momentum 0, or raised from 0 on a live optimiser, which built no buffers: TG14)."""
    return lambda opt, slot: ({field: sign * opt.b[slot].numpy()}
                              if opt.momentum and slot < len(opt.b) else None)


def _moments(opt: Any, slot: int) -> dict[str, Any]:
    """LAMB's ``m`` and ``v`` as mu and nu; tinygrad keeps the product of the betas applied,
    the reference shows it times the current beta (ADAM-2, LAMB-4)."""
    b1t, b2t = float(opt.b1_t.numpy()[0]), float(opt.b2_t.numpy()[0])
    return {"mu": opt.m[slot].numpy(), "nu": opt.v[slot].numpy(),
            "beta_t": (b1t * opt.b1, b2t * opt.b2)}


def _sgd(rule: Any, weight_decay: float) -> Plan:
    """``classic=True`` puts lr inside the buffer, Optimisers.jl's velocity (MOMENTUM-1,
    NESTEROV-1); the default ``classic=False`` is the torch variant (MOMENTUM-2, NESTEROV-2)."""
    nesterov = isinstance(rule, rules.Nesterov)
    torch_form = rule.axis("lr_placement") == "outside"
    # normative Nesterov keeps v = rho v - eta g; tinygrad's classic buffer is its negative
    sign = -1.0 if nesterov and not torch_form else 1.0
    return Plan("SGD", dict(lr=rule.eta, momentum=rule.rho, weight_decay=weight_decay,
                            nesterov=nesterov, classic=not torch_form),
                _buffer("velocity", sign))


def _lamb(rule: Any, weight_decay: float, adam: bool = True) -> Plan:
    """``LAMB(adam=True)``: eps outside the root (ADAM-3), AdamW's decay inside the lr product
    (ADAMW-1); ``adam=False``: the trust ratio ``|x|/|r|`` (LAMB-1)."""
    return Plan("LAMB", dict(lr=rule.eta, b1=rule.beta[0], b2=rule.beta[1], eps=rule.epsilon,
                             weight_decay=weight_decay, adam=adam), _moments)


def _adamw(rule: Any, weight_decay: float) -> Plan:
    if not rule.couple:
        raise Unsupported("tinygrad's AdamW always scales the decay by lr (LAMB: lr * (adam + "
                          "wd*x)); it has no AdamW(couple=false) (ADAMW-2)")
    return _lamb(rule, rule.lambda_)


def _lars(rule: Any, weight_decay: float) -> Plan:
    """``LARS(classic=True)``: the paper's trust ratio, lr inside the buffer (LARS-1, LARS-2)."""
    if rule.axis("trust_norm") != "gradient":
        raise Unsupported("tinygrad's LARS divides by the gradient's norm plus wd*|x|: "
                          "LARS(trust_norm='gradient') only (LARS-4)")
    return Plan("LARS", dict(lr=rule.eta, momentum=rule.rho, weight_decay=rule.lambda_,
                             tcoef=rule.trust, nesterov=False, classic=True),
                _buffer("velocity"))


def _muon(rule: Any, weight_decay: float) -> Plan:
    """``Muon``: Newton-Schulz of the ``(rows, -1)`` view of ``momentum*b + g``, no shape
    scaling (MUON-1 .. MUON-5); its ``newton_schulz`` eps is a fixed 1e-7."""
    if rule.axis("shape_scale") != "none":
        raise Unsupported("tinygrad's Muon has no shape scaling: Muon(shape_scale='none') "
                          "only (MUON-4)")
    if rule.epsilon != 1e-7:
        raise Unsupported(f"tinygrad's Muon passes no eps to newton_schulz, whose eps is "
                          f"1e-7; epsilon={rule.epsilon} (MUON-2)")
    return Plan("Muon", dict(lr=rule.eta, momentum=rule.rho, weight_decay=rule.lambda_,
                             ns_steps=rule.steps, ns_coefficients=rule.coefficients,
                             nesterov=rule.nesterov), _buffer("buffer"))


#: Each reference rule as a ``tinygrad.nn.optim`` optimiser, given the ``weight_decay`` of a
#: WeightDecay chained before it (SGD only: added to the gradient first, WEIGHTDECAY-1).
RULES: dict[type[Rule], Callable[[Any, float], Plan]] = {
    rules.Descent: lambda rule, decay: Plan(
        "SGD", dict(lr=rule.eta, momentum=0.0, weight_decay=decay, nesterov=False,
                    classic=True), lambda _opt, _slot: {}),
    rules.Momentum: _sgd,
    rules.Nesterov: _sgd,
    rules.Adam: _lamb,
    rules.AdamW: _adamw,
    rules.LARS: _lars,
    rules.LAMB: lambda rule, _decay: _lamb(rule, rule.lambda_, adam=False),
    rules.Muon: _muon,
}
SGD_RULES = (rules.Descent, rules.Momentum, rules.Nesterov)


def plan(rule: Rule) -> Plan:
    """The tinygrad optimiser that computes ``rule``: one rule, or a chain of one, or
    ``OptimiserChain(WeightDecay(l), r)`` with ``r`` an SGD rule; WeightDecay alone is
    Descent(eta=1), as in :func:`~.session.planned`: ``x -= g + l x``.  Unsupported
    otherwise."""
    composes = ("tinygrad composes only WeightDecay before SGD (weight_decay=, added to the "
                "gradient first)")
    chain = composed(rule, (), composes)
    prefix, core = chain.core or ("", rules.Descent(eta=1.0))
    if chain.decay is not None and not isinstance(core, SGD_RULES):
        raise Unsupported(f"{composes}; it has no chain WeightDecay -> {type(core).__name__}")
    return dataclasses.replace(rule_entry(RULES, core, "tinygrad 0.14")(
        core, chain.decay or 0.0), prefix=prefix)


# ------------------------------------------------------------------------ the engine


class _Engine:
    """The tinygrad names the adapter uses: the one place tinygrad is imported."""

    def __init__(self) -> None:
        use_zig_cc_without_clang()
        try:
            import tinygrad
            from tinygrad import helpers
            from tinygrad.nn import optim, state
        except ImportError as exc:
            raise ImportError(f"pip install 'optconf[tinygrad]' ({exc})") from exc
        self.tinygrad, self.optim, self.state = tinygrad, optim, state
        self.Tensor: Any = tinygrad.Tensor  # Any: legacy_step calls what 0.14 removed
        self.dtypes, self.Context, self.dedup = tinygrad.dtypes, helpers.Context, helpers.dedup
        self.device = str(tinygrad.Device.DEFAULT)
        compiler = os.environ.get("CC", "clang")
        if self.device.split(":")[0] == "CPU" and shutil.which(compiler) is None:
            raise RuntimeError(CLANG_HINT)
        try:  # the first kernel compiles and runs: a device that cannot is unavailable
            (self.Tensor([1.0]) + 1).realize()
        except FileNotFoundError as exc:
            raise RuntimeError(CLANG_HINT if "clang" in str(exc) else
                               f"tinygrad device {self.device}: {exc}") from exc
        supported = tinygrad.Device[self.device].renderer.supported_dtypes()
        self.dtype_names = tuple(d for d in DTYPES if getattr(self.dtypes, d) in supported)

    def dtype(self, name: str) -> Any:
        if name not in self.dtype_names:
            raise Unsupported(f"tinygrad on {self.device} runs {', '.join(self.dtype_names)}, "
                              f"not {name}")
        return getattr(self.dtypes, name)

    def tensor(self, array: np.ndarray, dtype: Any, param: bool = True) -> Any:
        """A realized Tensor holding ``array``; ``param=False``: a buffer, as in BatchNorm."""
        t = self.Tensor(np.ascontiguousarray(array), dtype=dtype).contiguous()
        return t.is_param_(param).realize()

    def optimizer(self, plan: Plan, params: list[Any], fused: bool = False) -> Any:
        return getattr(self.optim, plan.optimiser)(params, fused=fused, **plan.kwargs)

    def const(self, array: np.ndarray, dtype: Any, shape: tuple[int, ...] | None = None) -> Any:
        """A gradient or constant as a Tensor of ``dtype`` (reshaped to ``shape``)."""
        array = np.asarray(array) if shape is None else np.reshape(array, shape)
        return self.Tensor(np.ascontiguousarray(array), dtype=dtype)

    def step(self, opt: Any) -> None:
        with self.Context(TRAINING=1):
            opt.step()

    def reload(self, opt: Any, plan: Plan) -> None:
        """A checkpoint of ``opt`` (STATE-8): ``get_state_dict`` written with ``safe_save``,
        a fresh optimiser made by the plan's factory over the same Tensors (``SGD`` is a
        function building a ``LARS``), the file read back into it with ``load_state_dict``,
        and the path's ``opt`` resumed from it (``session.resumed_from``)."""
        with tempfile.TemporaryDirectory(prefix="optconf-") as folder:
            saved = os.path.join(folder, "optimizer.safetensors")
            self.state.safe_save(self.state.get_state_dict(opt), saved)
            fresh = self.optimizer(plan, [*opt.params, *opt.buffers], fused=opt.fused)
            self.state.load_state_dict(fresh, self.state.safe_load(saved), verbose=False)
        resumed_from(opt, fresh)

    def legacy_step(self, opt: Any) -> None:
        """Older tinygrad's training switch, gone in 0.14 without a deprecation (DEP-1)."""
        with self.Tensor.train():
            opt.step()


class EngineModel:
    """The model as Tensors, one per distinct array (``tensors``, trainables order), buffers
    for non-trainable arrays.  A 0-d parameter is held as shape (1,): tinygrad's optimisers
    cannot update a 0-d Tensor (docs/FINDINGS.md), and hypothesis draws 0-d arrays first, so
    that one engine bug would hide every other result."""

    def __init__(self, engine: _Engine, model: Any, dtype: Any) -> None:
        made: dict[int, Any] = {}  # id of a source array -> its Tensor
        self.shape: dict[int, tuple[int, ...]] = {}

        def param(_path: ref_tree.Path, x: np.ndarray) -> Any:
            t = engine.tensor(x.reshape(1) if x.ndim == 0 else x, dtype)
            self.shape[id(t)] = x.shape
            return t

        def carried(_path: ref_tree.Path, value: Any) -> Any:
            if isinstance(value, np.ndarray):
                cast = dtype if np.issubdtype(value.dtype, np.floating) else None
                return engine.tensor(value, cast, param=False)
            return value

        self.tree = ref_tree.map_params(param, model, carried=carried, memo=made)
        self.tensors = [made[id(p)] for p in ref_collect.trainables(model)]

    def numpy(self, t: Any) -> np.ndarray:
        """A Tensor's value in its source array's shape."""
        return t.numpy().reshape(self.shape.get(id(t), t.shape))

    def shapes(self) -> list[tuple[int, ...]]:
        return [self.shape[id(t)] for t in self.tensors]

    def sizes(self) -> list[int]:
        return [t.numel() for t in self.tensors]

    def values(self) -> list[np.ndarray]:
        return [self.numpy(t) for t in self.tensors]


# ------------------------------------------------------------------------ one program


#: For each parameter (trainables order) its optimiser, slot and slice there; None: none.
Slots = list[tuple[Any, int, slice] | None]
#: One step of a path's optimisers, given ``active[i]``: parameter i has a gradient, unfrozen.
StepFn = Callable[[Any, list[bool]], None]
#: Each plan keyword that a live optimiser reads at every step, and its attribute there.
ATTRIBUTES = {"weight_decay": "wd", **{k: k for k in ("momentum", "b1", "b2", "eps", "tcoef",
                                                      "ns_steps", "ns_coefficients")}}


def _piece(piece: slice, shape: tuple[int, ...]) -> Callable[[np.ndarray], np.ndarray]:
    """The reader of one parameter's ``piece`` of a state buffer, in its shape."""
    return lambda state: state.reshape(-1)[piece].reshape(shape)


class Run(session.Run[Plan]):
    """One program on tinygrad: its dtype and the Tensors holding the model (``model``)."""

    def __init__(self, engine: _Engine, program: Program, dtype: Any) -> None:
        super().__init__(program, plan)
        self.engine, self.dtype = engine, dtype
        self.model = EngineModel(engine, program.model, dtype)

    def held(self, optimisers: list[Any], slots: Slots, step: StepFn,
             values: Callable[[], list[np.ndarray]]) -> Held:
        """``optimisers`` holding the parameters at ``slots``; ``step`` runs only for a Step
        in which some parameter is active, as a training loop does (UPD-5)."""

        def take(grads: Any) -> None:
            listed = flat_list_grads(self.program.model, grads)
            active = [g is not None and i not in self.frozen for i, g in enumerate(listed)]
            if any(active):
                step(grads, active)

        def states() -> list[dict[str, Any] | None]:
            return [None if slot is None else
                    self.plan.fields(_piece(slot[2], shape), np.ndarray, *slot[:2])
                    for slot, shape in zip(slots, self.model.shapes(), strict=True)]

        def reload(_into: str) -> None:
            for opt in optimisers:
                self.engine.reload(opt, self.plan)

        return Held(take, lambda old, new: self.adjust(optimisers, old, new), values, states,
                    reload=reload)

    def adjust(self, optimisers: list[Any], old: Plan, new: Plan) -> None:
        """The new hyperparameters on the live optimisers, state kept (ADJ-1): lr assigned in
        place, as tinygrad's lr schedulers do, the others as the attributes read each step."""
        # a live optimiser keeps its class, nesterov and classic; momentum is set as a user
        # would (raising it from 0, which keeps no buffer, is tinygrad's IndexError: TG14)
        if new.optimiser != old.optimiser or any(
                new.kwargs.get(k) != old.kwargs.get(k) for k in ("nesterov", "classic")):
            raise Unsupported(f"tinygrad cannot adjust a live {old.optimiser} into "
                              f"{self.rule!r}: it would need a different optimiser")
        for opt in optimisers:
            for name, value in new.kwargs.items():
                if name == "lr":
                    opt.lr.assign(self.engine.Tensor([value], dtype=opt.lr.dtype)).realize()
                elif name in ATTRIBUTES:
                    setattr(opt, ATTRIBUTES[name], value)


NO_PARTIAL_STEP = ("tinygrad's Optimizer.step asserts that every parameter it holds has a .grad "
                   "(unwrap in nn/optim.py) and has no freezing: a missing gradient or a frozen "
                   "parameter can only be skipped with one optimiser per array (per_array path)")


def _list_grads(run: Run, grads: Any) -> None:
    for t, g in zip(run.model.tensors, flat_list_grads(run.program.model, grads), strict=True):
        assert g is not None, "a partial step is refused before (NO_PARTIAL_STEP)"
        t.grad = run.engine.const(g, run.dtype, t.shape)


def _tree_grads(run: Run, grads: Any) -> None:
    """``backward()`` of ``sum(p * g)`` over every occurrence, summing a tie's (TIE-2)."""
    terms = [(t * run.engine.const(g, run.dtype, t.shape)).sum()
             for occ, g in per_occurrence(run.program.model, grads) if g is not None
             for t in [run.model.tensors[occ.position]]]
    sum(terms[1:], start=terms[0]).backward()


def _one_optimiser(run: Run, params: list[Any], put_grads: Callable[[Run, Any], None] = _list_grads,
                   fused: bool = False, legacy: bool = False) -> Held:
    """One optimiser over ``params``, each Tensor's state its slot, refusing a partial step;
    ``fused=True`` (the ``FUSE_OPTIM`` default) concatenates parameters, gradients and state
    into flat buffers, each Tensor's state its slice; ``legacy``: :meth:`_Engine.legacy_step`."""
    if fused:
        refuse_flat(run.rule, "fused=True's buffer of every parameter")
    opt = run.engine.optimizer(run.plan, params, fused=fused)
    slot_of = {id(t): i for i, t in enumerate(opt.params)}
    pieces = consecutive(t.numel() for t in opt.params)
    slots: Slots = [None if i is None else (opt, 0, pieces[i]) if fused else
                    (opt, i, slice(None))
                    for t in run.model.tensors for i in [slot_of.get(id(t))]]

    def step(grads: Any, active: list[bool]) -> None:
        if not all(active):
            raise Unsupported(NO_PARTIAL_STEP)
        opt.zero_grad()
        put_grads(run, grads)
        (run.engine.legacy_step if legacy else run.engine.step)(opt)

    return run.held([opt], slots, step, run.model.values)


def _per_array(run: Run) -> Held:
    """One optimiser per distinct Tensor: the one path that can leave some out."""
    opts = [run.engine.optimizer(run.plan, [t]) for t in run.model.tensors]

    def step(grads: Any, active: list[bool]) -> None:
        pairs = zip(run.model.tensors, opts, flat_list_grads(run.program.model, grads),
                    active, strict=True)
        for t, opt, g, on in pairs:
            if on:  # active only where there is a gradient
                assert g is not None
                t.grad = run.engine.const(g, run.dtype, t.shape)
                run.engine.step(opt)

    return run.held(opts, [(opt, 0, slice(None)) for opt in opts], step, run.model.values)


def _flat_vector(run: Run) -> Held:
    """One Tensor of the concatenated parameters (``destructure``), one optimiser: absent
    gradients are zeros (``flat_vector_grads``), freezing all or nothing."""
    refuse_flat(run.rule, "one flat Tensor")
    source = run.program.model
    flat = run.engine.tensor(ref_collect.destructure(source)[0], run.dtype)
    opt = run.engine.optimizer(run.plan, [flat])

    def step(grads: Any, active: list[bool]) -> None:
        if run.frozen:
            raise Unsupported("one optimiser over the flat vector cannot freeze part of it")
        flat.grad = run.engine.const(flat_vector_grads(source, grads), run.dtype)
        run.engine.step(opt)

    return run.held([opt], [(opt, 0, piece) for piece in consecutive(run.model.sizes())],
                    step, lambda: ref_collect.split_flat(source, flat.numpy()))


#: One function per update path: the optimisers it holds the model's Tensors in.
PATHS: dict[PathName, Callable[[Run], Held]] = {
    # get_parameters(tree): a shared Tensor listed once per occurrence, deduplicated by the
    # Optimizer, buffers kept aside by it; gradients by backward() through every occurrence
    "structured": lambda run: _one_optimiser(
        run, run.engine.state.get_parameters(run.model.tree), _tree_grads),
    # the Tensors in trainables order, .grad assigned
    "flat_list": lambda run: _one_optimiser(run, run.model.tensors),
    "per_array": _per_array,
    "fused": lambda run: _one_optimiser(run, run.model.tensors, fused=True),
    "flat_vector": _flat_vector,
    # flat_list stepped the way older tinygrad switched training on (DEP clauses)
    "legacy": lambda run: _one_optimiser(run, run.model.tensors, legacy=True),
}


#: What a path can do beyond every path.  ``Optimizer.step`` can neither skip nor freeze a
#: parameter (FINDINGS TG4); on ``per_array`` the adapter leaves that parameter's optimiser
#: unstepped, tinygrad's recipe for partial updates, and the suite checks what this needs:
#: independent optimisers, an unstepped one leaving all alone, a thawed one resuming.
PATH_CAPABILITIES: Mapping[PathName, frozenset[str]] = {
    "per_array": frozenset({"freeze", "none_grad"}),
}


# ------------------------------------------------------------------------ the adapter


class TinygradAdapter(Adapter):
    """tinygrad on ``Device.DEFAULT`` (set with the ``DEV`` environment variable)."""

    protocol_version = 1

    def __init__(self) -> None:
        self.engine = _Engine()

    def info(self) -> EngineInfo:
        return EngineInfo(
            name="tinygrad", engine="tinygrad", version=version("tinygrad"),
            device=self.engine.device, dtypes=self.declared_dtypes(),
            capabilities=frozenset({"shared", "adjust", "state", "collect", "destructure",
                                    "gradient", "frozen_gradient", "carried", "legacy",
                                    "checkpoint"}),
            paths=tuple(PATHS), path_capabilities=PATH_CAPABILITIES,
            notes=f"freeze and none_grad on per_array only, where the adapter does not step a "
                  "skipped parameter's own optimiser (tinygrad's Optimizer can do neither, "
                  f"TG4); float64 only with {FLOAT64_ENV}=1: optimiser state, lr and b^t are "
                  "float32 whatever the parameters' dtype",
        )

    def declared_dtypes(self) -> tuple[str, ...]:
        """float32, and float64 where :data:`FLOAT64_ENV` asks (``run`` takes the device's)."""
        wanted = ("float32", "float64") if os.environ.get(FLOAT64_ENV) == "1" else ("float32",)
        return tuple(d for d in wanted if d in self.engine.dtype_names)

    def supports(self, rule: Rule) -> str | None:
        return refusal(plan, rule)

    def legacy_replacements(self) -> Mapping[str, tuple[str, ...]]:
        """The legacy path's removed training switch and what replaced it (DEP-3)."""
        return {"Tensor.train": ("Context(TRAINING=1)", "TRAINING")}

    def run(self, program: Program, path: PathName) -> Outcome:
        hold, dtype = path_entry(PATHS, path, "tinygrad"), self.engine.dtype(program.dtype)

        def outcome() -> Outcome:
            run = Run(self.engine, program, dtype)
            # tinygrad asserts an optimiser has a parameter: a model without any is held in
            # none, one per parameter (STATE-5 differs: docs/FINDINGS.md)
            return drive(run, hold(run) if run.model.tensors else _per_array(run))
        return with_warnings(outcome)

    def collect(self, model: Any, dtype: str) -> list[np.ndarray]:
        """``nn.state.get_parameters``: a tie once per occurrence, buffers too (COLL-1, TIE-1)."""
        built = EngineModel(self.engine, model, self.engine.dtype(dtype))
        return [built.numpy(t) for t in self.engine.state.get_parameters(built.tree)]

    def destructure(self, model: Any, dtype: str) -> np.ndarray:
        """The Optimizer's parameters concatenated, as ``fused=True`` does (FLAT-1)."""
        engine = self.engine
        params = self._optimised(EngineModel(engine, model, engine.dtype(dtype)))
        if not params:
            return np.zeros(0, dtype=dtype)
        return engine.Tensor.cat(*[p.flatten() for p in params]).numpy()

    def gradient(self, model: Any, loss: Any, dtype: str, via: str,
                 frozen: tuple[tuple[Any, ...], ...] = ()) -> Any:
        """``backward()`` over the Optimizer's parameters (legacy alike: tinygrad has none
        deprecated, DEP-8) or one flat Tensor's slices; a tie's at its first place (GRAD-2).
        tinygrad has no ``requires_grad``: the loss reads a frozen Tensor through
        ``detach()``, and ``backward()`` still gives it a ``.grad`` (zeros, FINDINGS TG15)."""
        engine, tdtype = self.engine, self.engine.dtype(dtype)
        built = EngineModel(engine, model, tdtype)
        positions = frozen_for_gradient(model, frozen, via)
        if via in ("trainables", "legacy"):
            params = self._optimised(built)
            still = {id(built.tensors[i]) for i in positions}
            views = [(p.detach() if id(p) in still else p).reshape(built.shape.get(id(p), p.shape))
                     for p in params]
            evaluate(loss, views, self._ops(tdtype)).backward()
            cotangents = [None if t.grad is None else t.grad.numpy().reshape(shape)
                          for t, shape in zip(built.tensors, built.shapes(), strict=True)]
            return ref_collect.trainables_pullback(model, cotangents)
        if via == "destructure":
            flat = engine.tensor(ref_collect.destructure(model)[0], tdtype)
            pieces = [flat[piece].reshape(shape) for piece, shape
                      in zip(consecutive(built.sizes()), built.shapes(), strict=True)]
            evaluate(loss, pieces, self._ops(tdtype)).backward()
            flat_grad = (np.zeros(sum(built.sizes()), dtype=dtype)
                         if flat.grad is None or not reached(loss) else flat.grad.numpy())
            return ref_collect.destructure_pullback(model, flat_grad)
        raise Unsupported(f"tinygrad has no {via!r} way to collect parameters")

    def repro_source(self, program: Program, path: PathName) -> str | None:
        """A tinygrad-only replay: one optimiser, or one per Tensor on ``per_array``."""
        if (refusal(plan, program.rule) or path not in REPRO_PATHS
                or any(isinstance(op, Adjust) for op in program.ops)):
            return None
        the_plan, (per_array, fused) = plan(program.rule), REPRO_PATHS[path]
        return _REPRO.format(factory=the_plan.optimiser, per_array=per_array,
                             kwargs={**the_plan.kwargs, "fused": fused},
                             frozen=op_literals(program, plan, other=[]))

    def _ops(self, dtype: Any) -> Any:
        return array_ops(lambda a: self.engine.const(a, dtype), lambda a: a.tanh(),
                         lambda a: a.square())

    def _optimised(self, built: EngineModel) -> list[Any]:
        """What ``Optimizer`` keeps of ``get_parameters``: ``dedup``, then ``is_param`` ones."""
        engine = self.engine
        return [t for t in engine.dedup(engine.state.get_parameters(built.tree)) if t.is_param]


#: The paths a repro script replays with tinygrad alone: (one optimiser per array, fused).
REPRO_PATHS = {"flat_list": (False, False), "fused": (False, True), "per_array": (True, False)}
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
