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
from typing import Any

import numpy as np

from optconf.adapters import load
from optconf.adapters.protocol import Adapter, Program, Step
from optconf.reference.collect import trainables
from optconf.reference.rules.base import Rule

from . import tolerance
from .cases import natural_rule
from .catalog import rule_classes


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


def _natural(adapter: Adapter, name: str) -> Rule | None:
    """The rule as ``adapter`` runs it (its declared variant); None when it does not."""
    rule = natural_rule(adapter.info(), name)
    return rule if adapter.supports(rule) is None else None


def _rules(a: Adapter, b: Adapter, names: list[str] | None) -> list[tuple[Rule, Rule]]:
    """Per rule class both run: (a's rule, b's rule), each in its own declared variant, so
    a variant difference shows as a disagreement."""
    pairs = []
    for name in rule_classes():
        if names and name not in names:
            continue
        ra, rb = _natural(a, name), _natural(b, name)
        if ra is not None and rb is not None:
            pairs.append((ra, rb))
    return pairs


def compare(a: Adapter, b: Adapter, prog: Program, path: str,
            rule_b: Rule | None = None) -> list[Disagreement]:
    """Where ``a`` and ``b`` part by more than their two tolerance bounds; ``b`` runs
    ``rule_b`` (default: the program's rule) on the same model and gradients."""
    name = type(prog.rule).__name__
    outs: list[Any] = []
    for adapter, rule in ((a, prog.rule), (b, rule_b or prog.rule)):
        try:
            outs.append(adapter.run(dataclasses.replace(prog, rule=rule), path))
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
        found += _differs(name, path, prog.dtype, f"param {i}", pa, pb, p0, bounds)
    # state fields both engines expose, under the reference's names
    for i, (sa, sb) in enumerate(zip(outs[0].states, outs[1].states, strict=False)):
        for key in sorted(set(sa or {}) & set(sb or {})):
            a_val, b_val = sa[key], sb[key]
            if _numeric(a_val) and _numeric(b_val):
                found += _differs(name, path, prog.dtype, f"state {i}.{key}", a_val, b_val,
                                  np.zeros_like(np.asarray(a_val, np.float64)), bounds)
    return found


def _numeric(x: Any) -> bool:
    return np.asarray(x).dtype.kind in "fiu"


def _differs(rule: str, path: str, dtype: str, what: str, a: Any, b: Any, before: Any,
             bounds: list[tolerance.Bound]) -> list[Disagreement]:
    """``a`` vs ``b`` within the sum of both bounds; scales from the values and the change
    from ``before`` (TOL-3)."""
    a64, b64 = np.asarray(a, np.float64), np.asarray(b, np.float64)
    before64 = np.asarray(before, np.float64)
    if a64.shape != b64.shape:
        return [Disagreement(rule, path, dtype, what, None, None,
                             f"shapes {a64.shape} vs {b64.shape}")]
    scale = float(np.max(np.abs(np.stack([a64, b64, np.broadcast_to(before64, a64.shape)])),
                         initial=0.0))
    change = float(np.max(np.abs(a64 - before64), initial=0.0))
    allowed = sum(bd.allowed(scale, change) for bd in bounds)
    err = float(np.max(np.abs(a64 - b64), initial=0.0))
    return [] if err <= allowed else [Disagreement(rule, path, dtype, what, err, allowed)]


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
          f"{path}, rules {', '.join(type(r).__name__ for r, _ in rules) or 'none'}")
    found: list[Disagreement] = []
    for rule_a, rule_b in rules:
        for _ in range(args.examples):
            found += compare(a, b, program(rng, rule_a, args.steps, dtype), path, rule_b)
    for d in found:
        size = f"max |a-b| {d.error:.3g} > allowed {d.allowed:.3g}" if d.error is not None \
            else d.detail
        print(f"  {d.rule} [{d.path}, {d.dtype}] {d.what}: {size}")
    print(f"{len(found)} disagreements")
    return 1 if found else 0


