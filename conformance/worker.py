"""Running one case, in process or in an isolated worker process (CONF-3).

:func:`execute` runs a property's check on one case and says what happened, as the fields
of a :class:`~optconf.conformance.report.model.CaseResult`.  :func:`main` is the worker
process: it loads one adapter, then answers one JSON request per line on stdin with one
JSON result per line on a private copy of stdout (the engine's own prints go to stderr).
"""

from __future__ import annotations

import faulthandler
import importlib
import json
import math
import os
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from optconf.adapters import load as load_adapter
from optconf.adapters.protocol import Adapter, Unsupported

from .deviation import Deviation
from .profiles import Profile
from .properties.registry import Case, Property
from .report.jsonable import jsonable

DEFAULT_REGISTRY = "optconf.conformance.properties:PROPERTIES"
TRACEBACK_LINES = 12


def registry(spec: str = DEFAULT_REGISTRY) -> dict[str, Property]:
    """The properties named by ``module:attr`` (a dict id -> Property)."""
    module, _, attr = spec.partition(":")
    found: dict[str, Property] = getattr(importlib.import_module(module), attr)
    return found


def execute(adapter: Adapter, label: str, prop: Property, profile: Profile, seed: int,
            case: Case, repro_dir: Path | None = None) -> dict[str, Any]:
    """Run ``prop`` on ``case``: pass, fail (a Deviation), unsupported or error."""
    start = time.perf_counter()
    out: dict[str, Any] = {"status": "pass"}
    try:
        prop.check(adapter, profile, seed, case)
    except Exception as exc:
        dev, others = _deviation_in(exc)
        if dev is not None:
            out = _failure(dev, others)
            if repro_dir is not None:
                from .repro import write_repro  # only failures pay for the repro writer

                out["repro"] = str(write_repro(repro_dir, adapter, label, prop, case, seed,
                                               dev))
        elif isinstance(exc, Unsupported):
            out = {"status": "unsupported", "message": str(exc)}
        else:  # anything else the adapter, the engine or the property raised
            tail = traceback.format_exception(exc)[-TRACEBACK_LINES:]
            out = {"status": "error", "message": f"{type(exc).__name__}: {exc}\n" + "".join(tail)}
    out["duration"] = time.perf_counter() - start
    return out


def _deviation_in(exc: Exception) -> tuple[Deviation | None, int]:
    """The Deviation ``exc`` is or holds (Hypothesis groups distinct failures), and how
    many other failures came with it."""
    if isinstance(exc, Deviation):
        return exc, 0
    if isinstance(exc, ExceptionGroup):
        flat = _leaves(exc)
        devs = [e for e in flat if isinstance(e, Deviation)]
        if devs:
            return devs[0], len(flat) - 1
    return None, 0


def _leaves(group: BaseExceptionGroup[Any]) -> list[BaseException]:
    return [leaf for e in group.exceptions
            for leaf in (_leaves(e) if isinstance(e, BaseExceptionGroup) else [e])]


def _failure(dev: Deviation, others: int) -> dict[str, Any]:
    more = f"\n(and {others} other distinct failures of this case)" if others else ""
    return {"status": "fail", "message": dev.message + more, "clause": dev.clause,
            "observed": _number(dev.observed), "allowed": _number(dev.allowed),
            "counterexample": jsonable(dev.case)}


def _number(x: float | None) -> float | str | None:
    """An error size for JSON: a Python float (NumPy scalars included), or "nan" / "inf"
    (JSON has neither)."""
    if x is None:
        return None
    value = float(x)
    return value if math.isfinite(value) else str(value)


def main(argv: list[str] | None = None) -> None:
    """``python -m optconf.conformance.worker ADAPTER [REGISTRY]``."""
    args = sys.argv[1:] if argv is None else argv
    label, spec = args[0], args[1] if len(args) > 1 else DEFAULT_REGISTRY
    proto = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # engine prints must not corrupt the protocol stream
    faulthandler.enable()
    adapter, props = load_adapter(label), registry(spec)
    proto.write(json.dumps({"ready": True}) + "\n")
    proto.flush()
    for line in sys.stdin:
        req = json.loads(line)
        case = Case(rule=req["rule"], path=req["path"])
        repro = Path(req["repro_dir"]) if req.get("repro_dir") else None
        result = execute(adapter, label, props[req["property"]], Profile(**req["profile"]),
                         req["seed"], case, repro)
        proto.write(json.dumps(result) + "\n")
        proto.flush()


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(130)
