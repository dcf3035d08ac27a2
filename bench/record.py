"""The records of a benchmark run and their one JSON form (``bench.json``): what ran and
where (:class:`RunMeta`), every result with every repeat, and the bound kernels, so a run can
be redrawn and checked later (``--render``, ``--check``).  The limits, the ratios and the
bench errors are written alongside for readers, and recomputed when a run is read back.

Schema 2 adds the bound kernels (``bound``) to schema 1; schema 3 adds each case's
``ranks`` and a distributed step's ``rank_report``; schema 4 each bound kernel's
``library`` (NumPy or torch).  An older file reads as a run without them (its kernels ran in
NumPy).
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from . import bound
from .bound import BoundSample, Limits
from .machine import Machine
from .protocol import RankReport
from .sweep import Case, Config, Result
from .timing import Sample

TOOL = "optconf bench"
SCHEMA = 4


@dataclasses.dataclass
class EngineEntry:
    """What one engine ran as: version, device, threads and the variants of the rules timed
    (its declared ones, RULE-5); or why it could not run here."""

    engine: str = ""
    version: str = ""
    device: str = ""
    threads: int | None = None
    variants: dict[str, str] = dataclasses.field(default_factory=dict)
    unavailable: str | None = None


@dataclasses.dataclass
class RunMeta:
    """Everything about a run but its results: the command, the machine and its load at
    the start and the end, the configuration, the timer's own overhead, the engines and the
    bound kernels (measured after the engines)."""

    command: str
    mode: str                      # "quick" or "full"
    started: str
    machine: Machine
    label: str
    config: Config
    timer_overhead: float          # seconds per call of the timed loop around a no-op
    load_start: float | None
    load_end: float | None = None
    engines: dict[str, EngineEntry] = dataclasses.field(default_factory=dict)
    bound: list[BoundSample] = dataclasses.field(default_factory=list)
    finished: str = ""
    interrupted: bool = False

    @property
    def cache(self) -> int | None:
        """Bytes of the machine's last-level cache."""
        return self.machine.last_level_cache_bytes


# --------------------------------------------------------------------------------- to JSON


def sample_json(sample: Sample | None) -> dict[str, Any] | None:
    """A sample: its statistics and every repeat (for re-analysis)."""
    if sample is None:
        return None
    q1, q3 = sample.quartiles()
    return {"median_s": sample.median, "q1_s": q1, "q3_s": q3, "min_s": min(sample.seconds),
            "max_s": max(sample.seconds), "spread": sample.spread, "calls": sample.calls,
            "repeats": len(sample.seconds), "overhead_per_call_s": sample.overhead,
            "seconds": list(sample.seconds)}


def result_json(r: Result, ratio: float | None = None) -> dict[str, Any]:
    """A result, with its ratio to the limit where there is one."""
    return {**dataclasses.asdict(r.case), "status": r.status, "reason": r.reason,
            "step": sample_json(r.step), "copy": sample_json(r.copy),
            "bytes_per_element": r.bytes_per_element, "working_set_bytes": r.working_set,
            "gbps": r.gbps, "ratio": ratio, "copy_gbps": r.copy_gbps,
            "copy_ratio": r.copy_ratio,
            "device": r.device, "threads": r.threads, "warmup_s": r.warmup_seconds,
            "resident_held_bytes": r.resident_held, "peak_resident_bytes": r.peak_resident,
            "device_memory_bytes": r.device_memory,
            "rank_report": None if r.ranks is None else dataclasses.asdict(r.ranks)}


def bound_json(s: BoundSample) -> dict[str, Any]:
    return {"kernel": s.kernel, "threads": s.threads, "working_set_bytes": s.working_set,
            "dtype": s.dtype, "moved_bytes": s.moved, "gbps": s.gbps, "library": s.library,
            "sample": sample_json(s.sample)}


def _engine_json(entry: EngineEntry) -> dict[str, Any]:
    if entry.unavailable is not None:
        return {"unavailable": entry.unavailable}
    fields = dataclasses.asdict(entry)
    del fields["unavailable"]
    return fields


