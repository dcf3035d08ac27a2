"""The PyTorch adapter: ``torch.optim`` over ``nn.Module`` trees of ``nn.Parameter`` (a tie
is one Parameter in two modules), whose ``p.grad`` is what autograd leaves: the sum over its
occurrences, None where there is none or it is frozen (docs/ADAPTERS.md)."""

from __future__ import annotations

import dataclasses
import inspect
import io
import math
import os
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from optconf.reference import expr as ref_expr
from optconf.reference import rules
from optconf.reference.grads import per_occurrence
from optconf.reference.rules.base import Rule
from optconf.reference.tree import Path, first_occurrences, fold, mirror, occurrences

from . import session
from .protocol import (
    Absent,
    Adapter,
    EngineInfo,
    Outcome,
    PathName,
    Program,
    Unsupported,
    array_ops,
    consecutive,
    flat_list_grads,
    frozen_for_gradient,
    path_entry,
    refusal,
    rule_entry,
    with_warnings,
)
from .session import Held, Plan, beta_powers, drive, not_offered, op_literals, planned

try:
    import torch
    from torch import nn
    from torch.nn.utils import parameters_to_vector
except ImportError as exc:  # the loader reports this as "engine not installed"
    raise ModuleNotFoundError(f"pip install 'optconf[torch]' ({exc})", name="torch") from exc

DEVICE_VARIABLE = "OPTCONF_TORCH_DEVICE"
#: torch.optim classes with a ``fused=True`` implementation (the others reject the keyword).
FUSED = frozenset(name for name, cls in vars(torch.optim).items()
                  if isinstance(cls, type) and "fused" in inspect.signature(cls).parameters)


# ----------------------------------------------------------------- rules -> torch.optim


def _moments(state: dict[str, Any], group: dict[str, Any]) -> dict[str, Any]:
    """exp_avg, exp_avg_sq and step as mu, nu and beta_t (the group's current betas, ADAM-2)."""
    return {"mu": state["exp_avg"], "nu": state["exp_avg_sq"],
            "beta_t": beta_powers(group["betas"], state["step"])}


def _sgd(r: Any, decay: float, **momentum: Any) -> Plan:
    return Plan("SGD", {"lr": r.eta, **momentum, "weight_decay": decay}, lambda s, g: {} if
                s.get("momentum_buffer") is None else {"velocity": s["momentum_buffer"]})


def _adam_kwargs(r: Any, decay: float) -> dict[str, Any]:
    """The keyword arguments every torch Adam-family class takes."""
    return {"lr": r.eta, "betas": r.beta, "eps": r.epsilon, "weight_decay": decay}


def _adam(optimiser: str, read: Callable[..., dict[str, Any]] = _moments, **extra: Any
          ) -> Callable[[Any, float], Plan]:
    """A torch Adam-family class: :func:`_adam_kwargs`, then ``extra``."""
    return lambda r, decay: Plan(optimiser, {**_adam_kwargs(r, decay), **extra}, read)


def _adamw(r: Any, decay: float) -> Plan:
    if not r.couple:
        raise Unsupported("torch AdamW always multiplies the decay by lr: it has no "
                          "AdamW(couple=False) (ADAMW-2)")
    if decay:
        raise Unsupported("torch AdamW's weight_decay is the decoupled one; it cannot "
                          "add a coupled WeightDecay as well")
    return Plan("AdamW", {"lr": r.eta, "betas": r.beta, "eps": r.epsilon,
                          "weight_decay": r.lambda_}, _moments)


def _rprop(r: Any, decay: float) -> Plan:
    (ell_minus, ell_plus), (low, high) = r.ell, r.gamma
    if decay:
        raise Unsupported("torch Rprop has no weight_decay to chain a WeightDecay into")
    if not 0 < ell_minus < 1 < ell_plus:
        raise Unsupported(f"torch Rprop requires 0 < etas[0] < 1 < etas[1]; ell={r.ell}")
    if not low <= r.eta <= high:
        raise Unsupported(
            "torch Rprop clamps the step size to step_sizes even where g*g_prev == 0, so an "
            f"eta={r.eta} outside gamma={r.gamma} moves at once; Optimisers.jl leaves it (RPROP-3)")
    return Plan("Rprop", {"lr": r.eta, "etas": r.ell, "step_sizes": r.gamma},
                lambda s, g: {"prev": s["prev"], "step_size": s["step_size"]})


