"""The Keras 3 adapter: ``keras.optimizers`` applied with ``apply_gradients`` over a Layer
tree's ``trainable_variables``, a list of Variables, one optimiser per Variable, or one flat
Variable.

Keras runs on the backend ``KERAS_BACKEND`` names; the adapter sets it to ``torch`` (the
pinned CPU build) before importing keras when it is unset, and ``info()`` says which backend
runs.  The reference tree becomes a tree of Layers, one per container, each distinct array
one ``keras.Variable`` of the program's dtype tracked at every place it occurs (a tie is one
Variable in two Layers).  A float64 program runs with ``keras.config.set_floatx("float64")``,
the documented way to make the optimiser's own variables (the learning rate) float64 too.
Freezing sets ``variable.trainable = False`` (the other paths leave the Variable out of
``apply_gradients``); a missing gradient is passed as None, which Keras skips with a
warning.  Clipping (``clipvalue``, ``clipnorm``, ``global_clipnorm``), gradient accumulation
(``gradient_accumulation_steps``) and weight decay are optimiser arguments.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import operator
import os
import warnings
from collections.abc import Callable, Iterator, Mapping
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
    chain_members,
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
    trainables,
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

os.environ.setdefault("KERAS_BACKEND", "torch")
try:
    import keras
    from keras import ops
except ImportError as exc:  # the loader reports this as "engine not installed"
    raise ModuleNotFoundError(f"pip install 'optconf[keras]' ({exc})", name="keras") from exc

DTYPES = ("float32", "float64")
#: No "destructure": Keras has no flat-vector view of a model; "gradient" and
#: "frozen_gradient" where :data:`GRADIENTS` has the backend's autodiff.
CAPABILITIES = frozenset({"shared", "freeze", "adjust", "none_grad", "state", "collect",
                          "carried", "legacy", "checkpoint"})
CLIPS = {rules.ClipGrad: "clipvalue", rules.ClipNorm: "clipnorm",
         rules.ClipGlobalNorm: "global_clipnorm"}

# -------------------------------------------------------------- rules -> keras.optimizers

def _slot(opt: Any, name: str, var: Any) -> np.ndarray:
    """Optimiser variable list ``name``'s entry for ``var`` as NumPy."""
    return _numpy(getattr(opt, name)[opt._get_variable_index(var)])


def _beta_t(opt: Any) -> tuple[float, ...]:
    """Keras's powers of the current betas: one count for the whole optimiser (ADAM-2)."""
    return beta_powers((opt.beta_1, opt.beta_2), _numpy(opt.iterations))


def _adam_fields(opt: Any, var: Any) -> dict[str, Any]:
    return {"mu": _slot(opt, "_momentums", var), "nu": _slot(opt, "_velocities", var),
            "beta_t": _beta_t(opt)}


def _no_state(opt: Any, var: Any) -> dict[str, Any]:
    return {}


def _unmapped(opt: Any, var: Any) -> None:
    """A state with no reference counterpart: not compared."""
    return None


def _momentum(r: Any) -> Plan:
    """``SGD(momentum=rho)``: m <- rho m - eta g, x += m, the velocity with eta inside
    (MOMENTUM-1) and the opposite sign; ``nesterov=True``: x += rho m - eta g with the new
    m, which is NESTEROV-1 with m as its velocity."""
    nesterov = isinstance(r, rules.Nesterov)
    sign = 1 if nesterov else -1
    if r.rho == 0:  # keras keeps no momentum without momentum: no state to compare
        return Plan("SGD", {"learning_rate": r.eta}, _unmapped)
    return Plan("SGD", {"learning_rate": r.eta, "momentum": r.rho, "nesterov": nesterov},
                lambda opt, var: {"velocity": sign * _slot(opt, "momentums", var)})


def _rmsprop(r: Any) -> Plan:
    def read(opt: Any, var: Any) -> dict[str, Any]:
        lin = _slot(opt, "_average_gradients", var) if r.centred else None
        return {"quad": _slot(opt, "_velocities", var), "lin": lin}
    return Plan("RMSprop", {"learning_rate": r.eta, "rho": r.rho, "epsilon": r.epsilon,
                            "centered": r.centred}, read)


