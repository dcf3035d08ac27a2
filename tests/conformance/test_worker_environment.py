"""What a worker process sets up before it loads an engine (CONF-3)."""

from __future__ import annotations

import json

from optconf.conformance.runner import describe_adapters

from .runner_helpers import fake_adapter


def worker_settings() -> dict[str, str | None]:
    """The engine settings a worker loading the fixture adapter sees."""
    [hello] = describe_adapters([fake_adapter("EnvironmentAdapter")], timeout=60.0)
    assert not isinstance(hello, str), hello
    return json.loads(hello.info.notes)


def test_tinygrad_compiles_in_the_worker_not_in_a_process_pool(monkeypatch):
    monkeypatch.delenv("PARALLEL", raising=False)
    assert worker_settings()["PARALLEL"] == "0"


def test_a_setting_of_the_callers_environment_is_kept(monkeypatch):
    monkeypatch.setenv("PARALLEL", "3")
    assert worker_settings()["PARALLEL"] == "3"
