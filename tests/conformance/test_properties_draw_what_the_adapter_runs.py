"""Properties draw only what the adapter declares and runs faithfully (issue 16, problems 1,
3 and 4): a gradient route the adapter lacks, a rule it refuses or whose plain steps deviate,
and a step with no gradient anywhere on the flat vector each used to turn a whole property
into ``unsupported`` or a false failure under a structural clause."""

from __future__ import annotations

from typing import NamedTuple

import pytest

from optconf.adapters.protocol import PathName, Unsupported
from optconf.conformance.cases import CaseId
from optconf.conformance.deviation import Deviation
from optconf.conformance.profiles import PROFILES
from optconf.conformance.properties import PROPERTIES
from optconf.conformance.properties.common import calibrated, faithful_rules
from optconf.reference.rules import Adam, Momentum

from .fixtures_adapters import (
    AdamAdjustIgnored,
    AdamEpsInside,
    FlatVectorStepsZeros,
    GradientWithoutFlatView,
    NoAccumGradNoChain,
    NoneGradOnPerArrayOnly,
)

CI = PROFILES["ci"]
SEED = 20261123

class Axes(NamedTuple):
    """The rule and path a case runs (its adapter and property are given apart)."""

    rule: str | None = None
    path: PathName | None = None


#: The properties about structure rather than a rule, each on one of its cases.
STRUCTURAL = [
    ("freezing.frozen_untouched", Axes(None, "structured")),
    ("freezing.thaw_resumes", Axes(None, "flat_list")),
    ("freezing.tied_place_freezes_all", Axes(None, "structured")),
    ("tying.shared_summed_once", Axes(None, "per_array")),
    ("none_grad.none_skips_zero_advances", Axes(None, "structured")),
    ("none_grad.none_skips_zero_advances", Axes(None, "flat_vector")),
    ("stateful.interleaved_ops", Axes(None, "flat_list")),
]


def check(adapter: object, pid: str, axes: Axes) -> None:
    case = CaseId("fixture", pid, axes.rule, axes.path)
    PROPERTIES[pid].check(adapter, CI, SEED, case)  # type: ignore[arg-type]


def test_gradients_go_only_through_declared_routes() -> None:
    """Problem 1: an engine with ``gradient`` but no flat-vector view has its gradients
    through ``trainables`` checked instead of the whole case refused."""
    check(GradientWithoutFlatView(), "gradients.through_collection", Axes())


@pytest.mark.parametrize(("pid", "case"), STRUCTURAL, ids=[f"{p}[{c.path}]" for p, c in STRUCTURAL])
def test_structure_is_checked_past_a_deviating_adam(pid: str, case: Axes) -> None:
    """Problem 3: an engine whose Adam deviates but whose structure is right passes the
    structural properties, which fall back to the rules it runs faithfully."""
    check(AdamEpsInside(), pid, case)


def test_the_deviating_adam_is_still_reported_as_the_rules() -> None:
    with pytest.raises(Deviation) as caught:
        check(AdamEpsInside(), "rules.matches_reference", Axes("Adam", None))
    assert caught.value.clause == "ADAM-1"


def test_a_property_that_adjusts_skips_a_rule_whose_adjust_deviates() -> None:
    """Problem 3: the state machine adjusts, so it draws only rules whose adjusted steps
    are faithful; adjust.mid_run still reports the deviating one."""
    adapter = AdamAdjustIgnored()
    assert calibrated(adapter, Adam(), "structured") is None
    assert "differ" in str(calibrated(adapter, Adam(), "structured", adjust=True))
    default, _ = faithful_rules(adapter, ("Adam", "Momentum"), "structured", adjust=True)
    assert isinstance(default, Momentum)
    with pytest.raises(Deviation) as caught:
        check(adapter, "adjust.mid_run", Axes("Adam", None))
    assert caught.value.clause == "ADJ-2"


@pytest.mark.parametrize("pid", ["none_grad.none_skips_zero_advances",
                                 "stateful.interleaved_ops"])
def test_a_refused_rule_leaves_the_others_drawn(pid: str) -> None:
    """Problem 3: an engine without AccumGrad or chains still has UPD-5 and the state
    machine checked with the rules it has."""
    check(NoAccumGradNoChain(), pid, Axes(None, "structured"))


def test_no_structural_rule_at_all_is_unsupported_with_reasons() -> None:
    class OnlyDescent(NoAccumGradNoChain):
        def supports(self, rule):  # type: ignore[no-untyped-def]
            return None if type(rule).__name__ == "Descent" else "only Descent"

    with pytest.raises(Unsupported, match="Momentum: only Descent"):
        check(OnlyDescent(), "tying.shared_summed_once", Axes(None, "structured"))


def test_flat_paths_are_compared_on_steps_where_every_parameter_has_a_gradient() -> None:
    """Problem 4: FLAT-6 claims flat == structured for whole gradients only; a flat-vector
    engine that steps zeros when no parameter has a gradient is not a FLAT-6 failure..."""
    check(FlatVectorStepsZeros(), "flat.path_matches_structured", Axes("Adam", "flat_vector"))


def test_a_step_without_any_gradient_on_the_flat_vector_is_checked_under_upd5() -> None:
    """... it is UPD-5's: no gradient anywhere means no rule call, on every path."""
    with pytest.raises(Deviation) as caught:
        check(FlatVectorStepsZeros(), "none_grad.none_skips_zero_advances",
              Axes(None, "flat_vector"))
    assert caught.value.clause == "UPD-5"


@pytest.mark.parametrize("pid", ["tying.shared_summed_once", "freezing.frozen_untouched",
                                 "carried.preserved"])
def test_missing_gradients_are_drawn_on_the_paths_that_declare_none_grad(pid) -> None:
    """A capability declared on one path (``EngineInfo.path_capabilities``) is drawn there
    and only there: missing gradients reach per_array, never flat_list."""
    adapter = NoneGradOnPerArrayOnly()
    for path in ("per_array", "flat_list"):
        check(adapter, pid, Axes(None, path))
    assert adapter.sent_none == {"per_array"}


def test_updating_with_a_pulled_back_gradient_runs_on_a_path_that_takes_none() -> None:
    """GRAD-4's gradient leaves the parameters its loss does not reach None (EXPR-5): it is
    stepped on a path that declares ``none_grad`` (here per_array only), not refused."""
    adapter = NoneGradOnPerArrayOnly()
    check(adapter, "gradients.update_with_pulled_back", Axes())
    assert adapter.sent_none == {"per_array"}
