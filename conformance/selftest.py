"""``optconf selftest``: the suite checked against its own mutants (CONF-7).

The ci profile runs against the reference adapter and every shipped mutant (an adapter with
one realistic bug, ``optconf.adapters.mutants.MUTANTS``).  A mutant is *killed* when at
least one of its results fails, errs or crashes on a case the reference passes (its remaining
cases are then skipped); the suite is strong enough when the reference passes and at least
95% of the mutants are killed.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

from optconf.adapters import mutant_names

from .planning import Task
from .profiles import PROFILES, run_seed, seed_arg
from .properties.registry import SelectionError
from .report.model import FAILING, CaseResult, RunReport, merge
from .report.writers import write_all
from .runner import RunConfig, run

REQUIRED_KILL_RATE = 0.95
#: Results that catch a mutant.  A timeout does not: on a loaded machine it says nothing
#: about the bug.
KILLS = frozenset({"fail", "error", "crash"})


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("selftest", help="run the ci profile against every mutant")
    p.add_argument("--jobs", type=int, default=2, help="parallel worker processes")
    p.add_argument("--seed", type=seed_arg, metavar="N|random",
                   help="run seed, or 'random'.  Default: the ci profile's fixed seed")
    p.add_argument("--mutant", action="append", metavar="NAME", help="only these mutants")
    p.add_argument("--property", action="append", metavar="GLOB",
                   help="only these properties (a partial selftest)")
    p.add_argument("--out", type=Path, default=Path("out/selftest"),
                   help="directory for the run's views and selftest.md.  Default: %(default)s")
    p.set_defaults(func=cmd_selftest)


def _case(r: CaseResult) -> tuple[str, str | None, str | None]:
    return r.property, r.rule, r.path


def kills(report: RunReport) -> dict[str, list[str]]:
    """Mutant adapter -> the keys of the results that caught it.  A case the reference
    fails too catches nothing: it is a bug of the suite, not a detection."""
    broken = {_case(r) for r in report.results if r.adapter == "reference"
              and r.status in FAILING}
    found: dict[str, list[str]] = {a.name: [] for a in report.adapters
                                   if a.name.startswith("mutant:")}
    for r in report.results:
        if r.adapter in found and r.status in KILLS and _case(r) not in broken:
            found[r.adapter].append(f"{r.case.test_id} ({r.status})")
    return found


def summary(report: RunReport) -> tuple[float, list[str], list[str], str]:
    """(kill rate, survivors, reference failures, Markdown table)."""
    caught = kills(report)
    survivors = sorted(m for m, keys in caught.items() if not keys)
    reference = [r.case.key for r in report.results
                 if r.adapter == "reference" and r.status in FAILING]
    rate = (len(caught) - len(survivors)) / len(caught) if caught else 0.0
    lines = ["# optconf selftest", "", f"Kill rate {rate:.0%} ({len(caught) - len(survivors)}"
             f"/{len(caught)}); reference failures: {len(reference)}", "",
             "| mutant | killed by |", "|---|---|"]
    lines += [f"| {m} | {_killers(keys)} |" for m, keys in sorted(caught.items())]
    return rate, survivors, reference, "\n".join(lines) + "\n"


def _killers(keys: list[str]) -> str:
    if not keys:
        return "**survived**"
    return ", ".join(keys[:5]) + (f" and {len(keys) - 5} more" if len(keys) > 5 else "")


def aimed(task: Task) -> bool:
    """Whether ``task`` checks a clause its mutant breaks: those cases run first, so a
    mutant is usually caught, and its remaining cases skipped, early."""
    from optconf.adapters.mutants import MUTANTS  # imported only when a selftest runs

    breaks = getattr(MUTANTS.get(task.case.adapter.removeprefix("mutant:")), "clauses", ())
    return bool(set(task.clauses) & set(breaks))


def cmd_selftest(args: argparse.Namespace) -> int:
    mutants = args.mutant or mutant_names()
    if not mutants:
        print("selftest: no mutants found in optconf.adapters.mutants", file=sys.stderr)
        return 1
    unknown = sorted(set(mutants) - set(mutant_names()))
    if unknown:
        raise SelectionError(f"--mutant {', '.join(unknown)}: no such mutant; the mutants "
                             f"are {', '.join(mutant_names())}")
    seed = run_seed(PROFILES["ci"], args.seed)
    print(f"optconf selftest: seed {seed}, {len(mutants)} mutants", file=sys.stderr)
    base = RunConfig(["reference"], PROFILES["ci"], seed, jobs=args.jobs,
                     properties=args.property, out=args.out, argv=sys.argv[1:])
    whole = run(base)  # the reference in full: the cases it fails catch no mutant
    broken = {_case(r) for r in whole.results if r.status in FAILING}
    mutated = run(dataclasses.replace(
        base, adapters=[f"mutant:{m}" for m in mutants], stop_on=KILLS, first=aimed,
        keep=lambda t: (t.prop.id, t.case.rule, t.case.path) not in broken))
    report = merge([whole, mutated], sys.argv[1:])
    write_all(report, args.out)
    rate, survivors, reference, table = summary(report)
    (args.out / "selftest.md").write_text(table, encoding="utf-8")
    print(f"kill rate {rate:.1%} ({len(mutants) - len(survivors)}/{len(mutants)})")
    for m in survivors:
        print(f"  survived: {m}")
    for key in reference:
        print(f"  reference failed: {key}")
    ok = rate >= REQUIRED_KILL_RATE and not reference and not report.interrupted
    return 0 if ok else 1
