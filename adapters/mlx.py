"""The MLX adapter: ``mlx.optimizers`` over ``mlx.nn.Module`` trees, flat lists, one
optimiser per array and one flat array, on MLX's CPU device.

The reference tree becomes a tree of ``nn.Module`` (a dict): one Module per container, its
children under ``str(key)`` (list and tuple positions ``"0"``, ``"1"``, ...), each
parameter an ``mx.array`` of the program's dtype.  Carried values stay aside.  MLX trees are
values, not identities, so a tie cannot be expressed (TIE-1).  Freezing is
``Module.freeze`` / ``unfreeze``: a frozen array leaves ``trainable_parameters()``, so it gets
no gradient.  The optimiser is initialised over every parameter up front
(``optimizer.init``), since MLX does not extend its state when a thawed or late parameter
first gets a gradient (FINDINGS M4).

MLX stores a float learning rate as a float32 array (``mx.array(0.1)``), so a float64 run
would step with a rounded rate (FINDINGS M1): the adapter passes the learning rate as an
``mx.array`` of the program's dtype, the documented way to keep it exact.
"""

from __future__ import annotations

import dataclasses
import operator
import os
import tempfile
from collections.abc import Callable, Iterable
from importlib.metadata import version
from typing import Any

import numpy as np

from optconf.reference import expr as ref_expr
from optconf.reference import rules

from . import session
from .protocol import (
    Absent,
    Adapter,
    EngineInfo,
    Outcome,
    PathName,
    Program,
    Rule,
    Unsupported,
    composed,
    consecutive,
    first_occurrences,
    flat_list_grads,
    fold,
    frozen_for_gradient,
    mirror,
    occurrences,
    path_entry,
    refusal,
    refused,
    require_variant,
    rule_entry,
    with_warnings,
)
from .session import (
    Held,
    Plan,
    beta_powers,
    drive,
    not_offered,
    refuse_flat,
    refuse_per_array,
    resumed_from,
)

try:
    import mlx.core as mx
    import mlx.nn as nn
    import mlx.optimizers as optim
    from mlx.utils import tree_flatten, tree_map, tree_map_with_path
except ImportError as exc:  # the loader reports this as "engine not installed"
    raise ModuleNotFoundError(f"pip install 'optconf[mlx]' ({exc})", name="mlx") from exc

DTYPES = ("float32", "float64")
#: No "shared": MLX trees hold values, one array at two places is two parameters (TIE-1).
CAPABILITIES = frozenset({"freeze", "adjust", "none_grad", "state", "collect", "destructure",
                          "gradient", "frozen_gradient", "carried", "checkpoint"})
TIES = ("one array at several places of the model: an MLX parameter tree holds values, and "
        "the optimiser updates each place on its own (TIE-1)")

# ------------------------------------------------------------ rules -> mlx.optimizers

def _no_state(state: dict[str, Any], opt: Any) -> dict[str, Any]:
    return {}


def _adam_fields(state: dict[str, Any], opt: Any) -> dict[str, Any]:
    """m, v and MLX's one step counter as Adam's mu, nu and beta_t (ADAM-2)."""
    return {"mu": state["m"], "nu": state["v"], "beta_t": beta_powers(opt.betas, opt.step.item())}


def _sgd(r: Any, decay: float) -> Plan:
    return Plan("SGD", {"learning_rate": r.eta, "weight_decay": decay}, _no_state)


def _momentum(r: Any, decay: float) -> Plan:
    """``SGD(momentum=rho)``: v <- rho v + g, step eta v (MOMENTUM-2, NESTEROV-2); MLX
    refuses ``nesterov=True`` without momentum, where Nesterov is plain SGD."""
    nesterov = isinstance(r, rules.Nesterov) and r.rho > 0
    return Plan("SGD", {"learning_rate": r.eta, "momentum": r.rho, "nesterov": nesterov,
                        "weight_decay": decay}, lambda s, _opt: {"velocity": s["v"]})


