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

from optconf.reference import rules as ref_rules
from optconf.reference.rules.base import Rule

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