def _muon(r: Any, decay: float) -> Plan:
    """torch.optim.Muon (2.9+): its ``lerp`` buffer is ``(1 - m)`` times the reference's sum."""
    if decay:
        raise Unsupported("torch Muon's weight_decay is the decoupled one; it cannot add a "
                          "coupled WeightDecay as well")
    if r.rho == 1:
        raise Unsupported("torch Muon's buffer is (1 - momentum) times the reference's, so "
                          "momentum=1 leaves it at zero (MUON-1)")
    kwargs = {"lr": r.eta, "weight_decay": r.lambda_, "momentum": r.rho,
              "nesterov": r.nesterov, "ns_coefficients": r.coefficients, "eps": r.epsilon,
              "ns_steps": r.steps}
    return Plan("Muon", kwargs,
                lambda s, g: {"buffer": s["momentum_buffer"] / (1 - g["momentum"])})


#: Each reference rule as torch.optim, given the coupled ``decay`` of a WeightDecay chained
#: before it; a plan's state reader maps ``opt.state[p]`` and the param group to reference
#: fields.  Clipping and WeightDecay are composed by :func:`plan`.
RULES: dict[type[Rule], Callable[[Any, float], Plan]] = {
    rules.Descent: lambda r, decay: _sgd(r, decay, momentum=0.0),
    rules.Momentum: lambda r, decay: _sgd(r, decay, momentum=r.rho),
    # torch refuses nesterov=True without momentum, where Nesterov is plain SGD
    rules.Nesterov: lambda r, decay: _sgd(r, decay, momentum=r.rho, nesterov=r.rho != 0),
    rules.RMSProp: lambda r, decay: Plan("RMSprop", {
        "lr": r.eta, "alpha": r.rho, "eps": r.epsilon, "centered": r.centred, "momentum": 0.0,
        "weight_decay": decay}, lambda s, g: {"quad": s["square_avg"], "lin": s.get("grad_avg")}),
    # the accumulator starts at epsilon (ADAGRAD-2); torch's lr_decay stays off
    rules.AdaGrad: lambda r, decay: Plan("Adagrad", {
        "lr": r.eta, "eps": r.epsilon, "initial_accumulator_value": r.epsilon, "lr_decay": 0.0,
        "weight_decay": decay}, lambda s, g: {"acc": s["sum"]}),
    rules.AdaDelta: lambda r, decay: Plan(
        "Adadelta", {"lr": 1.0, "rho": r.rho, "eps": r.epsilon, "weight_decay": decay},
        lambda s, g: {"acc": s["square_avg"], "delta_acc": s["acc_delta"]}),
    rules.Adam: _adam("Adam"),
    rules.AMSGrad: _adam("Adam", lambda s, g: {**_moments(s, g), "nu_max": s["max_exp_avg_sq"]},
                         amsgrad=True),
    rules.RAdam: _adam("RAdam", lambda s, g: {**_moments(s, g), "t": int(s["step"]) + 1}),
    rules.AdaMax: _adam("Adamax", lambda s, g: {
        "mu": s["exp_avg"], "u": s["exp_inf"], "beta_t": beta_powers(g["betas"], s["step"])}),
    # an infinite momentum_decay makes torch's mu_t = b1 at every step: NAdam(variant="optax")
    rules.NAdam: _adam("NAdam", momentum_decay=math.inf),
    rules.AdamW: _adamw,
    rules.Rprop: _rprop,
    rules.Muon: _muon,
    **not_offered("torch.optim", rules.OAdam, rules.AdaBelief, rules.Lion),
    rules.SignDecay: Absent("torch.optim has no L1 (sign) decay"),
    rules.AccumGrad: Absent("torch.optim has no AccumGrad: gradient accumulation is done by the "
                       "training loop (several backward() calls before one step())"),
}

