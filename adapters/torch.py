"""The PyTorch adapter: ``torch.optim`` driven through ``nn.Module`` trees, flat lists, one
optimiser per parameter, one flat Parameter, and the foreach / fused implementations.

The reference tree becomes a tree of :class:`_Node` modules, one per container, with each
distinct array as one ``nn.Parameter`` registered at every place it occurs (a tie is the
same Parameter object in two modules, as ``b.weight = a.weight`` makes it).  Carried values
stay aside and come back unchanged.  Gradients are set the way autograd leaves them:
``p.grad`` holds the sum over a Parameter's occurrences, None where there is none, and a
frozen Parameter (``requires_grad_(False)``) gets none.  Everything torch-specific lives
here (docs/ADAPTERS.md); the device comes from ``OPTCONF_TORCH_DEVICE`` (default ``cpu``).
"""

from __future__ import annotations

import dataclasses
import math
import operator
import os
import warnings
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import numpy as np

from optconf.reference import expr as ref_expr
from optconf.reference.grads import per_occurrence
from optconf.reference.rules.base import Rule
from optconf.reference.tree import (
    Path,
    first_occurrences,
    kind,
    map_params,
    mirror,
    occurrences,
    trainable_children,
)

from .protocol import (
    Adapter,
    Adjust,
    EngineInfo,
    Freeze,
    Outcome,
    PathName,
    Program,
    Step,
    Thaw,
    Unsupported,
    WarningRecord,
    flat_list_grads,
)

try:
    import torch
    from torch import nn
    from torch.nn.utils import parameters_to_vector, vector_to_parameters
except ImportError as exc:  # the loader reports this as "engine not installed"
    raise ModuleNotFoundError(
        f"pip install 'optconf[torch]' ({exc})", name="torch"
    ) from exc

DEVICE_VARIABLE = "OPTCONF_TORCH_DEVICE"
PATHS: tuple[PathName, ...] = (
    "structured", "flat_list", "per_array", "flat_vector", "foreach", "fused",
)
#: torch.optim classes with a ``fused=True`` implementation (the others reject the keyword).
FUSED = frozenset({"SGD", "Adam", "AdamW", "Adagrad"})
#: The named variant of each rule that torch.optim implements (RULE-5).
VARIANTS: Mapping[str, str] = {
    "Momentum": "torch",
    "Nesterov": "torch",
    "AMSGrad": "torch",
    "RAdam": "torch",
    "AdaMax": "torch",
    "NAdam": "optax",
}
CLIPS = ("ClipGrad", "ClipNorm", "ClipGlobalNorm")


# ----------------------------------------------------------------- rules -> torch.optim


StateMap = Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]]


@dataclasses.dataclass(frozen=True)
class Plan:
    """How torch runs one rule: gradient ``clips`` (applied to ``p.grad`` before the step,
    as torch users do), then ``optimiser(params, **kwargs)``; ``state`` maps a parameter's
    ``opt.state[p]`` and its param group to the reference's state fields, each key prefixed
    with ``prefix`` (the core rule's place in a chain)."""

    optimiser: str
    kwargs: Mapping[str, Any]
    clips: tuple[Rule, ...]
    state: StateMap
    prefix: str = ""


def _beta_t(state: dict[str, Any], group: dict[str, Any]) -> tuple[float, float]:
    """(b1^t, b2^t) for the next step t (ADAM-2): torch keeps the step count and takes the
    powers of the group's current betas."""
    b1, b2 = group["betas"]
    t = int(state["step"]) + 1
    return b1**t, b2**t


def _moments(state: dict[str, Any], group: dict[str, Any]) -> dict[str, Any]:
    """exp_avg, exp_avg_sq and step as Adam's mu, nu and beta_t."""
    return {"mu": state["exp_avg"], "nu": state["exp_avg_sq"], "beta_t": _beta_t(state, group)}


def _no_state(state: dict[str, Any], group: dict[str, Any]) -> dict[str, Any]:
    return {}


def _velocity(state: dict[str, Any], group: dict[str, Any]) -> dict[str, Any]:
    buf = state.get("momentum_buffer")
    return {} if buf is None else {"velocity": buf}


