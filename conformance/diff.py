"""``optconf diff``: two engines on the same generated programs, compared with each other
directly (CONF-10).

Where the spec is silent (a rule's variant, an unclaimed path, float32 rounding), the
properties say nothing; ``diff`` still shows where two engines part ways.  Each engine is
allowed its tolerance-model bound against the exact result (conformance/tolerance.py), so
two conforming engines may differ by the sum of their bounds and no more.
"""

from __future__ import annotations

import argparse
import dataclasses
import random

import numpy as np

from optconf.adapters import load
from optconf.adapters.protocol import Adapter, Program, Step
from optconf.reference.collect import trainables
from optconf.reference.rules.base import Rule

from . import tolerance
from .runner import rule_classes


@dataclasses.dataclass
class Disagreement:
    rule: str
    path: str
    dtype: str
    what: str            # "param 1", "state 0.mu", or "outcome"
    error: float | None  # max abs difference (None: one engine raised)
    allowed: float | None
    detail: str = ""


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("diff", help="compare two engines directly on generated programs")
    p.add_argument("--adapter", action="append", required=True, metavar="NAME",
                   help="give exactly two")
    p.add_argument("--rule", action="append", metavar="NAME", help="only these rules")
    p.add_argument("--examples", type=int, default=5, help="programs per rule.  Default: 5")
    p.add_argument("--steps", type=int, default=4, help="steps per program.  Default: 4")
    p.add_argument("--seed", type=int, help="seed.  Default: random (printed)")
    p.set_defaults(func=cmd_diff)


def program(rng: np.random.Generator, rule: Rule, steps: int, dtype: str) -> Program:
    """A dict of one to three small float64 arrays and ``steps`` gradient steps."""
    shapes = [tuple(int(s) for s in rng.integers(1, 4, size=rng.integers(0, 3)))
              for _ in range(int(rng.integers(1, 4)))]
    model = {f"w{i}": rng.normal(size=shape) for i, shape in enumerate(shapes)}
    ops = tuple(Step({k: rng.normal(size=v.shape) for k, v in model.items()})
                for _ in range(steps))
    return Program(model, rule, ops, dtype)


def _common(a: Adapter, b: Adapter) -> tuple[str, str] | None:
    ia, ib = a.info(), b.info()
    dtypes = [d for d in ia.dtypes if d in ib.dtypes]
    paths = [p for p in ia.paths if p in ib.paths]
    if not dtypes or not paths:
        return None
    return dtypes[0], "structured" if "structured" in paths else paths[0]


def _rules(a: Adapter, b: Adapter, names: list[str] | None) -> list[Rule]:
    rules = []
    for cls in rule_classes():
        if names and cls.__name__ not in names:
            continue
        try:
            rule = cls()
        except TypeError:
            continue
        if a.supports(rule) is None and b.supports(rule) is None:
            rules.append(rule)
    return rules


def compare(a: Adapter, b: Adapter, prog: Program, path: str) -> list[Disagreement]:
    """Where ``a`` and ``b`` part by more than their two tolerance bounds."""
    name = type(prog.rule).__name__
    outs = []
    for adapter in (a, b):
        try:
            outs.append(adapter.run(prog, path))
        except Exception as exc:  # one engine raising where the other runs is a difference
            outs.append(exc)
    if any(isinstance(o, Exception) for o in outs):
        if all(isinstance(o, Exception) for o in outs):
            return []
        detail = " / ".join(f"{type(o).__name__}: {o}" if isinstance(o, Exception) else "ran"
                            for o in outs)
        return [Disagreement(name, path, prog.dtype, "outcome", None, None, detail)]
    steps = sum(isinstance(op, Step) for op in prog.ops)
    bounds = [tolerance.bound(x.info().engine, prog.dtype, prog.rule, path, steps)
              for x in (a, b)]
    found = []
    start = trainables(prog.model)
    pairs = zip(trainables(outs[0].model), trainables(outs[1].model), start, strict=True)
    for i, (pa, pb, p0) in enumerate(pairs):
        pa64, pb64 = np.asarray(pa, np.float64), np.asarray(pb, np.float64)
        scale = float(np.max(np.abs(np.concatenate([pa64.ravel(), pb64.ravel(), p0.ravel()])),
                             initial=0.0))
        change = float(np.max(np.abs(pa64 - p0), initial=0.0))
        allowed = sum(bd.allowed(scale, change) for bd in bounds)
        err = float(np.max(np.abs(pa64 - pb64), initial=0.0))
        if not err <= allowed:
            found.append(Disagreement(name, path, prog.dtype, f"param {i}", err, allowed))
    return found


def cmd_diff(args: argparse.Namespace) -> int:
    from .cli import UsageError

    if len(args.adapter) != 2:
        raise UsageError("diff needs exactly two --adapter")
    a, b = (load(n) for n in args.adapter)
    common = _common(a, b)
    if common is None:
        raise UsageError(f"{args.adapter[0]} and {args.adapter[1]} share no dtype and path")
    dtype, path = common
    seed = args.seed if args.seed is not None else random.randrange(2**31)
    rng = np.random.default_rng(seed)
    rules = _rules(a, b, args.rule)
    print(f"optconf diff {args.adapter[0]} vs {args.adapter[1]}: seed {seed}, {dtype}, "
          f"{path}, rules {', '.join(type(r).__name__ for r in rules) or 'none'}")
    found: list[Disagreement] = []
    for rule in rules:
        for _ in range(args.examples):
            found += compare(a, b, program(rng, rule, args.steps, dtype), path)
    for d in found:
        size = f"max |a-b| {d.error:.3g} > allowed {d.allowed:.3g}" if d.error is not None \
            else d.detail
        print(f"  {d.rule} [{d.path}, {d.dtype}] {d.what}: {size}")
    print(f"{len(found)} disagreements")
    return 1 if found else 0


