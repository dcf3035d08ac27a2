"""The JAX + optax adapter: optax ``GradientTransformation`` chains over pytrees.

A model becomes a pytree: dicts (JAX flattens them in *sorted* key order), lists, tuples for
tuples, namedtuples, dataclasses and ``@layer`` classes (their trainable fields in order, as
``register_dataclass`` flattens them), None for carried values; leaves are values, so a tie
cannot be expressed (TIE-1).  Each rule is pure ``scale_by_*`` transforms then ``scale(-1.0)``
(optax adds the update); freezing is ``selective_transform``, ``adjust`` ``inject_hyperparams``.
float64 runs with x64 on; float32 with it off, as users run it: optax then computes bias
corrections such as ``1 - b2**t`` in float32 (docs/FINDINGS.md)."""

from __future__ import annotations

import dataclasses
import functools
import inspect
import io
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from optconf.reference import expr as ref_expr
from optconf.reference import rules
from optconf.reference.collect import trainables
from optconf.reference.rules.base import Rule
from optconf.reference.tree import Kind, first_occurrences, fold, mirror, occurrences, plain

from . import jax_sharded, session
from .protocol import (
    Absent,
    Adapter,
    Adjust,
    EngineInfo,
    Outcome,
    PathName,
    Program,
    Step,
    Unsupported,
    array_ops,
    chain_members,
    flat_list_grads,
    frozen_at,
    frozen_for_gradient,
    lookup,
    path_entry,
    refusal,
    refused,
    rule_entry,
    runs_as,
    with_warnings,
)
from .session import Held, beta_powers, drive, refuse_flat, refuse_per_array

try:
    import jax
    import jax.numpy as jnp
    import optax
    from jax.flatten_util import ravel_pytree
    from optax.contrib import _muon as optax_muon  # scale_by_shape is not exported
except ImportError as exc:  # the loader reports this as "engine not installed"
    raise ModuleNotFoundError(f"pip install 'optconf[jax]' ({exc})", name="jax") from exc

DTYPES = ("float32", "float64", "float16")
#: No "shared" (pytrees cannot tie), "none_grad" (an optax update takes every gradient) or
#: "freeze": optax's mask is static, so only a frozen set fixed over the steps runs (FRZ-2).
CAPABILITIES = frozenset({"adjust", "state", "collect", "destructure", "gradient",
                          "frozen_gradient", "carried", "legacy", "checkpoint"})

# ------------------------------------------------------------------ rules -> optax

#: A rule's hyperparameters by flat name (numbers, or injected arrays); one parameter's array
#: out of a params-shaped tree of state.
HP = Callable[[str], Any]
Pick = Callable[[Any], Any]
#: Reads a rule's optax state as reference fields, given the hyperparameters in force; None
#: where optax keeps no counterpart of some field (the state is then not compared).
Reader = Callable[[Any, Pick, HP], dict[str, Any] | None]
#: A rule as optax: its step transform (optax's sign: the update is added) and state reader.
Builder = Callable[[Any, HP], tuple[Any, Reader]]


def _no_fields(state: Any, pick: Pick, hp: HP) -> dict[str, Any]:
    return {}


def _unmapped(state: Any, pick: Pick, hp: HP) -> None:
    return None  # optax keeps no exact counterpart of some reference field: not compared


def _adam_fields(state: Any, pick: Pick, hp: HP, nu: str = "nu") -> dict[str, Any]:
    """mu, nu (named ``nu``), and beta_t from optax's count and the current betas (ADAM-2)."""
    s = state[0]
    return {"mu": pick(s.mu), nu: pick(s.nu),
            "beta_t": beta_powers((float(hp("beta_0")), float(hp("beta_1"))), s.count)}


def _then_eta(core: Any, hp: HP) -> Any:
    return optax.chain(core, optax.scale(hp("eta")))


def _adam_like(scale_by: str, read: Reader = _adam_fields, **kwargs: Any) -> Builder:
    """``optax.<scale_by>(beta_0, beta_1, epsilon, **kwargs)`` then ``scale(eta)``, looked up
    when the optimiser is built (as mutants patch it)."""
    return lambda r, hp: (_then_eta(getattr(optax, scale_by)(
        hp("beta_0"), hp("beta_1"), hp("epsilon"), **kwargs), hp), read)


def _momentum(rule: Any, hp: HP) -> tuple[Any, Reader]:
    """Normative: scale then trace, eta inside the velocity (MOMENTUM-1, NESTEROV-1; Nesterov's
    velocity is minus optax's trace).  ``lr_placement="outside"``: trace then scale, which is
    ``optax.sgd(eta, momentum=rho, nesterov=...)`` (MOMENTUM-2, NESTEROV-2)."""
    nesterov = isinstance(rule, rules.Nesterov)
    trace = optax.trace(hp("rho"), nesterov=nesterov)
    if rule.axis("lr_placement") == "outside":
        return optax.chain(trace, optax.scale(hp("eta"))), lambda s, pick, _hp: {
            "velocity": pick(s[0].trace)}
    sign = -1 if nesterov else 1
    return optax.chain(optax.scale(hp("eta")), trace), lambda s, pick, _hp: {
        "velocity": sign * pick(s[1].trace)}