def _adamw(r: Any) -> Plan:
    if not r.couple:
        raise Unsupported("keras AdamW multiplies the decay by the learning rate: it has no "
                          "AdamW(couple=False) (ADAMW-2)")
    return Plan("AdamW", {**_adam_kwargs(r), "weight_decay": r.lambda_}, _adam_fields)


def _lion(r: Any) -> Plan:
    if r.beta[0] <= 0:
        raise Unsupported(f"keras Lion refuses beta_1 <= 0 (it 'degenerates to SignSGD'); "
                          f"beta={r.beta}")
    return Plan("Lion", {"learning_rate": r.eta, "beta_1": r.beta[0], "beta_2": r.beta[1]},
                lambda opt, var: {"mu": _slot(opt, "_momentums", var)})


def _adam_kwargs(r: Any) -> dict[str, Any]:
    return {"learning_rate": r.eta, "beta_1": r.beta[0], "beta_2": r.beta[1],
            "epsilon": r.epsilon}


#: Each reference rule as keras.optimizers; an entry raises Unsupported where Keras has no
#: counterpart.  Clipping, AccumGrad and WeightDecay are composed by :func:`plan`.
RULES: dict[type[Rule], Callable[[Any], Plan]] = {
    rules.Descent: lambda r: Plan("SGD", {"learning_rate": r.eta}, _no_state),
    rules.Momentum: _momentum,
    rules.Nesterov: _momentum,
    rules.RMSProp: _rmsprop,
    # the accumulator starts at epsilon (ADAGRAD-2)
    rules.AdaGrad: lambda r: Plan(
        "Adagrad", {"learning_rate": r.eta, "initial_accumulator_value": r.epsilon,
                    "epsilon": r.epsilon},
        lambda opt, var: {"acc": _slot(opt, "_accumulators", var)}),
    # no learning rate (ADADELTA-1)
    rules.AdaDelta: lambda r: Plan(
        "Adadelta", {"learning_rate": 1.0, "rho": r.rho, "epsilon": r.epsilon},
        lambda opt, var: {"acc": _slot(opt, "_accumulated_grads", var),
                          "delta_acc": _slot(opt, "_accumulated_delta_vars", var)}),
    rules.Adam: lambda r: Plan("Adam", _adam_kwargs(r), _adam_fields),
    rules.AMSGrad: lambda r: Plan(
        "Adam", {**_adam_kwargs(r), "amsgrad": True},
        lambda opt, var: {**_adam_fields(opt, var),
                          "nu_max": _slot(opt, "_velocity_hats", var)}),
    rules.AdamW: _adamw,
    rules.AdaMax: lambda r: Plan(
        "Adamax", _adam_kwargs(r),
        lambda opt, var: {"mu": _slot(opt, "_m", var), "u": _slot(opt, "_u", var),
                          "beta_t": _beta_t(opt)}),
    rules.Lion: _lion,
    rules.NAdam: refused("keras Nadam applies Dozat's momentum schedule "
                         "beta1 (1 - 0.5 * 0.96^t), which no NAdam variant has (NADAM-3)"),
    **not_offered("keras.optimizers", rules.RAdam, rules.OAdam, rules.AdaBelief, rules.Rprop),
    rules.SignDecay: Absent("keras.optimizers has no L1 (sign) decay"),
}

#: The named variant of each rule that keras.optimizers implements (RULE-5).
VARIANTS: dict[type[Rule], tuple[str, str]] = {
    rules.Momentum: ("normative", "keras SGD keeps the learning rate inside the momentum: "
                                  "Momentum(variant='normative') (MOMENTUM-2)"),
    rules.Nesterov: ("normative", "keras SGD(nesterov=True) keeps the learning rate inside "
                                  "the momentum: Nesterov(variant='normative') (NESTEROV-2)"),
    rules.AMSGrad: ("torch", "keras Adam(amsgrad=True) starts at zero, bias-corrects and "
                             "takes the maximum of the raw nu: AMSGrad(variant='torch') "
                             "(AMSGRAD-3)"),
    rules.AdaMax: ("normative", "keras Adamax adds epsilon outside the maximum: "
                                "AdaMax(variant='normative') (ADAMAX-2)"),
    rules.Lion: ("paper", "keras Lion is the paper's form: Lion(variant='paper') (LION-2)"),
}