#: The named variant of each rule that torch.optim implements (RULE-5), and why another
#: variant is refused.
VARIANTS: dict[type[Rule], tuple[str, str]] = {
    rules.Adam: ("torch", "torch Adam bias-corrects with 1 - beta**step of the group's "
                          "current betas: Adam(variant='torch') (ADAM-2)"),
    rules.AdamW: ("torch", "torch AdamW bias-corrects with 1 - beta**step of the group's "
                           "current betas: AdamW(variant='torch') (ADAM-2)"),
    rules.Momentum: ("torch", "torch SGD keeps lr outside the velocity: "
                              "Momentum(variant='torch') (MOMENTUM-2)"),
    rules.Nesterov: ("torch", "torch SGD(nesterov=True) keeps lr outside the velocity: "
                              "Nesterov(variant='torch') (NESTEROV-2)"),
    rules.AMSGrad: ("torch", "torch Adam(amsgrad=True) starts at zero, bias-corrects and takes "
                             "the maximum of the raw nu: AMSGrad(variant='torch') (AMSGRAD-3)"),
    rules.RAdam: ("torch", "torch RAdam rectifies when rho_t > 5 and adds eps to the "
                           "uncorrected root: RAdam(variant='torch') (RADAM-3)"),
    rules.AdaMax: ("torch", "torch Adamax puts eps inside the maximum: "
                            "AdaMax(variant='torch') (ADAMAX-2)"),
    rules.Muon: ("torch", "torch Muon scales the step by sqrt(max(1, rows/cols)): "
                          "Muon(variant='torch') (MUON-4)"),
    rules.NAdam: ("optax", "torch NAdam has no beta2 factor in the root; with momentum_decay=inf "
                           "it is NAdam(variant='optax'), and its default schedule "
                           "(momentum_decay=4e-3) has no reference counterpart (NADAM-3)"),
}


def plan(rule: Rule) -> Plan:
    """The torch plan of ``rule``: clips (of ``p.grad`` before the step), a coupled decay and
    one optimiser rule at most; Unsupported otherwise."""
    return planned(rule, RULES, VARIANTS, "torch.optim", CLIPS, "torch composes only gradient "
                   "clipping, then one coupled weight decay, then one optimiser")


def _clip_each(c: Any, grads: list[torch.Tensor]) -> None:
    """ClipNorm one array at a time; an empty one is skipped (its inf-norm raises in torch)."""
    for p in grads:
        if p.numel():
            nn.utils.clip_grad_norm_([p], c.omega, norm_type=c.p, error_if_nonfinite=c.throw)


#: Each clipping rule as torch users clip ``p.grad`` before the step (CLIP clauses).
CLIPS: dict[type[Rule], Callable[[Any, list[torch.Tensor]], object]] = {
    rules.ClipGrad: lambda c, grads: nn.utils.clip_grad_value_(grads, c.delta),
    rules.ClipGlobalNorm: lambda c, grads: nn.utils.clip_grad_norm_(
        grads, c.omega, error_if_nonfinite=c.throw),
    rules.ClipNorm: _clip_each,
}


# ------------------------------------------------------------------ the engine's model


class _Node(nn.Module):
    """One container of the tree, its children registered as "0", "1", ... in container
    order, as ``nn.Sequential`` names them; ``forward(fn)`` is ``fn(self)``."""

    def forward(self, fn: Callable[[nn.Module], torch.Tensor]) -> torch.Tensor:
        return fn(self)


@dataclasses.dataclass
class EngineModel:
    """The module tree, the distinct Parameters (``trainables`` order) and each name's path."""

    module: nn.Module
    params: list[nn.Parameter]
    path_of: dict[str, Path]


#: A subtree as torch holds it (a Parameter, a module or nothing) and its names' paths.
_Built = tuple[nn.Module | nn.Parameter | None, dict[str, Path]]


def build(model: Any, dtype: torch.dtype, device: torch.device) -> EngineModel:
    """The module tree of ``model``, a Parameter per distinct array (TIE-1, TREE-3, TREE-4)."""
    occs = occurrences(model)
    params = [nn.Parameter(torch.tensor(occ.array, dtype=dtype, device=device))
              for occ in first_occurrences(occs)]
    param_at = {occ.path: params[occ.position] for occ in occs}

    def node(_path: Path, _x: Any, _kind: str, kids: list[tuple[Any, _Built]]) -> _Built:
        module, path_of = _Node(), dict[str, Path]()
        for position, (_elem, (held, names)) in enumerate(kids):
            label = str(position)
            if isinstance(held, nn.Parameter):
                module.register_parameter(label, held)
            elif held is not None:
                module.add_module(label, held)
            path_of |= {f"{label}.{name}" if name else label: path
                        for name, path in names.items()}
        return module, path_of

    root: _Built = fold(model, lambda path, _x: (param_at[path], {"": path}), node,
                        lambda _path, _x: (None, {}))
    if isinstance(root[0], nn.Parameter):
        root = node((), None, "list", [(0, root)])
    module, path_of = root
    assert isinstance(module, nn.Module)
    return EngineModel(module, params, path_of)