def _rmsprop(r: Any, decay: float) -> Plan:
    if r.centred:
        raise Unsupported("mlx.optimizers.RMSprop has no centred form (RMSPROP-1)")
    if r.epsilon <= 0:
        raise Unsupported(f"mlx RMSprop refuses eps <= 0; epsilon={r.epsilon}")
    return Plan("RMSprop", {"learning_rate": r.eta, "alpha": r.rho, "eps": r.epsilon},
                lambda s, _opt: {"quad": s["v"], "lin": None})


def _adagrad(r: Any, decay: float) -> Plan:
    if r.epsilon <= 0:
        raise Unsupported(f"mlx Adagrad refuses eps <= 0; epsilon={r.epsilon}")
    return Plan("Adagrad", {"learning_rate": r.eta, "eps": r.epsilon},
                lambda s, _opt: {"acc": s["v"]})


def _adadelta(r: Any, decay: float) -> Plan:
    """``AdaDelta(learning_rate=1)``: the reference's AdaDelta has no learning rate."""
    if r.epsilon <= 0:
        raise Unsupported(f"mlx AdaDelta refuses eps <= 0; epsilon={r.epsilon}")
    return Plan("AdaDelta", {"learning_rate": 1.0, "rho": r.rho, "eps": r.epsilon},
                lambda s, _opt: {"acc": s["v"], "delta_acc": s["u"]})


def _adam(r: Any, decay: float) -> Plan:
    """``Adam(bias_correction=True)``: MLX's default skips the bias correction (ADAM-1)."""
    return Plan("Adam", {"learning_rate": r.eta, "betas": list(r.beta), "eps": r.epsilon,
                         "bias_correction": True}, _adam_fields)


def _adamw(r: Any, decay: float) -> Plan:
    """MLX AdamW shrinks x by (1 - eta lambda) before the Adam step: the coupled form
    eta (a + lambda x) (ADAMW-1)."""
    if not r.couple:
        raise Unsupported("mlx AdamW multiplies the decay by the learning rate: it has no "
                          "AdamW(couple=False) (ADAMW-2)")
    return Plan("AdamW", {"learning_rate": r.eta, "betas": list(r.beta), "eps": r.epsilon,
                          "weight_decay": r.lambda_, "bias_correction": True}, _adam_fields)


#: Each reference rule as mlx.optimizers, given the coupled L2 ``decay`` of a WeightDecay
#: chained before it (only SGD takes one); an entry raises Unsupported where MLX has no
#: faithful counterpart.  Clipping and WeightDecay are composed by :func:`plan`.
RULES: dict[type[Rule], Callable[[Any, float], Plan]] = {
    rules.Descent: _sgd,
    rules.Momentum: _momentum,
    rules.Nesterov: _momentum,
    rules.RMSProp: _rmsprop,
    rules.AdaGrad: _adagrad,
    rules.AdaDelta: _adadelta,
    rules.Adam: _adam,
    rules.AdamW: _adamw,
    # c = b1 m + (1-b1) g, step eta sign(c), then m <- b2 m + (1-b2) g: the paper (LION-2)
    rules.Lion: lambda r, decay: Plan(
        "Lion", {"learning_rate": r.eta, "betas": list(r.beta)},
        lambda s, _opt: {"mu": s["m"]}),
    rules.AdaMax: refused("mlx Adamax omits the bias correction of the first moment "
                          "(its docstring says so): eta mu/(u + eps), where AdaMax divides "
                          "by 1 - beta1^t (ADAMAX-1)"),
    **not_offered("mlx.optimizers", rules.NAdam, rules.RAdam, rules.AMSGrad, rules.OAdam,
                  rules.AdaBelief, rules.Rprop),
    rules.SignDecay: Absent("mlx.optimizers has no L1 (sign) decay"),
    rules.AccumGrad: Absent("mlx.optimizers has no gradient accumulation"),
}