def plan(rule: Rule) -> Plan:
    """The Keras plan of ``rule``: a chain may start with AccumGrad
    (``gradient_accumulation_steps``, which Keras runs before clipping), then one clipping
    rule, then a WeightDecay before Descent (``weight_decay``, x *= 1 - eta lambda, then
    x -= eta g) or alone, then one optimiser rule -- the order Keras applies them in.  Its
    clipping, accumulation and weight decay are keyword arguments of the optimiser; the state
    of an accumulating one has no reference counterpart (its accumulator holds a raw sum,
    AccumGrad's g/n)."""
    members = chain_members(rule)
    extra: dict[str, Any] = {}
    accumulates = bool(members) and isinstance(members[0][1], rules.AccumGrad)
    if accumulates:
        n = int(getattr(members.pop(0)[1], "n"))  # noqa: B009 (Rule has no n)
        if n > 1:  # keras requires >= 2; AccumGrad(1) passes every gradient on as it is
            extra["gradient_accumulation_steps"] = n
    if members and type(members[0][1]) in CLIPS:
        clip: Any = members.pop(0)[1]
        if isinstance(clip, rules.ClipNorm) and clip.p != 2:
            raise Unsupported(f"ClipNorm(p={clip.p}): keras clipnorm is the L2 norm")
        extra[CLIPS[type(clip)]] = clip.delta if isinstance(clip, rules.ClipGrad) else clip.omega
    if members and isinstance(members[0][1], rules.WeightDecay):
        decay = float(getattr(members.pop(0)[1], "lambda_"))  # noqa: B009
        if members and not isinstance(members[0][1], rules.Descent):
            raise Unsupported("keras weight_decay is decoupled: only before Descent (or "
                              "alone) is it a coupled WeightDecay")
        extra["weight_decay"] = decay
    if len(members) > 1 or any(isinstance(m, (rules.AccumGrad, rules.WeightDecay, *CLIPS))
                               for _, m in members):
        names = ", ".join(type(m).__name__ for _, m in members)
        raise Unsupported(f"keras optimisers take accumulation, one clipping, weight decay "
                          f"before Descent and one optimiser, in that order; this chain "
                          f"continues with {names}")
    prefix, core = members[0] if members else ("", rules.Descent(eta=1.0))
    require_variant(VARIANTS, core)
    found = rule_entry(RULES, core, "keras.optimizers")(core)
    return dataclasses.replace(found, kwargs={**found.kwargs, **extra}, prefix=prefix,
                               state=_unmapped if accumulates else found.state)


#: Keyword arguments that shape an optimiser's variables: adjusting them is a new optimiser.
SHAPING = ("nesterov", "centered", "amsgrad", "gradient_accumulation_steps")


def _adjust(opts: list[Any], old: Plan, new: Plan) -> None:
    """Each changed keyword argument assigned to the optimisers' attribute of the same name
    (``learning_rate`` to its Variable); the state is kept (ADJ-1, ADJ-2)."""
    changed = {k for k in set(old.kwargs) | set(new.kwargs)
               if old.kwargs.get(k) != new.kwargs.get(k)}
    for opt in opts:
        if new.optimiser != old.optimiser or set(old.kwargs) != set(new.kwargs) or (
                changed & set(SHAPING)):
            raise Unsupported(f"the adjustment turns keras {old.optimiser}"
                              f"({dict(old.kwargs)}) into {new.optimiser}({dict(new.kwargs)})")
        for key in sorted(changed):
            setattr(opt, key, new.kwargs[key])


# ------------------------------------------------------------------------- one program


def _same(x: Any) -> Any:
    return x


