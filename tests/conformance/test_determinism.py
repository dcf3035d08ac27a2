"""A seed reproduces its verdicts: ci runs a fixed seed unless asked for a random one; the
report records what else shapes draws and numbers, and replay says where this machine
differs (CONF-4, issue 16 problem 7)."""

from __future__ import annotations

import json

import hypothesis
import numpy as np

from optconf.conformance.profiles import PROFILES, RANDOM, run_seed
from optconf.conformance.report.environment import environment
from optconf.conformance.report.jsonable import jsonable, literal
from optconf.conformance.strategies import Dense, identity

from .runner_helpers import FAKE_REGISTRY, fake, fake_adapter, fake_run, optconf


def test_ci_runs_its_fixed_seed_unless_another_is_asked_for():
    assert run_seed(PROFILES["ci"], None) == run_seed(PROFILES["ci"], None) == 20261123
    assert run_seed(PROFILES["ci"], 5) == 5
    assert len({run_seed(PROFILES["ci"], RANDOM) for _ in range(5)}) > 1


def test_dev_and_thorough_draw_a_new_seed_each_run():
    for name in ("dev", "thorough"):
        assert len({run_seed(PROFILES[name], None) for _ in range(5)}) > 1


def test_the_cli_prints_the_ci_seed_it_runs(tmp_path):
    proc = optconf("run", "--adapter", fake_adapter("GoodAdapter"), "--registry",
                   FAKE_REGISTRY, "--property", "fake.descent_step",
                   "--out", str(tmp_path))
    assert proc.returncode == 0 and "seed 20261123, profile ci" in proc.stderr
    assert json.loads((tmp_path / "report.json").read_text())["seed"] == 20261123


def test_the_report_records_the_versions_and_cpu_that_shape_draws_and_numbers():
    recorded = fake_run("GoodAdapter", properties=["fake.descent_step"]).environment
    assert recorded["hypothesis"] == hypothesis.__version__
    assert recorded["numpy"] == np.__version__
    assert {"python", "platform", "blas", "cpu", "cpu_flags", "numpy_simd"} <= set(recorded)
    assert recorded == environment()


def test_replay_says_where_this_machine_differs_from_the_reports(tmp_path):
    fake("FlatBrokenAdapter", tmp_path)
    path = tmp_path / "report.json"
    report = json.loads(path.read_text())
    report["environment"]["hypothesis"] = "6.170.17"
    report["adapters"][0]["info"]["version"] = "99"
    path.write_text(json.dumps(report))
    key = f"{fake_adapter('FlatBrokenAdapter')}::fake.descent_step[flat_list]"
    proc = optconf("replay", str(path), key, "--registry", FAKE_REGISTRY)
    assert f"hypothesis: '{hypothesis.__version__}' here, '6.170.17' in the report" in proc.stdout
    assert "engine: '0' here, '99' in the report" in proc.stdout
    assert proc.stdout.count("note: this machine differs") == 2


def test_a_drawn_function_is_written_without_its_memory_address():
    layer = Dense(np.ones(2), None, None, identity)
    assert jsonable(layer)["act"] == "<function identity>"
    assert "0x" not in literal(layer)
