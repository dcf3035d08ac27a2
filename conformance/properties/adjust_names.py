"""Adjusting a hyperparameter the rule does not have is refused: TypeError naming the
unknown name and the valid ones (ADJ-3), for a chain the names of all its members (CHAIN-3);
RMSProp's ``centred`` is fixed at construction and refused the same way (RMSPROP-3)."""

from __future__ import annotations

from hypothesis import strategies as st

from optconf.adapters.protocol import Adapter, Adjust, Program, Step
from optconf.reference.rules.base import Rule

from ..profiles import Profile
from ..strategies import gradients, models
from .common import context, dtypes, explore, model_drawing, path_for, probe, rule_for
from .raising import expect_error
from .registry import CaseId, prop

#: Names no rule has (ADJ-3); ``centred`` is RMSProp's fixed switch (RMSPROP-3).
UNKNOWN = ("learning_rate", "etaa", "beta3")


def _names(rule_name: str) -> st.SearchStrategy[str]:
    return st.sampled_from(UNKNOWN + (("centred",) if rule_name == "RMSProp" else ()))


@st.composite
def _programs(draw: st.DrawFn, rule: Rule, dtype: str, name: str,
              options: dict[str, bool]) -> Program:
    """A step, then an adjust of ``name``, then a step."""
    model = draw(models(dtype=dtype, **options))
    grads = draw(gradients(model, dtype=dtype, none=False))
    return Program(model, rule, (Step(grads), Adjust({name: 0.5}), Step(grads)), dtype)


@prop("ADJ-3", "CHAIN-3", "RMSPROP-3", requires=("adjust",), axes=("rule",))
def check_unknown_name_refused(adapter: Adapter, profile: Profile, seed: int,
                               case: CaseId) -> None:
    """Steps with an ``adjust`` of a name the rule lacks between them: the run raises
    TypeError naming that name and every hyperparameter the rule has (ADJ-3); for RMSProp
    ``centred`` too (RMSPROP-3); for a chain the valid names are its members' (CHAIN-3)."""
    assert case.rule is not None
    rule = rule_for(adapter, case.rule)[0]
    path = path_for(adapter, rule)
    probe(adapter, path, rule_for(adapter, "Descent")[0], Step(None), Adjust({"eta": 0.1}))
    options = model_drawing(adapter)
    clause = {"RMSProp": "RMSPROP-3", "OptimiserChain": "CHAIN-3"}.get(case.rule, "ADJ-3")

    def test(drawn: tuple[Program, str]) -> None:
        program, name = drawn
        expect_error(adapter, program, path, kind=TypeError,
                     naming=(name, *rule.hyperparameters()),
                     clause="RMSPROP-3" if name == "centred" else clause,
                     ctx=context(adapter, program, path, unknown=name))

    strategy = st.tuples(dtypes(adapter), _names(case.rule)).flatmap(
        lambda dn: st.tuples(_programs(rule, dn[0], dn[1], options), st.just(dn[1])))
    explore(strategy, test, profile, seed, share=6)