def _rmsprop(rule: Any, hp: HP) -> tuple[Any, Reader]:
    """``eps_in_sqrt=False``: epsilon outside the root (RMSPROP-2), optax's default inside."""
    scale_by = optax.scale_by_stddev if rule.centred else optax.scale_by_rms
    return _then_eta(scale_by(decay=hp("rho"), eps=hp("epsilon"), initial_scale=0.0,
                              eps_in_sqrt=False), hp), lambda s, pick, _hp: {
        "quad": pick(s[0].nu), "lin": pick(s[0].mu) if rule.centred else None}


def _adamw(rule: Any, hp: HP) -> tuple[Any, Reader]:
    """couple: eta*(adam + lambda*x) as optax.adamw, else eta*adam + lambda*x (ADAMW-1, ADAMW-2)."""
    adam = optax.scale_by_adam(hp("beta_0"), hp("beta_1"), hp("epsilon"), eps_root=0.0)
    decay, eta = optax.add_decayed_weights(hp("lambda_")), optax.scale(hp("eta"))
    return optax.chain(*((adam, decay, eta) if rule.couple else (adam, eta, decay))), \
        _adam_fields


def _clip_norm(rule: Any, hp: HP) -> tuple[Any, Reader]:
    """``clip_by_global_norm``: the update's (CLIPGLOBALNORM-1), one array's (CLIPNORM-1)."""
    if isinstance(rule, rules.ClipNorm) and rule.p != 2:
        raise Unsupported(f"ClipNorm(p={rule.p}): optax clips by the L2 norm only")
    return optax.clip_by_global_norm(hp("omega")), _no_fields


def _lars(rule: Any, hp: HP) -> tuple[Any, Reader]:
    """optax ``lars``, ``scale(eta)`` for its learning rate: the trust ratio of the decayed
    gradient's norm (LARS-4)."""
    core = optax.chain(optax.add_decayed_weights(hp("lambda_")),
                       optax.scale_by_trust_ratio(trust_coefficient=hp("trust"), eps=0.0),
                       optax.scale(hp("eta")), optax.trace(decay=hp("rho"), nesterov=False))
    return core, lambda s, pick, _hp: {"velocity": pick(s[3].trace)}


def _lamb(rule: Any, hp: HP) -> tuple[Any, Reader]:
    """optax ``lamb``: Adam's ratio plus ``wd x``, scaled by ``|x|/|r|`` (LAMB-1); Adam's
    state (LAMB-3), bias-corrected as ``scale_by_adam`` (LAMB-4)."""
    return optax.chain(
        optax.scale_by_adam(hp("beta_0"), hp("beta_1"), hp("epsilon"), eps_root=0.0),
        optax.add_decayed_weights(hp("lambda_")), optax.scale_by_trust_ratio(),
        optax.scale(hp("eta"))), _adam_fields


def _matrix_dimensions(updates: Any) -> Any:
    """Every array a matrix reduced over its rows, as ``contrib.muon`` reads a 2-D one."""
    return jax.tree.map(lambda _: optax.contrib.MuonDimensionNumbers(0, 1), updates)


def _muon(rule: Any, hp: HP) -> tuple[Any, Reader]:
    """optax ``contrib.muon``'s Muon branch: ``scale_by_muon`` (a bias-corrected average that
    Newton-Schulz divides out up to epsilon), ``scale_by_shape`` (MUON-4), decoupled decay
    and ``scale(eta)`` (MUON-5)."""
    if rule.nesterov:
        raise Unsupported("optax's Nesterov Muon mixes mu/(1 - b^(t+1)) and g/(1 - b^t), "
                          "not a multiple of g + rho*B (MUON-1)")
    if rule.rho == 1:
        raise Unsupported("optax's Muon buffer is (1 - b) times the reference's: b=1 leaves "
                          "it at zero (MUON-1)")
    coefficients = tuple(hp(f"coefficients_{i}") for i in range(3))
    core = optax.chain(
        optax.contrib.scale_by_muon(coefficients, hp("steps"), hp("rho"), hp("epsilon"),
                                    nesterov=False,
                                    weight_dimension_numbers=_matrix_dimensions),
        optax_muon.scale_by_shape(_matrix_dimensions),
        optax.add_decayed_weights(hp("lambda_")), optax.scale(hp("eta")))
    return core, lambda s, pick, hp: {"buffer": pick(s[0].mu) / (1 - hp("rho"))}


