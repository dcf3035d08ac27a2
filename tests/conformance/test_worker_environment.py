"""What a worker process sets up before it loads an engine (CONF-3)."""

from __future__ import annotations

import json
from pathlib import Path

from optconf.conformance.runner import describe_adapters

from .runner_helpers import fake_adapter, fake_run


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


def run_settings(**options) -> dict[str, str | None]:
    """The engine settings the workers of one fake run see."""
    report = fake_run("EnvironmentAdapter", properties=["fake.descent_step"], **options)
    return json.loads(report.adapters[0].info["notes"])


def cache_folders(settings: dict[str, str | None]) -> set[Path]:
    return {Path(settings["JAX_COMPILATION_CACHE_DIR"]).parent,
            Path(settings["CACHEDB"]).parent}


def test_a_runs_workers_share_compilation_caches_in_a_folder_removed_after_it(monkeypatch):
    for name in ("JAX_COMPILATION_CACHE_DIR", "CACHEDB"):
        monkeypatch.delenv(name, raising=False)
    first, second = run_settings(), run_settings()
    [folder] = cache_folders(first)
    assert cache_folders(second) != {folder}  # each run compiles afresh
    assert not folder.exists()


def test_compile_cache_keeps_the_caches_in_the_folder_named(monkeypatch, tmp_path):
    for name in ("JAX_COMPILATION_CACHE_DIR", "CACHEDB"):
        monkeypatch.delenv(name, raising=False)
    assert cache_folders(run_settings(compile_cache=tmp_path / "kept")) == {tmp_path / "kept"}
    assert (tmp_path / "kept").is_dir()


def test_a_cache_the_caller_set_is_kept(monkeypatch, tmp_path):
    monkeypatch.setenv("CACHEDB", str(tmp_path / "mine.db"))
    assert run_settings()["CACHEDB"] == str(tmp_path / "mine.db")
