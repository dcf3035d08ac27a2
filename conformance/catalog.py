"""The rule catalogue: for each reference rule class, a default instance and a strategy of
valid hyperparameters (RULE-6 ranges, kept moderate so float32 engines stay
well-conditioned, TOL-4).

Rule classes are found in ``optconf.reference.rules.__all__`` at call time; a rule class
with no entry here is an error (LookupError), never silently left out.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

from optconf.adapters.protocol import EngineInfo, PathName
from optconf.reference import rules as ref_rules
from optconf.reference.rules.base import NORMATIVE, Rule, variant_form
from optconf.reference.rules.mixed import PRECISIONS

St = st.SearchStrategy


def rule_classes() -> dict[str, type[Rule]]:
    """Concrete rule classes of the reference by name, in ``__all__`` order."""
    found = {name: getattr(ref_rules, name) for name in ref_rules.__all__}
    return {name: cls for name, cls in found.items()
            if isinstance(cls, type) and issubclass(cls, Rule) and not inspect.isabstract(cls)}


def rule_class(name: str) -> type[Rule]:
    classes = rule_classes()
    if name not in classes:
        raise LookupError(f"no reference rule {name!r}; known: {', '.join(classes)}")
    return classes[name]


# ------------------------------------------------------------------ hyperparameter ranges


def eta(high: float = 0.1) -> St[float]:
    return st.floats(1e-4, high)


def rate(low: float = 0.0, high: float = 0.95) -> St[float]:
    """A decay rate in [low, high]; 1/(1-high) bounds its conditioning (TOL-4)."""
    return st.floats(low, high)


def betas(b1: tuple[float, float] = (0.0, 0.95),
          b2: tuple[float, float] = (0.5, 0.99)) -> St[tuple[float, float]]:
    return st.tuples(rate(*b1), rate(*b2))


def epsilon() -> St[float]:
    return st.sampled_from((1e-8, 1e-6, 1e-3))


def decay() -> St[float]:
    return st.floats(0.0, 0.01)


#: Keyword strategies per rule class (the variant, if any, is added by :func:`rules`).
HYPERPARAMETERS: dict[str, Callable[[], dict[str, St[Any]]]] = {
    "Descent": lambda: {"eta": eta()},
    "Momentum": lambda: {"eta": eta(), "rho": rate()},
    "Nesterov": lambda: {"eta": eta(), "rho": rate()},
    # rho in (0, 0.01) is not drawn: centred, q - l^2 is then a rounding residue that can
    # come out negative and its root NaN, in the reference as in torch (RMSPROP-1, TOL-1)
    "RMSProp": lambda: {"eta": eta(0.01), "rho": st.one_of(st.just(0.0), rate(0.01)),
                        "epsilon": epsilon(), "centred": st.booleans()},
    "Adam": lambda: {"eta": eta(0.01), "beta": betas(), "epsilon": epsilon()},
    "AdamW": lambda: {"eta": eta(0.01), "beta": betas(), "lambda_": decay(),
                      "epsilon": epsilon(), "couple": st.booleans()},
    "NAdam": lambda: {"eta": eta(0.01), "beta": betas(), "epsilon": epsilon()},
    "RAdam": lambda: {"eta": eta(0.01), "beta": betas(), "epsilon": epsilon()},
    "AMSGrad": lambda: {"eta": eta(0.01), "beta": betas(), "epsilon": epsilon()},
    "AdaMax": lambda: {"eta": eta(0.01), "beta": betas(), "epsilon": epsilon()},
    "OAdam": lambda: {"eta": eta(0.01), "beta": betas(), "epsilon": epsilon()},
    # b1 >= 0.5 keeps the (g - mu) cancellation mild (TOL-4)
    "AdaBelief": lambda: {"eta": eta(0.01), "beta": betas(b1=(0.5, 0.95)),
                          "epsilon": st.sampled_from((1e-16, 1e-8))},
    "AdaGrad": lambda: {"eta": eta(), "epsilon": epsilon()},
    "AdaDelta": lambda: {"rho": rate(), "epsilon": epsilon()},
    "Lion": lambda: {"eta": eta(0.01), "beta": betas()},
    "Rprop": lambda: {"eta": eta(0.01),
                      "ell": st.tuples(st.floats(0.3, 0.7), st.floats(1.1, 1.5)),
                      "gamma": st.tuples(st.floats(1e-6, 1e-4), st.floats(0.05, 0.5))},
    "WeightDecay": lambda: {"lambda_": decay()},
    "SignDecay": lambda: {"lambda_": decay()},
    "ClipGrad": lambda: {"delta": st.floats(0.1, 5.0)},
    "ClipNorm": lambda: {"omega": st.floats(0.1, 5.0),
                         "p": st.sampled_from((1.0, 2.0, float("inf")))},
    "ClipGlobalNorm": lambda: {"omega": st.floats(0.1, 5.0)},
    "AccumGrad": lambda: {"n": st.integers(1, 3)},
    "LAMB": lambda: {"eta": eta(0.01), "beta": betas(), "epsilon": epsilon(),
                     "lambda_": decay()},
    "LARS": lambda: {"eta": eta(), "rho": rate(), "lambda_": decay(),
                     "trust": st.floats(1e-3, 1.0)},
    "Muon": lambda: {"eta": eta(0.01), "rho": rate(), "nesterov": st.booleans(),
                     "lambda_": decay(), "epsilon": st.sampled_from((1e-7, 1e-8)),
                     "steps": st.integers(1, 5)},
    # the inner rule one of a plain, a stateful, an adaptive rule or a chain (MIXED-2's
    # global norm through it); every precision (MIXED-1), float16's TOL-4 included
    "MixedPrecision": lambda: {
        "rule": st.one_of(*(rules(n) for n in ("Descent", "Momentum", "Adam",
                                                "OptimiserChain"))),
        "precision": st.sampled_from(PRECISIONS)},
}

#: Rules a chain may put in front of an optimiser, and the optimisers it may end with.
_PREPROCESSORS = ("ClipGrad", "ClipNorm", "ClipGlobalNorm", "WeightDecay", "AccumGrad")
_OPTIMISERS = ("Descent", "Momentum", "Adam")


def _check_known(name: str) -> None:
    rule_class(name)
    if name not in HYPERPARAMETERS and name != "OptimiserChain":
        raise LookupError(
            f"the rule catalogue has no hyperparameter strategy for {name}; add one to "
            "optconf.conformance.catalog.HYPERPARAMETERS"
        )


def rules(name: str, *, variant: str | None = None) -> St[Rule]:
    """Instances of rule class ``name`` with valid hyperparameters (``variant`` fixed when
    given).  ``OptimiserChain`` draws one or two preprocessors then an optimiser, with an
    AccumGrad only in front (CHAIN-1).  Shrinks towards small etas and zero decay rates."""
    _check_known(name)
    cls = rule_class(name)
    if name == "OptimiserChain":
        return _chains(cls)
    kwargs = HYPERPARAMETERS[name]()
    if variant is not None:
        kwargs["variant"] = st.just(variant)
    return st.fixed_dictionaries(kwargs).map(lambda kw: cls(**kw))


def _chains(cls: type[Rule]) -> St[Rule]:
    head = st.lists(st.sampled_from(_PREPROCESSORS), min_size=0, max_size=2, unique=True)
    names = st.tuples(head, st.sampled_from(_OPTIMISERS)).map(
        lambda t: [*sorted(t[0], key=lambda n: n != "AccumGrad"), t[1]])
    return names.flatmap(lambda ns: st.tuples(*(rules(n) for n in ns))).map(
        lambda members: cls(*members))


def default_rule(name: str) -> Rule:
    """The rule class ``name`` with its default hyperparameters; rules without defaults get
    documented ones: ``AccumGrad(2)``, ``OptimiserChain(ClipGrad(), Adam())``,
    ``MixedPrecision(Adam())``."""
    cls = rule_class(name)
    if name == "AccumGrad":
        return cls(2)
    if name == "MixedPrecision":
        return cls(rule_class("Adam")())
    if name == "OptimiserChain":
        return cls(rule_class("ClipGrad")(), rule_class("Adam")())
    return cls()


def inner_rules(rule: Rule) -> tuple[Rule, ...]:
    """The rules ``rule`` is made of: a chain's members, a MixedPrecision's inner rule."""
    wrapped = getattr(rule, "rule", None)
    return (*getattr(rule, "rules", ()), *([wrapped] if isinstance(wrapped, Rule) else []))


def members(rule: Rule) -> tuple[Rule, ...]:
    """:func:`inner_rules`, theirs, and so on down."""
    return tuple(r for inner in inner_rules(rule) for r in (*members(inner), inner))


def adjustments(rule: Rule) -> St[dict[str, Any]]:
    """New values for one or two of ``rule``'s adjustable hyperparameters (ADJ-1), drawn
    from the catalogue's ranges (a chain: from its members').  Shrinks towards one name."""
    ranges: dict[str, St[Any]] = {}
    for member in (*members(rule), rule):
        name = type(member).__name__
        if name in HYPERPARAMETERS:
            ranges.update({k: v for k, v in HYPERPARAMETERS[name]().items()
                           if k in member.hyperparameters() and k not in ("throw",)})
    if not ranges:
        return st.nothing()
    names = st.lists(st.sampled_from(sorted(ranges)), min_size=1, max_size=2, unique=True)
    return names.flatmap(lambda ns: st.fixed_dictionaries({n: ranges[n] for n in ns}))



# ------------------------------------------------------------------------ clause tables
#
# Which SPEC clauses a case checks beyond its property's own: a rule's clauses, in the
# variant the engine declares.  A clause is listed only where a wrong implementation of it
# changes what the property compares (parameters and every state field over several steps
# from drawn hyperparameters, zero gradients and zero arrays included), so a pass is shown in
# the clause's row of the matrix.

#: Clauses a rule's steps show whatever its variant (rules.matches_reference, RULE-5).
FORMULA_CLAUSES: dict[str, tuple[str, ...]] = {
    "Descent": ("DESCENT-1",),
    "Momentum": ("MOMENTUM-3",),
    "Nesterov": ("NESTEROV-3",),
    "RMSProp": ("RMSPROP-1", "RMSPROP-2"),
    "AdaGrad": ("ADAGRAD-1", "ADAGRAD-2"),
    "AdaDelta": ("ADADELTA-1", "ADADELTA-2"),
    "Adam": ("ADAM-1", "ADAM-2", "ADAM-3", "ADAM-4"),
    "AdamW": ("ADAMW-1", "ADAMW-2", "ADAM-2", "ADAM-4"),
    "NAdam": ("NADAM-1", "ADAM-2", "ADAM-4"),
    "RAdam": ("RADAM-1", "RADAM-2", "ADAM-2"),
    "AMSGrad": ("AMSGRAD-1",),
    "AdaMax": ("ADAM-2",),
    "OAdam": ("OADAM-1", "OADAM-2", "ADAM-2", "ADAM-4"),
    "AdaBelief": ("ADABELIEF-1", "ADABELIEF-2", "ADAM-2", "ADAM-4"),
    "Lion": ("LION-2",),
    "Rprop": ("RPROP-1", "RPROP-2"),
    "WeightDecay": ("WEIGHTDECAY-1",),
    "SignDecay": ("SIGNDECAY-1",),
    "ClipGrad": ("CLIPGRAD-1",),
    "ClipNorm": ("CLIPNORM-1",),
    "ClipGlobalNorm": ("CLIPGLOBALNORM-1", "RULE-8"),
    "AccumGrad": ("ACCUMGRAD-1", "ACCUMGRAD-2", "RULE-3"),
    "OptimiserChain": ("CHAIN-1", "CHAIN-2", "CHAIN-4", "RULE-3", "RULE-8"),
    "LAMB": ("LAMB-1", "LAMB-2", "LAMB-3", "ADAM-2"),
    "LARS": ("LARS-2", "LARS-3"),
    "Muon": ("MUON-1", "MUON-2", "MUON-3", "MUON-5"),
    "MixedPrecision": ("MIXED-1", "MIXED-2"),
}

#: Clauses a variant brings: (rule class, the axis values it needs, clauses), the normative
#: form's clause and each named form's own (RULE-5).
VARIANT_CLAUSES: tuple[tuple[str, dict[str, str], tuple[str, ...]], ...] = (
    ("Momentum", {"lr_placement": "inside"}, ("MOMENTUM-1",)),
    ("Momentum", {"lr_placement": "outside"}, ("MOMENTUM-2",)),
    ("Nesterov", {"lr_placement": "inside"}, ("NESTEROV-1",)),
    ("Nesterov", {"lr_placement": "outside"}, ("NESTEROV-2",)),
    ("NAdam", {"extra_beta2": "kept"}, ("NADAM-2",)),
    ("NAdam", {"extra_beta2": "dropped"}, ("NADAM-3",)),
    ("RAdam", {"rectify_when": "rho>5"}, ("RADAM-3",)),
    ("RAdam", {"rectify_when": "rho>=5"}, ("RADAM-3",)),
    ("RAdam", {"epsilon_root": "raw"}, ("RADAM-3",)),
    ("AdaMax", {"epsilon_placement": "outside_max"}, ("ADAMAX-1",)),
    ("AdaMax", {"epsilon_placement": "inside_max"}, ("ADAMAX-2",)),
    ("AMSGrad", {"start": "epsilon", "bias_correction": "none"}, ("AMSGRAD-2",)),
    ("AMSGrad", {"start": "zero", "max_of": "raw"}, ("AMSGRAD-3",)),
    ("AMSGrad", {"start": "zero", "max_of": "corrected"}, ("AMSGRAD-4",)),
    ("Lion", {"average": "paper"}, ("LION-1",)),
    ("Lion", {"average": "swapped"}, ("LION-3",)),
    ("LARS", {"trust_norm": "gradient"}, ("LARS-1",)),
    ("LARS", {"trust_norm": "update"}, ("LARS-4",)),
    ("Muon", {"shape_scale": "rows"}, ("MUON-4",)),
    ("Muon", {"shape_scale": "cols"}, ("MUON-4",)),
)

#: Clauses only float16 parameters show: the epsilon floor (RULE-7, ADAMW-3).
FLOAT16_CLAUSES: dict[str, tuple[str, ...]] = {
    **{name: ("RULE-7",) for name in ("Adam", "NAdam", "RAdam", "AdaMax", "OAdam", "AdaBelief",
                                      "RMSProp", "AdaGrad", "LAMB", "AMSGrad")},
    "AdamW": ("RULE-7", "ADAMW-3"),
}

#: Clauses adjust.mid_run shows for a rule beyond ADJ-1 and ADJ-2: where an adjusted
#: hyperparameter meets the kept state (MOMENTUM-2/NESTEROV-2 through the variant, ADAM-2's
#: product of the betas applied, ADAM-4's beta_t shown, LARS-3's velocity, CHAIN-3).
ADJUST_CLAUSES: dict[str, tuple[str, ...]] = {
    **{name: ("ADAM-2", "ADAM-4") for name in ("Adam", "AdamW", "NAdam", "OAdam",
                                               "AdaBelief")},
    **{name: ("ADAM-2",) for name in ("RAdam", "AdaMax")},
    "LAMB": ("ADAM-2", "LAMB-4"),
    "LARS": ("LARS-3",),
    "OptimiserChain": ("CHAIN-3",),
    "MixedPrecision": ("MIXED-4",),
}


def variant_clauses(name: str, variant: str | None) -> tuple[str, ...]:
    """The clauses of :data:`VARIANT_CLAUSES` whose axis values ``variant`` has."""
    form = variant_form(rule_class(name), variant or NORMATIVE)
    return tuple(c for rule, needs, found in VARIANT_CLAUSES if rule == name
                 and all(form.get(axis) == value for axis, value in needs.items())
                 for c in found)


def formula_clauses(name: str | None, path: PathName | None,
                    info: EngineInfo) -> tuple[str, ...]:
    """The clauses of rule class ``name`` that running its steps against the reference
    checks on the engine ``info`` declares: its formula in the declared variant (RULE-5)."""
    if name is None:
        return ()
    return (*FORMULA_CLAUSES.get(name, ()), *variant_clauses(name, info.variants.get(name)))


def float16_clauses(name: str | None, path: PathName | None,
                    info: EngineInfo) -> tuple[str, ...]:
    """The float16 epsilon floor's clauses of rule class ``name`` (RULE-7, ADAMW-3).  On an
    engine that runs no float16 the case is unsupported, so these cells say why rather than
    stay empty; an unsupported case counts as no clause checked (CONF-8)."""
    return FLOAT16_CLAUSES.get(name or "", ())


def adjust_clauses(name: str | None, path: PathName | None,
                   info: EngineInfo) -> tuple[str, ...]:
    """The clauses of rule class ``name`` that an adjust between steps checks: where the
    learning rate sits for Momentum and Nesterov (MOMENTUM-1/2, NESTEROV-1/2), and
    :data:`ADJUST_CLAUSES`."""
    if name is None:
        return ()
    placement = (variant_clauses(name, info.variants.get(name))
                 if name in ("Momentum", "Nesterov") else ())
    return (*placement, *ADJUST_CLAUSES.get(name, ()))


def flat_clauses(name: str | None, path: PathName | None,
                 info: EngineInfo) -> tuple[str, ...]:
    """The clauses that flat == structured checks for rule class ``name`` on ``path``: a
    global norm unchanged by splitting arrays (CLIPGLOBALNORM-2, through a chain CHAIN-4),
    and the path's own (:data:`PATH_CLAUSES`)."""
    return (*{"ClipGlobalNorm": ("CLIPGLOBALNORM-2",),
              "OptimiserChain": ("CHAIN-4",)}.get(name or "", ()), *PATH_CLAUSES.get(path, ()))


