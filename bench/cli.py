"""``optconf bench`` (also ``python -m optconf.bench``): run the sweeps over the
installed engines and write ``bench.json``, ``bench.md`` and the PNG plots to ``--out``."""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from optconf.adapters import AdapterUnavailable, UnknownAdapter

from . import bound, loader, machine, output, plots, record
from .protocol import BenchEngine
from .record import EngineEntry, RunMeta
from .sweep import QUICK, SWEEPS, Config, Result, check, run_engine
from .timing import Timer
from .worker import IsolatedCases


def _count(text: str) -> int:
    try:
        value = int(float(text))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a count: {text!r} (e.g. 1e6)") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {text}")
    return value


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--adapter", action="append", metavar="NAME",
                   help="engine to time (repeatable).  Default: every installed, available one")
    p.add_argument("--rule", action="append", metavar="NAME",
                   help="rule class to time (repeatable).  Default: Adam")
    p.add_argument("--sizes", nargs="+", type=_count, metavar="N",
                   help="parameter counts of the size sweep, e.g. 1e4 1e6 5e7")
    p.add_argument("--leaves", nargs="+", type=_count, metavar="K",
                   help="leaf counts of the per-leaf overhead sweep, e.g. 1 100 10000")
    p.add_argument("--ranks", nargs="+", type=_count, metavar="N",
                   help="rank counts of the distributed paths (zero, fsdp, sharded).  "
                   "Default: 1 2")
    p.add_argument("--sweep", action="append", choices=SWEEPS,
                   help="run only these sweeps (repeatable).  Default: all")
    p.add_argument("--dtype", default="float32", choices=("float32", "float64"))
    p.add_argument("--out", type=Path, default=Path("out/bench"),
                   help="directory for bench.json, bench.md and the plots.  Default: %(default)s")
    p.add_argument("--quick", action="store_true",
                   help="small sizes, few repeats: a smoke run in well under 2 minutes")
    p.add_argument("--label", help="machine label for the report.  Default: CPU, cores, cache")
    p.add_argument("--render", type=Path, metavar="BENCH.json",
                   help="run nothing: redraw bench.md and the plots from a bench.json")
    p.add_argument("--check", type=Path, metavar="BENCH.json",
                   help="run nothing: print a bench.json's limits and bench errors (steps "
                   "beyond the cache faster than the limit); exit 1 if there are any")
    p.add_argument("--readme", type=Path, metavar="README.md",
                   help="also write the headline table into this file, between the lines "
                   f"{output.HEADLINE_START!r} and {output.HEADLINE_END!r}")


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("bench", help="time optimiser steps per engine and path (GB/s, "
                       "ratio to a same-run memory limit), per-leaf overhead and gradients")
    add_arguments(p)
    p.set_defaults(func=cmd_bench)


def config_from(args: argparse.Namespace) -> Config:
    config = QUICK if args.quick else Config()
    changes: dict[str, Any] = {"dtype": args.dtype}
    if args.rule:
        changes["rules"] = tuple(args.rule)
    if args.sizes:
        changes["sizes"] = tuple(sorted(args.sizes))
    if args.leaves:
        changes["leaf_counts"] = tuple(sorted(args.leaves))
    if args.ranks:
        changes["worlds"] = tuple(sorted(set(args.ranks)))
    if args.sweep:
        changes["sweeps"] = tuple(args.sweep)
    return dataclasses.replace(config, **changes)


def _engines(names: list[str] | None) -> tuple[dict[str, BenchEngine], dict[str, str]]:
    """The bench engines to run and the reasons others cannot (named ones must load)."""
    if names:
        return {name: loader.load(name) for name in names}, {}
    found = loader.installed()
    return ({n: a for n, a in found.items() if isinstance(a, BenchEngine)},
            {n: str(a) for n, a in found.items() if not isinstance(a, BenchEngine)})


def _log(result: Result) -> None:
    c = result.case
    what = (f"{result.step.median * 1e3:9.3f} ms  copy ratio {result.copy_ratio:.2f}"
            if result.step is not None and result.copy_ratio is not None else
            f"{result.step.median * 1e3:9.3f} ms" if result.step is not None else
            f"{result.status}: {result.reason.splitlines()[0][:70] if result.reason else ''}")
    print(f"  {c.sweep:<8} {c.adapter:<9} {c.label:<11} {c.rule or '-':<7} "
          f"{c.elements:>9} x{c.leaves:<6} {what}", file=sys.stderr, flush=True)


def _engine_entry(engine: BenchEngine, results: list[Result], rules: tuple[str, ...]
                  ) -> EngineEntry:
    """What ran: version, device, threads and the variants of ``rules`` the engine timed
    (its declared ones, RULE-5)."""
    info = engine.info()
    ran = [r for r in results if r.status == "ok"]
    return EngineEntry(info.engine, info.version, ran[0].device or info.device if ran
                       else info.device, ran[0].threads if ran else None,
                       {r: info.variants[r] for r in rules if r in info.variants})


