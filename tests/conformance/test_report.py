"""One result model, many views: JSON round trip, JUnit mapping, Markdown and the HTML
engine x clause matrix (CONF-8)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from optconf.conformance.report.model import (
    AdapterEntry,
    CaseResult,
    NotOfferedRule,
    RunReport,
    merge,
)
from optconf.conformance.report.spec import parse
from optconf.conformance.report.writers import junit, markdown, matrix_html, read_json, write_all

SPEC = """
## Trees (TREE)

- **TREE-1** A model is a tree.  *Source:* Functors.jl.
- **TREE-2** A parameter is a float
  ndarray. *Engines:* all.

## Adam (ADAM)

- **ADAM-1** Adam follows the paper.
"""


def sample(adapter="torch"):
    results = [
        CaseResult(adapter, "tree.p", None, None, ["TREE-1", "TREE-2"], "pass"),
        CaseResult(adapter, "rules.adam", "Adam", "structured", ["ADAM-1"], "fail",
                   message="mu differs\nmore", clause="ADAM-1", observed=1e-3, allowed=1e-6),
        CaseResult(adapter, "rules.adam", "Adam", "flat_list", ["ADAM-1"], "expected",
                   clause="ADAM-1", expected="torch.toml:2", declared="fail"),
        CaseResult(adapter, "tree.crash", None, None, ["TREE-1"], "crash", message="died"),
        CaseResult(adapter, "tree.freeze", None, None, ["TREE-2"], "unsupported"),
    ]
    return RunReport("0.1.0", "t0", "t1", "ci", 3, "1/1", ["run"],
                     [AdapterEntry(adapter, available=True)], results)


def test_spec_parser_joins_continuation_lines_and_drops_notes():
    clauses = {c.id: c for c in parse(SPEC)}
    assert list(clauses) == ["TREE-1", "TREE-2", "ADAM-1"]
    assert clauses["TREE-2"].sentence == "A parameter is a float ndarray."
    assert clauses["ADAM-1"].section == "Adam" and clauses["TREE-2"].area == "TREE"


def test_json_is_the_source_and_round_trips(tmp_path):
    report = sample()
    paths = write_all(report, tmp_path)
    assert read_json(paths["json"]) == report
    assert {p.name for p in tmp_path.iterdir()} >= {"report.json", "report.md", "junit.xml",
                                                   "matrix.html"}


def test_junit_maps_fail_error_and_skips():
    root = ET.fromstring(junit(sample()))
    suite = root.find("testsuite")
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors"),
            suite.get("skipped")) == ("5", "1", "1", "2")
    failure = root.find(".//testcase[@name='rules.adam[Adam,structured]']/failure")
    assert failure.get("message") == "mu differs" and "seed=0" in failure.text


def test_markdown_lists_unexpected_results_with_clause():
    text = markdown(sample())
    assert "`torch::rules.adam[Adam,structured]` (ADAM-1): mu differs" in text
    assert "Unexpected results (2)" in text


def test_matrix_has_a_row_per_clause_grouped_by_area_and_a_column_per_adapter():
    report = merge([sample("torch"), sample("jax")], argv=[])
    page = matrix_html(report, {c.id: c for c in parse(SPEC)})
    assert page.index("Trees") < page.index("TREE-1") < page.index("Adam") < page.index("ADAM-1")
    assert page.count("<th>torch</th>") == page.count("<th>jax</th>") == 1
    assert 'class="bad"' in page and "1✗" in page and "1~" in page
    assert page.count("<b>1/4</b>") == 2  # per adapter: passed / run, unsupported not run
    assert "<script" not in page


def _lacking_adagrad():
    report = sample("tinygrad")
    report.adapters[0].not_offered = [NotOfferedRule("AdaGrad", "tinygrad has no AdaGrad",
                                                     ["ADAM-1", "ADAGRAD-1"])]
    return report


def test_rules_not_offered_show_in_every_view_and_round_trip(tmp_path):
    report = _lacking_adagrad()
    page = matrix_html(report, {c.id: c for c in parse(SPEC + "- **ADAGRAD-1** AdaGrad.\n")})
    row = page[page.index("<b>ADAGRAD-1</b>"):]
    assert row[:row.index("</tr>")].count('class="notoffered"') == 1  # no case: "not offered"
    adam = page[page.index("<b>ADAM-1</b>"):]
    assert "not offered: AdaGrad" in adam[:adam.index("</tr>")]  # cases, and a note
    assert "<h2>Rules not offered</h2><ul><li>tinygrad: AdaGrad</li>" in page
    text = markdown(report)
    assert "| 1 |" in text and "- **tinygrad**: AdaGrad (tinygrad has no AdaGrad)" in text
    assert read_json(write_all(report, tmp_path)["json"]).adapters == report.adapters
