"""Shared helpers for the runner's own tests: fake adapters by name, a short-timeout profile."""

from __future__ import annotations

from optconf.conformance.profiles import Profile
from optconf.conformance.runner import RunConfig, run

FAKE_REGISTRY = "tests.conformance.fixtures_props:FAKE"
#: a profile whose timeout is short enough for the hang test
QUICK = Profile("quick", max_examples=1, steps=1, stateful_steps=1, timeout=5.0, shrink=False)


def fake_adapter(name: str) -> str:
    return f"tests.conformance.fixtures_adapters:{name}"


def fake_run(*names: str, **options):
    config = RunConfig([fake_adapter(n) for n in names], options.pop("profile", QUICK),
                       options.pop("seed", 7), registry=FAKE_REGISTRY, **options)
    return run(config)
