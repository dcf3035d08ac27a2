"""Expectations files: declared deviations, strictness and malformed input (CONF-12)."""

from __future__ import annotations

import numpy as np
import pytest

from optconf.adapters.protocol import Adjust, Freeze, Program, Step
from optconf.conformance import expectations as expect
from optconf.conformance import strategies
from optconf.conformance.asserts import Context, case_data, fail, rules_in_force
from optconf.conformance.deviation import Deviation
from optconf.conformance.report.model import AdapterEntry, CaseResult, RunReport
from optconf.reference.rules import Descent, Momentum

ENTRY = """
[[deviation]]
property = "flat.*"
rule = "Adam"
path = "flat_vector"
clause = "FLAT-2"
reason = "sums tied gradients twice"
link = "https://example.org/issue/1"
"""


def result(status="fail", prop="flat.same_update", rule="Adam", path="flat_vector",
           clause="FLAT-2"):
    return CaseResult("torch", prop, rule, path, ["FLAT-2"], status, clause=clause)


def report(*results, shard="1/1"):
    return RunReport("0", "", "", "ci", 0, shard, [], [], list(results))


def entries(tmp_path, text=ENTRY, adapter="torch"):
    f = tmp_path / "torch.toml"
    f.write_text(text)
    return expect.load(f, adapter=adapter)


def test_a_declared_failure_is_expected_and_passes_the_run(tmp_path):
    rep = report(result())
    expect.apply(rep, entries(tmp_path))
    assert rep.results[0].expected.endswith("torch.toml:2")
    assert rep.results[0].status == "expected" and rep.exit_code() == 0


def test_a_failure_of_another_kind_is_still_unexpected(tmp_path):
    rep = report(result(status="crash"))
    expect.apply(rep, entries(tmp_path))
    assert rep.unexpected() and rep.exit_code() == 1


def test_an_entry_that_reached_cases_but_matched_none_is_stale(tmp_path):
    rep = report(result(status="pass"))
    expect.apply(rep, entries(tmp_path))
    assert [e.line for e in rep.stale()] == [2] and rep.exit_code() == 1


def test_an_entry_for_cases_not_run_is_not_stale(tmp_path):
    rep = report(result(status="pass", prop="tie.other"))
    expect.apply(rep, entries(tmp_path))
    assert rep.stale() == [] and rep.exit_code() == 0


def test_staleness_is_judged_only_over_a_whole_run(tmp_path):
    rep = report(result(status="pass"), shard="1/2")
    expect.apply(rep, entries(tmp_path))
    assert rep.stale() == [] and rep.exit_code() == 0


def test_staleness_is_judged_only_for_entries_whose_cases_were_all_selected(tmp_path):
    """An entry for every property is unmatched in a run of one property only because the
    cases that show it were left out (--property); one for the selected property is stale."""
    everywhere = ENTRY.replace('property = "flat.*"', 'property = "*"')
    for text, selected, stale in ((everywhere, "flat.*", []), (ENTRY, "flat.*", [2]),
                                  (ENTRY, "tie.*", [])):
        rep = report(result(status="pass"))
        rep.selection = {"property": [selected]}
        expect.apply(rep, entries(tmp_path, text))
        assert [e.line for e in rep.stale()] == stale, (text, selected)


def test_staleness_under_a_rule_selection_is_judged_for_entries_of_a_selected_rule(tmp_path):
    for selected, stale in (("Adam", [2]), ("Momentum", [])):
        rep = report(result(status="pass"))
        rep.selection = {"rule": [selected]}
        expect.apply(rep, entries(tmp_path))
        assert [e.line for e in rep.stale()] == stale, selected


def test_entries_apply_only_to_their_adapter(tmp_path):
    rep = report(result())
    expect.apply(rep, entries(tmp_path, adapter="jax"))
    assert rep.results[0].expected is None


def versioned_report(version):
    rep = report(result())
    rep.adapters = [AdapterEntry("torch", True, info={"version": version})]
    return rep