#: What a path itself checks beyond FLAT-6: the model rebuilt from one flat vector (FLAT-3,
#: FLAT-5); a state set up on the list of trainables (STATE-7, UPD-11); one array through its
#: own leaf state (STATE-6, UPD-10, UPD-11) -- the seeds' explicit patterns.
PATH_CLAUSES: dict[PathName | None, tuple[str, ...]] = {
    "flat_vector": ("FLAT-3", "FLAT-5"),
    "flat_list": ("STATE-7", "UPD-11"),
    "per_array": ("STATE-6", "UPD-10", "UPD-11"),
}


# ------------------------------------------------------------- clauses no engine shows

#: Clauses only the reference can show, each with why the adapter protocol (a Program run
#: into an Outcome, collect, destructure, gradient) cannot observe it on an engine; the
#: reference's own tests check them (tests/reference).
REFERENCE_ONLY: dict[str, str] = {
    "TREE-8": "adapters cast (copy) a Program's float64 arrays into the engine's dtype, so "
              "two arrays sharing memory are distinct copies before the engine sees them",
    "TREE-9": "a cycle in a Program's model loops the adapter's copy of it before the "
              "engine's walk could name where it closes",
    "COLL-3": "identity with the caller's arrays: collect() returns NumPy copies",
    "COLL-4": "trainables_with_paths is the reference's call; collect() returns arrays in "
              "order (COLL-2) without paths",
    "STATE-1": "the state tree's shape: an Outcome holds one state dict per distinct "
               "parameter, not the engine's state containers",
    "STATE-3": "Leaf identity at shared places: an Outcome has one state per distinct "
               "parameter (their count and values are TIE-2's)",
    "STATE-4": "None at places without a parameter is a position in the state tree, which "
               "an Outcome does not have (STATE-1)",
    "UPD-2": "in-place writes and read-only parameters: adapters run on their own copies of "
             "a Program's model, so the caller's arrays are never the engine's",
    "UPD-3": "the copying update differs from update_ only in the caller's objects, which "
             "adapters never hand to the engine (UPD-2)",
    "UPD-6": "cast each tied gradient, then sum: the oracle runs at float64 and adapters "
             "cast the float64 gradients they are given, so the order is inside the bound "
             "(TOL-3)",
    "UPD-8": "atomicity: a run that raises returns no Outcome, so what an engine left in its "
             "arrays is not observed; the error's path is CLIPNORM-3's and "
             "CLIPGLOBALNORM-3's",
    "FLAT-4": "adapters derive a flat gradient from the model-shaped Step gradient, so a "
              "wrong length cannot be expressed",
    "FRZ-4": "Freeze, Thaw and Adjust ops act on the adapter's state by construction; a "
             "model array cannot be passed in its place",
    "ADJ-4": "the copying adjust differs from adjust_ only in the caller's objects (UPD-3)",
    "ERR-4": "a Program carries a reference rule, which adapters translate through their "
             "tables; anything else is refused before an engine's setup",
    "RULE-2": "apply writing into x or the gradient: adapters give the engine its own "
              "copies, so no write reaches the caller's arrays",
    "RULE-4": "elementwise is a declaration of the reference's rules; it decides where "
              "FLAT-6 is claimed",
    "RULE-6": "a Program carries a rule the reference already validated, so an engine's own "
              "range checks are not reached (FINDINGS F14)",
    "CLIPNORM-2": "a consequence of CLIPNORM-1 declared by the reference (elementwise is "
                  "False), which exempts ClipNorm from FLAT-6 on one flat vector",
    "EXPR-1": "the expression language is the reference's data; engines evaluate it, checked "
              "through EXPR-4..6 and GRAD-1..5",
    "EXPR-2": "the strategies build well-shaped expressions only; refusing a bad shape is "
              "the reference's",
    "EXPR-3": "value_and_grad is the reference's; gradient() returns the gradient only "
              "(GRAD-1, EXPR-4)",
    "DEP-7": "mixing the styles needs calls the protocol's legacy path never makes: the "
             "adapter builds the legacy arguments itself from model-shaped gradients",
    "DEP-10": "the legacy train_ loop with its loss: the protocol hands engines gradients, "
              "never a loss to train on",
    "ADJ-5": "a positional eta is a call convention of the reference's adjust_; an Adjust "
             "op names its hyperparameters",
    "ADJ-6": "which names adjust accepts is the reference's (ADJ-3 checks that an unknown "
             "name is refused on engines)",
    "ADJ-7": "an adjust that raises returns no Outcome, so what it left behind is not "
             "observed (as UPD-8)",
    "MIXED-3": "a chain holding a MixedPrecision is refused when the reference builds it, "
               "before a Program can carry it (as RULE-6)",
}

#: Areas whose clauses are the suite's own behaviour, not an engine's, with where they are
#: checked.
SUITE_AREAS: dict[str, str] = {
    "CONF": "the runner, reports, CLI, pytest plugin and selftest (tests/conformance)",
    "TOL": "the tolerance model every comparison applies (tests/conformance/test_tolerance.py)",
}


def other_forms(name: str, info: EngineInfo) -> tuple[str, ...]:
    """The variants of rule class ``name`` (normative and presets) other than the one the
    engine declares (RULE-5)."""
    declared = info.variants.get(name) or NORMATIVE
    return tuple(v for v in rule_class(name).variants if v != declared)


def other_form_clauses(name: str | None, path: PathName | None,
                       info: EngineInfo) -> tuple[str, ...]:
    """The variant clauses of the forms of ``name`` the engine does not declare: what
    running those forms too checks (MOMENTUM-2, NADAM-3, ...)."""
    if name is None:
        return ()
    return tuple(dict.fromkeys(c for v in other_forms(name, info)
                               for c in variant_clauses(name, v)))