@contextlib.contextmanager
def _reading() -> Iterator[None]:
    """Reading Variables into NumPy (the adapter's reading, or a checkpoint's): torch's
    ``__array__`` takes no ``copy`` keyword, for which NumPy 2 warns inside keras
    (``convert_to_numpy``, ``save_own_variables``); that warning is not what a property
    checks, so it is not recorded."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "__array__ implementation doesn't accept a copy",
                                DeprecationWarning)
        yield


def _numpy(x: Any) -> np.ndarray:
    """A tensor or Variable as a NumPy copy (:func:`_reading`)."""
    with _reading():
        return np.array(ops.convert_to_numpy(x), copy=True)


@contextlib.contextmanager
def _floatx(dtype: str) -> Iterator[None]:
    """``keras.config.set_floatx(dtype)`` for the run, restored afterwards; on the jax
    backend also ``jax.enable_x64`` for float64, without which JAX makes every float64
    Variable float32, silently (as a Keras-on-JAX user enables it)."""
    before = keras.config.floatx()
    keras.config.set_floatx(dtype)
    try:
        with contextlib.ExitStack() as precision:
            if keras.backend.backend() == "jax":
                import jax  # the backend; keras imported it already

                precision.enter_context(jax.enable_x64(dtype == "float64"))
            yield
    finally:
        keras.config.set_floatx(before)


class _Node(keras.layers.Layer):
    """One container of the reference tree: its children assigned as attributes ``k0``,
    ``k1``, ... in container order, which Keras tracks (Variables and sub-Layers)."""


def build(model: Any, dtype: str) -> tuple[keras.layers.Layer, list[Any]]:
    """The Layer tree of ``model`` and one ``keras.Variable`` per distinct array, in
    reference ``trainables`` order; a tie is one Variable at two places (TIE-1).  Carried
    values are kept aside (TREE-3, TREE-4)."""
    occs = occurrences(model)
    variables = [keras.Variable(occ.array, dtype=dtype) for occ in first_occurrences(occs)]
    variable_at = {occ.path: variables[occ.position] for occ in occs}

    def node(_path: Any, _x: Any, _kind: str, kids: list[tuple[Any, Any]]) -> Any:
        layer = _Node()
        for position, (_elem, kid) in enumerate(kids):
            if kid is not None:
                setattr(layer, f"k{position}", kid)
        return layer

    root = fold(model, lambda path, _x: variable_at[path], node, lambda _path, _x: None)
    if not isinstance(root, keras.layers.Layer):
        root = node((), None, "list", [(0, root)])
    return root, variables


class Run(session.Run[Plan]):
    """One program on Keras: its dtype, Layer tree and one Variable per distinct parameter,
    and the optimisers built so far."""

    def __init__(self, program: Program, dtype: str) -> None:
        super().__init__(program, plan)
        self.dtype, self.opts, self.built_over = dtype, list[Any](), list[list[Any]]()
        self.layer, self.variables = build(program.model, dtype)

    def optimiser(self, variables: list[Any], legacy: bool = False) -> Any:
        """The plan's optimiser, built over ``variables``; ``legacy``: with the Keras 2
        keywords Keras 3 no longer supports (:data:`KERAS2_KEYWORDS`)."""
        kwargs = {**self.plan.kwargs, **(KERAS2_KEYWORDS if legacy else {})}
        opt = getattr(keras.optimizers, self.plan.optimiser)(**kwargs)
        opt.build(variables)
        self.opts.append(opt)
        self.built_over.append(list(variables))
        return opt

    def tensor(self, value: np.ndarray) -> Any:
        return ops.convert_to_tensor(np.asarray(value), dtype=self.dtype)

    def held(self, step: Callable[[list[Any]], None], values: Callable[[], list[Any]],
             states: Callable[[], list[dict[str, Any] | None]]) -> Held:
        """``step`` given each Step's gradients as tensors (trainables order, None kept);
        an Adjust reaches every optimiser built (ADJ-1)."""
        def reload(_into: str) -> None:
            for opt, variables in zip(self.opts, self.built_over, strict=True):
                _reload(opt, variables)

        return Held(lambda grads: step([None if g is None else self.tensor(g)
                                        for g in flat_list_grads(self.program.model, grads)]),
                    lambda old, new: _adjust(self.opts, old, new), values, states,
                    reload=reload)

    def fields(self, opt: Any, var: Any, pick: Callable[[Any], Any] = _same
               ) -> dict[str, Any] | None:
        """``var``'s optimiser slots as reference fields; None before Keras built any."""
        return self.plan.fields(pick, np.ndarray, opt, var) if opt.built else None