def test_a_version_entry_declares_only_for_a_matching_engine_version(tmp_path):
    text = ENTRY + 'version = "2.13*"\n'
    matching, other = versioned_report("2.13.0+cpu"), versioned_report("2.14.0+cpu")
    expect.apply(matching, entries(tmp_path, text))
    expect.apply(other, entries(tmp_path, text))
    assert matching.results[0].status == "expected" and matching.exit_code() == 0
    assert other.results[0].expected is None


def test_a_version_entry_for_another_version_reaches_nothing_and_is_never_stale(tmp_path):
    rep = versioned_report("2.14.0+cpu")
    rep.results = [result(status="pass")]
    expect.apply(rep, entries(tmp_path, ENTRY + 'version = "2.13*"\n'))
    assert not rep.stale() and rep.expectations[0].covered == 0
    rep = versioned_report("2.13.0+cpu")
    rep.results = [result(status="pass")]
    expect.apply(rep, entries(tmp_path, ENTRY + 'version = "2.13*"\n'))
    assert rep.stale()


def test_a_version_entry_needs_its_adapter(tmp_path):
    with pytest.raises(expect.ExpectationsError, match=r"torch\.toml:\d+: version narrows"):
        entries(tmp_path, ENTRY + 'version = "2.13*"\n', adapter=None)


def test_a_toml_syntax_error_names_file_and_line(tmp_path):
    with pytest.raises(expect.ExpectationsError, match=r"torch.toml.*line 3"):
        entries(tmp_path, '[[deviation]]\nproperty = "x"\nreason = \n')


@pytest.mark.parametrize(("text", "line", "message"), [
    ('[[deviation]]\nproperty = "x"\nlink = "l"\n', 3, "missing required key 'reason'"),
    ('[[deviation]]\nproperty = "x"\nreason = "r"\nlink = "l"\nkind = "boom"\n', 7,
     "kind='boom'"),
    ('[[deviation]]\nproperty = "x"\nreason = "r"\nlink = "l"\nwhy = "?"\n', 7,
     "unknown key 'why'"),
    ('[[deviation]]\nproperty = "x"\npath = "flat"\nreason = "r"\nlink = "l"\n', 5,
     "path='flat' is not one of structured, flat_list"),
    ('[[deviation]]\nproperty = "x"\nfeatures = ["tied"]\nreason = "r"\nlink = "l"\n', 5,
     "unknown feature 'tied'; features: .*models: tie across containers"),
    ('[[deviation]]\nproperty = "x"\nfeatures = "models: 0-d array"\nreason = "r"\nlink = "l"\n',
     5, "features must be a list of strings"),
    ('[[deviation]]\nproperty = "x"\nkind = "error"\nfeatures = ["models: 0-d array"]\n'
     'reason = "r"\nlink = "l"\n', 6, "features select failures by their counterexample"),
])
def test_a_schema_error_names_the_line_of_the_key_at_fault(tmp_path, text, line, message):
    """The entry's header line for a missing key, else the line the faulty key is on."""
    with pytest.raises(expect.ExpectationsError, match=rf"torch\.toml:{line}: {message}"):
        entries(tmp_path, "\n\n" + text)


def test_skeleton_declares_every_unexpected_result():
    text = expect.skeleton(report(result(), result(status="pass")))
    assert text.count("[[deviation]]") == 1 and 'reason = "TODO"' in text


def test_packaged_expectations_files_parse_and_the_reference_declares_nothing():
    for name in ("reference", "torch", "jax", "tinygrad", "keras", "mlx"):
        path = expect.packaged(name)
        assert path is not None, name
        expect.load(path, adapter=name)
    assert expect.load(expect.packaged("reference")) == []


def test_sometimes_entry_is_never_stale_but_always_entry_is(tmp_path):  # CONF-12
    path = tmp_path / "e.toml"
    path.write_text('[[deviation]]\nproperty = "a.*"\nshows = "sometimes"\nreason = "r"\n'
                    'link = "l"\n\n[[deviation]]\nproperty = "a.*"\nreason = "r"\nlink = "l"\n')
    sometimes, always = expect.load(path)
    for entry in (sometimes, always):
        entry.covered = 3
    assert not sometimes.stale and always.stale


