"""What a benchmark ran on: CPU, cores, last-level cache, memory, load, and the process's
resident memory (read from /proc on Linux; ``None`` elsewhere)."""

from __future__ import annotations

import dataclasses
import os
import platform
import resource
import sys
from pathlib import Path

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _size(text: str) -> int:
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    text = text.strip()
    return int(text[:-1]) * units[text[-1]] if text[-1] in units else int(text)


def last_level_cache() -> int | None:
    """Bytes of the largest CPU cache (sysfs), None where unknown."""
    sizes = []
    for entry in Path("/sys/devices/system/cpu/cpu0/cache").glob("index*/size"):
        try:
            sizes.append(_size(entry.read_text()))
        except (OSError, ValueError, KeyError):
            continue
    return max(sizes, default=None)


def _memory() -> int | None:
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return None


def load_average() -> float | None:
    try:
        return os.getloadavg()[0]
    except OSError:
        return None


@dataclasses.dataclass(frozen=True)
class Machine:
    """What a run was measured on, for the JSON and the Markdown header."""

    cpu: str
    cores: int | None
    last_level_cache_bytes: int | None
    memory_bytes: int | None
    system: str
    python: str
    hostname: str

    def label(self) -> str:
        """CPU, cores and last-level cache, the report's default machine label."""
        cache = self.last_level_cache_bytes
        cache_text = f", {cache >> 20} MiB last-level cache" if cache else ""
        return f"{self.cpu}, {self.cores} cores{cache_text}"


def describe() -> Machine:
    """This machine."""
    return Machine(cpu=_cpu_model(), cores=os.cpu_count(),
                   last_level_cache_bytes=last_level_cache(), memory_bytes=_memory(),
                   system=f"{platform.system()} {platform.release()}",
                   python=sys.version.split()[0], hostname=platform.node())


def resident_bytes() -> int | None:
    """The process's resident set now."""
    try:
        return int(Path("/proc/self/statm").read_text().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return None


def reset_peak() -> bool:
    """Start a new peak-resident measurement (Linux: ``5 > /proc/self/clear_refs`` resets
    VmHWM); False where the peak cannot be reset, so a peak is the process's so far."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def peak_resident_bytes() -> int:
    """Peak resident set since :func:`reset_peak` (VmHWM), else since the process began
    (``ru_maxrss``: KiB on Linux, bytes on macOS)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak if sys.platform == "darwin" else peak * 1024)