#: The named variant of each rule that mlx.optimizers implements (RULE-5).
VARIANTS: dict[type[Rule], tuple[str, str]] = {
    rules.Momentum: ("torch", "mlx SGD keeps the learning rate outside the velocity: "
                              "Momentum(variant='torch') (MOMENTUM-2)"),
    rules.Nesterov: ("torch", "mlx SGD(nesterov=True) keeps the learning rate outside the "
                              "velocity: Nesterov(variant='torch') (NESTEROV-2)"),
    rules.Lion: ("paper", "mlx Lion is the paper's form: Lion(variant='paper') (LION-2)"),
}
CLIPS = (rules.ClipGrad, rules.ClipNorm, rules.ClipGlobalNorm)
SGD_RULES = (rules.Descent, rules.Momentum, rules.Nesterov)


def plan(rule: Rule) -> Plan:
    """The MLX plan of ``rule`` (a rule, or a chain: clipping, then at most one WeightDecay,
    then one optimiser rule); Unsupported with the reason otherwise.  The clips are applied
    to the gradient tree (:func:`clipped`); only SGD takes a coupled decay."""
    chain = composed(rule, CLIPS, "mlx composes clipping, then one coupled weight decay, "
                     "then one optimiser")
    for clip in chain.clips:
        if isinstance(clip, rules.ClipNorm) and clip.p != 2:
            raise Unsupported(f"ClipNorm(p={clip.p}): mlx clip_grad_norm is the L2 norm")
    prefix, core = chain.core or ("", rules.Descent(eta=1.0))
    require_variant(VARIANTS, core)
    if chain.decay and not isinstance(core, SGD_RULES):
        raise Unsupported(f"only mlx SGD takes a coupled weight_decay; a WeightDecay before "
                          f"{type(core).__name__} has no MLX form")
    found = rule_entry(RULES, core, "mlx.optimizers")(core, chain.decay or 0.0)
    return dataclasses.replace(found, clips=chain.clips, prefix=prefix)


def make_optimiser(the_plan: Plan, dtype: Any) -> Any:
    """``the_plan``'s optimiser, its learning rate an array of ``dtype`` (M1)."""
    kwargs = dict(the_plan.kwargs)
    kwargs["learning_rate"] = mx.array(kwargs["learning_rate"], dtype=dtype)
    return getattr(optim, the_plan.optimiser)(**kwargs)


def _adjust(opts: list[Any], old: Plan, new: Plan, dtype: Any) -> None:
    """Each changed keyword argument set as the optimisers' attribute of the same name, the
    learning rate as an array of the run's dtype; the state is kept (ADJ-1, ADJ-2).  The
    clipping takes the new thresholds at the next step."""
    for opt in opts:
        if new.optimiser != old.optimiser or new.kwargs.get("nesterov") != old.kwargs.get(
                "nesterov"):
            raise Unsupported(f"the adjustment turns mlx {old.optimiser}({dict(old.kwargs)}) "
                              f"into {new.optimiser}({dict(new.kwargs)})")
        for key, value in new.kwargs.items():
            setattr(opt, key, mx.array(value, dtype=dtype) if key == "learning_rate"
                    else value)


def clipped(grads: Any, clips: tuple[Rule, ...]) -> Any:
    """The chain's clipping on the gradient tree, in chain order, as an MLX training loop
    writes it: ``clip_grad_norm`` over the whole tree (ClipGlobalNorm) or over each array on
    its own (ClipNorm), ``mx.clip`` of each array (ClipGrad; mlx.optimizers has no helper)
    (CLIPGRAD-1, CLIPNORM-1, CLIPGLOBALNORM-1)."""
    for clip in clips:
        c: Any = clip
        if isinstance(clip, rules.ClipGlobalNorm):
            grads = optim.clip_grad_norm(grads, c.omega)[0]
        elif isinstance(clip, rules.ClipGrad):
            grads = tree_map(lambda g, c=c: mx.clip(g, -c.delta, c.delta), grads)
        else:
            grads = tree_map(lambda g, c=c: optim.clip_grad_norm(g, c.omega)[0], grads)
    return grads