def test_unknown_shows_value_names_the_line(tmp_path):  # CONF-12
    path = tmp_path / "e.toml"
    path.write_text('[[deviation]]\nproperty = "a"\nshows = "often"\nreason = "r"\nlink = "l"\n')
    with pytest.raises(expect.ExpectationsError, match=r"e.toml:3: shows='often' is not one of"):
        expect.load(path)


DRAWN = """
[[deviation]]
property = "*"
rule = "OptimiserChain"
drawn = "OptimiserChain(AccumGrad(*"
shows = "sometimes"
reason = "chains starting with AccumGrad accumulate in float32"
link = "https://example.org/issue/2"
"""


def chain_failure(drawn_rule):
    failed = result(rule="OptimiserChain", clause="FLAT-6")
    failed.counterexample = {"rule": drawn_rule}
    return failed


def test_drawn_declares_only_failures_whose_case_drew_a_matching_rule(tmp_path):
    rep = report(chain_failure("OptimiserChain(AccumGrad(n=3), Descent(eta=0.1))"),
                 chain_failure("OptimiserChain(ClipGrad(delta=1.0), Adam())"))
    expect.apply(rep, entries(tmp_path, DRAWN))
    assert [r.status for r in rep.results] == ["expected", "fail"]
    assert rep.exit_code() == 1


ADJUSTED_TO_ZERO = """
[[deviation]]
property = "*"
drawn = "*Momentum(*rho=0.0*"
shows = "sometimes"
reason = "momentum 0 keeps no velocity"
link = "https://example.org/issue/4"
"""


def momentum_failure(program):
    failed = result(rule="Momentum", clause="ADJ-2")
    failed.counterexample = case_data(program)
    return failed


def test_drawn_also_matches_the_rule_as_an_adjust_op_left_it(tmp_path):
    """Seed 6 of the ci profile: Momentum drawn with a tiny rho, adjusted to rho=0 mid-run."""
    model, step = [np.ones(2)], Step([np.ones(2)])
    adjusted = Program(model, Momentum(0.1, 1e-300), (Adjust({"rho": 0.0}), step))
    drawn = Program(model, Momentum(0.1, 0.0), (step,))
    neither = Program(model, Momentum(0.1, 0.5), (Adjust({"eta": 0.2}), step))
    rep = report(*(momentum_failure(p) for p in (adjusted, drawn, neither)))
    expect.apply(rep, entries(tmp_path, ADJUSTED_TO_ZERO))
    assert [r.status for r in rep.results] == ["expected", "expected", "fail"]


MESSAGE = """
[[deviation]]
property = "*"
kind = "error"
message = "*only supports 2D parameters*"
shows = "sometimes"
reason = "Muon takes 2-D parameters only"
link = "https://example.org/issue/5"
"""


def test_message_declares_an_error_of_a_property_without_a_rule_axis(tmp_path):
    """Seed 9 of the ci profile: torch's sharded.matches_structured[fsdp] drew Muon, whose
    constructor raised; the case has no rule and the error no counterexample."""
    muon = CaseResult("torch", "sharded.matches_structured", None, "fsdp", ["SHARD-2"],
                      "error", message="ValueError: Muon only supports 2D parameters whereas "
                      "we found a parameter with size: torch.Size([])")
    other = CaseResult("torch", "sharded.matches_structured", None, "zero", ["SHARD-2"],
                       "error", message="RuntimeError: something else")
    rep = report(muon, other)
    expect.apply(rep, entries(tmp_path, MESSAGE))
    assert [r.status for r in rep.results] == ["expected", "error"]


def test_an_adjustment_the_rule_refuses_ends_its_rules_in_force():
    program = Program([np.ones(2)], Momentum(0.1, 0.5),
                      (Adjust({"nope": 1.0}), Adjust({"rho": 0.0})))
    assert rules_in_force(program) == [Momentum(0.1, 0.5)]


def test_a_packaged_file_is_named_relative_to_the_package_not_this_machine():
    (first, *_) = expect.load(expect.packaged("jax"), adapter="jax")
    assert first.file == "adapters/expectations/jax.toml"
    assert first.where == f"adapters/expectations/jax.toml:{first.line}"