def _numpy(t: torch.Tensor) -> np.ndarray:
    return t.detach().cpu().numpy().copy()


# ------------------------------------------------------------------------- the adapter


class TorchAdapter(Adapter):
    """torch.optim on ``OPTCONF_TORCH_DEVICE`` (default cpu), float32 and float64, and
    float16 where the epsilon floor is checked (RULE-7)."""

    protocol_version = 1

    def __init__(self) -> None:
        self.device = torch.device(os.environ.get(DEVICE_VARIABLE, "cpu"))
        torch.empty(0, device=self.device)  # fail here, at load, if the device is absent

    def info(self) -> EngineInfo:
        dtypes = ("float32",) if self.device.type == "mps" else ("float32", "float64",
                                                                 "float16")
        return EngineInfo(
            name="torch", engine="torch", version=torch.__version__, device=str(self.device),
            dtypes=dtypes,
            capabilities=frozenset({"shared", "freeze", "adjust", "none_grad", "state", "collect",
                                    "destructure", "gradient", "frozen_gradient", "carried",
                                    "legacy", "checkpoint"}),
            paths=(*PATHS, "zero", "fsdp"),  # the distributed ones: torch_sharded.py
            variants={cls.__name__: variant for cls, (variant, _) in VARIANTS.items()},
            notes="nn.Module tree with tied Parameters; freezing = requires_grad_(False) so "
                  "autograd leaves p.grad None; adjust = param_group[...] = value",
        )

    def supports(self, rule: Rule) -> str | None:
        return refusal(plan, rule)

    def legacy_replacements(self) -> Mapping[str, tuple[str, ...]]:
        """The legacy path's deprecated call and its replacement (DEP-3)."""
        return {"torch.nn.utils.stateless.functional_call": ("torch.func.functional_call",)}

    def _dtype(self, dtype: str) -> torch.dtype:
        if dtype not in self.info().dtypes:
            raise Unsupported(f"torch on {self.device} does not run {dtype} here")
        chosen: torch.dtype = getattr(torch, dtype)
        return chosen

    def run(self, program: Program, path: PathName) -> Outcome:
        if path in ("zero", "fsdp"):  # on rank processes (torch_sharded.py, CONF-13)
            from . import torch_sharded
            return torch_sharded.run(program, path, self._dtype(program.dtype), self.device)
        hold, dtype = path_entry(PATHS, path, "torch"), self._dtype(program.dtype)

        def outcome() -> Outcome:
            run = Run(program, dtype, self.device)
            return drive(run, hold(run))
        return with_warnings(outcome)

    def collect(self, model: Any, dtype: str) -> list[np.ndarray]:
        """``list(module.parameters())`` -- torch's order (COLL-2)."""
        engine = build(model, self._dtype(dtype), self.device)
        return [_numpy(p) for p in engine.module.parameters()]

    def destructure(self, model: Any, dtype: str) -> np.ndarray:
        """``parameters_to_vector(module.parameters())`` (FLAT-1)."""
        engine = build(model, self._dtype(dtype), self.device)
        return _numpy(parameters_to_vector(engine.module.parameters()))

    def gradient(self, model: Any, loss: Any, dtype: str, via: str,
                 frozen: tuple[tuple[Any, ...], ...] = ()) -> Any:
        """autograd through ``module.parameters()``, its vector, or (legacy) ``functional_call``
        (DEP-8); at the path of each Parameter's first name in torch's order (GRAD-1, GRAD-2).
        A frozen Parameter has ``requires_grad`` off and is left out of ``inputs``, as torch
        users filter ``parameters()`` (GRAD-3)."""
        torch_dtype = self._dtype(dtype)
        engine = build(model, torch_dtype, self.device)
        for position in frozen_for_gradient(model, frozen, via):
            engine.params[position].requires_grad_(False)
        named = list(engine.module.named_parameters())
        collected = [p for _, p in named]
        ops = array_ops(lambda v: torch.as_tensor(v, dtype=torch_dtype, device=self.device),
                        torch.tanh, torch.square)
        if via in ("trainables", "legacy"):
            first = {id(p): name for name, p in named}  # each Parameter's first name
            value = (_functional_call(engine.module, lambda inner: ref_expr.evaluate(
                loss, [inner.get_parameter(first[id(p)]) for p in engine.params], ops))
                if via == "legacy" else ref_expr.evaluate(loss, engine.params, ops))
            grads = _grads_of_trainable(value, collected)
        elif via == "destructure":
            flat = parameters_to_vector(collected).detach().requires_grad_(True)
            by_id = dict(zip(map(id, collected), _cut(flat, collected), strict=True))
            value = ref_expr.evaluate(loss, [by_id[id(p)] for p in engine.params], ops)
            (flat_grad,) = torch.autograd.grad(value, flat, allow_unused=True,
                                               materialize_grads=True)
            grads = list(_cut(flat_grad, collected))
        else:
            raise Unsupported(f"torch has no {via!r} collection to differentiate through")
        at_path = {engine.path_of[name]: _numpy(g).astype(np.float64)
                   for (name, _), g in zip(named, grads, strict=True) if g is not None}
        return mirror(model, lambda path, _x: at_path.get(path))

    def repro_source(self, program: Program, path: PathName) -> str | None:
        """A torch-only replay over a flat list of Parameters, each op's data as a literal."""
        try:
            the_plan = plan(program.rule)
            extras = op_literals(program, lambda rule: dict(plan(rule).kwargs))
        except (Unsupported, TypeError, KeyError):
            return None
        clips = ", ".join("lambda held: " + rule_entry(CLIP_SOURCE, c, "torch").format(
            **dataclasses.asdict(c)) for c in the_plan.clips)
        return _REPRO.format(optimiser=the_plan.optimiser,
                             kwargs={**the_plan.kwargs, **MULTI_TENSOR.get(path, {})},
                             extras=extras, clips=clips)