def _core(rule: Rule, decay: float) -> tuple[str, dict[str, Any], StateMap]:
    """torch.optim class, keyword arguments and state map for one rule, with ``decay`` the
    coupled L2 weight decay of a WeightDecay chained before it; Unsupported with the reason
    when torch has no faithful counterpart."""
    name = type(rule).__name__
    r: Any = rule
    variant = getattr(rule, "variant", None)
    if name in VARIANTS and variant != VARIANTS[name]:
        raise Unsupported(_VARIANT_REASONS[name])
    if name == "Descent":
        return "SGD", {"lr": r.eta, "momentum": 0.0, "weight_decay": decay}, _no_state
    if name == "Momentum":
        return "SGD", {"lr": r.eta, "momentum": r.rho, "weight_decay": decay}, _velocity
    if name == "Nesterov":
        if r.rho == 0:  # Nesterov without momentum is plain SGD; torch refuses the flag
            return "SGD", {"lr": r.eta, "momentum": 0.0, "nesterov": False,
                           "weight_decay": decay}, _velocity
        kwargs = {"lr": r.eta, "momentum": r.rho, "nesterov": True, "weight_decay": decay}
        return "SGD", kwargs, _velocity
    if name == "RMSProp":
        kwargs = {"lr": r.eta, "alpha": r.rho, "eps": r.epsilon, "centered": r.centred,
                  "momentum": 0.0, "weight_decay": decay}
        return "RMSprop", kwargs, _rmsprop_state
    if name == "AdaGrad":
        # the accumulator starts at epsilon (ADAGRAD-2); torch's lr_decay stays off
        kwargs = {"lr": r.eta, "eps": r.epsilon, "initial_accumulator_value": r.epsilon,
                  "lr_decay": 0.0, "weight_decay": decay}
        return "Adagrad", kwargs, lambda s, g: {"acc": s["sum"]}
    if name == "AdaDelta":
        kwargs = {"lr": 1.0, "rho": r.rho, "eps": r.epsilon, "weight_decay": decay}
        return "Adadelta", kwargs, lambda s, g: {"acc": s["square_avg"],
                                                 "delta_acc": s["acc_delta"]}
    if name in ("Adam", "AMSGrad", "RAdam", "AdaMax", "NAdam"):
        return _adam_family(name, r, decay)
    if name == "AdamW":
        if not r.couple:
            raise Unsupported("torch AdamW always multiplies the decay by lr: it has no "
                              "AdamW(couple=False) (ADAMW-2)")
        if decay:
            raise Unsupported("torch AdamW's weight_decay is the decoupled one; it cannot "
                              "add a coupled WeightDecay as well")
        kwargs = {"lr": r.eta, "betas": r.beta, "eps": r.epsilon, "weight_decay": r.lambda_}
        return "AdamW", kwargs, _moments
    if name == "Rprop":
        return _rprop(r, decay)
    raise Unsupported(_MISSING.get(name, f"torch.optim has no counterpart of {name}"))


def _adam_family(name: str, r: Any, decay: float) -> tuple[str, dict[str, Any], StateMap]:
    kwargs: dict[str, Any] = {"lr": r.eta, "betas": r.beta, "eps": r.epsilon,
                              "weight_decay": decay}
    if name == "Adam":
        return "Adam", kwargs, _moments
    if name == "AMSGrad":
        return "Adam", {**kwargs, "amsgrad": True}, lambda s, g: {
            **_moments(s, g), "nu_max": s["max_exp_avg_sq"]}
    if name == "RAdam":
        return "RAdam", kwargs, lambda s, g: {**_moments(s, g), "t": int(s["step"]) + 1}
    if name == "AdaMax":
        return "Adamax", kwargs, lambda s, g: {
            "mu": s["exp_avg"], "u": s["exp_inf"], "beta_t": _beta_t(s, g)}
    # NAdam: an infinite momentum_decay makes torch's schedule mu_t = b1 at every step,
    # which is NAdam(variant="optax") exactly (NADAM-3)
    return "NAdam", {**kwargs, "momentum_decay": math.inf}, _moments


