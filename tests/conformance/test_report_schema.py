"""report.json follows the published schema docs/report.schema.json (CONF-8): every status,
declared results, adapters that could not run, relative paths and one counterexample."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from optconf.adapters.protocol import PATHS
from optconf.conformance import expectations as expect
from optconf.conformance.report.writers import write_all

from .runner_helpers import fake_adapter, fake_run

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "docs" / "report.schema.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


@pytest.fixture(scope="module")
def report_json(tmp_path_factory):
    """A report with passes, a failure with its repro, a declared one, unsupported cases, a
    crash and an unavailable adapter, as written to report.json."""
    out = tmp_path_factory.mktemp("run")
    report = fake_run("FlatBrokenAdapter", "CrashAdapter", "NoEngineAdapter", out=out,
                      properties=["fake.descent_step", "fake.needs_freeze",
                                  "fake.program_failure"])
    toml = out / "exp.toml"
    toml.write_text('[[deviation]]\nproperty = "fake.descent_step"\npath = "flat_list"\n'
                    f'adapter = "{fake_adapter("FlatBrokenAdapter")}"\n'
                    'reason = "doubles the step"\nlink = "https://example.org/1"\n')
    expect.apply(report, expect.load(toml))
    return json.loads(write_all(report, out)["json"].read_text())


def test_the_schema_is_valid():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_the_schema_names_every_update_path():
    assert set(SCHEMA["$defs"]["path_name"]["enum"]) == set(PATHS)


def test_the_committed_report_follows_the_schema():
    """The sharded paths' cases once made it break the schema unnoticed."""
    committed = json.loads((ROOT / "reports" / "conformance" / "report.json").read_text())
    assert [e.message for e in VALIDATOR.iter_errors(committed)][:3] == []


def test_a_report_with_every_kind_of_result_follows_the_schema(report_json):
    statuses = {r["status"] for r in report_json["results"]}
    assert {"fail", "expected", "unsupported", "crash"} <= statuses
    VALIDATOR.validate(report_json)


def _broken(report_json, status, changes):
    data = json.loads(json.dumps(report_json))
    result = next(r for r in data["results"] if r["status"] == status)
    result.update(changes)
    return data


@pytest.mark.parametrize(("status", "changes"), [
    ("fail", {"repro": "/home/someone/out/repro/x.py"}),        # a machine's absolute path
    ("expected", {"status": "fail"}),                            # declared but still "fail"
    ("fail", {"counterexample": {"program": {}, "model": {}}}),  # stored twice
    ("pass", {"status": "passed"}),
])
def test_the_schema_rejects_what_reports_must_not_hold(report_json, status, changes):
    assert not VALIDATOR.is_valid(_broken(report_json, status, changes))