def _grads_of_trainable(value: Any, params: list[Any]) -> list[Any]:
    """``d value / d p`` for each of ``params`` that requires grad, None for the others and
    for those ``value`` does not depend on (every one, when it depends on none)."""
    if not value.requires_grad:
        return [None] * len(params)
    live = [p for p in params if p.requires_grad]
    found = dict(zip(map(id, live), torch.autograd.grad(value, live, allow_unused=True),
                     strict=True))
    return [found.get(id(p)) for p in params]


#: Each clipping rule in the repro script, clipping the gradients ``held``.
CLIP_SOURCE: dict[type[Rule], str] = {
    rules.ClipGrad: "torch.nn.utils.clip_grad_value_(held, {delta!r})",
    rules.ClipGlobalNorm: "torch.nn.utils.clip_grad_norm_(held, {omega!r})",
    rules.ClipNorm: "[torch.nn.utils.clip_grad_norm_([p], {omega!r}, norm_type={p!r}) "
                    "for p in held]",
}
#: The keyword each multi-tensor implementation is switched on with.
MULTI_TENSOR = {"foreach": {"foreach": True}, "fused": {"fused": True}}
_REPRO = """\
import math

import torch

inf = math.inf
dtype = getattr(torch, DTYPE)
params = [torch.nn.Parameter(torch.tensor(p, dtype=dtype)) for p in PARAMS]
opt = torch.optim.{optimiser}(params, **{kwargs!r})
frozen = set()
for op, extra in zip(OPS, {extras!r}):
    if op["op"] == "freeze":
        frozen |= set(extra)
    elif op["op"] == "thaw":
        frozen -= set(extra)
    elif op["op"] == "adjust":
        opt.param_groups[0].update(extra)
    else:
        for i, (p, g) in enumerate(zip(params, op["grads"])):
            p.grad = None if g is None or i in frozen else torch.tensor(g, dtype=dtype)
        held = [p for p in params if p.grad is not None]
        for clip in [{clips}]:
            if held:  # nothing to clip; torch's clip_grad_value_([]) raises instead
                clip(held)
        opt.step()
GOT = [p.detach().numpy().astype(np.float64) for p in params]"""


def _cut(flat: torch.Tensor, like: list[nn.Parameter]) -> list[torch.Tensor]:
    """Views of ``flat`` shaped like ``like``, in order (what vector_to_parameters copies)."""
    return [flat[piece].view_as(p)
            for piece, p in zip(consecutive(p.numel() for p in like), like, strict=True)]


# ------------------------------------------------------------------------- one program


class Run(session.Run[Plan]):
    """One program on torch, its module tree and Parameters in ``engine``."""

    def __init__(self, program: Program, dtype: torch.dtype, device: torch.device) -> None:
        super().__init__(program, plan)
        self.engine = build(program.model, dtype, device)