def _rprop(r: Any, decay: float) -> tuple[str, dict[str, Any], StateMap]:
    (ell_minus, ell_plus), (low, high) = r.ell, r.gamma
    if decay:
        raise Unsupported("torch Rprop has no weight_decay to chain a WeightDecay into")
    if not 0 < ell_minus < 1 < ell_plus:
        raise Unsupported(f"torch Rprop requires 0 < etas[0] < 1 < etas[1]; ell={r.ell}")
    if not low <= r.eta <= high:
        raise Unsupported(
            "torch Rprop clamps the step size to step_sizes even where g*g_prev == 0, so an "
            f"eta={r.eta} outside gamma={r.gamma} moves at once; Optimisers.jl leaves it (RPROP-3)")
    kwargs = {"lr": r.eta, "etas": r.ell, "step_sizes": r.gamma}
    return "Rprop", kwargs, lambda s, g: {"prev": s["prev"], "step_size": s["step_size"]}


def _rmsprop_state(state: dict[str, Any], group: dict[str, Any]) -> dict[str, Any]:
    return {"quad": state["square_avg"], "lin": state.get("grad_avg")}


_VARIANT_REASONS = {
    "Momentum": "torch SGD keeps lr outside the velocity: Momentum(variant='torch') (MOMENTUM-2)",
    "Nesterov": "torch SGD(nesterov=True) keeps lr outside the velocity: "
                "Nesterov(variant='torch') (NESTEROV-2)",
    "AMSGrad": "torch Adam(amsgrad=True) starts at zero, bias-corrects and takes the maximum "
               "of the raw nu: AMSGrad(variant='torch') (AMSGRAD-3)",
    "RAdam": "torch RAdam rectifies when rho_t > 5 and adds eps to the uncorrected root: "
             "RAdam(variant='torch') (RADAM-3)",
    "AdaMax": "torch Adamax puts eps inside the maximum: AdaMax(variant='torch') (ADAMAX-2)",
    "NAdam": "torch NAdam has no beta2 factor in the root; with momentum_decay=inf it is "
             "NAdam(variant='optax'), and its default schedule (momentum_decay=4e-3) has no "
             "reference counterpart (NADAM-3)",
}
_MISSING = {
    "OAdam": "torch.optim has no OAdam",
    "AdaBelief": "torch.optim has no AdaBelief",
    "Lion": "torch.optim has no Lion",
    "SignDecay": "torch.optim has no L1 (sign) decay",
    "AccumGrad": "torch.optim has no AccumGrad: gradient accumulation is done by the "
                 "training loop (several backward() calls before one step())",
}


def _members(rule: Rule, prefix: str = "") -> Iterator[tuple[str, Rule]]:
    """A chain's members in order with their state-key prefixes; nested chains flattened."""
    if type(rule).__name__ != "OptimiserChain":
        yield prefix, rule
        return
    for i, member in enumerate(getattr(rule, "rules", ())):
        yield from _members(member, f"{prefix}{i}.")


def plan(rule: Rule) -> Plan:
    """The torch plan of ``rule`` (a rule, or a chain: clips, then at most one WeightDecay,
    then at most one optimiser rule, which is how torch composes them); Unsupported with the
    reason otherwise."""
    members = list(_members(rule))
    clips: list[Rule] = []
    while members and type(members[0][1]).__name__ in CLIPS:
        clips.append(members.pop(0)[1])
    decay = 0.0
    if members and type(members[0][1]).__name__ == "WeightDecay":
        decay = float(getattr(members.pop(0)[1], "lambda_"))  # noqa: B009 (Rule has no lambda_)
    if len(members) > 1:
        names = ", ".join(type(m).__name__ for _, m in members)
        raise Unsupported(
            f"torch composes only gradient clipping, then one coupled weight decay, then one "
            f"optimiser; this chain continues with {names}")
    if not members:  # clipping and/or decay alone: x -= (clipped g + lambda x)
        return Plan("SGD", {"lr": 1.0, "momentum": 0.0, "weight_decay": decay},
                    tuple(clips), _no_state)
    prefix, core = members[0]
    optimiser, kwargs, state = _core(core, decay)
    return Plan(optimiser, kwargs, tuple(clips), state, prefix)


# ------------------------------------------------------------------ the engine's model


class _Node(nn.Module):
    """One container of the reference tree.  Children are registered in container order
    under their position ("0", "1", ...), as ``nn.Sequential`` names them."""


@dataclasses.dataclass
class EngineModel:
    """The torch side of a reference model: the module tree, the distinct Parameters in
    reference ``trainables`` order and the tree path of every registered name."""

    module: nn.Module
    params: list[nn.Parameter]
    path_of: dict[str, Path]

    def torch_order(self) -> list[nn.Parameter]:
        """``module.parameters()``: deduplicated, each module's own Parameters before those
        of its submodules."""
        return list(self.module.parameters())

    def position(self) -> dict[int, int]:
        """id of a Parameter -> its index in reference order."""
        return {id(p): i for i, p in enumerate(self.params)}


