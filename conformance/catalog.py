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

from optconf.adapters.protocol import EngineInfo
from optconf.reference import rules as ref_rules
from optconf.reference.rules.base import NORMATIVE, Rule, variant_form

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
    "RMSProp": lambda: {"eta": eta(0.01), "rho": rate(), "epsilon": epsilon(),
                        "centred": st.booleans()},
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
    documented ones: ``AccumGrad(2)``, ``OptimiserChain(ClipGrad(), Adam())``."""
    cls = rule_class(name)
    if name == "AccumGrad":
        return cls(2)
    if name == "OptimiserChain":
        return cls(rule_class("ClipGrad")(), rule_class("Adam")())
    return cls()


def adjustments(rule: Rule) -> St[dict[str, Any]]:
    """New values for one or two of ``rule``'s adjustable hyperparameters (ADJ-1), drawn
    from the catalogue's ranges (a chain: from its members').  Shrinks towards one name."""
    ranges: dict[str, St[Any]] = {}
    for member in (*getattr(rule, "rules", ()), rule):
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
    **{name: ("ADAM-2",) for name in ("RAdam", "AdaMax", "LAMB")},
    "LARS": ("LARS-3",),
    "OptimiserChain": ("CHAIN-3",),
}


def _variant_clauses(name: str, variant: str | None) -> tuple[str, ...]:
    """The clauses of :data:`VARIANT_CLAUSES` whose axis values ``variant`` has."""
    form = variant_form(rule_class(name), variant or NORMATIVE)
    return tuple(c for rule, needs, found in VARIANT_CLAUSES if rule == name
                 and all(form.get(axis) == value for axis, value in needs.items())
                 for c in found)


def formula_clauses(name: str, info: EngineInfo) -> tuple[str, ...]:
    """The clauses of rule class ``name`` that running its steps against the reference
    checks on the engine ``info`` declares: its formula in the declared variant, and the
    float16 floor where the engine runs float16 (RULE-5, RULE-7)."""
    float16 = FLOAT16_CLAUSES.get(name, ()) if "float16" in info.dtypes else ()
    return (*FORMULA_CLAUSES.get(name, ()), *_variant_clauses(name, info.variants.get(name)),
            *float16)


def adjust_clauses(name: str, info: EngineInfo) -> tuple[str, ...]:
    """The clauses of rule class ``name`` that an adjust between steps checks: where the
    learning rate sits for Momentum and Nesterov (MOMENTUM-1/2, NESTEROV-1/2), and
    :data:`ADJUST_CLAUSES`."""
    placement = (_variant_clauses(name, info.variants.get(name))
                 if name in ("Momentum", "Nesterov") else ())
    return (*placement, *ADJUST_CLAUSES.get(name, ()))


def flat_clauses(name: str, info: EngineInfo) -> tuple[str, ...]:
    """The clauses of rule class ``name`` that flat == structured checks: a global norm
    unchanged by splitting arrays (CLIPGLOBALNORM-2), through a chain too (CHAIN-4)."""
    return {"ClipGlobalNorm": ("CLIPGLOBALNORM-2",),
            "OptimiserChain": ("CHAIN-4",)}.get(name, ())
