"""The tolerance model: how far an engine's numbers may be from the float64 reference.

One formula, documented clause by clause in docs/SPEC.md (TOL-1 .. TOL-8).  For a value
compared after ``n`` applied steps (n >= 1) at ``dtype``::

    allowed = n * eps(dtype) * (2 * value_scale + K(rule) * change_scale)
              + n * (2 + K(rule)) * subnormal(dtype)

* ``eps(dtype)``: the spacing of floats at 1; ``subnormal(dtype)`` the smallest normal
  number, since engines may flush subnormal results to zero (TOL-1);
* ``value_scale``: the largest magnitude the value had on the reference trajectory; the
  final ``x - step`` rounds once per step relative to it (TOL-3);
* ``change_scale``: the largest per-op change of the value on that trajectory; the step
  (or state update) is computed through ``K(rule)`` roundings, amplified by the rule's
  conditioning (TOL-4);
* errors carried in state add up step after step, hence the factor ``n`` (TOL-5).

Comparisons are exact (allowed = 0, bitwise) where the engine is the reference itself at
float64 and the two runs compute the same arithmetic (TOL-2); a zero's sign is not observable,
bitwise or not (TOL-10).  Sign-based rules are
discontinuous: below float64 they are compared only on sign-stable inputs (TOL-6).  Integer,
bool, None and string fields of a state (counters, flags) are compared exactly; float
scalars (``beta_t`` products) like arrays (TOL-7).  Gradients an engine computes itself carry
their own bound into later comparisons (TOL-8).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable

import numpy as np

from optconf.adapters.reference import REFERENCE_ENGINE
from optconf.reference.rules.base import Rule

from .catalog import inner_rules

#: Machine epsilon (spacing of floats at 1) per dtype (TOL-1).
EPS: dict[str, float] = {
    "float64": float(np.finfo(np.float64).eps),
    "float32": float(np.finfo(np.float32).eps),
    "float16": float(np.finfo(np.float16).eps),
}

#: The smallest normal number per dtype: engines may flush subnormal results to zero (XLA on
#: CPU, CUDA's flush-to-zero), so below the normal range a value may be off by this much in
#: absolute terms, whatever the magnitudes (TOL-1, FINDINGS J10).
SUBNORMAL: dict[str, float] = {name: float(np.finfo(name).tiny) for name in EPS}


@dataclasses.dataclass(frozen=True)
class Conditioning:
    """Per-rule constants of the model (TOL-4).  ``roundings``: an upper count of rounded
    operations between the gradient and the step, the cast of each hyperparameter to the
    engine's dtype included; ``decays``: hyperparameters that are decay rates in [0, 1),
    each amplifying by ``1/(1-b)`` (an error kept in state decays only that slowly, and a
    bias correction ``1-b^t`` loses that many digits); ``iterated``: an inner iteration whose
    count is a hyperparameter (Muon's Newton-Schulz steps); ``discontinuous``: the step jumps
    where some computed value crosses 0 (TOL-6); ``why``: the reason, for the SPEC table."""

    roundings: float
    decays: tuple[str, ...] = ()
    discontinuous: bool = False
    why: str = ""
    unstable_when: str = ""  # a flag hyperparameter that makes the rule ill-conditioned
    #: (hyperparameter, growth): an iteration run that many times, each amplifying an error
    #: by up to ``growth``, multiplies the roundings by ``growth ** value``
    iterated: tuple[str, float] | None = None


#: One entry per rule class (TOL-4).  A rule without an entry has no tolerance: comparing an
#: inexact engine on it raises LookupError, so a new rule cannot pass by default.
CONDITIONING: dict[str, Conditioning] = {
    "Descent": Conditioning(2, why="eta*g: one product and the cast of eta"),
    "WeightDecay": Conditioning(3, why="g + lambda*x"),
    "ClipGrad": Conditioning(2, why="clamp is exact but for the cast of delta"),
    "ClipNorm": Conditioning(
        8, why="a norm sums squares (error ~ log2(size) roundings for pairwise sums), a "
               "division and a product"),
    "ClipGlobalNorm": Conditioning(8, why="as ClipNorm, summing over every array"),
    "AccumGrad": Conditioning(3, why="sum of g/n"),
    "Momentum": Conditioning(4, ("rho",), why="v carries every past error, decaying by rho"),
    "Nesterov": Conditioning(6, ("rho",), why="as Momentum, plus the look-ahead combination"),
    "RMSProp": Conditioning(
        10, ("rho",), why="moving average of g^2 and a division by its root; centred, the "
                          "root of E[g^2] - E[g]^2 cancels for steady gradients",
        unstable_when="centred"),
    "Adam": Conditioning(
        12, ("beta",), why="two moving averages, bias corrections 1-b^t, a root, a division"),
    "AdamW": Conditioning(14, ("beta",), why="Adam plus the decoupled decay term"),
    "NAdam": Conditioning(16, ("beta",), why="Adam plus the look-ahead mix of mu and g"),
    "RAdam": Conditioning(
        20, ("beta",), why="Adam plus the rectification term; rho_t's threshold depends on t "
                           "only, not on the data"),
    "AMSGrad": Conditioning(12, ("beta",), why="Adam with a running maximum (exact)"),
    "AdaMax": Conditioning(10, ("beta",), why="moving average and an infinity-norm maximum"),
    "OAdam": Conditioning(16, ("beta",), why="Adam with the optimistic difference of steps"),
    "AdaBelief": Conditioning(
        16, ("beta",), why="Adam on (g-mu)^2, which cancels where g ~ mu; strategies keep "
                           "b1 >= 0.5 so the cancellation costs at most a few roundings"),
    "AdaGrad": Conditioning(8, why="a growing sum of g^2 and a division by its root"),
    "AdaDelta": Conditioning(
        14, ("rho",), why="two moving averages and a ratio of roots"),
    "Lion": Conditioning(
        4, ("beta",), discontinuous=True, why="eta*sign(c): c near 0 may flip sign"),
    "Rprop": Conditioning(
        6, discontinuous=True, why="sign(g*g_prev) and clamped multiplicative step sizes"),
    "SignDecay": Conditioning(2, discontinuous=True, why="lambda*sign(x): x near 0 flips"),
    "LARS": Conditioning(
        14, ("rho",), discontinuous=True,
        why="two array norms, their ratio, g + lambda*x and the velocity; the ratio "
            "normalises the step's length, which jumps where g reaches 0"),
    "LAMB": Conditioning(
        22, ("beta",), discontinuous=True,
        why="Adam plus lambda*x, two array norms and their ratio; the step's length is "
            "eta*||x|| for any r != 0 and 0 at r = 0"),
    "Muon": Conditioning(
        4, iterated=("steps", 3.4445), discontinuous=True,
        why="each Newton-Schulz step's quintic has slope a = 3.4445 at 0, so an error in a "
            "small singular value grows a-fold per step; no decay term: the iteration starts "
            "by dividing the buffer by its own norm, so its carried error counts relative to "
            "itself; that division jumps (up to 1/epsilon) where the buffer nears 0"),
    "OptimiserChain": Conditioning(
        1, why="members in turn: the factors of the members multiply"),
    "MixedPrecision": Conditioning(
        3, why="the gradient's cast to the precision, the copy's x - step and x written "
               "from the copy; the inner rule's factor multiplies, at the coarser of the "
               "precision and the parameter's dtype"),
}


def conditioning(rule: Rule) -> Conditioning:
    """The rule's entry in :data:`CONDITIONING`; LookupError when there is none (TOL-4)."""
    name = type(rule).__name__
    if name not in CONDITIONING:
        raise LookupError(
            f"the tolerance model has no entry for {name}; add one to "
            "optconf.conformance.tolerance.CONDITIONING saying why (clause TOL-4)"
        )
    return CONDITIONING[name]


def working_dtype(dtype: str, rule: Rule) -> str:
    """The coarsest dtype a run of ``rule`` on ``dtype`` parameters computes in: ``dtype``,
    or a MixedPrecision's precision where that is coarser (TOL-1, MIXED-1)."""
    return max(dtype, getattr(rule, "precision", dtype), key=lambda d: EPS.get(d, 0.0))


def _decay_rates(rule: Rule, names: Iterable[str]) -> list[float]:
    rates: list[float] = []
    for name in names:
        value = getattr(rule, name)
        rates.extend(value if isinstance(value, tuple) else (value,))
    return rates


def factor(rule: Rule) -> float:
    """``K(rule)``: roundings times ``1 + sum(1/(1-b))`` over the rule's decay rates, times
    ``growth ** count`` for an iterated rule; a chain multiplies its members' factors (TOL-4)."""
    entry = conditioning(rule)
    amplification = 1 + sum(1 / (1 - b) for b in _decay_rates(rule, entry.decays))
    if entry.iterated is not None:
        name, growth = entry.iterated
        amplification *= growth ** getattr(rule, name)
    product = math.prod(factor(member) for member in inner_rules(rule))
    return entry.roundings * amplification * product


def discontinuous(rule: Rule) -> bool:
    """Whether the rule (or a chain member) is sign-based (TOL-6)."""
    return conditioning(rule).discontinuous or any(map(discontinuous, inner_rules(rule)))


def well_conditioned(rule: Rule) -> bool:
    """False when the rule (or a chain member) is in a configuration whose error has no
    bound in terms of its inputs, e.g. centred RMSProp (TOL-6)."""
    entry = conditioning(rule)
    unstable = bool(entry.unstable_when and getattr(rule, entry.unstable_when))
    return not unstable and all(map(well_conditioned, inner_rules(rule)))


def exact(engine: str, dtype: str, rule: Rule, path: str) -> bool:
    """Whether comparisons of a run through ``path`` with the structured reference run are
    bitwise (TOL-2): only for the reference itself, at float64, on a path computing the
    same arithmetic.  A flat vector changes a global norm's summation order."""
    if engine != REFERENCE_ENGINE or dtype != "float64":
        return False
    return not (path == "flat_vector" and rule.needs_global)


@dataclasses.dataclass(frozen=True)
class Bound:
    """The tolerance for one run: ``allowed(value_scale, change_scale)`` (TOL-1 .. TOL-5);
    ``exact`` bounds allow nothing."""

    dtype: str
    rule: Rule
    steps: int
    is_exact: bool
    extra: float = 0.0  # error carried in from inputs the engine computed itself (TOL-8)

    def allowed(self, value_scale: float, change_scale: float) -> float:
        if self.is_exact:
            return 0.0
        n = max(self.steps, 1)
        k = factor(self.rule)
        dtype = working_dtype(self.dtype, self.rule)
        relative = n * EPS[dtype] * (2 * value_scale + k * change_scale)
        return relative + n * (2 + k) * SUBNORMAL[dtype] + self.extra


def bound(engine: str, dtype: str, rule: Rule, path: str, steps: int) -> Bound:
    """The bound for comparing ``engine``'s run of ``rule`` through ``path`` at ``dtype``
    after ``steps`` applied steps with the float64 structured reference."""
    if dtype not in EPS:
        raise LookupError(f"the tolerance model has no machine epsilon for {dtype} (TOL-1)")
    is_exact = exact(engine, dtype, rule, path)
    if not is_exact:
        conditioning(rule)  # fail now, naming the rule, rather than at the first comparison
    return Bound(dtype, rule, steps, is_exact)


#: Roundings between a parameter and its gradient in the deepest loss the strategies build
#: (``Sum(Tanh(p))``: tanh, its derivative 1 - tanh^2, the cast of the cotangent) (TOL-8).
GRADIENT_ROUNDINGS = 8


def bitwise_mismatch(got: np.ndarray, want: np.ndarray) -> np.ndarray:
    """Where two arrays of one dtype differ in their bits, ``+0`` and ``-0`` being one value
    (TOL-2, TOL-10)."""
    bits = np.dtype(f"u{got.itemsize}")
    return _unsigned_zeros(got).view(bits) != _unsigned_zeros(want).view(bits)


def _unsigned_zeros(array: np.ndarray) -> np.ndarray:
    return np.where(array == 0, np.zeros_like(array), array)


def gradient_allowed(engine: str, dtype: str, scale: float) -> float:
    """The error allowed in a gradient through collection (GRAD clauses): none for the
    reference at float64, else ``GRADIENT_ROUNDINGS * (eps(dtype) * scale + subnormal(dtype))``
    with ``scale`` the largest magnitude of the true gradient array and of the parameter: a
    true gradient below the dtype's normal range may come out as zero (TOL-1, TOL-8)."""
    if engine == REFERENCE_ENGINE and dtype == "float64":
        return 0.0
    return GRADIENT_ROUNDINGS * (EPS[dtype] * scale + SUBNORMAL[dtype])