# ------------------------------------------------------------------ the engine's model


def build(model: Any, dtype: Any) -> tuple[nn.Module, dict[Any, tuple[str, ...]]]:
    """The Module tree of ``model`` and the Module-key path of each parameter position
    (trainables order).  A tie is unsupported (TIE-1)."""
    occs = occurrences(model)
    if len(occs) != len(first_occurrences(occs)):
        raise Unsupported(TIES)
    position = {occ.path: occ.position for occ in occs}

    def at_param(path: Any, x: np.ndarray) -> Any:
        return (mx.array(x, dtype=dtype), {position[path]: ()})

    def node(_path: Any, _x: Any, _kind: str, kids: list[tuple[Any, Any]]) -> Any:
        module, where = nn.Module(), dict[int, tuple[str, ...]]()
        for elem, kid in kids:
            if kid is None:
                continue
            label = str(elem.key)
            if label in module or "." in label:
                raise Unsupported(f"key {label!r}: MLX names a parameter by its keys joined "
                                  "with '.' as strings, which this key makes ambiguous")
            module[label] = kid[0]
            where |= {i: (label, *rest) for i, rest in kid[1].items()}
        return module, where

    root = fold(model, at_param, node, lambda _path, _x: None)
    if root is None:
        return nn.Module(), {}
    if not isinstance(root[0], nn.Module):  # the model is one array: a Module holding it
        module = nn.Module()
        module["0"] = root[0]
        return module, {0: ("0",)}
    module, where = root
    return module, where


def _at(tree: Any, keys: tuple[str, ...]) -> Any:
    """The entry of a nested tree (Module, dict, optimiser state) at a key path."""
    for key in keys:
        tree = tree[key]
    return tree


def _nested(pairs: list[tuple[tuple[str, ...], Any]]) -> dict[str, Any]:
    """A nested dict holding each value at its key path (a Module-shaped tree)."""
    tree: dict[str, Any] = {}
    for keys, value in pairs:
        node = tree
        for key in keys[:-1]:
            node = node.setdefault(key, {})
        node[keys[-1]] = value
    return tree


def named_parameters(tree: Any) -> list[tuple[str, Any]]:
    """``tree_flatten(tree)`` (a Module: of its ``trainable_parameters()``): (dotted name,
    array) pairs in MLX's collection order (COLL-2)."""
    if isinstance(tree, nn.Module):
        tree = tree.trainable_parameters()
    named = tree_flatten(tree)
    assert isinstance(named, list)  # a dict only when asked for (destination=dict)
    return named


def _numpy(x: Any) -> np.ndarray:
    return np.array(x, copy=True)


def _same(x: Any) -> Any:
    return x


# ------------------------------------------------------------------------- one program


class Run(session.Run[Plan]):
    """One program on MLX: its dtype, the Module tree, the key path of each parameter
    (trainables order) and the optimisers built so far."""

    def __init__(self, program: Program, dtype: Any) -> None:
        super().__init__(program, plan)
        self.dtype, self.opts = dtype, list[Any]()
        self.module, self.keys = build(program.model, dtype)

    def params(self) -> list[Any]:
        return [_at(self.module, self.keys[i]) for i in range(len(self.keys))]

    def optimiser(self, tree: Any) -> Any:
        """The plan's optimiser, initialised over every array of ``tree`` up front: MLX does
        not extend its state to a parameter first seen later (M4)."""
        opt = make_optimiser(self.plan, self.dtype)
        opt.init(tree)
        self.opts.append(opt)
        return opt

    def held(self, step: Callable[[list[Any]], None], values: Callable[[], list[Any]],
             states: Callable[[], list[dict[str, Any] | None]]) -> Held:
        """``step`` given each Step's gradients as arrays (trainables order, None kept); an
        Adjust reaches every optimiser built (ADJ-1)."""
        def reload(_into: str) -> None:
            for opt in self.opts:
                _reload(opt, self.plan, self.dtype)

        return Held(lambda grads: step([None if g is None else mx.array(g, dtype=self.dtype)
                                        for g in flat_list_grads(self.program.model, grads)]),
                    lambda old, new: _adjust(self.opts, old, new, self.dtype),
                    lambda: [_numpy(v) for v in values()], states, reload=reload)

    def fields(self, opt: Any, state: Any, pick: Callable[[Any], Any] = _same
               ) -> dict[str, Any] | None:
        """A parameter's MLX state as reference fields; None before MLX made any."""
        return self.plan.fields(lambda v: _numpy(pick(v)), mx.array, state, opt) if state \
            else None


