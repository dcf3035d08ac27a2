"""The ``optconf`` command through a subprocess: exit codes 0/1/2, expectations, reports
and replay (CONF-3, CONF-12)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from .runner_helpers import FAKE_REGISTRY, fake, fake_adapter, optconf

ROOT = Path(__file__).resolve().parents[2]


def test_a_conforming_adapter_exits_0_and_writes_every_view(tmp_path):
    proc = fake("GoodAdapter", tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "seed 1" in proc.stderr
    assert {"report.json", "report.md", "junit.xml", "matrix.html"} <= {
        p.name for p in tmp_path.iterdir()}


def test_an_unexpected_deviation_exits_1_and_writes_a_repro(tmp_path):
    proc = fake("FlatBrokenAdapter", tmp_path)
    assert proc.returncode == 1
    assert "FAIL" in proc.stdout and "fake.descent_step[flat_list]" in proc.stdout
    report = json.loads((tmp_path / "report.json").read_text())
    (failed,) = [r for r in report["results"] if r["status"] == "fail"]
    assert failed["repro"].startswith("repro/") and (tmp_path / failed["repro"]).is_file()


def test_a_declared_deviation_exits_0_and_a_stale_one_exits_1(tmp_path):
    toml = tmp_path / "exp.toml"
    toml.write_text('[[deviation]]\nproperty = "fake.descent_step"\npath = "flat_list"\n'
                    'reason = "doubles the step"\nlink = "https://example.org/1"\n')
    assert fake("FlatBrokenAdapter", tmp_path / "a", "--expectations", str(toml)).returncode == 0
    stale = fake("GoodAdapter", tmp_path / "b", "--expectations", str(toml))
    assert stale.returncode == 1 and "STALE" in stale.stdout


def test_an_entry_for_properties_not_selected_is_not_stale(tmp_path):
    """The run selects fake.descent_step; an entry for every property, narrowed to a rule
    none of its cases draws, could only show in cases left out."""
    toml = tmp_path / "exp.toml"
    toml.write_text('[[deviation]]\nproperty = "*"\ndrawn = "*AdaGrad(*"\n'
                    'reason = "elsewhere"\nlink = "https://example.org/1"\n')
    proc = fake("GoodAdapter", tmp_path / "a", "--expectations", str(toml))
    assert proc.returncode == 0 and "STALE" not in proc.stdout, proc.stdout
    report = json.loads((tmp_path / "a" / "report.json").read_text())
    assert report["selection"] == {"property": ["fake.descent_step"]}


def test_a_malformed_expectations_file_exits_2_naming_file_and_line(tmp_path):
    toml = tmp_path / "bad.toml"
    toml.write_text('# known\n[[deviation]]\nproperty = "x"\nlink = "l"\n')
    proc = fake("GoodAdapter", tmp_path, "--expectations", str(toml))
    assert proc.returncode == 2
    assert f"{toml}:2: missing required key 'reason'" in proc.stderr


@pytest.mark.parametrize("name", ["no-such-engine", "mutant:no-such-mutant",
                                  fake_adapter("NoEngineAdapter")])
def test_an_unknown_or_unavailable_adapter_asked_for_exits_2(tmp_path, name):
    proc = optconf("run", "--adapter", name, "--out", str(tmp_path))
    assert proc.returncode == 2 and "error:" in proc.stderr


def test_bad_usage_exits_2():
    assert optconf("run", "--shard", "3/2").returncode == 2


@pytest.mark.parametrize(("args", "named"), [
    (["--rule", "Adamm"], "--rule Adamm: no such rule class"),
    (["--property", "flat.*", "--property", "flatt.*"], "--property 'flatt.*' matches no"),
    (["--registry", "no_such_module:PROPERTIES"], "cannot import no_such_module"),
    (["--registry", "optconf.conformance.properties"], "expected MODULE:ATTR"),
    (["--registry", "optconf.conformance.properties:NOPE"], "has no NOPE"),
    (["--registry", "optconf.conformance.properties:Property"], "not a dict of"),
])
def test_a_selection_that_names_nothing_exits_2_before_any_case_runs(tmp_path, args, named):
    """A typo in --rule would otherwise run every rule, and in --property no case: both
    passing."""
    proc = optconf("run", "--adapter", "reference", *args, "--out", str(tmp_path))
    assert proc.returncode == 2 and named in proc.stderr, proc.stderr
    assert not (tmp_path / "report.json").exists()


def test_replay_reruns_one_case_from_a_report(tmp_path):
    fake("FlatBrokenAdapter", tmp_path)
    key = f"{fake_adapter('FlatBrokenAdapter')}::fake.descent_step[flat_list]"
    proc = optconf("replay", str(tmp_path / "report.json"), key, "--registry", FAKE_REGISTRY)
    assert proc.returncode == 1 and "CONF-1" in proc.stdout and "but should be" in proc.stdout


def test_merge_of_shards_gives_the_whole_runs_exit_code(tmp_path):
    for i in (1, 2):
        fake("FlatBrokenAdapter", tmp_path / str(i), "--shard", f"{i}/2")
    proc = optconf("merge", str(tmp_path / "1/report.json"), str(tmp_path / "2/report.json"),
                   "--out", str(tmp_path / "all"))
    assert proc.returncode == 1
    merged = json.loads((tmp_path / "all/report.json").read_text())
    assert len(merged["results"]) == 2 and merged["shard"] == "1/1"


def test_ctrl_c_writes_a_partial_report_marked_interrupted(tmp_path):
    proc = subprocess.Popen(
        [sys.executable, "-m", "optconf.conformance.cli", "run", "--registry", FAKE_REGISTRY,
         "--adapter", fake_adapter("GoodAdapter"), "--adapter", fake_adapter("HangAdapter"),
         "--property", "fake.descent_step", "--progress", "lines", "--out", str(tmp_path)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=dict(os.environ, CI="true", PYTHONFAULTHANDLER="1"), preexec_fn=_ctrl_c_default)
    assert proc.stderr is not None
    shown = []
    while sum("pass" in line for line in shown) < 2:  # the good adapter's cases have ended;
        shown.append(proc.stderr.readline())          # the hanging one waits for its timeout
        assert shown[-1], "the run ended before its cases were shown: " + "".join(shown)
    proc.send_signal(signal.SIGINT)
    try:
        out, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("no end of output within 60 s of Ctrl-C:\n" + "".join(shown)
                    + _where_it_hangs(proc))
    err = "".join(shown) + err
    assert proc.returncode == 130, out + err
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["interrupted"]
    assert {r["status"] for r in report["results"]} == {"pass"}


def _ctrl_c_default() -> None:
    """SIGINT at its default in the run, whatever this suite inherited: started as a
    background job of a non-interactive shell, the suite has SIGINT ignored, which every
    child inherits, and Ctrl-C would reach no run."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _where_it_hangs(proc: subprocess.Popen[str]) -> str:
    """The stacks of a run still going (faulthandler, on SIGABRT), or, when the run has
    ended, that another process holds its output open."""
    ended = proc.poll()
    if ended is not None:
        return f"the run ended (status {ended}) but another process holds its output open"
    proc.send_signal(signal.SIGABRT)
    try:
        return proc.communicate(timeout=30)[1]
    except subprocess.TimeoutExpired:
        return "the run ignored SIGABRT"