#: How a path's gradients get into ``p.grad`` for one Step's gradient tree.
PutGrads = Callable[[Run, Any], None]
#: For each parameter (reference order) the tensor holding it and its slice (None: all).
Slots = list[tuple[torch.Tensor, slice | None]]


def _optimiser(the_plan: Plan, params: Any, **flags: bool) -> torch.optim.Optimizer:
    return getattr(torch.optim, the_plan.optimiser)(params, **the_plan.kwargs, **flags)


def _tensor(g: np.ndarray, like: torch.Tensor) -> torch.Tensor:
    return torch.tensor(g, dtype=like.dtype, device=like.device)


def _piece(holder: torch.Tensor, piece: slice | None, like: torch.Tensor) -> torch.Tensor:
    """The part of ``holder`` (a flat tensor) that is parameter ``like``; None: all of it."""
    return holder if piece is None else holder[piece].view_as(like)


def held_by(run: Run, optimisers: list[torch.optim.Optimizer], slots: Slots,
            put_grads: PutGrads) -> Held:
    """The ops on ``optimisers`` holding the parameters at ``slots`` (ADJ-1, ADJ-2); freezing
    is ``requires_grad_(False)``, a tie frozen everywhere (FRZ-1, TIE-4)."""

    def step(grads: Any) -> None:
        for opt in optimisers:
            opt.zero_grad(set_to_none=True)
        put_grads(run, grads)
        clipped = [p for opt in optimisers for p in opt.param_groups[0]["params"]
                   if p.grad is not None]
        if clipped:  # nothing to clip otherwise; torch's clip_grad_value_([]) raises instead
            for clip in run.plan.clips:
                rule_entry(CLIPS, clip, "torch.nn.utils")(clip, clipped)
        for opt in optimisers:
            opt.step()

    def adjust(old: Plan, new: Plan) -> None:
        if new.optimiser != old.optimiser:
            raise Unsupported(f"adjusting {run.rule!r} turns torch.optim.{old.optimiser} "
                              f"into {new.optimiser}")
        for opt in optimisers:
            for group in opt.param_groups:
                group.update(new.kwargs)

    def toggle(positions: set[int], freeze: bool) -> None:
        for i in positions:
            run.engine.params[i].requires_grad_(not freeze)

    def state(p: nn.Parameter, holder: torch.Tensor, piece: slice | None
              ) -> dict[str, Any] | None:  # None before torch made any
        opt = next(o for o in optimisers
                   if any(h is holder for h in o.param_groups[0]["params"]))
        raw = opt.state.get(holder)
        return run.plan.fields(lambda t: _numpy(_piece(t, piece, p)), torch.Tensor,
                               raw, opt.param_groups[0]) if raw else None

    def reload(_into: str) -> None:
        optimisers[:] = [_reloaded(opt) for opt in optimisers]

    pairs = list(zip(run.engine.params, slots, strict=True))
    return Held(step, adjust, lambda: [_numpy(_piece(h, piece, p)) for p, (h, piece) in pairs],
                lambda: [state(p, *slot) for p, slot in pairs], toggle, reload)


def _reloaded(opt: torch.optim.Optimizer) -> torch.optim.Optimizer:
    """A fresh optimiser of ``opt``'s class over its parameters, loaded from its
    ``state_dict()`` written with ``torch.save`` and read back with ``torch.load``, as a
    training script resumes (STATE-8)."""
    saved = io.BytesIO()
    torch.save(opt.state_dict(), saved)
    saved.seek(0)
    fresh = type(opt)([p for group in opt.param_groups for p in group["params"]],
                      **opt.defaults)
    fresh.load_state_dict(torch.load(saved))
    return fresh


def _tree_grads(run: Run, grads: Any) -> None:
    """Each occurrence's gradient added into its Parameter's .grad, as autograd does (TIE-2)."""
    for occ, g in per_occurrence(run.program.model, grads):
        if g is not None and occ.position not in run.frozen:
            p = run.engine.params[occ.position]
            p.grad = _tensor(g, p) if p.grad is None else p.grad + _tensor(g, p)


def _list_grads(run: Run, grads: Any) -> None:
    for i, g in enumerate(flat_list_grads(run.program.model, grads)):
        if g is not None and i not in run.frozen:
            p = run.engine.params[i]
            p.grad = _tensor(g, p)