#: Each rule as optax transforms producing the reference's step, raising Unsupported where
#: optax cannot express it exactly; AccumGrad and OptimiserChain compose (:func:`_sequence`).
RULES: dict[type[Rule], Builder] = {
    rules.Descent: lambda r, hp: (optax.scale(hp("eta")), _no_fields),
    rules.Momentum: _momentum,
    rules.Nesterov: _momentum,
    rules.RMSProp: _rmsprop,
    rules.Adam: _adam_like("scale_by_adam", eps_root=0.0),
    rules.AdamW: _adamw,
    # without Dozat's extra b2 (NADAM-3); rectified when rho_t >= 5 (RADAM-3); the maximum of
    # the bias-corrected nu (AMSGRAD-4); u = max(b2 u, |g| + eps) (ADAMAX-2)
    rules.NAdam: _adam_like("scale_by_adam", eps_root=0.0, nesterov=True),
    rules.RAdam: _adam_like("scale_by_radam", lambda s, pick, hp: _adam_fields(s, pick, hp) | {
        "t": int(s[0].count) + 1}, eps_root=0.0, threshold=5.0),
    rules.AMSGrad: _adam_like("scale_by_amsgrad", lambda s, pick, hp: _adam_fields(
        s, pick, hp) | {"nu_max": pick(s[0].nu_max)}, eps_root=0.0),
    rules.AdaMax: _adam_like("scale_by_adamax", functools.partial(_adam_fields, nu="u")),
    # eps_root (added to s) and eps (outside the root) are both epsilon (ADABELIEF-2)
    rules.AdaBelief: lambda r, hp: (_then_eta(optax.scale_by_belief(
        hp("beta_0"), hp("beta_1"), eps=hp("epsilon"), eps_root=hp("epsilon")), hp),
        _adam_fields),
    # not optax.adadelta: its default learning_rate=None skips the sign flip (ADADELTA-1)
    rules.AdaDelta: lambda r, hp: (optax.scale_by_adadelta(hp("rho"), hp("epsilon")),
                                   lambda s, pick, _hp: {"acc": pick(s.e_g),
                                                         "delta_acc": pick(s.e_x)}),
    # the paper's form, the normative one (LION-2)
    rules.Lion: lambda r, hp: (_then_eta(optax.scale_by_lion(hp("beta_0"), hp("beta_1")), hp),
                               lambda s, pick, _hp: {"mu": pick(s[0].mu)}),
    # prev_updates holds step_size*sign(g), no counterpart of prev (RPROP-1, RPROP-2)
    rules.Rprop: lambda r, hp: (optax.scale_by_rprop(
        hp("eta"), eta_minus=hp("ell_0"), eta_plus=hp("ell_1"), min_step_size=hp("gamma_0"),
        max_step_size=hp("gamma_1")), _unmapped),
    rules.LARS: _lars,
    rules.LAMB: _lamb,
    rules.Muon: _muon,
    rules.WeightDecay: lambda r, hp: (optax.add_decayed_weights(hp("lambda_")), _no_fields),
    rules.ClipGrad: lambda r, hp: (optax.clip(hp("delta")), _no_fields),
    rules.ClipNorm: _clip_norm,
    rules.ClipGlobalNorm: _clip_norm,
    rules.OAdam: refused(
        "OAdam: optax.optimistic_adam_v2's scale_by_optimistic_gradient takes the first "
        "step's previous update to be the current one (optax#1082), so step 1 is a_1 where "
        "OAdam steps 2*a_1 - a_0 = 2*a_1 (OADAM-2)"),
    rules.AdaGrad: refused(
        "AdaGrad: optax.adagrad's scale_by_rss adds eps inside the root, g/sqrt(acc + eps), "
        "and starts acc at initial_accumulator_value; AdaGrad is g/(sqrt(acc) + eps) with "
        "acc starting at eps (ADAGRAD-1, ADAGRAD-2)"),
    rules.SignDecay: Absent("SignDecay: optax has no transform adding lambda*sign(x) "
                            "(SIGNDECAY-1)"),
}

#: The variant of each rule that optax implements (RULE-5); a rule not here runs in its
#: normative (first) variant only.  Momentum and Nesterov run in both.
VARIANTS: dict[type[Rule], str] = {
    rules.Momentum: "torch", rules.Nesterov: "torch", rules.NAdam: "optax",
    rules.RAdam: "optax", rules.AMSGrad: "optax", rules.AdaMax: "torch", rules.LARS: "optax",
    rules.Adam: "optax", rules.AdamW: "optax", rules.AdaBelief: "optax",
    rules.Muon: "optax", rules.LAMB: "optax",
}
BOTH_VARIANTS = (rules.Momentum, rules.Nesterov)


