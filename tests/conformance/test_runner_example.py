"""The worked example of docs/ADAPTERS.md runs through the runner and conforms, and the doc
shows exactly the tested file (CONF-2, CONF-3)."""

from __future__ import annotations

from pathlib import Path

from optconf.conformance.profiles import PROFILES
from optconf.conformance.runner import RunConfig, run

EXAMPLE = Path(__file__).with_name("example_adapter.py")
DOC = Path(__file__).resolve().parents[2] / "docs" / "ADAPTERS.md"
ADAPTER = "tests.conformance.example_adapter:ListAdapter"


def test_the_example_adapter_conforms_for_what_it_supports():
    report = run(RunConfig([ADAPTER], PROFILES["ci"], seed=3, properties=["flat.*"],
                           rules=["Descent", "Momentum"]))
    assert not report.unexpected(), [(r.key, r.message) for r in report.unexpected()]
    assert {r.rule for r in report.results if r.status == "pass"} == {"Descent", "Momentum"}


def test_the_doc_shows_the_tested_example_verbatim():
    assert EXAMPLE.read_text() in DOC.read_text()
