"""What every property shares: hypothesis settings from the profile, the float64 oracle with
its magnitudes, and the comparison of an adapter's Outcome with it (CONF-1, TOL-3).

The oracle is a fresh :class:`ReferenceAdapter` running the structured path at float64,
outside the adapter under test: a mutant that patches the reference only while its own
methods run cannot reach it.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import itertools
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from hypothesis.internal.conjecture import engine as hypothesis_engine

from optconf.adapters.protocol import (
    Adapter,
    Adjust,
    Op,
    Outcome,
    PathName,
    Program,
    Step,
    Unsupported,
)
from optconf.adapters.reference import ReferenceAdapter
from optconf.reference import collect as ref_collect
from optconf.reference import tree as ref_tree
from optconf.reference.rules.base import Rule

from .. import (
    catalog,
    draws,  # noqa: F401  (imported for its effect: draws follow the seed alone)
    tolerance,
)
from ..asserts import (
    Context,
    assert_close,
    assert_structure,
    assert_ties,
    case_data,
    fail,
    state_dtypes,
)
from ..cases import natural_rule
from ..deviation import Deviation
from ..profiles import Profile
from ..tolerance import Bound

ORACLE = ReferenceAdapter()


def hypothesis_settings(profile: Profile, *, examples: int | None = None) -> settings:
    """The profile's effort; no deadline, no example database, shrinking only where the
    profile asks for it, and never hypothesis' slow "explain" phase (CONF-4)."""
    phases = [Phase.explicit, Phase.generate] + ([Phase.shrink] if profile.shrink else [])
    return settings(
        max_examples=examples or profile.max_examples, deadline=None, database=None,
        derandomize=False, suppress_health_check=[HealthCheck.too_slow],
        stateful_step_count=profile.stateful_steps, phases=phases,
    )


#: The share of a case's timeout Hypothesis may spend shrinking a failure (CONF-4).
SHRINK_SHARE = 0.5


@contextlib.contextmanager
def shrinking_within(profile: Profile) -> Iterator[None]:
    """Hypothesis stops shrinking a failure after half the profile's case timeout and
    reports the example as far as it got (its own limit, five minutes, is past dev's
    timeout): shrinking through a real engine on to the timeout would turn the failure
    into a timeout that shows nothing of it (CONF-4).  ``MAX_SHRINKING_SECONDS`` is the
    setting Hypothesis leaves to be patched for this."""
    saved = hypothesis_engine.MAX_SHRINKING_SECONDS
    hypothesis_engine.MAX_SHRINKING_SECONDS = int(profile.timeout * SHRINK_SHARE)
    try:
        yield
    finally:
        hypothesis_engine.MAX_SHRINKING_SECONDS = saved