def _reload(opt: Any, variables: list[Any]) -> None:
    """A checkpoint of ``opt`` (STATE-8), as Keras saves a model's optimiser:
    ``save_own_variables`` into a store written with ``np.savez``, a fresh optimiser
    ``from_config(get_config())`` built over the same Variables and ``load_own_variables``
    from the file; the path's ``opt`` resumed from it (``session.resumed_from``)."""
    store: dict[str, Any] = {}
    with _reading():
        opt.save_own_variables(store)
        config = opt.get_config()
    saved = io.BytesIO()
    arrays: dict[str, Any] = {key: _numpy(value) for key, value in store.items()}
    np.savez(saved, **arrays)
    saved.seek(0)
    fresh = type(opt).from_config(config)
    fresh.build(variables)
    with np.load(saved) as loaded:
        fresh.load_own_variables(dict(loaded))
    resumed_from(opt, fresh)


def _each_variable(run: Run, opts: list[Any], step: Callable[[list[Any]], None]) -> Held:
    """The Variables as they are, each one's state in ``opts[i]``."""
    return run.held(step, lambda: [_numpy(v) for v in run.variables],
                    lambda: [run.fields(opt, v) for opt, v in zip(opts, run.variables,
                                                                  strict=True)])


def _apply(opt: Any, pairs: list[tuple[Any, Any]]) -> None:
    """``apply_gradients(pairs)`` unless no gradient is there: Keras raises "No gradients
    provided" for a step without any."""
    if any(g is not None for g, _ in pairs):
        opt.apply_gradients(pairs)


def _structured(run: Run) -> Held:
    """``optimizer.apply_gradients(zip(grads, layer.trainable_variables))``: freezing sets
    ``variable.trainable = False``, which takes it out of ``trainable_variables``; a tie is
    one Variable, its gradient summed over its places (TIE-2)."""
    opt = run.optimiser(run.layer.trainable_variables)
    index = {id(v): i for i, v in enumerate(run.variables)}

    def step(grads: list[Any]) -> None:
        for i, v in enumerate(run.variables):
            v.trainable = i not in run.frozen
        _apply(opt, [(grads[index[id(v)]], v) for v in run.layer.trainable_variables])

    return _each_variable(run, [opt] * len(run.variables), step)


#: Keras 2's ``decay`` keyword at its Keras 2 default, as code written for Keras 2 passes it
#: (``Adam(..., decay=0.0)`` in its docs): Keras 3 warns that it "is no longer supported and
#: will be ignored" and ignores it (keras/src/optimizers/base_optimizer.py; FINDINGS K6).
#: Keras 2's ``lr`` is not among them: Keras 3 refuses it (ValueError).
KERAS2_KEYWORDS = {"decay": 0.0}


def _flat_list(run: Run, legacy: bool = False) -> Held:
    """``optimizer.apply_gradients(zip(grads, variables))`` over the list of unfrozen
    Variables (trainables order); a None gradient is passed as None (Keras skips that
    Variable with a warning).  ``legacy``: the optimiser built with Keras 2's keywords."""
    opt = run.optimiser(run.variables, legacy)
    return _each_variable(run, [opt] * len(run.variables), lambda grads: _apply(opt, [
        (g, v) for i, (g, v) in enumerate(zip(grads, run.variables, strict=True))
        if i not in run.frozen]))


def _per_array(run: Run) -> Held:
    """One optimiser per Variable, called only when it has a gradient and is not frozen."""
    refuse_per_array(run.rule, "one optimiser per array")
    opts = [run.optimiser([v]) for v in run.variables]

    def step(grads: list[Any]) -> None:
        for i, (g, opt, v) in enumerate(zip(grads, opts, run.variables, strict=True)):
            if g is not None and i not in run.frozen:
                opt.apply_gradients([(g, v)])

    return _each_variable(run, opts, step)