def _reload(opt: Any, the_plan: Plan, dtype: Any) -> None:
    """A checkpoint of ``opt`` (STATE-8), as MLX's docs save and load an optimiser:
    ``tree_flatten(optimizer.state)`` written with ``mx.save_safetensors``, a fresh optimiser
    of the plan given the file's arrays back as its ``state`` (placed by their flattened names
    in the saved state's structure, which ``tree_unflatten`` would turn into lists where the
    adapter's Modules have digit keys), and the path's ``opt`` resumed from it
    (``session.resumed_from``)."""
    with tempfile.TemporaryDirectory(prefix="optconf-") as folder:
        file = os.path.join(folder, "optimizer.safetensors")
        mx.save_safetensors(file, dict(tree_flatten(opt.state)))
        saved = mx.load(file)
        fresh = make_optimiser(the_plan, dtype)
        fresh.state = tree_map_with_path(lambda name, _old: saved[name], opt.state)
        mx.eval(fresh.state)
    resumed_from(opt, fresh)


def _dict_tree(run: Run, keys: list[tuple[str, ...]], tree: Any, *, module: bool) -> Held:
    """One optimiser over one dict tree holding parameter i at ``keys[i]``; each step's
    gradient tree holds only the arrays that have a gradient and are not frozen, which MLX
    neither moves nor touches (FRZ-1, UPD-5).  ``module``: the tree is the Module, frozen
    with ``freeze`` and stepped by ``optimizer.update(module, grads)`` over the names of
    ``trainable_parameters()``."""
    opt = run.optimiser(tree)

    def step(grads: list[Any]) -> None:
        if module:
            _freeze(run.module, run.keys, run.frozen)
            open_keys = {tuple(k.split(".")) for k, _ in named_parameters(run.module)}
        else:
            open_keys = {keys[i] for i in range(len(keys)) if i not in run.frozen}
        pairs = [(keys[i], g) for i, g in enumerate(grads)
                 if g is not None and keys[i] in open_keys]
        if not pairs:  # no gradient at all: a training loop has nothing to update
            return
        step_grads = clipped(_nested(pairs), run.plan.clips)
        if module:
            opt.update(run.module, step_grads)
        else:
            new = opt.apply_gradients(step_grads, tree)
            for key, _ in pairs:
                _at(tree, key[:-1])[key[-1]] = _at(new, key)

    return run.held(step, lambda: [_at(tree, k) for k in keys],
                    lambda: [run.fields(opt, _at(opt.state, k)) for k in keys])


def _freeze(module: nn.Module, keys: dict[Any, tuple[str, ...]], frozen: Iterable[int]) -> None:
    """``unfreeze()`` everything, then ``freeze(keys=[name], recurse=False)`` on the Module
    holding each frozen array (FRZ-1, FRZ-2, GRAD-3)."""
    module.unfreeze()
    for i in frozen:
        *parents, name = keys[i]
        _at(module, tuple(parents)).freeze(keys=[name], recurse=False)


def _structured(run: Run) -> Held:
    """The Module tree, ``optimizer.update(module, grads)``."""
    return _dict_tree(run, [run.keys[i] for i in range(len(run.keys))], run.module,
                      module=True)


