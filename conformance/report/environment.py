"""What shapes a run's draws and numbers besides its seed: the versions of Python, NumPy and
Hypothesis (Hypothesis draws other examples from the same seed across versions), the BLAS
NumPy uses, and the CPU with the SIMD extensions NumPy dispatches to (different kernels
round differently).  Recorded in report.json; ``optconf replay`` names every difference
between the report's machine and the replaying one (CONF-4).  The engines' versions are in
each adapter's entry of the report.
"""

from __future__ import annotations

import platform
from pathlib import Path
from typing import Any

import hypothesis
import numpy as np

#: CPU flags that select arithmetic kernels (vector widths, fused multiply-add, half floats)
_ARITHMETIC_FLAGS = ("sse", "avx", "fma", "f16c", "amx", "neon", "asimd", "sve")


def environment() -> dict[str, str]:
    """This machine and interpreter, as report.json records them."""
    cpu = _cpuinfo()
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "numpy": np.__version__,
        "hypothesis": hypothesis.__version__,
        "blas": _blas(),
        "cpu": cpu.get("model name", platform.processor() or platform.machine()),
        "cpu_flags": " ".join(sorted(f for f in cpu.get("flags", "").split()
                                     if f.startswith(_ARITHMETIC_FLAGS))),
        "numpy_simd": " ".join(_numpy_simd()),
    }


def differences(recorded: dict[str, str], here: dict[str, str]) -> list[str]:
    """``key: here vs recorded`` for every recorded entry this machine does not share."""
    return [f"{key}: {here.get(key, 'unknown')!r} here, {value!r} in the report"
            for key, value in recorded.items() if here.get(key) != value]


def _cpuinfo() -> dict[str, str]:
    """The first processor's fields of /proc/cpuinfo (empty where there is none)."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return {}
    first = text.split("\n\n", 1)[0]
    pairs = (line.split(":", 1) for line in first.splitlines() if ":" in line)
    return {k.strip(): v.strip() for k, v in pairs}


def _blas() -> str:
    """NumPy's BLAS, name and version, as its build configuration says."""
    try:
        config: Any = np.show_config(mode="dicts")
        blas = config["Build Dependencies"]["blas"]
    except (TypeError, KeyError):
        return "unknown"
    return f"{blas.get('name', 'unknown')} {blas.get('version', '')}".strip()


def _numpy_simd() -> list[str]:
    """The SIMD targets NumPy's kernels were built for that this CPU runs."""
    try:
        from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__
    except ImportError:
        return []
    found: list[str] = [t for t in __cpu_dispatch__ if __cpu_features__.get(t)]
    return found