def _check(meta: RunMeta, results: list[Result]) -> int:
    """``--check``: the limits and bench errors of a bench.json."""
    found, errors = output.analyse(meta, results)
    print("\n".join(output.limit_lines(found, meta.cache)))
    print(f"{len(errors)} bench errors" + "".join(f"\n- {e}" for e in errors))
    return 1 if errors else 0


def _measure_bound(config: Config, results: list[Result], timer: Timer
                   ) -> list[bound.BoundSample]:
    """The bound kernels at 1 thread and at each CPU engine's thread count, over the
    sweep's working sets (after the engines, whose thread counts are known by then); none
    where no engine ran on the CPU (a GPU's limit is its engines' fastest copy)."""
    on_cpu = [r for r in results if r.status == "ok" and bound.device_kind(r.device) == bound.CPU]
    if not on_cpu:
        return []
    threads = {1} | {r.threads for r in on_cpu if r.threads}
    sets = bound.working_sets(config)
    print(f"optconf bench: bound kernels, {len(sets)} working sets, threads "
          f"{sorted(threads)}", file=sys.stderr, flush=True)
    return bound.measure(sets, config.dtype, threads, timer)


def cmd_bench(args: argparse.Namespace) -> int:
    given = args.check or args.render
    try:
        saved = record.read(given) if given else None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        print(f"optconf bench: error: {given}: {exc!r}", file=sys.stderr)
        return 2
    if args.check and saved:
        return _check(*saved)
    try:
        if args.readme:
            output.headline_span(args.readme.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        print(f"optconf bench: error: --readme {args.readme}: {exc}", file=sys.stderr)
        return 2
    if saved:
        return _write(args.out, *saved, readme=args.readme)
    config = config_from(args)
    try:
        check(config)
    except ValueError as exc:
        print(f"optconf bench: error: {exc}", file=sys.stderr)
        return 2
    engines, unavailable = _engines(args.adapter)
    described = machine.describe()
    timer = Timer(config.target, config.repeats)
    meta = RunMeta(
        command=shlex.join(["optconf", "bench", *getattr(args, "argv", sys.argv[2:])]),
        mode="quick" if args.quick else "full", started=_now(), machine=described,
        label=args.label or described.label(), config=config,
        timer_overhead=timer.overhead(1), load_start=machine.load_average(),
        engines={n: EngineEntry(unavailable=why) for n, why in unavailable.items()})
    results: list[Result] = []
    try:
        for name, engine in engines.items():
            print(f"optconf bench: {name}", file=sys.stderr, flush=True)
            mine: list[Result] = []
            try:
                with IsolatedCases(name, config) as isolated:
                    mine.extend(run_engine(name, engine, config, isolated, _log))
            finally:  # Ctrl-C keeps the engine's finished cases
                meta.engines[name] = _engine_entry(engine, mine, config.rules)
                results += mine
            args.out.mkdir(parents=True, exist_ok=True)  # a partial bench.json survives a kill
            output.write_json(args.out / "bench.json", meta, results)
        meta.bound = _measure_bound(config, results, timer)
    except KeyboardInterrupt:
        meta.interrupted = True
    meta.finished, meta.load_end = _now(), machine.load_average()
    code = _write(args.out, meta, results, readme=args.readme)
    return 130 if meta.interrupted else code


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


def _write(out: Path, meta: RunMeta, results: list[Result],
           readme: Path | None = None) -> int:
    """bench.json, bench.md and the plots; 1 if an engine failed a case or a step beat the
    limit (a bench error)."""
    out.mkdir(parents=True, exist_ok=True)
    output.write_json(out / "bench.json", meta, results)
    made = []
    found, bench_errors = output.analyse(meta, results)
    for rule in meta.config.rules:
        name = f"gbps_vs_size_{rule}.png"
        if plots.gbps_vs_size(results, rule, meta.cache, meta.label, out / name, found,
                              meta.bound):
            made.append(name)
    if plots.time_vs_leaves(results, meta.label, out / "time_vs_leaves.png"):
        made.append("time_vs_leaves.png")
    (out / "bench.md").write_text(output.markdown(meta, results, made), encoding="utf-8")
    if readme is not None:
        readme.write_text(output.splice_headline(readme.read_text(encoding="utf-8"), meta,
                                                 results), encoding="utf-8")
    ok = sum(r.status == "ok" for r in results)
    errors = [r for r in results if r.status == "error"]
    for e in bench_errors:
        print(f"optconf bench: bench error: {e}", file=sys.stderr)
    print(f"{ok} cases timed, {len(errors)} errors, {len(bench_errors)} bench errors; wrote "
          f"{out / 'bench.json'}, {out / 'bench.md'}, {', '.join(made) or 'no plots'}"
          f"{f', {readme}' if readme else ''}")
    return 1 if errors or bench_errors else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="optconf bench", description=__doc__)
    add_arguments(parser)
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)
    try:
        return cmd_bench(args)
    except (UnknownAdapter, AdapterUnavailable) as exc:
        print(f"optconf bench: error: {exc}", file=sys.stderr)
        return 2