def build(model: Any, dtype: torch.dtype, device: torch.device) -> EngineModel:
    """The module tree of ``model`` with one Parameter per distinct array (TIE-1)."""
    occs = occurrences(model)
    params = [
        nn.Parameter(torch.tensor(occ.array, dtype=dtype, device=device))
        for occ in first_occurrences(occs)
    ]
    param_at = {occ.path: params[occ.position] for occ in occs}
    path_of: dict[str, Path] = {}

    def go(x: Any, path: Path, name: str) -> nn.Module:
        node = _Node()
        node_kind = kind(x, path)
        for position, (elem, child, may_hold) in enumerate(trainable_children(x, node_kind)):
            if not may_hold:
                continue  # a non-trainable field is carried: kept aside (TREE-4)
            child_path, label = (*path, elem), str(position)
            if child_path in param_at:
                node.register_parameter(label, param_at[child_path])
                path_of[name + label] = child_path
            elif kind(child, child_path) not in ("param", "leaf"):
                node.add_module(label, go(child, child_path, f"{name}{label}."))
        return node

    root: nn.Module
    if kind(model) == "param":
        root = _Node()
        root.register_parameter("0", params[0])
        path_of["0"] = ()
    else:
        root = go(model, (), "")
    return EngineModel(root, params, path_of)


def _numpy(t: torch.Tensor) -> np.ndarray:
    return t.detach().cpu().numpy().copy()


# ------------------------------------------------------------------------- the adapter