def test_update_expectations_writes_entries_that_declare_the_run(tmp_path):
    skeleton = tmp_path / "new.toml"
    first = fake("FlatBrokenAdapter", tmp_path / "a", "--update-expectations", str(skeleton))
    assert first.returncode == 1 and 'reason = "TODO"' in skeleton.read_text()
    again = fake("FlatBrokenAdapter", tmp_path / "b", "--expectations", str(skeleton))
    assert again.returncode == 0, again.stdout


def test_an_adapter_crashing_in_info_exits_2_naming_it_and_keeps_the_others(tmp_path):
    proc = optconf("run", "--adapter", fake_adapter("GoodAdapter"), "--adapter",
                   fake_adapter("CrashingInfoAdapter"), "--registry", FAKE_REGISTRY,
                   "--property", "fake.descent_step", "--seed", "1", "--out", str(tmp_path))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert f"error: {fake_adapter('CrashingInfoAdapter')}: crashed while loading" in proc.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    assert {r["adapter"] for r in report["results"]} == {fake_adapter("GoodAdapter")}


def test_a_declared_deviation_has_status_expected_in_every_view(tmp_path):  # issue 16 #6
    toml = tmp_path / "exp.toml"
    toml.write_text('[[deviation]]\nproperty = "fake.descent_step"\npath = "flat_list"\n'
                    'reason = "doubles the step"\nlink = "https://example.org/1"\n')
    proc = fake("FlatBrokenAdapter", tmp_path, "--expectations", str(toml))
    assert "1 expected" in proc.stdout
    report = json.loads((tmp_path / "report.json").read_text())
    (declared,) = [r for r in report["results"] if r["path"] == "flat_list"]
    assert (declared["status"], declared["declared"]) == ("expected", "fail")
    assert declared["expected"].endswith("exp.toml:1")