def _entry(rule: Rule) -> Builder:
    """The table's builder of ``rule``, in the variant optax implements (RULE-5)."""
    variant = getattr(rule, "variant", None)
    implemented = lookup(VARIANTS, rule) or (rule.variants[0] if rule.variants else None)
    if (not isinstance(rule, BOTH_VARIANTS) and variant is not None
            and implemented is not None and not runs_as(rule, implemented)):
        raise Unsupported(f"{type(rule).__name__}(variant={variant!r}): optax implements "
                          f"variant {implemented!r} (RULE-5)")
    return rule_entry(RULES, rule, "optax")


def check(rule: Rule) -> None:
    """Unsupported unless ``rule`` (every member of a chain) has an exact optax form."""
    _sequence([(0, rule)], _numbers(rule).__getitem__, "", False)


# ----------------------------------------------------------- hyperparameters, adjust


def _numbers(rule: Rule, prefix: str = "") -> dict[str, Any]:
    """Every hyperparameter by flat name: tuples split into ``name_0, name_1``, chain members
    prefixed ``m<i>_``; flags and AccumGrad's count included (they stay static)."""
    if isinstance(rule, rules.OptimiserChain):
        return {name: value for i, member in enumerate(rule.rules)
                for name, value in _numbers(member, f"{prefix}m{i}_").items()}
    flat: dict[str, Any] = {}
    for f in dataclasses.fields(rule):
        value = getattr(rule, f.name)
        if isinstance(value, tuple):
            flat |= {f"{prefix}{f.name}_{i}": v for i, v in enumerate(value)}
        elif f.name != "variant":
            flat[f"{prefix}{f.name}"] = value
    return flat


def adjusted_names(rule: Rule, ops: tuple[Any, ...]) -> set[str]:
    """The flat names the Adjust ops of a program change, each validated by the rule's own
    ``adjusted`` (ADJ-1, ADJ-3).  Only numbers can be injected: flags and counts (AccumGrad's
    n) shape the transform itself."""
    changed, current = set[str](), rule
    for op in ops:
        if isinstance(op, Adjust):
            before = _numbers(current)
            current = current.adjusted(**op.changes)
            reason = refusal(check, current)
            if reason:  # e.g. ClipNorm adjusted to p=1
                raise Unsupported(f"after adjust, {reason}")
            after = _numbers(current)
            changed |= {n for n in after if after[n] != before[n]}
    numbers = _numbers(rule)
    static = sorted(n for n in changed if isinstance(numbers[n], bool) or n == "n"
                    or n.endswith("_n") or not isinstance(numbers[n], int | float))
    if static:
        raise Unsupported(
            f"adjusting {', '.join(static)}: optax.inject_hyperparams injects numbers only; "
            "flags and counts are fixed when the transform is built (ADJ-1)")
    return changed


# ------------------------------------------------------------------------ transforms


def _sequence(members: list[tuple[int, Rule]], hp: HP, key: str, in_chain: bool
              ) -> tuple[Any, Reader]:
    """An optax chain of ``members`` ((index, rule) pairs; AccumGrad wraps the rest in
    ``optax.MultiSteps``, ACCUMGRAD-1, CHAIN-2) and a reader of the state fields keyed as
    the reference's ``state_record`` keys them: ``"<i>.field"`` inside a chain (CHAIN-1)."""
    parts: list[Any] = []
    readers: list[Reader] = []
    for pos, (i, rule) in enumerate(members):
        here, hps = (f"{key}{i}.", f"m{i}_") if in_chain else (key, "")
        if isinstance(rule, rules.AccumGrad):
            # MultiSteps keeps a running mean, zeroed after each emitted step, where AccumGrad
            # keeps the partial sum of g/n (ACCUMGRAD-2): its state has no counterpart
            inner, _ = _sequence(members[pos + 1:], hp, key, in_chain)
            parts.append(optax.MultiSteps(inner, every_k_schedule=rule.n)
                         .gradient_transformation())
            readers.append(_unmapped)
            break
        chain = isinstance(rule, rules.OptimiserChain)  # its members' keys start with here
        tx, read = (_sequence(list(enumerate(rule.rules)), _prefixed_hp(hp, hps), here, True)
                    if chain else _entry(rule)(rule, _prefixed_hp(hp, hps)))
        parts.append(tx)
        readers.append(_scoped(read, "" if chain else here, hps))

    def read_all(state: Any, pick: Pick, hp: HP) -> dict[str, Any] | None:
        fields: dict[str, Any] = {}
        for read, sub_state in zip(readers, state, strict=True):
            part = read(sub_state, pick, hp)
            if part is None:
                return None
            fields |= part
        return fields

    return (optax.chain(*parts) if parts else optax.identity()), read_all


def _prefixed_hp(hp: HP, hps: str) -> HP:
    return lambda name: hp(hps + name)


def _scoped(read: Reader, key: str, hps: str) -> Reader:
    def scoped(state: Any, pick: Pick, hp: HP) -> dict[str, Any] | None:
        fields = read(state, pick, _prefixed_hp(hp, hps))
        return None if fields is None else {f"{key}{k}": v for k, v in fields.items()}
    return scoped