def _functional_call(module: nn.Module, fn: Callable[[nn.Module], torch.Tensor]
                     ) -> torch.Tensor:
    """``fn(module)`` through the deprecated ``torch.nn.utils.stateless.functional_call``
    (now ``torch.func.functional_call``): the DEP clauses' legacy surface, warning here."""
    return torch.nn.utils.stateless.functional_call(
        module, dict[str, torch.Tensor](module.named_parameters()), (fn,))


def _functional_call_grads(run: Run, grads: Any) -> None:
    """``backward()`` of ``sum(p * g)`` through ``stateless.functional_call`` (DEP-4, TIE-2)."""
    name_at = {path: name for name, path in run.engine.path_of.items()}
    terms = [(name_at[occ.path], g) for occ, g in per_occurrence(run.program.model, grads)
             if g is not None and occ.position not in run.frozen]
    if terms:
        _functional_call(run.engine.module, lambda inner: torch.stack([
            (p * _tensor(g, p)).sum() for name, g in terms
            for p in [inner.get_parameter(name)]]).sum()).backward()


def _one_optimiser(run: Run, put_grads: PutGrads, **flags: bool) -> Held:
    """One optimiser over ``module.parameters()`` (torch's order, a tie once), with the
    implementation each of ``flags`` (foreach, fused) switches on, where it has one."""
    optimiser = run.plan.optimiser
    for flag in flags:
        if flag not in inspect.signature(getattr(torch.optim, optimiser)).parameters:
            raise Unsupported(f"torch.optim.{optimiser} has no {flag} implementation")
    if not run.engine.params:
        raise Unsupported("torch.optim refuses a model without parameters (ValueError: "
                          "optimizer got an empty parameter list); Optimisers.jl warns "
                          "and goes on (STATE-5)")
    return held_by(run, [_optimiser(run.plan, run.engine.module.parameters(), **flags)],
                   [(p, None) for p in run.engine.params], put_grads)


def _per_array(run: Run) -> Held:
    """One optimiser per Parameter (torch's order)."""
    session.refuse_per_array(run.rule, "one optimiser per array")
    return held_by(run, [_optimiser(run.plan, [p]) for p in run.engine.module.parameters()],
                   [(p, None) for p in run.engine.params], _list_grads)


def _flat_vector(run: Run) -> Held:
    """One flat Parameter, ``parameters_to_vector(module.parameters())`` (FLAT-1): zeros
    where a parameter has no gradient, None when none has; frozen whole or not at all."""
    session.refuse_flat(run.rule, "one flat Parameter")
    order = list(run.engine.module.parameters())  # a tie once, a module's own first
    flat = nn.Parameter(parameters_to_vector(order).detach())
    piece = dict(zip(map(id, order), consecutive(p.numel() for p in order), strict=True))
    slots: Slots = [(flat, piece[id(p)]) for p in run.engine.params]

    def put_grad(run: Run, grads: Any) -> None:
        summed = flat_list_grads(run.program.model, grads)
        if run.frozen or all(g is None for g in summed):
            return
        vector = np.zeros(flat.numel())
        for (_, where), g in zip(slots, summed, strict=True):
            if g is not None:
                vector[where] = np.asarray(g, np.float64).ravel()
        flat.grad = _tensor(vector, flat)

    held = held_by(run, [_optimiser(run.plan, [flat])], slots, put_grad)

    def toggle(positions: set[int], freeze: bool) -> None:
        if positions and len(positions) < len(slots):
            raise Unsupported("one flat Parameter cannot freeze part of the model")
        held.toggle(positions, freeze)

    return dataclasses.replace(held, toggle=toggle)


#: One function per update path: the optimisers it holds the model's parameters in.
PATHS: dict[PathName, Callable[[Run], Held]] = {
    # the module tree's Parameters, a tie's gradients summed over its uses
    "structured": lambda run: _one_optimiser(run, _tree_grads),
    # the same optimiser, each Parameter's gradient assigned from the flat list
    "flat_list": lambda run: _one_optimiser(run, _list_grads),
    "per_array": _per_array,
    "flat_vector": _flat_vector,
    "foreach": lambda run: _one_optimiser(run, _tree_grads, foreach=True),
    "fused": lambda run: _one_optimiser(run, _tree_grads, fused=True),
    # the same optimiser, gradients by autograd through stateless.functional_call (DEP)
    "legacy": lambda run: _one_optimiser(run, _functional_call_grads),
}


__all__ = ["Plan", "TorchAdapter", "build", "held_by", "plan"]
