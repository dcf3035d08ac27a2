"""The benchmark's views: its JSON (:mod:`.record`, every repeat, for re-analysis) with
the limits and bench errors, the Markdown summary and the README's headline."""

from __future__ import annotations

from pathlib import Path

from . import bound, record
from .bound import Limits
from .record import RunMeta
from .sweep import Result

HOW_TO_READ = """\
**How to read the ratios.** *GB/s* is the bytes a step must move (the rule's table in
`bench/traffic.py`: Adam reads x, g, m, v and writes x, m, v, 7 elements) over
the median step time.  *ratio* is that over the *limit* of its device kind and dtype (the
header says which): the fastest of the bound kernels (copy, scale, add, triad, `a += b`,
`a = a*s + b`, in NumPy and, where installed, as one torch call, on 1 thread and on every
engine's thread count, each credited with its reads plus writes) and of every engine's own
copy, timed in the same run over the same working sets at least 4x the last-level cache
(STREAM's rule: just past the cache much of a set is still served from it), each at its
fastest repeat (the bound kernels run after the engines: load that came and went in between
shows as a low ratio or as a bench error, so compare runs on an idle machine).  1.0 means the
step streams its bytes as fast as anything measured on the machine; 0.5 means it takes twice
the time its traffic needs (extra passes, temporaries, per-call overhead).  While the working
set fits in the last-level cache a step can beat the limit (a cache figure, not memory
bandwidth; the plots mark where it stops fitting); from 4x the cache on a ratio above 1.05 is
a *bench error* (the traffic table credits bytes the step does not move, or the limit missed
a faster kernel), listed at the top.  *copy GB/s*
is the engine's own copy of the same working set (half copied into the other half's size),
in repeats alternating with the step's, with the engine's threads; *copy ratio* = GB/s / copy
GB/s.  A copy writes lines it never read, which a write-allocate cache first reads in, so
an in-place step can run at 1.5x or more of its engine's copy: the copy alone is no limit.
*spread* is the interquartile range over the repeats relative to the median.  *working set*
is what the engine holds for the step (parameters, gradients, state); *RSS growth* the
process's resident memory after the case minus before it; *peak RSS* the process's peak
resident set during the case (reset before it, but including what the same engine's earlier
cases still keep in its allocator pools and caches: each engine runs in a process of its
own, replaced after a case that did not end cleanly); *device MiB* the peak device memory
where the device reports one."""


def analyse(meta: RunMeta, results: list[Result]) -> tuple[Limits, list[str]]:
    """The limits of a run and its bench errors, from its bound kernels (a run from before
    they existed has only the engines' copies) and its results."""
    found = bound.limits(meta.bound, results, meta.cache)
    return found, bound.bench_errors(results, found, meta.cache)


def write_json(path: Path, meta: RunMeta, results: list[Result]) -> None:
    record.write(path, meta, results, *analyse(meta, results))


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


