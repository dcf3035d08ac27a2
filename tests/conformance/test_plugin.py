"""The pytest plugin: one item per (property, case), mapped to pass, fail, skip and xfail;
works under pytest-xdist with one shared seed (CONF-11)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from optconf.conformance.cases import CaseId

from .runner_helpers import FAKE_REGISTRY, fake_adapter

ROOT = Path(__file__).resolve().parents[2]
PROPERTIES = [f"--optconf-property=fake.{name}" for name in ("descent_step", "per_rule",
                                                             "needs_freeze", "unsupported_case")]


def pytest_suite(*args):
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "--pyargs", "optconf.conformance.suite", "-q", "-rfEx",
         "--optconf-registry", FAKE_REGISTRY, *PROPERTIES, *args],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    summary = proc.stdout.splitlines()[-1]
    return proc, {k: int(n) for n, k in re.findall(r"(\d+) (\w+)", summary)}


def test_items_map_to_pass_fail_and_skip():
    proc, counts = pytest_suite("--optconf-adapter", fake_adapter("FlatBrokenAdapter"),
                                "--optconf-seed", "3")
    assert proc.returncode == 1
    assert counts["failed"] == 1 and counts["passed"] == 2 and counts["skipped"] >= 2
    assert "test_conformance[fake.descent_step[flat_list]]" in proc.stdout
    assert "replay: optconf replay" in proc.stdout


def test_a_declared_deviation_is_an_xfail(tmp_path):
    toml = tmp_path / "exp.toml"
    toml.write_text('[[deviation]]\nproperty = "fake.descent_step"\npath = "flat_list"\n'
                    'reason = "doubles the step"\nlink = "https://example.org/1"\n')
    proc, counts = pytest_suite("--optconf-adapter", fake_adapter("FlatBrokenAdapter"),
                                "--optconf-expectations", str(toml))
    assert proc.returncode == 0 and counts["xfailed"] == 1


def test_xdist_workers_share_the_controllers_seed():
    proc, counts = pytest_suite("--optconf-adapter", fake_adapter("FlatBrokenAdapter"),
                                "-n", "2", "-v")  # -v undoes -q: the header shows the seed
    assert counts["failed"] == 1, proc.stdout
    seed = re.search(r"optconf: adapter .*, seed (\d+)", proc.stdout)
    replay = re.search(r"--seed (\d+)", proc.stdout)
    assert seed and replay
    case = CaseId(fake_adapter("FlatBrokenAdapter"), "fake.descent_step", path="flat_list")
    expected = case.seed(int(seed[1]))
    assert int(replay[1]) == expected


def test_without_an_adapter_the_suite_skips_saying_why():
    proc, counts = pytest_suite("-rs")
    assert counts == {"skipped": 1} and "--optconf-adapter NAME" in proc.stdout


def test_a_stale_entry_is_named_in_the_summary(tmp_path):
    toml = tmp_path / "exp.toml"
    toml.write_text('[[deviation]]\nproperty = "fake.descent_step"\n'
                    'reason = "fixed upstream"\nlink = "https://example.org/2"\n')
    proc, _ = pytest_suite("--optconf-adapter", fake_adapter("GoodAdapter"),
                           "--optconf-expectations", str(toml))
    assert "optconf: stale expectations" in proc.stdout and "exp.toml:1" in proc.stdout


def test_a_property_glob_matching_nothing_is_a_usage_error():
    proc, _ = pytest_suite("--optconf-adapter", fake_adapter("GoodAdapter"),
                           "--optconf-property", "fake.no_such_*")
    assert proc.returncode == 2, proc.stdout  # collection interrupted by the usage error
    assert "--property 'fake.no_such_*' matches no property" in proc.stdout