def meta_json(meta: RunMeta) -> dict[str, Any]:
    return {"tool": TOOL, "schema": SCHEMA, "command": meta.command, "mode": meta.mode,
            "started": meta.started, "machine": dataclasses.asdict(meta.machine),
            "label": meta.label, "config": dataclasses.asdict(meta.config),
            "load_average": {"start": meta.load_start, "end": meta.load_end},
            "timer_overhead_per_call_s": meta.timer_overhead,
            "bound": [bound_json(s) for s in meta.bound],
            "engines": {name: _engine_json(e) for name, e in meta.engines.items()},
            "finished": meta.finished, **({"interrupted": True} if meta.interrupted else {})}


def write(path: Path, meta: RunMeta, results: list[Result], found: Limits,
          errors: list[str]) -> None:
    """``bench.json``: the run, its limits and bench errors, each result with its ratio."""
    doc = {**meta_json(meta), "limits": [dataclasses.asdict(x) for x in found.values()],
           "bench_errors": errors,
           "results": [result_json(r, bound.ratio(r, found)) for r in results]}
    path.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")


# ------------------------------------------------------------------------------- from JSON


def sample_from_json(record: dict[str, Any] | None) -> Sample | None:
    if record is None:
        return None
    return Sample(tuple(record["seconds"]), record["calls"], record["overhead_per_call_s"])


def result_from_json(r: dict[str, Any]) -> Result:
    fields = [f.name for f in dataclasses.fields(Case)]
    ranks = r.get("rank_report")
    return Result(Case(**{k: r[k] for k in fields if k in r}), r["status"], r["reason"],
                  step=sample_from_json(r["step"]), copy=sample_from_json(r["copy"]),
                  bytes_per_element=r["bytes_per_element"],
                  working_set=r["working_set_bytes"], device=r["device"],
                  threads=r["threads"], warmup_seconds=r["warmup_s"],
                  resident_held=r["resident_held_bytes"],
                  peak_resident=r["peak_resident_bytes"],
                  device_memory=r["device_memory_bytes"],
                  ranks=None if ranks is None else RankReport(tuple(ranks["step_seconds"]),
                                                               tuple(ranks["collective_bytes"])))


def bound_from_json(r: dict[str, Any]) -> BoundSample:
    sample = sample_from_json(r["sample"])
    assert sample is not None
    return BoundSample(r["kernel"], r["threads"], r["working_set_bytes"], r["dtype"],
                       r["moved_bytes"], sample, r.get("library", "numpy"))


def config_from_json(record: dict[str, Any]) -> Config:
    """A Config (tuples come back from JSON as lists)."""
    fields: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v
                              for k, v in record.items()}
    return Config(**fields)


def meta_from_json(doc: dict[str, Any]) -> RunMeta:
    if doc.get("tool") != TOOL or doc.get("schema") not in range(1, SCHEMA + 1):
        raise ValueError(f"not an {TOOL} result of schema 1 to {SCHEMA} (tool "
                         f"{doc.get('tool')!r}, schema {doc.get('schema')!r})")
    load = doc["load_average"]
    return RunMeta(
        command=doc["command"], mode=doc["mode"], started=doc["started"],
        machine=Machine(**doc["machine"]), label=doc["label"],
        config=config_from_json(doc["config"]), timer_overhead=doc["timer_overhead_per_call_s"],
        load_start=load["start"], load_end=load.get("end"),
        engines={name: EngineEntry(**e) for name, e in doc["engines"].items()},
        bound=[bound_from_json(b) for b in doc.get("bound", [])],
        finished=doc.get("finished", ""), interrupted=doc.get("interrupted", False))


def read(path: Path) -> tuple[RunMeta, list[Result]]:
    """A ``bench.json`` back as its run and results (to redraw and check it)."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    return meta_from_json(doc), [result_from_json(r) for r in doc["results"]]