def _step_rows(results: list[Result], found: Limits) -> list[str]:
    rows = ["| engine | path | params | leaves | step (median) | spread | GB/s | ratio | "
            "copy GB/s | copy ratio | working set MiB | RSS growth MiB | peak RSS MiB | "
            "device MiB |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        if r.status != "ok" or r.step is None:
            continue
        c = r.case
        rows.append(f"| {c.adapter} | {c.label} | {_count(c.elements)} | {c.leaves} | "
                    f"{_seconds(r.step.median)} | {r.step.spread:.0%} | {_num(r.gbps)} | "
                    f"{_num(bound.ratio(r, found), '.2f')} | {_num(r.copy_gbps)} | "
                    f"{_num(r.copy_ratio, '.2f')} | {_mib(r.working_set)} | "
                    f"{_mib(r.resident_held)} | {_mib(r.peak_resident)} | "
                    f"{_mib(r.device_memory)} |")
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


def _rank_rows(results: list[Result]) -> list[str]:
    rows = ["| engine | path | rule | params | step (median) | each rank's step | "
            "collective bytes per step, each rank |", "|---|---|---|---|---|---|---|"]
    for r in results:
        assert r.ranks is not None and r.step is not None
        c = r.case
        rows.append(f"| {c.adapter} | {c.label} | {c.rule} | {_count(c.elements)} | "
                    f"{_seconds(r.step.median)} | "
                    f"{', '.join(_seconds(s) for s in r.ranks.step_seconds)} | "
                    f"{', '.join(_mib_bytes(b) for b in r.ranks.collective_bytes)} |")
    return rows


def _mib_bytes(n: int) -> str:
    return "0" if n == 0 else f"{_mib(n)} MiB"


def _not_run(results: list[Result]) -> list[str]:
    """The first case of each engine, path and sweep that did not run, and why."""
    seen: dict[tuple[str, str, str], Result] = {}
    for r in results:
        if r.status != "ok":
            seen.setdefault((r.case.adapter, r.case.label, r.case.sweep), r)
    return [f"- {a} {p}, {sweep} sweep from {_count(r.case.elements)} parameters in "
            f"{r.case.leaves} leaves: {r.status} — "
            f"{r.reason.splitlines()[0][:200] if r.reason else ''}"
            for (a, p, sweep), r in sorted(seen.items())]


def limit_lines(found: Limits, cache: int | None) -> list[str]:
    where = (f"at least {bound.CACHE_MULTIPLE}x the {_mib(cache)} MiB last-level cache"
             if cache else "beyond the cache")
    return [f"- **{x.device} {x.dtype}: {x.gbps:.3g} GB/s**, {x.source}, over "
            f"{_mib(x.working_set)} MiB ("
            f"{where if x.beyond_cache else 'no working set ran beyond the cache: the largest'}"
            ")" for x in found.values()]


def _series(results: list[Result]) -> list[tuple[str, str]]:
    return list(dict.fromkeys((r.case.adapter, r.case.label) for r in results
                              if r.case.sweep in ("size", "leaves")))


def _at_largest(results: list[Result], found: Limits, cache: int | None) -> str:
    """The ratio of the largest case run beyond the cache (else the largest, marked)."""
    ok = [r for r in results if r.status == "ok" and r.gbps is not None]
    if not ok:
        return "not measured"
    r = max(ok, key=lambda r: (bound.beyond(r.working_set, cache), r.case.elements))
    mark = "" if bound.beyond(r.working_set, cache) else ", in cache"
    return (f"{_num(bound.ratio(r, found), '.2f')} ({_num(r.gbps)} GB/s at "
            f"{_count(r.case.elements)}{mark})")


def _per_leaf(results: list[Result], leaves: int) -> str:
    """(step at the most leaves - step at the fewest) / the leaves added: at ``leaves``, or
    at the most leaves that ran where that case did not (named)."""
    ok = {r.case.leaves: r.step.median for r in results if r.status == "ok" and r.step}
    fewest, most = min(ok, default=0), max(ok, default=0)
    if most == fewest:
        return "not measured"
    where = "" if most == leaves else f" at {_count(most)} leaves; {_count(leaves)} did not run"
    return (f"{_seconds((ok[most] - ok[fewest]) / (most - fewest))} "
            f"({_seconds(ok[most])} a step{where})")


def headline(meta: RunMeta, results: list[Result], found: Limits) -> list[str]:
    """One line per engine and path: its ratio to the limit at the largest size run beyond
    the cache, per rule, and its per-leaf overhead at the leaf sweep's most leaves."""
    config, cache = meta.config, meta.cache
    rules = [rule for rule in config.rules
             if any(r.case.sweep == "size" and r.case.rule == rule for r in results)]
    most = max(config.leaf_counts)
    leaves = [r for r in results if r.case.sweep == "leaves"]
    head = ["engine", "path", *(f"{rule} ratio (GB/s at params)" for rule in rules),
            *([f"per-leaf overhead at {_count(most)} leaves"] if leaves else [])]
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for adapter, path in _series(results):
        mine = [r for r in results if (r.case.adapter, r.case.label) == (adapter, path)]
        cells = [_at_largest([r for r in mine if r.case.sweep == "size" and r.case.rule == rule],
                             found, cache) for rule in rules]
        if leaves:
            cells.append(_per_leaf([r for r in mine if r.case.sweep == "leaves"], most))
        rows.append(f"| {adapter} | {path} | " + " | ".join(cells) + " |")
    return rows


HEADLINE_START = "<!-- optconf bench headline: written by optconf bench --readme -->"
HEADLINE_END = "<!-- end of optconf bench headline -->"


def headline_span(text: str) -> tuple[int, int]:
    """Where the headline goes in ``text``: from its start marker to its end marker."""
    start, end = text.find(HEADLINE_START), text.find(HEADLINE_END)
    if start < 0 or end < start:
        raise ValueError(f"no {HEADLINE_START!r} ... {HEADLINE_END!r} lines to write the "
                         "headline between")
    return start, end


def splice_headline(text: str, meta: RunMeta, results: list[Result]) -> str:
    """``text`` with the limits and the headline table between its headline markers."""
    start, end = headline_span(text)
    found, _ = analyse(meta, results)
    block = [HEADLINE_START, "", f"{meta.label}, {meta.config.dtype}, {meta.finished}; "
             "limits:", "", *limit_lines(found, meta.cache), "",
             *headline(meta, results, found), "", ""]
    return text[:start] + "\n".join(block) + text[end:]


def _bound_rows(samples: list[bound.BoundSample], found: Limits) -> list[str]:
    kernels = list(dict.fromkeys(s.kernel for s in samples))
    best = {x.gbps for x in found.values()}
    rows = ["| working set MiB | library | threads | "
            + " | ".join(f"`{k}` GB/s" for k in kernels) + " |",
            "|---|---|---|" + "---|" * len(kernels)]
    cells: dict[tuple[int, str, int], dict[str, float]] = {}
    for s in samples:
        cells.setdefault((s.working_set, s.library, s.threads), {})[s.kernel] = s.gbps
    for (nbytes, library, threads), row in sorted(cells.items()):
        shown = [f"**{row[k]:.3g}**" if row.get(k) in best else _num(row.get(k))
                 for k in kernels]
        rows.append(f"| {_mib(nbytes)} | {library} | {threads} | " + " | ".join(shown) + " |")
    return rows


def markdown(meta: RunMeta, results: list[Result], plots: list[str]) -> str:
    m, config = meta.machine, meta.config
    found, errors = analyse(meta, results)
    samples = meta.bound
    lines = [f"# optconf bench — {meta.label}", "",
             f"`{meta.command}` ({meta.mode} run), {meta.finished}.  "
             f"{m.cpu}, {m.cores} cores, last-level cache "
             f"{_mib(m.last_level_cache_bytes)} MiB, memory {_mib(m.memory_bytes)} MiB; "
             f"dtype {config.dtype}.  1-minute load average "
             f"{_num(meta.load_start, '.2f')} at the start, "
             f"{_num(meta.load_end, '.2f')} at the end (other processes on the "
             "machine share the cores).", "",
             *(["**Interrupted** (Ctrl-C): only the cases that ended before are listed.", ""]
               if meta.interrupted else []),
             "The limit each ratio is to (the fastest kernel of the device kind and dtype; "
             f"{'bound kernels and ' if samples else 'no bound kernels in this run: '}"
             "the engines' own copies):", "", *limit_lines(found, m.last_level_cache_bytes),
             ""]
    if errors:
        lines += [f"**Bench errors**: {len(errors)} step(s) at {bound.CACHE_MULTIPLE}x the "
                  f"last-level cache or beyond faster than {bound.TOLERANCE} times the limit.",
                  "",
                  *(f"- {e}" for e in errors), ""]
    lines += ["## Headline", "", *headline(meta, results, found), "",
              "| engine | version | device | threads | rule variants timed |",
              "|---|---|---|---|---|"]
    for name, info in meta.engines.items():
        variants = ", ".join(f"{r}={v}" for r, v in info.variants.items())
        lines.append(f"| {name} | {info.version} | {info.device} | "
                     f"{'' if info.threads is None else info.threads} | "
                     f"{variants or 'normative'} |" if info.unavailable is None else
                     f"| {name} | unavailable: {info.unavailable} | | | |")
    lines += ["", HOW_TO_READ, "", f"Timer: per-call harness overhead "
              f"{_seconds(meta.timer_overhead)} (a no-op in the same timed loop), "
              "subtracted from every repeat; each repeat lasts at least "
              f"{_seconds(config.target)} and there are "
              f"{config.repeats} of them after {config.warmup} warm-up "
              "steps (compilation, JIT capture, first touch).", ""]
    lines += [*(f"![{p}]({p})" for p in plots), ""]
    if samples:
        lines += ["## The bound kernels", "", "Each credited with its reads plus writes "
                  "(copy, scale, `a += b`, `a = a*s + b`: over two arrays; add, triad: over "
                  "three), the fastest repeat; the limit in bold.", "",
                  *_bound_rows(samples, found), ""]
    for rule in config.rules:
        sized = [r for r in results if r.case.sweep == "size" and r.case.rule == rule]
        if sized:
            moved = next((r.bytes_per_element for r in sized if r.bytes_per_element), None)
            per = f"; {moved} bytes moved per parameter" if moved else ""
            lines += [f"## {rule}: step time and bandwidth vs size "
                      f"({config.size_leaves} leaves{per})", "",
                      *_step_rows(sized, found), ""]
    leaves = [r for r in results if r.case.sweep == "leaves"]
    if leaves:
        lines += [f"## Per-leaf overhead: {leaves[0].case.rule}, "
                  f"{_count(config.leaves_total)} parameters split into more leaves",
                  "", *_step_rows(leaves, found), ""]
    ranked = [r for r in results if r.ranks is not None and r.step is not None]
    if ranked:
        lines += ["## Distributed steps, rank by rank", "",
                  "*path×N* runs on N rank processes (torch: gloo on 127.0.0.1) or N host "
                  "devices (jax).  The step time above is the sweep's: one step dispatched "
                  "to every rank and waited for, like a GPU launch.  Here each rank's own "
                  "median step, and the bytes of the tensors it handed to collectives in "
                  "one step (what crosses the wire depends on the backend's algorithm).", "",
                  *_rank_rows(ranked), ""]
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
