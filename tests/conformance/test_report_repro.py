"""Every failure leaves a standalone repro script that exits 1 while the engine still
deviates (CONF-6)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from optconf.conformance.runner import RunConfig, run

from .runner_helpers import QUICK, fake_adapter, fake_run

ROOT = Path(__file__).resolve().parents[2]
WITHOUT_OPTCONF = ("import runpy, sys; sys.modules['optconf'] = None; "
                   "runpy.run_path(sys.argv[1], run_name='__main__')")


def repro_of(name, tmp_path):
    report = fake_run(name, out=tmp_path, properties=["fake.descent_step"])
    (failed,) = [r for r in report.results if r.status == "fail"]
    return tmp_path / failed.repro


def test_with_the_hook_the_script_needs_only_numpy_and_the_engine(tmp_path):
    script = repro_of("ReproAdapter", tmp_path)
    assert script.name.endswith("__fake.descent_step__flat_list.py")
    proc = subprocess.run([sys.executable, "-c", WITHOUT_OPTCONF, str(script)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1, proc.stderr
    assert "expected" in proc.stdout and "allowed 1e-12 (CONF-1)" in proc.stdout


def test_without_the_hook_the_script_drives_the_adapter_through_optconf(tmp_path):
    script = repro_of("FlatBrokenAdapter", tmp_path)
    assert "no repro_source hook" in script.read_text()
    env = dict(os.environ, PYTHONPATH=str(ROOT))  # the fake adapter lives in tests/
    proc = subprocess.run([sys.executable, str(script)], env=env, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 1, proc.stderr
    assert "max abs error" in proc.stdout


def test_a_failing_error_property_stays_a_fail_with_its_message(tmp_path):  # issue 16 #2
    """The deliberately malformed program of an ERR case has no flat form: the repro
    writer must not turn the failure into a worker crash blaming the adapter."""
    config = RunConfig([fake_adapter("GoodAdapter")], QUICK, 1, out=tmp_path,
                       properties=["errors.bad_input_names_path"])
    (result,) = run(config).results
    assert (result.status, result.clause) == ("fail", "ERR-1")
    assert "but should name" in result.message
    assert "EXPECTED = None" in (tmp_path / result.repro).read_text()