@dataclasses.dataclass
class Optimiser:
    """One rule's optax transform ``tx``, the names it injects, its static freeze mask (None:
    nothing frozen), its state reader and ``step(grads, state, params) -> (params, state)``."""

    tx: Any
    injected: tuple[str, ...]
    frozen_mask: Any
    read: Reader
    step: Callable[[Any, Any, Any], tuple[Any, Any]]

    def fields(self, state: Any, pick: Pick, rule: Rule) -> dict[str, Any] | None:
        """The rule's state inside inject_hyperparams and selective_transform (STATE-2)."""
        if self.injected:
            state = state.inner_state
        if self.frozen_mask is not None:
            state = state.inner_states["train"].inner_state
        return self.read(state[0], pick, _numbers(rule).__getitem__)

    def adjust(self, state: Any, rule: Rule) -> None:
        """The injected hyperparameters set to ``rule``'s values; the rest of the state is
        kept: ``inject_hyperparams`` reads ``state.hyperparams`` at each update (ADJ-1, ADJ-2)."""
        values = _numbers(rule)
        for name in self.injected:
            state.hyperparams[name] = jnp.asarray(values[name], state.hyperparams[name].dtype)


def optimiser(rule: Rule, injected: set[str], frozen_mask: Any, jit: bool = False
              ) -> Optimiser:
    """``chain(<the rule's transforms>, scale(-1))`` in ``selective_transform`` if any is frozen
    (FRZ-1), ``inject_hyperparams`` over adjusted names (ADJ-1); cached: jit compiles once."""
    leaves, treedef = jax.tree.flatten(frozen_mask)
    return _optimiser(rule, tuple(sorted(injected)), treedef, tuple(leaves), jit)


@functools.lru_cache(maxsize=512)
def _optimiser(rule: Rule, names: tuple[str, ...], mask_def: Any, mask: tuple[Any, ...],
               jit: bool) -> Optimiser:
    frozen_mask = jax.tree.unflatten(mask_def, mask)
    static = _numbers(rule)
    _, read = _sequence([(0, rule)], static.__getitem__, "", False)

    def build(**values: Any) -> Any:
        core, _ = _sequence([(0, rule)], {**static, **values}.__getitem__, "", False)
        tx = optax.chain(core, optax.scale(-1.0))
        if frozen_mask is not None:
            tx = optax.selective_transform(tx, freeze_mask=frozen_mask)
        return tx

    if names:
        build.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
            [inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY) for n in names])
    tx = optax.inject_hyperparams(build)(**{n: static[n] for n in names}) if names else build()

    def step(grads: Any, state: Any, params: Any) -> tuple[Any, Any]:
        updates, state = tx.update(grads, state, params)
        return optax.apply_updates(params, updates), state  # x + (-step)

    return Optimiser(tx, names, frozen_mask, read, jax.jit(step) if jit else step)


# ------------------------------------------------------------------- model -> pytree

def _skeleton(model: Any) -> Any:
    """The model's pytree (TREE-1 .. TREE-4), its leaves trainables positions; no tie (TIE-1)."""
    occs = occurrences(model)
    if len(occs) != len(first_occurrences(occs)):
        raise Unsupported("one array at several places of the model: pytree leaves are values, "
                          "not identities, so JAX cannot express a tie (TIE-1); model it as "
                          "one leaf used twice in the loss instead")
    position = {occ.path: occ.position for occ in occs}

    def node(path: Any, x: Any, kind: Kind, kids: list[tuple[Any, Any]]) -> Any:
        # "fields" as register_dataclass flattens them: a tuple
        return tuple(kid for _, kid in kids) if kind == "fields" else plain(path, x, kind, kids)

    return fold(model, lambda path, _x: position[path], node, lambda _path, _x: None)