class TorchAdapter(Adapter):
    """torch.optim on ``OPTCONF_TORCH_DEVICE`` (default cpu), float32 and float64."""

    def __init__(self) -> None:
        self.device = torch.device(os.environ.get(DEVICE_VARIABLE, "cpu"))
        torch.empty(0, device=self.device)  # fail here, at load, if the device is absent

    def info(self) -> EngineInfo:
        dtypes = ("float32",) if self.device.type == "mps" else ("float32", "float64")
        return EngineInfo(
            name="torch",
            engine="torch",
            version=torch.__version__,
            device=str(self.device),
            dtypes=dtypes,
            capabilities=frozenset({"shared", "freeze", "adjust", "none_grad", "state",
                                    "collect", "destructure", "gradient", "carried"}),
            paths=PATHS,
            variants=dict(VARIANTS),
            notes="nn.Module tree with tied Parameters; freezing = requires_grad_(False) so "
                  "autograd leaves p.grad None; adjust = param_group[...] = value",
        )

    def supports(self, rule: Rule) -> str | None:
        try:
            plan(rule)
        except Unsupported as reason:
            return str(reason)
        return None

    def _dtype(self, dtype: str) -> torch.dtype:
        if dtype not in self.info().dtypes:
            raise Unsupported(f"torch on {self.device} does not run {dtype} here")
        chosen: torch.dtype = getattr(torch, dtype)
        return chosen

    def run(self, program: Program, path: PathName) -> Outcome:
        if path not in PATHS:
            raise Unsupported(f"torch has no {path!r} path")
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            session = Session(program, path, self._dtype(program.dtype), self.device)
            for op in program.ops:
                session.apply(op)
            outcome = session.outcome()
        outcome.warnings = [
            WarningRecord(w.category.__name__, str(w.message), w.filename, w.lineno) for w in seen
        ]
        return outcome

    def collect(self, model: Any, dtype: str) -> list[np.ndarray]:
        """``list(module.parameters())`` -- torch's order (COLL-2)."""
        engine = build(model, self._dtype(dtype), self.device)
        return [_numpy(p) for p in engine.torch_order()]

    def destructure(self, model: Any, dtype: str) -> np.ndarray:
        """``parameters_to_vector(module.parameters())`` (FLAT-1)."""
        engine = build(model, self._dtype(dtype), self.device)
        return _numpy(parameters_to_vector(engine.torch_order()))

    def gradient(self, model: Any, loss: Any, dtype: str, via: str) -> Any:
        """torch autograd through ``list(module.parameters())`` or through
        ``parameters_to_vector`` of it; each Parameter's gradient goes to the tree path of
        the name ``named_parameters()`` gives it (its first name in torch's order), None at
        its other names (GRAD-1, GRAD-2).  ``Param(i)`` of the loss is the i-th array of
        ``trainables(model)``, found in torch's collection by identity."""
        torch_dtype = self._dtype(dtype)
        engine = build(model, torch_dtype, self.device)
        named = list(engine.module.named_parameters())
        collected = [p for _, p in named]
        ops = _ops(torch_dtype, self.device)
        if via == "trainables":
            value = ref_expr.evaluate(loss, engine.params, ops)
            grads = torch.autograd.grad(value, collected, allow_unused=True)
        elif via == "destructure":
            flat = parameters_to_vector(collected).detach().requires_grad_(True)
            pieces = _cut(flat, collected)
            by_id = {id(p): piece for p, piece in zip(collected, pieces, strict=True)}
            value = ref_expr.evaluate(loss, [by_id[id(p)] for p in engine.params], ops)
            (flat_grad,) = torch.autograd.grad(value, flat, allow_unused=True,
                                               materialize_grads=True)
            grads = tuple(_cut(flat_grad, collected))
        else:
            raise Unsupported(f"torch has no {via!r} collection to differentiate through")
        at_path = {
            engine.path_of[name]: _numpy(g).astype(np.float64)
            for (name, _), g in zip(named, grads, strict=True) if g is not None
        }
        return mirror(model, lambda path, _x: at_path.get(path))

    def repro_source(self, program: Program, path: PathName) -> str | None:
        """A torch-only replay over a flat list of Parameters: frozen arrays get no .grad,
        adjust sets the param group's keys, clipping uses torch.nn.utils.  Each op's data
        (frozen indices, new group keys) is worked out here and written in as literals."""
        try:
            rule, the_plan = program.rule, plan(program.rule)
            extras: list[Any] = []
            for op in program.ops:
                if isinstance(op, Adjust):
                    rule = rule.adjusted(**op.changes)
                    extras.append(dict(plan(rule).kwargs))
                elif isinstance(op, Freeze | Thaw):
                    extras.append(sorted(_indices_under(program.model, op.keys)))
                else:
                    extras.append(None)
        except (Unsupported, TypeError, KeyError):
            return None
        clips = [(type(c).__name__, dataclasses.asdict(c)) for c in the_plan.clips]
        flags: dict[str, bool] = {path: True} if path in ("foreach", "fused") else {}
        return _REPRO.format(optimiser=the_plan.optimiser, kwargs={**the_plan.kwargs, **flags},
                             extras=extras, clips=clips)


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
        for name, clip in {clips!r}:
            if name == "ClipGrad":
                torch.nn.utils.clip_grad_value_(held, clip["delta"])
            elif name == "ClipGlobalNorm":
                torch.nn.utils.clip_grad_norm_(held, clip["omega"])
            else:
                for p in held:
                    torch.nn.utils.clip_grad_norm_([p], clip["omega"], norm_type=clip["p"])
        opt.step()
