"""``optconf list``, ``spec`` and ``diff`` (CONF-2, CONF-8, CONF-10)."""

from __future__ import annotations

from pathlib import Path

from optconf.conformance.report.spec import spec_path

from .runner_helpers import FAKE_REGISTRY, fake_adapter, optconf


def test_list_shows_each_adapters_declarations_or_why_it_is_unavailable():
    proc = optconf("list")
    assert proc.returncode == 0
    assert "reference: optconf.reference" in proc.stdout
    assert "paths: structured, flat_list" in proc.stdout
    assert "mutants:" in proc.stdout


def test_list_shows_a_module_attr_adapter():
    proc = optconf("list", "--adapter", fake_adapter("GoodAdapter"))
    assert proc.returncode == 0
    assert proc.stdout.startswith(f"{fake_adapter('GoodAdapter')}: ")
    assert "mutants:" not in proc.stdout


def test_spec_shows_a_clause_and_each_engines_results_from_a_report(tmp_path):
    optconf("run", "--adapter", fake_adapter("GoodAdapter"), "--registry", FAKE_REGISTRY,
            "--property", "fake.descent_step", "--out", str(tmp_path))
    proc = optconf("spec", "conf-1", "--report", str(tmp_path / "report.json"))
    assert proc.returncode == 0 and "CONF-1 (Suite behaviour; " in proc.stdout
    assert f"{fake_adapter('GoodAdapter')}: 2 pass" in proc.stdout


def test_spec_with_a_missing_report_is_a_usage_error():
    assert optconf("spec", "CONF-1", "--report", "no/such/report.json").returncode == 2


def test_spec_rejects_an_unknown_clause():
    proc = optconf("spec", "NOPE-1")
    assert proc.returncode == 2 and "no clause 'NOPE-1'" in proc.stderr


def test_diff_reports_where_two_engines_part_beyond_their_bounds():
    differ = optconf("diff", "--adapter", fake_adapter("GoodAdapter"), "--adapter",
                     fake_adapter("WrongAdapter"), "--seed", "1", "--examples", "2")
    assert differ.returncode == 1 and "Descent [structured, float64] param 0" in differ.stdout
    same = optconf("diff", "--adapter", fake_adapter("GoodAdapter"), "--adapter",
                   fake_adapter("PrintingAdapter"), "--seed", "1", "--examples", "2")
    assert same.returncode == 0 and "0 disagreements" in same.stdout


def test_the_spec_is_found_through_the_installed_package_not_the_working_directory(
        tmp_path, monkeypatch):
    monkeypatch.delenv("OPTCONF_SPEC", raising=False)
    monkeypatch.chdir(tmp_path)
    assert spec_path() == Path(__file__).resolve().parents[2] / "docs" / "SPEC.md"