def _flat_vector(run: Run) -> Held:
    """One flat Variable of the raveled parameters; a parameter without gradient
    contributes zeros, a step without any is skipped, and part of it cannot be frozen."""
    refuse_flat(run.rule, "one flat Variable")
    params = trainables(run.program.model)
    pieces = consecutive(p.size for p in params)
    flat = keras.Variable(np.concatenate([p.ravel() for p in params]) if params
                          else np.zeros(0), dtype=run.dtype)
    opt = run.optimiser([flat])

    def step(grads: list[Any]) -> None:
        if all(g is None for g in grads) or len(run.frozen) == len(grads):
            return
        if run.frozen:
            raise Unsupported("one flat keras Variable cannot freeze part of itself (FRZ-1)")
        vector = np.concatenate([np.zeros(p.size) if g is None else _numpy(g).ravel()
                                 for p, g in zip(params, grads, strict=True)])
        opt.apply_gradients([(run.tensor(vector), flat)])

    def piece(i: int) -> Callable[[np.ndarray], np.ndarray]:
        return lambda v: v[pieces[i]].reshape(params[i].shape)

    return run.held(step, lambda: [piece(i)(_numpy(flat)) for i in range(len(params))],
                    lambda: [run.fields(opt, flat, piece(i)) for i in range(len(params))])


#: One function per update path: what it holds the parameters in (:class:`Held`).
PATHS: dict[PathName, Callable[[Run], Held]] = {
    "structured": _structured,
    "flat_list": _flat_list,
    "per_array": _per_array,
    "flat_vector": _flat_vector,
    "legacy": lambda run: _flat_list(run, legacy=True),
}


# ---------------------------------------------------------------------- the adapter


class KerasAdapter(Adapter):
    """keras.optimizers on the ``KERAS_BACKEND`` backend (default torch, CPU), float32 and
    float64 (``keras.config.set_floatx``)."""

    protocol_version = 1

    def info(self) -> EngineInfo:
        return EngineInfo(
            name="keras",
            engine="keras",
            version=f"{keras.__version__}, backend {keras.backend.backend()}",
            device=str(getattr(ops.convert_to_tensor(0.0), "device", "cpu")),
            dtypes=DTYPES,
            capabilities=CAPABILITIES | ({"gradient", "frozen_gradient"}
                                         if keras.backend.backend() in GRADIENTS else set()),
            paths=tuple(PATHS),
            variants={cls.__name__: variant for cls, (variant, _) in VARIANTS.items()},
            notes=f"KERAS_BACKEND={keras.backend.backend()}; Layer trees with tied Variables; "
                  "freezing = variable.trainable = False; floatx = the run's dtype; legacy = "
                  "the flat list with Keras 2's decay=0.0",
        )

    def supports(self, rule: Rule) -> str | None:
        return refusal(plan, rule)

    def legacy_replacements(self) -> Mapping[str, tuple[str, ...]]:
        """Keras 2's ``decay`` (a time decay of the learning rate, lr / (1 + decay t)) and
        the schedule that replaces it (DEP-3)."""
        return {"decay": ("keras.optimizers.schedules.InverseTimeDecay", "InverseTimeDecay")}

    def run(self, program: Program, path: PathName) -> Outcome:
        go = path_entry(PATHS, path, "keras")
        if program.dtype not in DTYPES:
            raise Unsupported(f"the keras adapter runs {', '.join(DTYPES)}, not "
                              f"{program.dtype}")

        def outcome() -> Outcome:
            with _floatx(program.dtype):
                return drive(run := Run(program, program.dtype), go(run))
        return with_warnings(outcome)

    def collect(self, model: Any, dtype: str) -> list[np.ndarray]:
        """``layer.trainable_variables``: Keras's order, each Layer's own Variables before
        those of its sub-Layers, a tie once (COLL-2)."""
        if dtype not in DTYPES:
            raise Unsupported(f"the keras adapter runs {', '.join(DTYPES)}, not {dtype}")
        with _floatx(dtype):
            layer, _ = build(model, dtype)
            return [_numpy(v) for v in layer.trainable_variables]

    def gradient(self, model: Any, loss: Any, dtype: str, via: str,
                 frozen: tuple[tuple[Any, ...], ...] = ()) -> Any:
        """The loss computed with ``keras.ops`` over the Layer tree's Variables and
        differentiated by the backend (torch: ``torch.autograd.grad`` over each Variable's
        ``value``, as Keras' guide to a torch training loop does), giving one gradient per
        Variable of ``trainable_variables``, or None where the loss does not reach it.  Keras
        answers with that list, not a tree: each Variable's gradient goes to its first place
        in the reference's order (GRAD-2), so what is Keras' own here is the sum over a tied
        Variable's uses (GRAD-1, EXPR-4) and None for an unreached one (EXPR-5).  A frozen
        Variable has ``trainable = False``, which leaves it out of ``trainable_variables``
        (GRAD-3).  ``via="legacy"`` is the same collection: Keras 2's ``trainable_weights``
        is Keras 3's ``trainable_variables``, and nothing of it is deprecated (DEP-8)."""
        if via not in ("trainables", "legacy"):
            raise Unsupported(f"keras has no {via!r} collection to differentiate through "
                              "(no flat-vector view of a model)")
        if dtype not in DTYPES:
            raise Unsupported(f"the keras adapter runs {', '.join(DTYPES)}, not {dtype}")
        backend = keras.backend.backend()
        if backend not in GRADIENTS:
            raise Unsupported(f"gradient() runs the autodiff of KERAS_BACKEND "
                              f"{', '.join(GRADIENTS)}, not {backend}")
        with _floatx(dtype):
            layer, variables = build(model, dtype)
            for position in frozen_for_gradient(model, frozen, via):
                variables[position].trainable = False
            collected = layer.trainable_variables
            grads = GRADIENTS[backend](
                lambda: ref_expr.evaluate(loss, variables, _ops(dtype)), collected)
        by_variable = {id(v): g for v, g in zip(collected, grads, strict=True)}
        firsts = {occ.path: by_variable.get(id(variables[occ.position]))
                  for occ in first_occurrences(occurrences(model))}
        return mirror(model, lambda path, _x: None if firsts.get(path) is None
                      else _numpy(firsts[path]).astype(np.float64))