def _flat_list(run: Run) -> Held:
    """``dict(named_parameters(module))``: one flat dict of arrays by
    dotted name, MLX's flat form of a model."""
    names = [".".join(run.keys[i]) for i in range(len(run.keys))]
    flat = dict(named_parameters(run.module))
    return _dict_tree(run, [(n,) for n in names], flat, module=False)


def _per_array(run: Run) -> Held:
    """One optimiser per array, ``{"p": array}`` each; an array frozen or without gradient
    is not passed to its optimiser (UPD-5)."""
    refuse_per_array(run.rule, "one optimiser per array")
    trees = [{"p": p} for p in run.params()]
    opts = [run.optimiser(tree) for tree in trees]

    def step(grads: list[Any]) -> None:
        for i, g in enumerate(grads):
            if g is not None and i not in run.frozen:
                trees[i] = opts[i].apply_gradients(clipped({"p": g}, run.plan.clips),
                                                   trees[i])

    return run.held(step, lambda: [t["p"] for t in trees],
                    lambda: [run.fields(opt, opt.state["p"]) for opt in opts])


def _flat_vector(run: Run) -> Held:
    """One flat array, ``mx.concatenate`` of the raveled parameters in tree_flatten order;
    a parameter without gradient contributes zeros, a step without any is skipped, and a
    part of it cannot be frozen (RULE-4, FRZ-1)."""
    refuse_flat(run.rule, "one flat array")
    params = run.params()
    pieces = consecutive(p.size for p in params)
    tree = {"flat": mx.concatenate([p.reshape(-1) for p in params])} if params else {}
    opt = run.optimiser(tree)

    def step(grads: list[Any]) -> None:
        nonlocal tree
        if all(g is None for g in grads) or len(run.frozen) == len(grads):
            return
        if run.frozen:
            raise Unsupported("one flat MLX array cannot freeze part of itself (FRZ-1)")
        vector = mx.concatenate([mx.zeros(p.size, dtype=run.dtype) if g is None
                                 else g.reshape(-1) for p, g in zip(params, grads,
                                                                    strict=True)])
        tree = opt.apply_gradients(clipped({"flat": vector}, run.plan.clips), tree)

    def piece(i: int) -> Callable[[Any], Any]:
        return lambda v: v[pieces[i]].reshape(params[i].shape)

    return run.held(step, lambda: [piece(i)(tree["flat"]) for i in range(len(params))],
                    lambda: [run.fields(opt, opt.state["flat"], piece(i))
                             for i in range(len(params))])


#: One function per update path: what it holds the parameters in (:class:`Held`).
PATHS: dict[PathName, Callable[[Run], Held]] = {
    "structured": _structured,
    "flat_list": _flat_list,
    "per_array": _per_array,
    "flat_vector": _flat_vector,
}


# ---------------------------------------------------------------------- the adapter


