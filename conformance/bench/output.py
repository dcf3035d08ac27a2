"""The benchmark's JSON (every repeat, for re-analysis) and its Markdown summary."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .sweep import Case, Result
from .timing import Sample

HOW_TO_READ = """\
**How to read the ratios.** *GB/s* is the bytes a step must move (the rule's table in
`conformance/bench/traffic.py`: Adam reads x, g, m, v and writes x, m, v, 7 elements) over
the median step time.  *copy GB/s* is a copy of the same working set (parameters, gradients,
state: half copied into the other half's size) measured in the same run, on the same device,
with the engine's own threads, in repeats alternating with the step's.  *ratio* = GB/s /
copy GB/s: 1.0 means the step streams its bytes as fast as a plain copy (the roofline); 0.5
means it takes twice the time its traffic needs (extra passes, temporaries, per-call
overhead).  Ratios above 1 are real and expected on CPUs: a step updates its arrays in
place, so every line it writes was just read, while the copy writes lines it never read, and
a write-allocate cache first reads each of them in: the copy moves more than the bytes it
is credited with (half as much again where every written line is read in first).  They also
happen where the working set fits in cache.  While the working set
fits in the last-level cache the roofline is a cache figure, not DRAM bandwidth; the plots
mark where it stops fitting.  *spread* is the interquartile range over the repeats relative
to the median; *best ratio* pairs the fastest step repeat with the fastest copy repeat
(other load on the machine only ever adds time).  *working set* is what the engine holds for
the step (parameters, gradients, state); *RSS growth* the process's resident memory after the
case minus before it; *peak RSS* the process's peak resident set during the case (reset before
it, but including what the same engine's earlier cases still keep in its allocator pools and
caches: each engine runs in a process of its own, replaced after a case that did not end
cleanly); *device MiB* the peak device memory where the device reports one."""


def _sample(sample: Sample | None) -> dict[str, Any] | None:
    if sample is None:
        return None
    q1, q3 = sample.quartiles()
    return {"median_s": sample.median, "q1_s": q1, "q3_s": q3, "min_s": min(sample.seconds),
            "max_s": max(sample.seconds), "spread": sample.spread, "calls": sample.calls,
            "repeats": len(sample.seconds), "overhead_per_call_s": sample.overhead,
            "seconds": list(sample.seconds)}


def result_record(r: Result) -> dict[str, Any]:
    return {**dataclasses.asdict(r.case), "status": r.status, "reason": r.reason,
            "step": _sample(r.step), "copy": _sample(r.copy),
            "bytes_per_element": r.bytes_per_element, "working_set_bytes": r.working_set,
            "gbps": r.gbps, "copy_gbps": r.copy_gbps, "ratio": r.ratio,
            "best_ratio": r.best_ratio,
            "device": r.device, "threads": r.threads, "warmup_s": r.warmup_seconds,
            "resident_held_bytes": r.resident_held, "peak_resident_bytes": r.peak_resident,
            "device_memory_bytes": r.device_memory}


def write_json(path: Path, meta: dict[str, Any], results: Iterable[Result]) -> None:
    doc = {**meta, "results": [result_record(r) for r in results]}
    path.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")


def _read_sample(record: dict[str, Any] | None) -> Sample | None:
    if record is None:
        return None
    return Sample(tuple(record["seconds"]), record["calls"], record["overhead_per_call_s"])


def result_from_record(r: dict[str, Any]) -> Result:
    """The inverse of :func:`result_record`."""
    fields = [f.name for f in dataclasses.fields(Case)]
    return Result(Case(**{k: r[k] for k in fields}), r["status"], r["reason"],
                  step=_read_sample(r["step"]), copy=_read_sample(r["copy"]),
                  bytes_per_element=r["bytes_per_element"],
                  working_set=r["working_set_bytes"], device=r["device"],
                  threads=r["threads"], warmup_seconds=r["warmup_s"],
                  resident_held=r["resident_held_bytes"],
                  peak_resident=r["peak_resident_bytes"],
                  device_memory=r["device_memory_bytes"])


def read_json(path: Path) -> tuple[dict[str, Any], list[Result]]:
    """A ``bench.json`` back as its metadata and results (to redraw the views)."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    return doc, [result_from_record(r) for r in doc.pop("results")]


# ------------------------------------------------------------------------------ Markdown


def _count(n: int) -> str:
    return f"{n:.0e}".replace("e+0", "e").replace("e+", "e") if n >= 10_000 else str(n)


def _seconds(s: float) -> str:
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if s >= scale:
            return f"{s / scale:.3g} {unit}"
    return f"{s * 1e9:.3g} ns"


def _mib(n: int | None) -> str:
    if n is None:
        return ""
    mib = n / 2**20
    return f"{mib:.3g}" if mib < 1000 else f"{mib:.0f}"


def _num(x: float | None, fmt: str = ".3g") -> str:
    return "" if x is None else format(x, fmt)