@dataclasses.dataclass
class Layout:
    """How a path lays the parameters out for optax: ``order[k]`` is the ``trainables``
    position of the pytree's k-th leaf in JAX's order (COLL-2); ``flat``: its ravel_pytree."""

    treedef: Any
    order: tuple[int, ...]
    flat: bool = False
    unravel: Callable[[Any], Any] | None = None

    @classmethod
    def of(cls, skeleton: Any, flat: bool = False) -> Layout:
        try:
            leaves, treedef = jax.tree.flatten(skeleton)
        except TypeError as error:  # e.g. dict keys of mixed types
            raise Unsupported(f"JAX sorts dict keys when flattening and failed: {error}") from error
        return cls(treedef, tuple(leaves), flat)

    def tree(self, values: list[Any]) -> Any:
        """A pytree holding ``values`` (trainables order) at their parameters' places."""
        return jax.tree.unflatten(self.treedef, [values[i] for i in self.order])

    def leaves(self, tree: Any) -> list[Any]:
        """``tree``'s leaves in trainables order (a frozen leaf's masked state is one)."""
        leaves = jax.tree.leaves(tree, is_leaf=lambda x: isinstance(x, optax.MaskedNode))
        return [leaves[k] for k in np.argsort(self.order)]

    def pack(self, values: list[Any]) -> Any:
        """The params optax sees: the pytree, or the flat vector of it."""
        if not self.flat:
            return self.tree(values)
        vector, unravel = ravel_pytree(self.tree(values))
        self.unravel = self.unravel or unravel
        return vector

    def unpack(self, params: Any) -> list[Any]:
        if self.flat:
            assert self.unravel is not None
            params = self.unravel(params)
        return self.leaves(params)

    def pick(self, i: int) -> Pick:
        return lambda tree: self.unpack(tree)[i]

    def reload(self, params: Any, state: Any, into: str) -> tuple[Any, Any]:
        """Parameters and state after a checkpoint on one device: the state saved and
        loaded back (:func:`_saved_and_loaded`, STATE-8)."""
        return params, _saved_and_loaded(state)

    def mask(self, frozen: tuple[bool, ...]) -> Any:
        """The freeze mask for ``selective_transform``, None when nothing is frozen."""
        if not any(frozen):
            return None
        if self.flat and not all(frozen):
            raise Unsupported("one flat vector is one optax leaf: part of it cannot be "
                              "frozen (FRZ-1)")
        return True if self.flat else self.tree(list(frozen))


def _saved_and_loaded(state: Any) -> Any:
    """A checkpoint of an optax state (STATE-8): its leaves written with ``np.savez`` and
    read back into its structure, as ``flax.serialization.from_bytes`` and orbax restore
    into the structure of a target state (the structure is the code's, the arrays the
    file's)."""
    leaves, structure = jax.tree.flatten(state)
    saved = io.BytesIO()
    np.savez(saved, *[np.asarray(leaf) for leaf in leaves])
    saved.seek(0)
    with np.load(saved) as loaded:
        arrays = [jax.device_put(loaded[f"arr_{i}"]) for i in range(len(leaves))]
    return jax.tree.unflatten(structure, arrays)


def _device(x: Any, dtype: Any) -> Any:
    """``x`` as a jax array of ``dtype``.  To float32 and float64 it is cast on the host, in
    a copy of its own (NumPy rounds to nearest even, as XLA does) and placed with
    ``device_put``, which compiles nothing; ``jnp.asarray`` compiles a copy or a convert for
    every new shape."""
    if np.dtype(dtype) in (np.float32, np.float64):
        return jax.device_put(np.array(x, dtype))
    return jnp.asarray(x, dtype)


def _numpy(x: Any) -> Any:
    """A jax array as a NumPy copy of its dtype; anything else as it is."""
    return np.array(x) if isinstance(x, jax.Array) else x


def _same(x: Any) -> Any:  # a function, not a lambda: a Run is pickled for the sharded path
    return x


# --------------------------------------------------------------------- programs


class Run(session.Run[Rule]):
    """One program on optax (the plan of a rule is the rule): its dtype, whether to jit, the
    names its Adjust ops inject and the static frozen mask of its steps (FRZ-2)."""

    def __init__(self, program: Program, dtype: str, jit: bool) -> None:
        super().__init__(program, _same)
        self.dtype, self.jit = dtype, jit
        self.injected = adjusted_names(program.rule, program.ops)
        count = len(trainables(program.model))
        steps = {tuple(i in frozen for i in range(count))
                 for op, frozen in frozen_at(program.model, program.ops) if isinstance(op, Step)}
        if len(steps) > 1:
            raise Unsupported(
                "the frozen set changes between steps: optax.selective_transform and "
                "optax.freeze take a static mask, and a new mask needs a new optimiser state "
                "(FRZ-2)")
        self.masked = steps.pop() if steps else (False,) * count

    def params(self) -> list[Any]:
        return [_device(p, self.dtype) for p in trainables(self.program.model)]

    def gradients(self, grads: Any) -> list[Any]:
        """One gradient per parameter (trainables order, ties summed), None where none."""
        return [None if g is None else _device(g, self.dtype)
                for g in flat_list_grads(self.program.model, grads)]

    def record(self, i: int, opt: Optimiser, state: Any, pick: Pick) -> dict[str, Any] | None:
        """Parameter ``i``'s state as NumPy, None for a frozen one (masked out of the state)."""
        if self.masked[i]:
            return None
        fields = opt.fields(state, pick, self.rule)
        return None if fields is None else {k: _numpy(v) for k, v in fields.items()}


