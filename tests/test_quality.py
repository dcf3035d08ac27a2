"""The code base stays ruff-clean and mypy-clean, the reference under --strict."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, check=False)


def test_ruff_finds_nothing():
    result = run(sys.executable, "-m", "ruff", "check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_reference_is_mypy_strict_clean():
    result = run(sys.executable, "-m", "mypy", "--strict", "reference")
    assert result.returncode == 0, result.stdout + result.stderr


def test_conformance_adapters_and_bench_are_mypy_clean():
    result = run(sys.executable, "-m", "mypy", "conformance", "adapters", "bench")
    assert result.returncode == 0, result.stdout + result.stderr
