"""``optconf replay``: run one case again, in this process, and print the whole failure
(CONF-4).  A case is named by a report and its key, or by adapter, property, rule, path
and seed."""

from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import Path

from optconf.adapters import load
from optconf.adapters.protocol import Adapter

from .cases import DEFAULT_REGISTRY, CaseId
from .profiles import PROFILES
from .properties.registry import load_properties
from .report.environment import differences, environment
from .report.model import RunReport
from .report.writers import read_json
from .worker import execute


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("replay", help="re-run one case in-process and print the failure")
    p.add_argument("report", nargs="?", type=Path, help="a report.json holding the case")
    p.add_argument("key", nargs="?", help="the case key, e.g. 'torch::flat.x[Adam,structured]'")
    p.add_argument("--adapter")
    p.add_argument("--property", dest="prop")
    p.add_argument("--rule")
    p.add_argument("--path")
    p.add_argument("--seed", type=int)
    p.add_argument("--profile", choices=sorted(PROFILES), default=None)
    p.add_argument("--registry", default=DEFAULT_REGISTRY, metavar="MODULE:ATTR")
    p.add_argument("--repro-dir", type=Path, help="also write the repro script here")
    p.set_defaults(func=cmd_replay)


def _case_args(args: argparse.Namespace) -> tuple[CaseId, int, str, RunReport | None]:
    """(case, seed, profile, the report holding it) from a report key or from the flags."""
    from .cli import UsageError

    if args.report is not None:
        if not args.key:
            raise UsageError("replay REPORT.json needs a CASE_KEY")
        report = read_json(args.report)
        found = [r for r in report.results if r.case.key == args.key]
        if not found:
            raise UsageError(f"no case {args.key!r} in {args.report}")
        return found[0].case, found[0].seed, report.profile, report
    if not (args.adapter and args.prop and args.seed is not None):
        raise UsageError("give REPORT.json CASE_KEY, or --adapter, --property and --seed")
    case = CaseId(args.adapter, args.prop, args.rule, args.path)
    return case, args.seed, args.profile or "ci", None


def machine_differences(report: RunReport, label: str, adapter: Adapter) -> list[str]:
    """How this machine differs from the one that made ``report``, in what shapes draws
    and numbers: versions, BLAS, CPU, and the engine's version."""
    found = differences(report.environment, environment())
    entry = next((a for a in report.adapters if a.name == label), None)
    recorded = (entry.info or {}).get("version") if entry else None
    if recorded is not None and recorded != adapter.info().version:
        found.append(f"engine: {adapter.info().version!r} here, {recorded!r} in the report")
    return found


def cmd_replay(args: argparse.Namespace) -> int:
    from .cli import UsageError

    case, seed, profile_name, report = _case_args(args)
    props = load_properties(args.registry)
    if case.property not in props:
        raise UsageError(f"no property {case.property!r}; see `optconf spec` and the report")
    adapter = load(case.adapter)
    for difference in machine_differences(report, case.adapter, adapter) if report else []:
        print(f"note: this machine differs from the report's: {difference}; the same seed "
              "may draw other examples or round differently")
    # the same seed draws the same examples; shrinking then finds the smallest failing one
    profile = dataclasses.replace(PROFILES[args.profile or profile_name], shrink=True)
    answer = execute(adapter, props[case.property], case, profile, seed, args.repro_dir)
    print(f"{case.key} seed={seed} profile={profile.name}: {answer.status}")
    for field in ("clause", "observed", "allowed", "repro"):
        if getattr(answer, field) is not None:
            print(f"{field}: {getattr(answer, field)}")
    if answer.message:
        print(answer.message)
    if answer.counterexample:
        print("counterexample:")
        print(json.dumps(answer.counterexample, indent=1)[:20000])
    return 0 if answer.status in ("pass", "unsupported") else 1