def _one_tree(run: Run, form: Layout, legacy: bool = False) -> Held:
    """One optax state over one params pytree laid out by ``form``, stepped through the
    deprecated surface when ``legacy``.  Only a frozen parameter may lack a gradient (it gets
    zeros); a step without any is not taken (UPD-5)."""
    if any(isinstance(member, rules.ClipNorm) for _, member in chain_members(run.rule)):
        raise Unsupported("optax clips by the norm of the whole update "
                          "(clip_by_global_norm): a per-array norm needs one optax state "
                          "per array, the per_array path (CLIPNORM-2)")
    params = form.pack(run.params())
    opt = optimiser(run.rule, run.injected, form.mask(run.masked), run.jit)
    state = opt.tx.init(params)
    advance = _deprecated_step(opt.tx) if legacy else opt.step

    def step(tree: Any) -> None:
        nonlocal params, state
        grads = run.gradients(tree)
        if all(g is None for g in grads):
            return  # no gradient at all: a user does not call the optimiser
        if any(g is None and not f for g, f in zip(grads, run.masked, strict=True)):
            raise Unsupported(
                "optax has no missing gradient inside an update: a None gradient would have "
                "to be zeros, and zeros advance the optimiser state (UPD-5)")
        params, state = advance(form.pack([
            jnp.zeros(p.shape, run.dtype) if g is None else g
            for p, g in zip(trainables(run.program.model), grads, strict=True)]), state, params)

    def reload(into: str) -> None:  # gathered and placed again (SHARD-4)
        nonlocal params, state
        params, state = form.reload(params, state, into)

    return Held(step, lambda _old, rule: opt.adjust(state, rule),
                lambda: [_numpy(v) for v in form.unpack(params)],
                lambda: [run.record(i, opt, state, form.pick(i))
                         for i in range(len(run.masked))], reload=reload)


def _deprecated_step(tx: Any) -> Callable[[Any, Any, Any], tuple[Any, Any]]:
    """An eager step adding the updates with the deprecated ``tree_add_scalar_mul`` (now
    ``optax.tree.add_scale``; DEP clauses): optax warns at every access, at this line."""

    def step(grads: Any, state: Any, params: Any) -> tuple[Any, Any]:
        updates, state = tx.update(grads, state, params)
        return optax.tree_utils.tree_add_scalar_mul(params, 1.0, updates), state

    return step


def _structured(run: Run, flat: bool = False) -> Held:
    """The model's own pytree, or (``flat``) its ``ravel_pytree``, one array to optax."""
    if flat:
        refuse_flat(run.rule, "one flat vector")
    return _one_tree(run, Layout.of(_skeleton(run.program.model), flat=flat))


def _per_array(run: Run) -> Held:
    """One optax state per array, a frozen one masked whole; one without gradient is not
    updated (its optimiser not called): the None semantics (UPD-5) a tree update lacks."""
    refuse_per_array(run.rule, "one optax state per array")
    params = run.params()
    opts = [optimiser(run.rule, run.injected, True if f else None, run.jit)
            for f in run.masked]
    states = [opt.tx.init(p) for opt, p in zip(opts, params, strict=True)]

    def step(tree: Any) -> None:
        for i, (opt, g) in enumerate(zip(opts, run.gradients(tree), strict=True)):
            if g is not None:
                params[i], states[i] = opt.step(g, states[i], params[i])

    def adjust(_old: Rule, rule: Rule) -> None:
        for opt, state in zip(opts, states, strict=True):
            opt.adjust(state, rule)

    def reload(_into: str) -> None:
        states[:] = [_saved_and_loaded(state) for state in states]

    return Held(step, adjust, lambda: [_numpy(p) for p in params],
                lambda: [run.record(i, opt, state, _same)
                         for i, (opt, state) in enumerate(zip(opts, states, strict=True))],
                reload=reload)


def _listed(run: Run, legacy: bool = False) -> Held:
    """The list of trainables as the params pytree."""
    return _one_tree(run, Layout.of(list(range(len(run.masked)))), legacy)


#: One function per update path: what it holds the parameters in (:class:`Held`).
PATHS: dict[PathName, Callable[[Run], Held]] = {
    "structured": _structured,
    "flat_list": _listed,
    "per_array": _per_array,
    "flat_vector": lambda run: _structured(run, flat=True),
    # flat_list, updates added through the deprecated tree_add_scalar_mul (DEP-1 .. DEP-5)
    "legacy": lambda run: _listed(run, legacy=True),
    "sharded": jax_sharded.sharded,  # on a mesh of host devices, in a rank process
}


# ---------------------------------------------------------------------- the adapter


