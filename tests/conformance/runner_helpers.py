"""Shared helpers for the runner's own tests: fake adapters by name, a short-timeout profile."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from optconf.conformance.profiles import Profile
from optconf.conformance.runner import RunConfig, run

FAKE_REGISTRY = "tests.conformance.fixtures_props:FAKE"
#: a profile whose timeout is short enough for the hang test
ROOT = Path(__file__).resolve().parents[2]
QUICK = Profile("quick", max_examples=1, steps=1, stateful_steps=1, timeout=5.0, shrink=False)


def fake_adapter(name: str) -> str:
    return f"tests.conformance.fixtures_adapters:{name}"


def fake_run(*names: str, **options):
    config = RunConfig([fake_adapter(n) for n in names], options.pop("profile", QUICK),
                       options.pop("seed", 7), registry=FAKE_REGISTRY, **options)
    return run(config)


def optconf(*args, **kw):
    """``optconf ARGS`` in a subprocess from the repository root."""
    return subprocess.run([sys.executable, "-m", "optconf.conformance.cli", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, **kw)


def fake(name, tmp_path, *extra):
    """``optconf run`` of fake.descent_step on one fake adapter, seed 1, into tmp_path."""
    return optconf("run", "--adapter", fake_adapter(name), "--registry", FAKE_REGISTRY,
                   "--property", "fake.descent_step", "--seed", "1", "--out", str(tmp_path),
                   *extra)