def _step_rows(results: list[Result]) -> list[str]:
    rows = ["| engine | path | params | leaves | step (median) | spread | GB/s | copy GB/s | "
            "ratio | best ratio | working set MiB | RSS growth MiB | peak RSS MiB | device MiB |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        if r.status != "ok" or r.step is None:
            continue
        c = r.case
        rows.append(f"| {c.adapter} | {c.path} | {_count(c.elements)} | {c.leaves} | "
                    f"{_seconds(r.step.median)} | {r.step.spread:.0%} | {_num(r.gbps)} | "
                    f"{_num(r.copy_gbps)} | {_num(r.ratio, '.2f')} | {_num(r.best_ratio, '.2f')} | "
                    f"{_mib(r.working_set)} | {_mib(r.resident_held)} | "
                    f"{_mib(r.peak_resident)} | {_mib(r.device_memory)} |")
    return rows


def _gradient_rows(results: list[Result]) -> list[str]:
    plain = {(r.case.adapter, r.case.elements): r.step.median for r in results
             if r.case.path == "plain" and r.step is not None}
    rows = ["| engine | via | params | time (median) | spread | × plain |",
            "|---|---|---|---|---|---|"]
    for r in results:
        if r.step is None:
            continue
        base = plain.get((r.case.adapter, r.case.elements))
        times = f"{r.step.median / base:.2f}" if base else ""
        rows.append(f"| {r.case.adapter} | {r.case.path} | {_count(r.case.elements)} | "
                    f"{_seconds(r.step.median)} | {r.step.spread:.0%} | {times} |")
    return rows


def _not_run(results: list[Result]) -> list[str]:
    """The first case of each engine, path and sweep that did not run, and why."""
    seen: dict[tuple[str, str, str], Result] = {}
    for r in results:
        if r.status != "ok":
            seen.setdefault((r.case.adapter, r.case.path, r.case.sweep), r)
    return [f"- {a} {p}, {sweep} sweep from {_count(r.case.elements)} parameters in "
            f"{r.case.leaves} leaves: {r.status} — "
            f"{r.reason.splitlines()[0][:200] if r.reason else ''}"
            for (a, p, sweep), r in sorted(seen.items())]


def markdown(meta: dict[str, Any], results: list[Result], plots: list[str]) -> str:
    m = meta["machine"]
    lines = [f"# optconf bench — {meta['label']}", "",
             f"`{meta['command']}` ({meta['mode']} run), {meta['finished']}.  "
             f"{m['cpu']}, {m['cores']} cores, last-level cache "
             f"{_mib(m['last_level_cache_bytes'])} MiB, memory {_mib(m['memory_bytes'])} MiB; "
             f"dtype {meta['config']['dtype']}.  1-minute load average "
             f"{_num(meta['load_average']['start'], '.2f')} at the start, "
             f"{_num(meta['load_average']['end'], '.2f')} at the end (other processes on the "
             "machine share the cores: compare ratios, which pair each step with a copy "
             "timed alongside it, more than absolute times).", "",
             *(["**Interrupted** (Ctrl-C): only the cases that ended before are listed.", ""]
               if meta.get("interrupted") else []),
             "| engine | version | device | threads | rule variants timed |",
             "|---|---|---|---|---|"]
    for name, info in meta["engines"].items():
        variants = ", ".join(f"{r}={v}" for r, v in info.get("variants", {}).items())
        lines.append(f"| {name} | {info.get('version', '')} | {info.get('device', '')} | "
                     f"{info.get('threads', '')} | {variants or 'normative'} |"
                     if "unavailable" not in info else
                     f"| {name} | unavailable: {info['unavailable']} | | | |")
    lines += ["", HOW_TO_READ, "", f"Timer: per-call harness overhead "
              f"{_seconds(meta['timer_overhead_per_call_s'])} (a no-op in the same timed loop), "
              "subtracted from every repeat; each repeat lasts at least "
              f"{_seconds(meta['config']['target'])} and there are "
              f"{meta['config']['repeats']} of them after {meta['config']['warmup']} warm-up "
              "steps (compilation, JIT capture, first touch).", ""]
    lines += [*(f"![{p}]({p})" for p in plots), ""]
    for rule in meta["config"]["rules"]:
        sized = [r for r in results if r.case.sweep == "size" and r.case.rule == rule]
        if sized:
            moved = next((r.bytes_per_element for r in sized if r.bytes_per_element), None)
            per = f"; {moved} bytes moved per parameter" if moved else ""
            lines += [f"## {rule}: step time and bandwidth vs size "
                      f"({meta['config']['size_leaves']} leaves{per})", "",
                      *_step_rows(sized), ""]
    leaves = [r for r in results if r.case.sweep == "leaves"]
    if leaves:
        lines += [f"## Per-leaf overhead: {leaves[0].case.rule}, "
                  f"{_count(meta['config']['leaves_total'])} parameters split into more leaves",
                  "", *_step_rows(leaves), ""]
    grads = [r for r in results if r.case.sweep == "gradient"]
    if grads:
        lines += ["## Differentiating through collection vs a plain gradient", "",
                  "The gradient of `sum(p * p)` over the arrays themselves (*plain*), over "
                  "the model's collected parameters (*trainables*) and through its flat "
                  "vector (*destructure*).", "", *_gradient_rows(grads), ""]
    missing = _not_run(results)
    if missing:
        lines += ["## Not measured", "", *missing, ""]
    return "\n".join(lines)
