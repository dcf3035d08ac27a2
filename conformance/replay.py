"""``optconf replay``: run one case again, in this process, and print the whole failure
(CONF-4).  A case is named by a report and its key, or by adapter, property, rule, path
and seed."""

from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import Path

from optconf.adapters import load

from .profiles import PROFILES
from .properties.registry import Case
from .report.writers import read_json
from .worker import DEFAULT_REGISTRY, execute, registry


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


def _case_args(args: argparse.Namespace) -> tuple[str, str, Case, int, str]:
    """(adapter, property, case, seed, profile) from a report key or from the flags."""
    from .cli import UsageError

    if args.report is not None:
        if not args.key:
            raise UsageError("replay REPORT.json needs a CASE_KEY")
        report = read_json(args.report)
        found = [r for r in report.results if r.key == args.key]
        if not found:
            raise UsageError(f"no case {args.key!r} in {args.report}")
        r = found[0]
        return r.adapter, r.property, Case(r.rule, r.path), r.seed, report.profile
    if not (args.adapter and args.prop and args.seed is not None):
        raise UsageError("give REPORT.json CASE_KEY, or --adapter, --property and --seed")
    return args.adapter, args.prop, Case(args.rule, args.path), args.seed, args.profile or "ci"


def cmd_replay(args: argparse.Namespace) -> int:
    from .cli import UsageError

    label, pid, case, seed, profile_name = _case_args(args)
    props = registry(args.registry)
    if pid not in props:
        raise UsageError(f"no property {pid!r}; see `optconf spec` and the report")
    # the same seed draws the same examples; shrinking then finds the smallest failing one
    profile = dataclasses.replace(PROFILES[args.profile or profile_name], shrink=True)
    result = execute(load(label), label, props[pid], profile, seed, case, args.repro_dir)
    print(f"{label}::{pid}{case.key()} seed={seed} profile={profile.name}: {result['status']}")
    for field in ("clause", "observed", "allowed", "repro"):
        if result.get(field) is not None:
            print(f"{field}: {result[field]}")
    if result.get("message"):
        print(result["message"])
    if result.get("counterexample"):
        print("counterexample:")
        print(json.dumps(result["counterexample"], indent=1)[:20000])
    return 0 if result["status"] in ("pass", "unsupported") else 1