class JaxAdapter(Adapter):
    """optax on JAX's CPU device, each step ``jax.jit``-compiled once per rule and shapes
    (``jit=False``: eager).  JAX compiles every primitive for a new shape even eagerly; one
    compiled step costs about half of that (0.3 s against 0.7 s), then 2 ms per run."""

    protocol_version = 1

    def __init__(self, jit: bool = True) -> None:
        self.jit = jit

    def info(self) -> EngineInfo:
        return EngineInfo(
            name="jax", engine="jax+optax",
            version=f"jax {jax.__version__}, optax {optax.__version__}",
            device=str(jax.devices()[0]).lower(), dtypes=DTYPES, capabilities=CAPABILITIES,
            paths=tuple(PATHS),
            variants={cls.__name__: variant for cls, variant in VARIANTS.items()},
            notes="pytrees cannot tie arrays; no None gradients; static freeze masks; "
                  "float32 runs with jax_enable_x64 off, float64 with it on",
        )

    def supports(self, rule: Rule) -> str | None:
        return refusal(check, rule)

    def legacy_replacements(self) -> Mapping[str, tuple[str, ...]]:
        """The legacy path's deprecated call and its replacements (DEP-3)."""
        return {"optax.tree_utils.tree_add_scalar_mul": (
            "optax.tree_utils.tree_add_scale", "optax.tree.add_scale", "optax.apply_updates")}

    def run(self, program: Program, path: PathName) -> Outcome:
        go = path_entry(PATHS, path, "optax")
        check(program.rule)
        run = Run(program, self._dtype(program.dtype), self.jit)

        def outcome() -> Outcome:
            with jax.enable_x64(run.dtype == "float64"):
                return drive(run, go(run))
        return with_warnings(outcome)

    # ------------------------------------------------------- collection, autodiff

    def collect(self, model: Any, dtype: str) -> list[np.ndarray]:
        """``jax.tree.leaves`` of the model's pytree: dict keys sorted (COLL-2)."""
        with jax.enable_x64(self._dtype(dtype) == "float64"):
            return [_numpy(leaf) for leaf in jax.tree.leaves(self._tree(model, dtype)[1])]

    def destructure(self, model: Any, dtype: str) -> np.ndarray:
        """``jax.flatten_util.ravel_pytree`` of the model's pytree (FLAT-1)."""
        with jax.enable_x64(self._dtype(dtype) == "float64"):
            return np.array(ravel_pytree(self._tree(model, dtype)[1])[0])

    def gradient(self, model: Any, loss: Any, dtype: str, via: str,
                 frozen: tuple[tuple[Any, ...], ...] = ()) -> Any:
        """``jax.grad`` of the loss over the model's leaves (``via="trainables"``; also
        ``"legacy"``: JAX has no deprecated collection, DEP-8) or its ``ravel_pytree`` vector
        (``"destructure"``), ``Param(i)`` found among the leaves by position.  No structural
        zero: a parameter the loss does not reach gets zeros (EXPR-5, GRAD-1, GRAD-2).
        Frozen leaves are split off and closed over, ``jax.grad`` taken over the others (the
        partition that ``equinox.filter_grad`` and ``flax.nnx.DiffState`` make): None there
        (GRAD-3)."""
        dtype = self._dtype(dtype)
        still = frozen_for_gradient(model, frozen, via)
        with jax.enable_x64(dtype == "float64"):
            layout, tree = self._tree(model, dtype)
            ops = array_ops(lambda v: jnp.asarray(v, dtype), jnp.tanh, jnp.square)
            if via in ("trainables", "legacy"):
                grads = _grad_of_the_rest(lambda leaves: ref_expr.evaluate(loss, leaves, ops),
                                          layout.leaves(tree), still)
            elif via == "destructure":
                start, back = ravel_pytree(tree)
                grads = layout.leaves(back(jax.grad(
                    lambda v: ref_expr.evaluate(loss, layout.leaves(back(v)), ops))(start)))
            else:
                raise Unsupported(f"JAX has no {via!r} collection to differentiate through")
        position = {occ.path: occ.position for occ in occurrences(model)}
        return mirror(model, lambda p, _x: None if grads[position[p]] is None
                      else _numpy(grads[position[p]]))

    # ---------------------------------------------------------------- helpers

    @staticmethod
    def _tree(model: Any, dtype: str) -> tuple[Layout, Any]:
        layout = Layout.of(_skeleton(model))
        return layout, layout.tree([_device(p, dtype) for p in trainables(model)])

    @staticmethod
    def _dtype(dtype: str) -> str:
        if dtype not in DTYPES:
            raise Unsupported(f"the jax adapter runs {', '.join(DTYPES)}, not {dtype}")
        return dtype


def _grad_of_the_rest(f: Callable[[list[Any]], Any], leaves: list[Any],
                      frozen: frozenset[int]) -> list[Any]:
    """``jax.grad`` of ``f(leaves)`` with respect to the leaves not in ``frozen``, which it
    closes over as constants; None at the frozen ones (GRAD-3)."""
    live = [i for i in range(len(leaves)) if i not in frozen]

    def of_live(values: list[Any]) -> Any:
        merged = list(leaves)
        for i, value in zip(live, values, strict=True):
            merged[i] = value
        return f(merged)

    found = dict(zip(live, jax.grad(of_live)([leaves[i] for i in live]), strict=True))
    return [found.get(i) for i in range(len(leaves))]
