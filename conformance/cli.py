"""``optconf``: run the conformance suite, list adapters, read the spec, replay, diff engines
and check the suite against its mutants (README, docs/ADAPTERS.md, CONF-3, CONF-12).

Exit codes: 0 every result conforms or deviates as declared; 1 unexpected deviations or
stale expectations; 2 usage or adapter errors; 130 interrupted (partial report written).
"""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path

from optconf.adapters import (
    AdapterUnavailable,
    UnknownAdapter,
    mutant_names,
    registered,
)
from optconf.bench import cli as bench

from . import diff, replay, selftest
from . import expectations as expect
from .cases import DEFAULT_REGISTRY
from .profiles import PROFILES, run_seed, seed_arg
from .properties.reach import frequency_lines
from .properties.registry import SelectionError
from .report.model import CaseResult, ExpectationUse, RunReport, merge
from .report.spec import clauses, spec_path
from .report.writers import read_json, write_all
from .runner import Progress, RunConfig, describe_adapters, run

USAGE, ADAPTER_ERROR = 2, 2


class UsageError(Exception):
    """Bad arguments or inputs: printed without a traceback, exit 2."""


def _shard(text: str) -> tuple[int, int]:
    try:
        i, n = (int(p) for p in text.split("/"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--shard {text!r}: expected i/n, e.g. 1/4") from None
    if not 1 <= i <= n:
        raise argparse.ArgumentTypeError(f"--shard {text!r}: need 1 <= i <= n")
    return i, n


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {value}")
    return value


# ----------------------------------------------------------------------------------- run


def _add_selection(p: argparse.ArgumentParser) -> None:
    p.add_argument("--adapter", action="append", metavar="NAME",
                   help="adapter to check: short name, module:attr or mutant:NAME; repeat for "
                        "several.  Default: every installed and available adapter")
    p.add_argument("--profile", choices=sorted(PROFILES), default="ci",
                   help="effort profile.  Default: %(default)s")
    p.add_argument("--seed", type=seed_arg, metavar="N|random",
                   help="run seed, or 'random' for a new one.  Default: the profile's fixed "
                        "seed (ci), a new one for dev and thorough; printed either way")
    p.add_argument("--property", action="append", metavar="GLOB",
                   help="only properties whose id matches GLOB (repeatable)")
    p.add_argument("--rule", action="append", metavar="NAME",
                   help="only these rule classes on the rule axis (repeatable)")
    p.add_argument("--registry", default=DEFAULT_REGISTRY, metavar="MODULE:ATTR",
                   help="property registry to run (a dict id -> Property).  Default: "
                        "%(default)s")


def _add_run(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("run", help="run the suite against adapters")
    _add_selection(p)
    p.add_argument("--out", type=Path, default=Path("out"),
                   help="directory for report.json, report.md, junit.xml, matrix.html and "
                        "repro/.  Default: %(default)s")
    p.add_argument("--expectations", action="append", type=Path, metavar="FILE",
                   help="expectations file (repeatable).  Default: the packaged "
                        "adapters/expectations/<adapter>.toml of each adapter")
    p.add_argument("--jobs", type=_positive, default=1, help="parallel worker processes")
    p.add_argument("--progress", choices=("auto", "lines", "none"), default="auto",
                   help="auto: one updating line on a terminal, nothing in CI or a pipe; "
                        "lines: a line per finished case (CI logs); none")
    p.add_argument("--shard", type=_shard, default=(1, 1), metavar="i/n",
                   help="run only shard i of n (merge the reports with `optconf merge`)")
    p.add_argument("--update-expectations", type=Path, metavar="FILE",
                   help="write the unexpected results as [[deviation]] entries to FILE")
    p.add_argument("--compile-cache", type=Path, metavar="DIR",
                   help="keep jax's and tinygrad's compilation caches in DIR, for later runs.  "
                        "Default: a temporary folder per run")
    p.set_defaults(func=cmd_run)


def _adapters(args: argparse.Namespace) -> list[str]:
    """The adapters to run: those named (one that cannot run here is an error, exit 2), or
    every registered one (the unavailable ones are skipped with a note).  Loading them is
    the workers' job: no engine code runs in this process."""
    return list(args.adapter) if args.adapter else sorted(registered())


def _expectations(args: argparse.Namespace, adapters: list[str]) -> list[ExpectationUse]:
    if args.expectations:
        return [e for f in args.expectations for e in expect.load(f)]
    found = []
    for name in adapters:
        path = expect.packaged(name)
        if path is not None:
            found += expect.load(path, adapter=name)
    return found


def _progress(mode: str, total_width: int = 80) -> Progress | None:
    """Where each finished case is shown: ``auto`` rewrites one line on a terminal and is
    silent in CI or a pipe; ``lines`` writes a whole line per case."""
    if mode == "auto" and (not sys.stderr.isatty()
                           or os.environ.get("CI", "").lower() in ("1", "true")):
        return None
    if mode == "none":
        return None

    def show(done: int, total: int, r: CaseResult) -> None:
        line = f"[{done}/{total}] {r.status:<11} {r.case.key}"
        if mode == "lines":
            sys.stderr.write(line + "\n")
        else:
            if len(line) > total_width:  # keep the case's end: property and case key
                line = line[:24] + "..." + line[-(total_width - 27):]
            sys.stderr.write("\r" + line.ljust(total_width) + ("\n" if done == total else ""))
        sys.stderr.flush()

    return show


def cmd_run(args: argparse.Namespace) -> int:
    adapters = _adapters(args)
    entries = _expectations(args, adapters)
    profile = PROFILES[args.profile]
    seed = run_seed(profile, args.seed)
    print(f"optconf run: seed {seed}, profile {args.profile}", file=sys.stderr)
    config = RunConfig(adapters=adapters, profile=profile, seed=seed,
                       jobs=args.jobs, shard=args.shard,
                       properties=args.property, rules=args.rule, registry=args.registry,
                       out=args.out, argv=sys.argv[1:], named=bool(args.adapter),
                       compile_cache=args.compile_cache)
    report = run(config, _progress(args.progress))
    expect.apply(report, entries)
    if args.update_expectations:
        args.update_expectations.write_text(expect.skeleton(report), encoding="utf-8")
    return _finish(report, args.out)


def _finish(report: RunReport, out: Path) -> int:
    paths = write_all(report, out)
    for a in report.adapters:
        if a.error:
            print(f"optconf: error: {a.reason}", file=sys.stderr)
        elif not a.available:
            print(f"note: skipped {a.reason}", file=sys.stderr)
        elif a.reason:  # it runs, through a deprecated protocol version's shim (CONF-2)
            print(f"note: {a.reason}", file=sys.stderr)
    counts = ", ".join(f"{v} {k}" for k, v in report.counts().items() if v)
    print(f"{len(report.results)} results: {counts or 'none'}")
    for a in report.adapters:
        if a.not_offered:
            print(f"  {a.name} does not offer {len(a.not_offered)} rule classes (no cases): "
                  + ", ".join(n.rule for n in a.not_offered))
    features = frequency_lines(report.results)
    if features:
        print("features drawn, per property (share of the draws each applies to):")
        print("\n".join(features))
    for r in report.unexpected():
        print(f"  {r.status.upper()} {r.case.key} {r.clause or ''}: "
              f"{(r.message.strip().splitlines() or [''])[0][:160]}")
    for e in report.stale():
        print(f"  STALE expectation {e.where}: {e.property} matched nothing")
    if report.shard != "1/1":
        print(f"shard {report.shard}: stale expectations are judged after `optconf merge`")
    if report.selection:
        kept = " ".join(f"--{key} {value}" for key, values in report.selection.items()
                        for value in values)
        print(f"selected cases ({kept}): stale expectations are judged only for entries "
              "whose every case was selected")
    if report.interrupted:
        print("interrupted: the report holds the results finished so far")
    print(f"report: {paths['markdown']} (source {paths['json']})")
    return report.exit_code()


# ------------------------------------------------------------------- report / merge / list


def _add_report(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("report", help="regenerate views (and a combined matrix) from JSON")
    p.add_argument("--in", dest="inputs", action="append", type=Path, required=True,
                   metavar="REPORT.json", help="a report.json (repeat to combine adapters)")
    p.add_argument("--out", type=Path, required=True, help="directory for the views")
    p.set_defaults(func=cmd_report)
    m = sub.add_parser("merge", help="merge shard (or per-adapter) reports into one")
    m.add_argument("inputs", nargs="+", type=Path, metavar="REPORT.json")
    m.add_argument("--out", type=Path, required=True, help="directory for the merged report")
    m.set_defaults(func=cmd_report)


def cmd_report(args: argparse.Namespace) -> int:
    for path in args.inputs:
        if not path.is_file():
            raise UsageError(f"no such report: {path}")
    return _finish(merge([read_json(p) for p in args.inputs], sys.argv[1:]), args.out)


def cmd_list(args: argparse.Namespace) -> int:
    """Each registered adapter's declarations, asked in a worker of its own (as ``run``
    does: an adapter that hangs or crashes costs its line only)."""
    names = args.adapter or sorted(registered())
    for name, hello in zip(names, describe_adapters(names, PROFILES["ci"].timeout, jobs=2),
                           strict=True):
        if isinstance(hello, str) or hello.info is None:
            print(f"{name}: unavailable -- {hello if isinstance(hello, str) else hello.message}")
            continue
        info = hello.info
        print(f"{name}: {info.engine} {info.version} on {info.device}")
        print(f"  protocol: {hello.protocol or '1 (declares no protocol_version; read as 1)'}"
              + (f" -- {hello.message}" if hello.message else ""))
        print(f"  dtypes: {', '.join(info.dtypes)}")
        print(f"  paths: {', '.join(info.paths)}")
        print(f"  capabilities: {', '.join(sorted(info.capabilities))}")
        for path, extra in info.path_capabilities.items():
            print(f"  on {path} also: {', '.join(sorted(extra))}")
        if info.variants:
            print("  variants: " + ", ".join(f"{k}={v}" for k, v in info.variants.items()))
        if hello.not_offered:
            print(f"  rules not offered: {', '.join(hello.not_offered)}")
    if not args.adapter:
        mutants = mutant_names()
        print(f"mutants: {', '.join('mutant:' + m for m in mutants) if mutants else 'none'}")
    return 0


# ------------------------------------------------------------------------------------ spec


def _add_spec(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("spec", help="show SPEC clauses and each engine's last results")
    p.add_argument("clause", nargs="?", help="a clause ID, e.g. ADAM-1 (default: list all)")
    p.add_argument("--report", action="append", type=Path, metavar="REPORT.json",
                   help="reports to read results from.  Default: out/report.json and "
                        "reports/**/report.json when present")
    p.set_defaults(func=cmd_spec)


def cmd_spec(args: argparse.Namespace) -> int:
    every = clauses()
    if not args.clause:
        for c in every.values():
            print(f"{c.id:<18} {c.sentence[:100]}")
        return 0
    clause = every.get(args.clause.upper())
    if clause is None:
        raise UsageError(f"no clause {args.clause!r} in {spec_path()}")
    print(f"{clause.id} ({clause.section}; {spec_path()}:{clause.line})\n")
    print(textwrap.fill(clause.text, 92))
    reports = args.report or sorted(Path("reports").glob("**/report.json")) + [
        p for p in [Path("out/report.json")] if p.is_file()]
    for path in reports:
        if not path.is_file():
            raise UsageError(f"no such report: {path}")
        _print_clause_results(read_json(path), clause.id, path)
    return 0


def _print_clause_results(report: RunReport, cid: str, path: Path) -> None:
    per: dict[str, Counter[str]] = defaultdict(Counter)
    for r in report.results:
        if cid in ([r.clause] if r.happened == "fail" and r.clause else r.clauses):
            per[r.adapter][r.status] += 1
    for adapter, counts in sorted(per.items()):
        summary = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
        print(f"  {adapter}: {summary}  [{path}, {report.finished}]")


# ------------------------------------------------------------------------------------ main


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="optconf", description="Conformance suite for parameter collection, optimiser "
        "state and updates.  Exit codes: 0 conforms (or only declared deviations), 1 "
        "unexpected deviations or stale expectations, 2 usage or adapter error.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_run(sub)
    p = sub.add_parser("list", help="adapters found, their engines and declarations")
    p.add_argument("--adapter", action="append", metavar="NAME",
                   help="only these: a registered name, module:attr or mutant:NAME "
                        "(default: every registered adapter)")
    p.set_defaults(func=cmd_list)
    _add_report(sub)
    _add_spec(sub)
    replay.add_parser(sub)
    diff.add_parser(sub)
    selftest.add_parser(sub)
    bench.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.func(args)
    except (UsageError, expect.ExpectationsError, UnknownAdapter, SelectionError) as exc:
        print(f"optconf {args.command}: error: {exc}", file=sys.stderr)
        return USAGE
    except AdapterUnavailable as exc:
        print(f"optconf {args.command}: error: {exc}", file=sys.stderr)
        return ADAPTER_ERROR
    return code


if __name__ == "__main__":
    sys.exit(main())
