"""Every form of a rule with variants, not only the one the engine declares: where the
engine runs the other forms too, each matches the reference's (RULE-5 and the variant
clauses: MOMENTUM-2, NADAM-3, RADAM-3, AMSGRAD-3, LION-3, LARS-4, MUON-4, ...).  The
reference runs every form, so its matrix shows every variant clause."""

from __future__ import annotations

import dataclasses

from hypothesis import strategies as st

from optconf.adapters.protocol import Adapter, Program, Unsupported
from optconf.reference.rules.base import Rule

from .. import catalog
from ..cases import natural_rule
from ..profiles import Profile
from ..strategies import programs
from .common import (
    Clauses,
    comparable,
    dtypes,
    explore,
    model_drawing,
    path_for,
    run_and_compare,
    sign_stable,
)
from .registry import CaseId, prop
from .rules import rule_clause


def _forms(adapter: Adapter, name: str) -> list[str]:
    """The other forms of ``name``; Unsupported when there is none or the adapter refuses
    one (its declared form is rules.matches_reference's)."""
    info = adapter.info()
    others = catalog.other_forms(name, info)
    if not others:
        raise Unsupported(f"{name} has one form (RULE-5)")
    default = natural_rule(info, name)
    refused = {v: adapter.supports(dataclasses.replace(default, variant=v)) for v in others}
    reasons = [f"{v}: {why}" for v, why in refused.items() if why]
    if reasons:
        raise Unsupported("; ".join(reasons))
    return list(others)


@prop("RULE-5", axes=("rule",), case_clauses=catalog.other_form_clauses)
def check_other_forms_match(adapter: Adapter, profile: Profile, seed: int,
                            case: CaseId) -> None:
    """Steps of the rule in each form the engine did not declare, drawn like
    rules.matches_reference: parameters and state equal the reference's in that form; a
    difference breaks the form's own clause."""
    assert case.rule is not None
    name = case.rule
    forms = _forms(adapter, name)
    path = path_for(adapter, natural_rule(adapter.info(), name))

    def draw(dtype_rule: tuple[str, Rule]) -> st.SearchStrategy[Program]:
        dtype, rule = dtype_rule
        return programs(rule, dtype=dtype, steps=profile.steps, none=False, freeze=False,
                        adjust=False, **model_drawing(adapter),
                        sign_stable=sign_stable(adapter, dtype, rule, path))

    def test(program: Program) -> None:
        variant = getattr(program.rule, "variant", None)
        found = catalog.variant_clauses(name, variant)
        run_and_compare(adapter, program, path, variant=variant,
                        clauses=Clauses(found[0] if found else rule_clause(name)))

    rules = st.sampled_from(forms).flatmap(lambda v: catalog.rules(name, variant=v))
    strategy = st.tuples(dtypes(adapter), rules).filter(
        lambda dr: adapter.supports(dr[1]) is None and comparable(adapter, dr[0], dr[1], path)
    ).flatmap(draw)
    explore(strategy, test, profile, seed, share=3)