GOT = [p.detach().numpy().astype(np.float64) for p in params]"""


def _ops(dtype: torch.dtype, device: torch.device) -> ref_expr.Ops:
    """The expression operations in torch, so autograd traces the loss (EXPR-1)."""
    return ref_expr.Ops(
        const=lambda v: torch.as_tensor(v, dtype=dtype, device=device),
        add=operator.add,
        mul=operator.mul,
        matmul=operator.matmul,
        tanh=torch.tanh,
        square=torch.square,
        sum=torch.sum,
        dot=lambda a, b: torch.sum(a * b),
        index=operator.getitem,
        reshape=lambda x, shape: x.reshape(shape),
    )


def _cut(flat: torch.Tensor, like: list[nn.Parameter]) -> list[torch.Tensor]:
    """Views of ``flat`` shaped like ``like``, in order (what vector_to_parameters copies)."""
    pieces, offset = [], 0
    for p in like:
        pieces.append(flat[offset:offset + p.numel()].view_as(p))
        offset += p.numel()
    return pieces


def _indices_under(model: Any, keys: tuple[Any, ...]) -> set[int]:
    """Distinct parameters with an occurrence under the state subtree ``keys`` (FRZ-3)."""
    found = {occ.position for occ in occurrences(model)
             if tuple(elem.key for elem in occ.path[:len(keys)]) == tuple(keys)}
    if keys and not found and _missing(model, keys):
        raise KeyError(f"state{list(keys)}: no such entry (clause FRZ-3)")
    return found


def _missing(model: Any, keys: tuple[Any, ...]) -> bool:
    node: Any = mirror(model, lambda _p, _x: 0)
    for key in keys:
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            return True
    return False


# ------------------------------------------------------------------------- one program


class Session:
    """One program on torch: the engine model, the optimisers of ``path`` and the frozen
    set, stepping the way a torch training loop does."""

    def __init__(self, program: Program, path: PathName, dtype: torch.dtype,
                 device: torch.device) -> None:
        self.program, self.path, self.rule = program, path, program.rule
        self.plan = plan(program.rule)
        self.engine = build(program.model, dtype, device)
        self.position = self.engine.position()
        self.index_of = {id(o.array): o.position for o in occurrences(program.model)}
        self.frozen: set[int] = set()
        self.flat: nn.Parameter | None = None
        if path == "flat_vector":
            if not self.rule.elementwise:
                raise Unsupported(f"{self.rule!r} works per array; one flat Parameter is one "
                                  "array, a different computation (RULE-4)")
            self.flat = nn.Parameter(parameters_to_vector(self.engine.torch_order()).detach())
        if path == "per_array" and self.rule.needs_global:
            raise Unsupported(f"{self.rule!r} needs the norm over every array of an update, "
                              "which one optimiser per array does not see (RULE-8)")
        self.optimisers = self._optimisers()

    def _optimisers(self) -> list[torch.optim.Optimizer]:
        cls = getattr(torch.optim, self.plan.optimiser)
        kwargs = dict(self.plan.kwargs)
        if self.path == "foreach":
            kwargs["foreach"] = True
        if self.path == "fused":
            if self.plan.optimiser not in FUSED:
                raise Unsupported(f"torch.optim.{self.plan.optimiser} has no fused "
                                  "implementation (fused=True is SGD, Adam, AdamW, Adagrad)")
            kwargs["fused"] = True
        if self.flat is not None:
            return [cls([self.flat], **kwargs)]
        if self.path == "per_array":
            return [cls([p], **kwargs) for p in self.engine.torch_order()]
        if not self.engine.params:
            raise Unsupported("torch.optim refuses a model without parameters (ValueError: "
                              "optimizer got an empty parameter list); Optimisers.jl warns "
                              "and goes on (STATE-5)")
        return [cls(self.engine.module.parameters(), **kwargs)]

    # ---- operations

    def apply(self, op: Step | Freeze | Thaw | Adjust) -> None:
        if isinstance(op, Step):
            self.step(op.grads)
        elif isinstance(op, Freeze | Thaw):
            self.toggle(op.keys, frozen=isinstance(op, Freeze))
        else:
            self.adjust(op.changes)

    def step(self, grads: Any) -> None:
        for opt in self.optimisers:
            opt.zero_grad(set_to_none=True)
        if self.flat is not None:
            self._flat_grad(grads)
        elif self.path in ("structured", "foreach", "fused"):
            self._tree_grads(grads)
        else:
            self._list_grads(grads)
        self._clip()
        for opt in self.optimisers:
            opt.step()

    def _tensor(self, g: np.ndarray, like: torch.Tensor) -> torch.Tensor:
        return torch.tensor(g, dtype=like.dtype, device=like.device)

    def _tree_grads(self, grads: Any) -> None:
        """Each occurrence's gradient added into its Parameter's .grad, as autograd
        accumulates a tied weight's uses (TIE-2); frozen Parameters get none."""
        for occ, g in per_occurrence(self.program.model, grads):
            if g is None or occ.position in self.frozen:
                continue
            p = self.engine.params[occ.position]
            t = self._tensor(g, p)
            p.grad = t if p.grad is None else p.grad + t

    def _list_grads(self, grads: Any) -> None:
        for i, g in enumerate(flat_list_grads(self.program.model, grads)):
            if g is not None and i not in self.frozen:
                p = self.engine.params[i]
                p.grad = self._tensor(g, p)

    def _flat_grad(self, grads: Any) -> None:
        """One flat gradient in torch's order, zeros where a parameter has none; no
        gradient at all when none has one (a flat buffer cannot say None)."""
        assert self.flat is not None
        summed = flat_list_grads(self.program.model, grads)
        if self.frozen or all(g is None for g in summed):
            return
        order = self.engine.torch_order()
        pieces = [
            np.zeros(p.numel()) if g is None else np.asarray(g, np.float64).ravel()
            for p, g in ((p, summed[self.position[id(p)]]) for p in order)
        ]
        self.flat.grad = self._tensor(np.concatenate(pieces) if pieces else np.zeros(0),
                                      self.flat)

    def _clip(self) -> None:
        """The chain's clipping rules on the gradients torch holds, in chain order."""
        holders = [self.flat] if self.flat is not None else self.engine.torch_order()
        grads = [p for p in holders if p is not None and p.grad is not None]
        if not grads:
            return  # nothing to clip; torch's clip_grad_value_([]) raises instead
        for clip in self.plan.clips:
            c: Any = clip
            name = type(clip).__name__
            if name == "ClipGrad":
                nn.utils.clip_grad_value_(grads, c.delta)
            elif name == "ClipGlobalNorm":
                nn.utils.clip_grad_norm_(grads, c.omega, error_if_nonfinite=c.throw)
            else:  # ClipNorm: torch's norm clipping, one array at a time; an empty array
                # has nothing to clip (torch's inf-norm of an empty tensor raises instead)
                for p in grads:
                    if p.numel():
                        nn.utils.clip_grad_norm_([p], c.omega, norm_type=c.p,
                                                 error_if_nonfinite=c.throw)

    def toggle(self, keys: tuple[Any, ...], *, frozen: bool) -> None:
        """Freeze: ``requires_grad_(False)``, so these Parameters get no gradient and torch
        skips them; a tie is one Parameter, frozen everywhere (FRZ-1, TIE-4)."""
        indices = _indices_under(self.program.model, keys)
        if self.flat is not None and indices and indices != set(self.position.values()):
            raise Unsupported("one flat Parameter cannot freeze part of the model")
        for i in indices:
            self.engine.params[i].requires_grad_(not frozen)
        self.frozen = self.frozen | indices if frozen else self.frozen - indices

    def adjust(self, changes: Mapping[str, Any]) -> None:
        """``param_group[key] = value`` for the adjusted rule's keyword arguments (ADJ-1);
        the state is kept (ADJ-2)."""
        new_rule = self.rule.adjusted(**changes)
        new_plan = plan(new_rule)
        if new_plan.optimiser != self.plan.optimiser:
            raise Unsupported(f"adjusting {dict(changes)} turns torch.optim."
                              f"{self.plan.optimiser} into {new_plan.optimiser}")
        for opt in self.optimisers:
            for group in opt.param_groups:
                group.update(new_plan.kwargs)
        self.rule, self.plan = new_rule, new_plan

    # ---- the result

    def outcome(self) -> Outcome:
        if self.flat is not None:
            vector_to_parameters(self.flat.detach(), self.engine.torch_order())
        values = [_numpy(p) for p in self.engine.params]
        model = map_params(
            lambda _path, x: values[self.index_of[id(x)]], self.program.model)
        return Outcome(model, [self._state(i) for i in range(len(self.engine.params))])

    def _state(self, index: int) -> dict[str, Any] | None:
        """The reference state fields of parameter ``index``; None before torch made any."""
        param = self.engine.params[index]
        holder, piece = param, slice(None)
        if self.flat is not None:
            holder, piece = self.flat, self._flat_slice(param)
        opt = self._optimiser_of(holder)
        raw = opt.state.get(holder)
        if not raw:
            return None
        group = opt.param_groups[0]
        record = {}
        for key, value in self.plan.state(raw, group).items():
            if isinstance(value, torch.Tensor):
                value = _numpy(value[piece].view_as(param) if self.flat is not None else value)
            record[self.plan.prefix + key] = value
        return record

    def _flat_slice(self, param: nn.Parameter) -> slice:
        offset = 0
        for p in self.engine.torch_order():
            if p is param:
                return slice(offset, offset + p.numel())
            offset += p.numel()
        raise KeyError("parameter not in the model")

    def _optimiser_of(self, holder: torch.Tensor) -> torch.optim.Optimizer:
        if self.path == "per_array":
            return self.optimisers[[id(p) for p in self.engine.torch_order()].index(id(holder))]
        return self.optimisers[0]


__all__ = ["Plan", "TorchAdapter", "build", "plan"]