NARROW = """
[[deviation]]
property = "tying.*"
path = "structured"
features = ["models: tie across containers"]
reason = "the structured path sums a tied array's gradient twice"
link = "https://example.org/issue/3"
"""


def tie_failure(path, features, case_path=None):
    """A failure of a property that runs every path in one case (``case_path`` None) or
    one path per case, on ``path``, whose counterexample had ``features``."""
    failed = result(prop="tying.shared_summed_once", rule="Descent", path=case_path,
                    clause="TIE-2")
    failed.counterexample = {"path": path, "features": features}
    return failed


def test_path_and_features_declare_only_failures_on_that_path_of_such_models(tmp_path):
    tied = ["models: 0-d array", "models: tie across containers"]
    rep = report(tie_failure("structured", tied),
                 tie_failure("flat_list", tied),
                 tie_failure("structured", ["models: 0-d array"]),
                 tie_failure("structured", tied, case_path="structured"))
    expect.apply(rep, entries(tmp_path, NARROW))
    assert [r.status for r in rep.results] == ["expected", "fail", "fail", "expected"]
    assert rep.exit_code() == 1


def test_an_entry_with_a_path_covers_cases_that_run_every_path(tmp_path):
    rep = report(result(status="pass", prop="tying.shared_summed_once", rule="Descent",
                        path=None))
    (entry,) = entries(tmp_path, NARROW)
    expect.apply(rep, [entry])
    assert entry.covered == 1 and rep.stale() == [entry]


def failing_features(data):
    """The features a Deviation raised with the counterexample ``data`` records."""
    with pytest.raises(Deviation) as raised:
        fail("x=1, but should be 2", clause="UPD-1", ctx=Context("demo", None, "float64",
                                                                 case=data))
    return raised.value.case["features"]


def test_a_failure_records_the_features_of_its_counterexample():
    shared = np.zeros(2)
    tied = {"a": shared, "b": [shared, np.zeros(())]}
    program = Program(tied, Descent(), (Freeze(("a",)), Step(None)))
    names = failing_features(case_data(program))
    assert {"models: tie across containers", "models: 0-d array",
            "programs: freeze then step"} <= set(names)
    assert set(names) <= strategies.FEATURE_NAMES
    assert "models: tie across containers" not in failing_features(
        case_data(model={"a": np.zeros(2)}))


ERROR_ENTRY = """
[[deviation]]
property = "flat.*"
kind = "error"
message = "*only supports 2D parameters*"
reason = "refuses 1-D parameters"
link = "https://example.org/issue/2"
"""


def other(status, message, clause=None):
    return {"status": status, "message": message, "clause": clause, "observed": None,
            "allowed": None, "counterexample": None, "repro": None}


def test_a_declared_failure_does_not_excuse_another_the_case_had(tmp_path):
    declared = result()
    declared.others = [other("error", "ZeroDivisionError: division by zero")]
    rep = report(declared)
    expect.apply(rep, entries(tmp_path))
    (shown,) = rep.unexpected()
    assert shown.status == "error" and shown.message.startswith("ZeroDivisionError")
    assert shown.others == [other("fail", "", "FLAT-2")] and rep.exit_code() == 1


def test_a_case_whose_every_failure_is_declared_is_expected(tmp_path):
    both = result()
    both.others = [other("error", "ValueError: Muon only supports 2D parameters"),
                   other("unsupported", "no such hyperparameter")]
    rep = report(both)
    expect.apply(rep, entries(tmp_path, ENTRY + ERROR_ENTRY))
    assert rep.results[0].status == "expected" and rep.exit_code() == 0
    assert rep.results[0].expected.endswith("torch.toml:2")


@pytest.mark.parametrize("engine", ["jax", "keras", "mlx", "reference", "tinygrad", "torch"])
def test_every_shipped_error_entry_names_the_error_it_declares(engine):
    """An error entry without a message glob would declare any error of its cases, a new
    bug included (CONF-12)."""
    path = expect.packaged(engine)
    unnamed = [e.where for e in (expect.load(path, adapter=engine) if path else [])
               if e.kind == "error" and e.message is None]
    assert unnamed == []