class MlxAdapter(Adapter):
    """mlx.optimizers on MLX's CPU device, float32 and float64."""

    protocol_version = 1

    def info(self) -> EngineInfo:
        return EngineInfo(
            name="mlx",
            engine="mlx",
            version=version("mlx"),
            device=str(mx.default_device()).lower(),
            dtypes=DTYPES,
            capabilities=CAPABILITIES,
            paths=tuple(PATHS),
            variants={cls.__name__: variant for cls, (variant, _) in VARIANTS.items()},
            notes="nn.Module trees (no ties); freezing = Module.freeze; optimizer.init over "
                  "every parameter first; the learning rate as an array of the run's dtype",
        )

    def supports(self, rule: Rule) -> str | None:
        return refusal(plan, rule)

    def run(self, program: Program, path: PathName) -> Outcome:
        go = path_entry(PATHS, path, "mlx")
        run = Run(program, self._dtype(program.dtype))
        return with_warnings(lambda: drive(run, go(run)))

    def collect(self, model: Any, dtype: str) -> list[np.ndarray]:
        """``named_parameters(module)``: MLX's order (COLL-2)."""
        module, _ = build(model, self._dtype(dtype))
        return [_numpy(a) for _, a in named_parameters(module)]

    def destructure(self, model: Any, dtype: str) -> np.ndarray:
        """``mx.concatenate`` of the raveled ``tree_flatten`` leaves (FLAT-1)."""
        module, _ = build(model, self._dtype(dtype))
        leaves = [a.reshape(-1) for _, a in named_parameters(module)]
        return _numpy(mx.concatenate(leaves)) if leaves else np.zeros(0, dtype)

    def gradient(self, model: Any, loss: Any, dtype: str, via: str,
                 frozen: tuple[tuple[Any, ...], ...] = ()) -> Any:
        """``nn.value_and_grad(module, loss)``: the gradient over
        ``module.trainable_parameters()`` of the loss reading the Module's arrays, or
        ``mx.grad`` over the flat vector of them cut back into arrays.  ``Param(i)`` is the
        i-th array of ``trainables(model)``, found by its key path.  mx.grad has no
        structural zero: a parameter the loss does not reach gets zeros (GRAD-1, GRAD-2).
        A frozen array (``Module.freeze``) is not among the trainable parameters, so it gets
        no gradient: None (GRAD-3); with every array frozen ``nn.value_and_grad`` raises
        (FINDINGS M6), so the adapter takes no gradient at all."""
        mdtype = self._dtype(dtype)
        module, keys = build(model, mdtype)
        ops = _ops(mdtype)
        order = [".".join(keys[i]) for i in range(len(keys))]
        still = frozen_for_gradient(model, frozen, via)
        if via == "trainables" and len(still) == len(keys):
            found = [None] * len(keys)  # nothing trainable: a user takes no gradient (M6)
        elif via == "trainables":
            _freeze(module, keys, still)
            _, grads = nn.value_and_grad(module, lambda: ref_expr.evaluate(
                loss, [_at(module, keys[i]) for i in range(len(keys))], ops))()
            found = [None if i in still else _at(grads, keys[i]) for i in range(len(keys))]
        elif via == "destructure":
            named = named_parameters(module)
            flat = mx.concatenate([a.reshape(-1) for _, a in named])
            ends = np.cumsum([a.size for _, a in named])
            slot = {name: (slice(int(end) - a.size, int(end)), a.shape)
                    for (name, a), end in zip(named, ends, strict=True)}

            def cut(v: Any) -> list[Any]:
                return [v[slot[n][0]].reshape(slot[n][1]) for n in order]

            found = cut(mx.grad(lambda v: ref_expr.evaluate(loss, cut(v), ops))(flat))
        else:
            raise Unsupported(f"MLX has no {via!r} collection to differentiate through")
        position = {occ.path: occ.position for occ in occurrences(model)}
        return mirror(model, lambda p, _x: None if found[position[p]] is None
                      else _numpy(found[position[p]]).astype(np.float64))

    @staticmethod
    def _dtype(dtype: str) -> Any:
        if dtype not in DTYPES:
            raise Unsupported(f"the mlx adapter runs {', '.join(DTYPES)}, not {dtype}")
        return getattr(mx, dtype)


def _ops(dtype: Any) -> ref_expr.Ops:
    """The expression operations in mlx.core, so mx.grad traces the loss (EXPR-1)."""
    return ref_expr.Ops(
        const=lambda v: mx.array(v, dtype=dtype),
        add=operator.add,
        mul=operator.mul,
        matmul=operator.matmul,
        tanh=mx.tanh,
        square=mx.square,
        sum=mx.sum,
        dot=lambda a, b: mx.sum(a * b),
        index=operator.getitem,
        reshape=lambda x, shape: x.reshape(shape),
    )


__all__ = ["MlxAdapter", "build", "clipped", "make_optimiser", "named_parameters", "plan"]