def _torch_gradients(value_of: Callable[[], Any], variables: list[Any]) -> list[Any]:
    """``torch.autograd.grad`` of the loss over each Variable's ``value`` (Keras's guide to a
    torch training loop); None for a Variable the loss does not reach."""
    import torch  # the backend; keras imported it already

    value = value_of()
    if not value.requires_grad:
        return [None] * len(variables)
    return list(torch.autograd.grad(value, [v.value for v in variables], allow_unused=True))


def _jax_gradients(value_of: Callable[[], Any], variables: list[Any]) -> list[Any]:
    """``jax.grad`` of the loss as a function of the Variables' values, each read through a
    ``keras.StatelessScope`` (Keras's guide to a JAX training loop: ``stateless_call``);
    JAX has no structural zero, so a Variable the loss does not reach gets zeros."""
    import jax  # the backend; keras imported it already

    def loss_of(values: list[Any]) -> Any:
        with keras.StatelessScope(state_mapping=list(zip(variables, values, strict=True))):
            return value_of()

    return list(jax.grad(loss_of)([v.value for v in variables]))


#: The backend's autodiff that :meth:`KerasAdapter.gradient` runs: Keras has none of its own
#: (its guides differentiate with the backend's: ``torch.autograd``, ``jax.grad``, ...).
GRADIENTS: dict[str, Callable[[Callable[[], Any], list[Any]], list[Any]]] = {
    "torch": _torch_gradients, "jax": _jax_gradients}


def _ops(dtype: str) -> ref_expr.Ops:
    """The expression operations in ``keras.ops`` (EXPR-1), constants in ``dtype``."""
    return ref_expr.Ops(
        const=lambda v: ops.convert_to_tensor(v, dtype=dtype), add=ops.add, mul=ops.multiply,
        matmul=ops.matmul, tanh=ops.tanh, square=ops.square, sum=ops.sum,
        dot=lambda a, b: ops.sum(ops.multiply(a, b)), index=operator.getitem,
        reshape=ops.reshape)


__all__ = ["KerasAdapter", "build", "plan"]
