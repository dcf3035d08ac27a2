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
    except Deviation as dev:
        out = {"status": "fail", "message": dev.message, "clause": dev.clause,
               "observed": _finite_or_none(dev.observed), "allowed": dev.allowed,
               "counterexample": jsonable(dev.case)}
        if repro_dir is not None:
            from .repro import write_repro  # only failures pay for the repro writer

            out["repro"] = str(write_repro(repro_dir, adapter, label, prop, case, seed, dev))
    except Unsupported as exc:
        out = {"status": "unsupported", "message": str(exc)}
    except Exception as exc:  # anything else the adapter or engine raised
        tail = traceback.format_exception(exc)[-TRACEBACK_LINES:]
        out = {"status": "error", "message": f"{type(exc).__name__}: {exc}\n" + "".join(tail)}
    out["duration"] = time.perf_counter() - start
    return out


def _finite_or_none(x: float | None) -> float | str | None:
    """JSON has no NaN: a NaN error size is recorded as the string "nan"."""
    if x is None or (x == x and abs(x) != float("inf")):
        return x
    return str(x)


def main(argv: list[str] | None = None) -> None:
    """``python -m optconf.conformance.worker ADAPTER [REGISTRY]``."""
    args = sys.argv[1:] if argv is None else argv
    label, spec = args[0], args[1] if len(args) > 1 else DEFAULT_REGISTRY
    proto = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # engine prints must not corrupt the protocol stream
    faulthandler.enable()
    adapter, props = load_adapter(label), registry(spec)
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
