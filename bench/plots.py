"""The benchmark's plots (matplotlib, PNG): GB/s vs size per engine path with the limit,
the bound kernels, the engine's copy and the last-level cache marked, and step time vs leaf
count."""

from __future__ import annotations

import statistics
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from optconf.conformance.catalog import default_rule

from . import bound
from .sweep import Result
from .traffic import arrays_held


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _grid(plt: Any, engines: list[str]) -> tuple[Any, list[Any]]:
    cols = min(2, len(engines))
    rows = -(-len(engines) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(6.4 * cols, 4.2 * rows), squeeze=False,
                             sharex=True)
    flat = list(axes.ravel())
    for ax in flat[len(engines):]:
        ax.set_visible(False)
    return fig, flat


def _ok(results: list[Result]) -> list[Result]:
    return [r for r in results if r.status == "ok" and r.step is not None]


def _bound_curve(samples: list[bound.BoundSample], rule: str, sizes: list[int],
                 itemsize: int) -> tuple[list[int], list[float]]:
    """The fastest bound kernel over each size's working set, against the size."""
    held = arrays_held(default_rule(rule))
    fastest: dict[int, float] = {}
    for s in samples:
        fastest[s.working_set] = max(fastest.get(s.working_set, 0.0), s.gbps)
    xs = [n for n in sizes if held * n * itemsize in fastest]
    return xs, [fastest[held * n * itemsize] for n in xs]


def gbps_vs_size(results: list[Result], rule: str, cache: int | None, title: str, out: Path,
                 found: dict[tuple[str, str], bound.Limit],
                 samples: list[bound.BoundSample]) -> bool:
    """One panel per engine: a line per path, the limit (solid grey), the fastest bound
    kernel over each size's working set (dash-dot), the engine's own copy (dashed), and a
    dotted vertical where the working set outgrows the last-level cache."""
    ok = [r for r in _ok(results) if r.case.sweep == "size" and r.case.rule == rule]
    if not ok:
        return False
    plt = _pyplot()
    engines = sorted({r.case.adapter for r in ok})
    fig, axes = _grid(plt, engines)
    for ax, engine in zip(axes, engines, strict=False):
        mine = [r for r in ok if r.case.adapter == engine]
        for path in dict.fromkeys(r.case.label for r in mine):
            pts = sorted((r.case.elements, r.gbps) for r in mine if r.case.label == path)
            ax.plot(*zip(*pts, strict=True), marker="o", ms=3, label=path)
        limit = found.get((bound.device_kind(mine[0].device), mine[0].case.dtype))
        if limit is not None:
            ax.axhline(limit.gbps, color="grey", lw=2, alpha=0.6,
                       label=f"limit: {limit.source}")
        if bound.device_kind(mine[0].device) == bound.CPU:
            itemsize = np.dtype(mine[0].case.dtype).itemsize
            xs, ys = _bound_curve(samples, rule, sorted({r.case.elements for r in mine}),
                                  itemsize)
            if xs:
                ax.plot(xs, ys, "k-.", lw=1, label="fastest bound kernel, same working set")
        copies: dict[int, list[float]] = defaultdict(list)
        for r in mine:
            if r.copy_gbps:
                copies[r.case.elements].append(r.copy_gbps)
        xs = sorted(copies)
        ax.plot(xs, [statistics.median(copies[x]) for x in xs], "k--", lw=1,
                label=f"{engine} copy, same working set")
        if cache:
            per_element = statistics.median(r.working_set / r.case.elements for r in mine
                                            if r.working_set)
            ax.axvline(cache / per_element, color="grey", ls=":", lw=1,
                       label="working set = last-level cache")
        ax.set(xscale="log", yscale="log", title=f"{engine} ({mine[0].device})",
               xlabel="parameters", ylabel="GB/s (rule's bytes / median step)")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    fig.suptitle(f"{rule} step bandwidth vs size — {title}", fontsize=10)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return True


def time_vs_leaves(results: list[Result], title: str, out: Path) -> bool:
    """One panel per engine: median step time against leaf count at a fixed total."""
    ok = [r for r in _ok(results) if r.case.sweep == "leaves"]
    if not ok:
        return False
    plt = _pyplot()
    engines = sorted({r.case.adapter for r in ok})
    fig, axes = _grid(plt, engines)
    for ax, engine in zip(axes, engines, strict=False):
        mine = [r for r in ok if r.case.adapter == engine]
        for path in dict.fromkeys(r.case.label for r in mine):
            pts = sorted((r.case.leaves, r.step.median * 1e3) for r in mine  # type: ignore[union-attr]
                         if r.case.label == path)
            ax.plot(*zip(*pts, strict=True), marker="o", ms=3, label=path)
        ax.set(xscale="log", yscale="log", title=f"{engine} ({mine[0].device})",
               xlabel="leaves (same total parameters)", ylabel="step time, ms (median)")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    fig.suptitle(f"{ok[0].case.rule}, {ok[0].case.elements:.0e} parameters: per-leaf "
                 f"overhead — {title}", fontsize=10)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return True