def explore(strategy: st.SearchStrategy[Any], test: Callable[[Any], None], profile: Profile,
            seed: int, *, share: int = 1) -> None:
    """Run ``test`` on examples of ``strategy``, seeded by ``seed``; the first Deviation
    (after shrinking) propagates.  A property expanded into many cases gives each case
    ``1/share`` of the profile's examples, at least 2 (CONF-4)."""

    @hypothesis_seed(seed)
    @hypothesis_settings(profile, examples=max(2, -(-profile.max_examples // share)))
    @given(strategy)
    def run(example: Any) -> None:
        test(example)

    run()


def compared_dtypes(adapter: Adapter) -> list[str]:
    """The float dtypes the adapter declares that the tolerance model knows, float16 left
    out: at its resolution (2^-10, and 6e-5 below which engines may flush) the bound is
    too coarse to tell a formula from another, so float16 is drawn only where the spec
    says it differs, the epsilon floor (``rules.float16_epsilon_floor``, RULE-7)."""
    return [d for d in adapter.info().dtypes if d in tolerance.EPS and d != "float16"]


def dtypes(adapter: Adapter) -> st.SearchStrategy[str]:
    """:func:`compared_dtypes` as a strategy."""
    known = compared_dtypes(adapter)
    if not known:
        raise Unsupported(f"no dtype of {adapter.info().dtypes} has a tolerance (TOL-1)")
    return st.sampled_from(known)


def drawing(adapter: Adapter, path: PathName | None) -> dict[str, bool]:
    """What drawn models and gradients may hold, from the capabilities the adapter has on
    ``path`` (None: on every path): ties (``shared``), carried values (``carried``), None
    inside a gradient (``none``).  A property about one of them requires it; the others
    draw without what is missing."""
    capabilities = adapter.info().capabilities_on(path)
    return {"shared": "shared" in capabilities, "carried": "carried" in capabilities,
            "none": "none_grad" in capabilities}


def model_drawing(adapter: Adapter, path: PathName | None = None) -> dict[str, bool]:
    """:func:`drawing` for :func:`~optconf.conformance.strategies.models`."""
    options = drawing(adapter, path)
    del options["none"]
    return options


def rule_for(adapter: Adapter, name: str) -> tuple[Rule, st.SearchStrategy[Rule]]:
    """The default rule of class ``name`` and a strategy of such rules that the adapter
    supports, in the variant it declares (RULE-5); Unsupported, before any drawing, when the
    adapter refuses the class's default."""
    info = adapter.info()
    default = natural_rule(info, name)
    reason = adapter.supports(default)
    if reason is not None:
        raise Unsupported(reason)
    drawn = catalog.rules(name, variant=info.variants.get(name))
    return default, drawn.filter(lambda rule: adapter.supports(rule) is None)


# -------------------------------------------------------------------------- the oracle


@dataclasses.dataclass
class Expected:
    """The oracle's final outcome, the number of Step ops, and per distinct parameter the
    largest magnitude and the largest per-op change of each compared value on the way
    (key ``"param"`` for the parameter, the state field names otherwise) (TOL-3)."""

    outcome: Outcome
    steps: int
    value_scale: list[dict[str, float]]
    change_scale: list[dict[str, float]]


def _values(outcome: Outcome) -> list[dict[str, Any]]:
    params = ref_collect.trainables(outcome.model)
    return [{"param": p, **(s or {})} for p, s in zip(params, outcome.states, strict=True)]


def _numeric(value: Any) -> bool:
    """Float values the tolerance applies to; ints, bools, None and strings are exact."""
    return value is not None and not isinstance(value, bool | int | np.integer | str)


def _magnitude(value: Any) -> float:
    if not _numeric(value):
        return 0.0
    data = np.asarray(value, dtype=np.float64)
    return float(np.max(np.abs(data), initial=0.0))


def expected(program: Program) -> Expected:
    """The float64 structured reference run of ``program`` with its magnitudes."""
    trajectory = ORACLE.trajectory(dataclasses.replace(program, dtype="float64"))
    snapshots = [_values(outcome) for outcome in trajectory]
    value_scale = [{k: _magnitude(v) for k, v in snap.items()} for snap in snapshots[0]]
    change_scale = [{k: 0.0 for k in snap} for snap in snapshots[0]]
    for before, after in itertools.pairwise(snapshots):
        for i, (b, a) in enumerate(zip(before, after, strict=True)):
            for key, value in a.items():
                value_scale[i][key] = max(value_scale[i][key], _magnitude(value))
                if _numeric(value) and _numeric(b[key]):
                    delta = np.asarray(value, np.float64) - np.asarray(b[key], np.float64)
                    change_scale[i][key] = max(change_scale[i][key], _magnitude(delta))
    steps = sum(isinstance(op, Step) for op in program.ops)
    return Expected(trajectory[-1], steps, value_scale, change_scale)


def bound_for(adapter: Adapter, program: Program, path: str) -> Bound:
    steps = sum(isinstance(op, Step) for op in program.ops)
    return tolerance.bound(adapter.info().engine, program.dtype, program.rule, path, steps)


def context(adapter: Adapter, program: Program, path: str | None, **extra: Any) -> Context:
    steps = sum(isinstance(op, Step) for op in program.ops)
    return Context(adapter.info().name, path, program.dtype, steps,
                   case_data(program, **extra))


# ----------------------------------------------------------------------- comparisons


@dataclasses.dataclass(frozen=True)
class Clauses:
    """Which clause a difference in each part of an outcome breaks."""

    params: str
    state: str | None = None      # None: the same as params
    structure: str = "TREE-7"
    carried: str = "TREE-3"
    ties: str = "TIE-3"


def assert_outcome(actual: Outcome, want: Expected, *, program: Program, bound: Bound,
                   ctx: Context, clauses: Clauses, states: bool = True) -> None:
    """The adapter's outcome equals the oracle's: structure, carried values, ties, then
    every parameter and (with ``states``) every state field, within ``bound``."""
    assert_structure(actual.model, want.outcome.model, clause=clauses.structure,
                     carried_clause=clauses.carried, ctx=ctx)
    assert_ties(actual.model, want.outcome.model, clause=clauses.ties, ctx=ctx)
    labels = [ref_tree.path_str(path) for path, _ in
              ref_collect.trainables_with_paths(want.outcome.model)]
    got_params = ref_collect.trainables(actual.model)
    for i, (label, got, exp) in enumerate(zip(labels, got_params,
                                              ref_collect.trainables(want.outcome.model),
                                              strict=True)):
        allowed = bound.allowed(want.value_scale[i]["param"], want.change_scale[i]["param"])
        assert_close(label, got, exp, allowed=allowed, clause=clauses.params, ctx=ctx,
                     dtype=program.dtype)
    if states:
        assert_states(actual, want, program=program, bound=bound, ctx=ctx,
                      clause=clauses.state or clauses.params, labels=labels)


def assert_states(actual: Outcome, want: Expected, *, program: Program, bound: Bound,
                  ctx: Context, clause: str, labels: list[str]) -> None:
    """Every state field the reference has, per distinct parameter, each array in the dtype
    the reference's ``init`` gives it: the parameter's (STATE-2), a MixedPrecision's
    precision (MIXED-1)."""
    if len(actual.states) != len(want.outcome.states):
        fail(f"len(states)={len(actual.states)}, but should be {len(want.outcome.states)}",
             clause=clause, ctx=ctx)
    name = type(program.rule).__name__.lower()
    dtypes = state_dtypes(program.rule, program.dtype)
    for i, (got, exp) in enumerate(zip(actual.states, want.outcome.states, strict=True)):
        if got is None or exp is None:
            continue  # the engine exposes no state here; params still decide
        for key, value in exp.items():
            label = f"{name}.{key}[{labels[i]}]"
            if key not in got:
                fail(f"{label} is missing, but should be {value!r}", clause=clause, ctx=ctx)
            dtype = str(dtypes.get(key, program.dtype)) if isinstance(value, np.ndarray) else None
            if dtype is not None and np.asarray(got[key]).dtype != dtype:
                own = dtype == program.dtype
                fail(f"{label}.dtype={np.asarray(got[key]).dtype}, but should be "
                     + (f"the parameter's {dtype}" if own else f"the rule's precision {dtype}"),
                     clause="STATE-2" if own else "MIXED-1", ctx=ctx)
            allowed = bound.allowed(want.value_scale[i][key], want.change_scale[i][key])
            assert_close(label, got[key], value, allowed=allowed, clause=clause, ctx=ctx,
                         dtype=dtype)


def claimed(rule: Rule, path: str) -> bool:
    """Whether ``path`` claims to run ``rule`` as the structured tree does: not a per-array
    rule on one flat vector (RULE-4, FLAT-6), nor a global-norm rule driven one array at a
    time (RULE-8)."""
    if path == "flat_vector":
        return bool(rule.elementwise)
    if path in ("per_array", "legacy"):
        return not rule.needs_global
    return True


def faithful_rules(adapter: Adapter, names: tuple[str, ...], path: PathName, *,
                   adjust: bool = False) -> tuple[Rule, st.SearchStrategy[Rule]]:
    """For a property about structure (freezing, ties, missing gradients, interleaved ops)
    rather than a rule: the default of the first rule class in ``names`` that the engine runs
    faithfully on ``path``, and a strategy of rules of every such class that the path claims
    (:func:`claimed`).  A class is left out when the adapter refuses it (``supports``, in
    its declared variant, RULE-5) or when its plain steps already differ from the reference
    (:func:`calibrated`): that difference is the rule's own and ``rules.matches_reference``
    reports it, so a structural failure is never a rule's deviation in disguise.  With
    ``adjust`` (a property that adjusts) the classes whose adjusted steps are faithful too
    are preferred (``adjust.mid_run`` reports the others); when there are none, adjusting
    itself is what differs, and the property is left to find it.  Unsupported, naming each
    class's reason, when no class is left."""
    kept, reasons = _calibrated_classes(adapter, names, path, adjust=False)
    if adjust:
        adjusted, _ = _calibrated_classes(adapter, names, path, adjust=True)
        kept, adjust = (adjusted, True) if adjusted else (kept, False)
    if not kept:
        raise Unsupported(f"no rule of {', '.join(names)} runs faithfully on {path}: "
                          + "; ".join(reasons))
    drawn = st.one_of(*(drawn for _, drawn in kept))
    return kept[0][0], drawn.filter(lambda rule: claimed(rule, path) and members_faithful(
        adapter, rule, path, adjust=adjust))


def _calibrated_classes(adapter: Adapter, names: tuple[str, ...], path: PathName, *,
                        adjust: bool) -> tuple[list[tuple[Rule, st.SearchStrategy[Rule]]],
                                               list[str]]:
    """The (default, strategy) of each class of ``names`` the adapter runs faithfully on
    ``path``, and for each other one why not."""
    kept: list[tuple[Rule, st.SearchStrategy[Rule]]] = []
    reasons = []
    for name in names:
        try:
            default, drawn = rule_for(adapter, name)
        except Unsupported as why:
            reasons.append(f"{name}: {why}")
            continue
        deviates = calibrated(adapter, default, path, adjust=adjust) if claimed(
            default, path) else f"{path} does not claim it (RULE-4, RULE-8)"
        if deviates is not None:
            reasons.append(f"{name}: {deviates}")
            continue
        kept.append((default, drawn))
    return kept, reasons


def members_faithful(adapter: Adapter, rule: Rule, path: PathName, *,
                     adjust: bool = False) -> bool:
    """Whether every member of a chain (none for another rule) runs faithfully on ``path``:
    each one before the last calibrated in front of Descent, the last one alone, each as the
    class's default in the adapter's declared variant (:func:`calibrated`)."""
    members = getattr(rule, "rules", ())
    chain = catalog.rule_class("OptimiserChain")
    samples = []
    for i, member in enumerate(members):
        try:
            default = rule_for(adapter, type(member).__name__)[0]
        except Unsupported:
            return False
        last = i == len(members) - 1
        samples.append(default if last else chain(default, catalog.default_rule("Descent")))
    return all(calibrated(adapter, sample, path, adjust=adjust) is None for sample in samples)


def with_global_norm_chains(adapter: Adapter, path: PathName, default: Rule,
                            rules: st.SearchStrategy[Rule], *, adjust: bool = False,
                            ) -> tuple[Rule, st.SearchStrategy[Rule]]:
    """``default`` and ``rules`` (from :func:`faithful_rules`) with, as often as ``rules``,
    ClipGlobalNorm chained before one of them, where the engine runs that faithfully on
    ``path``: a global norm must leave frozen arrays out (FRZ-1, RULE-8), and the
    catalogue's chains hold it too rarely for the properties that freeze.  ``adjust``: as
    for :func:`faithful_rules`."""
    chain = catalog.rule_class("OptimiserChain")
    sample = chain(catalog.default_rule("ClipGlobalNorm"), catalog.default_rule("Descent"))
    if not claimed(sample, path) or (
            adapter.supports(sample) or calibrated(adapter, sample, path, adjust=adjust)
    ) is not None:
        return default, rules
    clips = catalog.rules("ClipGlobalNorm")
    chains = st.builds(chain, clips, rules.filter(lambda r: not isinstance(r, chain)))
    chains = chains.filter(lambda r: adapter.supports(r) is None)
    return default, st.booleans().flatmap(lambda chained: chains if chained else rules)


#: Calibration verdicts by (adapter class, adapter name, rule, path, adjusted): None when
#: faithful, else why not.
_CALIBRATED: dict[tuple[type, str, str, str, bool], str | None] = {}

#: The calibration model and its gradients: two arrays away from zero, gradients of one
#: sign per element and of three scales, so that epsilon, bias corrections and clipping
#: thresholds matter (TOL-6).
_CALIBRATION_MODEL = {"w": np.array([1.5, -1.25, 2.0]), "v": np.array([[-1.75], [1.0]])}
_CALIBRATION_GRADS = (
    {"w": np.array([0.5, -1.0, 0.75]), "v": np.array([[0.25], [-1.5]])},
    # past the default clipping thresholds (10): clipping rules clip
    {"w": np.array([12.0, -9.0, 16.0]), "v": np.array([[7.0], [-11.0]])},
    {"w": np.array([1.0, -0.5, 0.5]), "v": np.array([[1.0], [-0.25]])},
    {"w": np.array([2.0**-8, -(2.0**-9), 2.0**-8]), "v": np.array([[2.0**-9], [-(2.0**-8)]])},
)


def calibrated(adapter: Adapter, rule: Rule, path: PathName, *,
               adjust: bool = False) -> str | None:
    """None when four plain steps of ``rule`` through ``path`` (an untied model, whole
    gradients, nothing frozen; with ``adjust``, every float hyperparameter halved after the
    second step) equal the reference's at every dtype the adapter declares and the
    tolerance model bounds; else the reason, or the difference found.  Remembered per
    adapter, rule, path and ``adjust`` for the life of the process."""
    key = (type(adapter), adapter.info().name, repr(rule), path, adjust)
    if key not in _CALIBRATED:
        _CALIBRATED[key] = _calibrate(adapter, rule, path, adjust)
    return _CALIBRATED[key]


def _halved(rule: Rule) -> dict[str, Any]:
    """Every float (or tuple of floats) hyperparameter of ``rule`` or its members, halved:
    a change every rule accepts (RULE-6) and that moves every adjustable number (ADJ-1)."""
    changes: dict[str, Any] = {}
    for member in getattr(rule, "rules", None) or (rule,):
        for name in member.hyperparameters():
            value = getattr(member, name)
            if isinstance(value, float):
                changes[name] = value / 2
            elif isinstance(value, tuple) and all(isinstance(v, float) for v in value):
                changes[name] = tuple(v / 2 for v in value)
            else:
                continue
            try:
                member.adjusted(**{name: changes[name]})
            except ValueError:  # outside the valid range (RULE-6): leave it
                del changes[name]
    return changes


def _calibrate(adapter: Adapter, rule: Rule, path: PathName, adjust: bool) -> str | None:
    steps = [Step(g) for g in _CALIBRATION_GRADS]
    changes = _halved(rule) if adjust else {}
    ops = tuple(steps[:2] + [Adjust(changes)] * bool(changes) + steps[2:])
    for dtype in compared_dtypes(adapter):
        if not comparable(adapter, dtype, rule, path):
            continue
        try:
            model = copy.deepcopy(_CALIBRATION_MODEL)  # an engine may write into it
            run_and_compare(adapter, Program(model, rule, ops, dtype), path,
                            clauses=Clauses("RULE-1"))
        except Unsupported as why:
            return str(why)
        except Deviation as deviation:  # the rule's own difference, not the property's
            return f"its plain steps differ from the reference ({deviation})"
    return None


def probe(adapter: Adapter, path: PathName, rule: Rule, *ops: Op) -> None:
    """Run a two-array program with ``ops`` through ``path`` so that an adapter that cannot
    express them says Unsupported before any example is drawn (and shrunk)."""
    model = {"w": np.ones(2), "v": np.ones(1)}
    adapter.run(Program(model, rule, ops, adapter.info().dtypes[0]), path)


def path_for(adapter: Adapter, rule: Rule) -> PathName:
    """The first path, structured preferred, on which the adapter runs a step of ``rule``
    (properties about a rule rather than a path need just one); Unsupported when none."""
    paths = adapter.info().paths
    reasons = []
    for path in sorted(paths, key=lambda p: p != "structured"):
        try:
            probe(adapter, path, rule, Step({"w": np.ones(2), "v": np.ones(1)}))
        except Unsupported as why:
            reasons.append(f"{path}: {why}")
            continue
        return path
    raise Unsupported("; ".join(reasons) or "the adapter declares no path")


def run_and_compare(adapter: Adapter, program: Program, path: PathName, *,
                    clauses: Clauses, states: bool = True, **extra: Any) -> None:
    """Run ``program`` through ``path`` and compare with the float64 structured oracle;
    ``extra`` goes into the counterexample (e.g. the declared variant)."""
    actual = adapter.run(program, path)
    assert_outcome(actual, expected(program), program=program,
                   bound=bound_for(adapter, program, path),
                   ctx=context(adapter, program, path, **extra), clauses=clauses,
                   states=states)


def comparable(adapter: Adapter, dtype: str, rule: Rule, path: str) -> bool:
    """Whether the tolerance model bounds this comparison: always when exact, else only
    for well-conditioned configurations (TOL-6)."""
    return (tolerance.exact(adapter.info().engine, dtype, rule, path)
            or tolerance.well_conditioned(rule))


def sign_stable(adapter: Adapter, dtype: str, rule: Rule, path: str) -> bool:
    """Whether a discontinuous rule must get sign-stable inputs here (TOL-6)."""
    exact = tolerance.exact(adapter.info().engine, dtype, rule, path)
    return not exact and tolerance.discontinuous(rule)
