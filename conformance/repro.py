"""Standalone reproduction scripts for failures (CONF-6).

Each failing case gets ``<out>/repro/<adapter>__<property>__<case>.py``.  The script embeds
the counterexample as literals, the parameters the float64 reference computed for it and
what the engine gave at failure time, then replays the program with the engine alone (the
adapter's ``repro_source`` hook) or, failing that, through optconf's adapter.  It prints
expected vs got and exits 1 while the engine still deviates.
"""

from __future__ import annotations

import base64
import dataclasses
import pickle
from pathlib import Path
from typing import Any

import numpy as np

from optconf.adapters.protocol import (
    DISTRIBUTED_PATHS,
    Adapter,
    Adjust,
    Checkpoint,
    Freeze,
    Op,
    PathName,
    Program,
    Step,
    Thaw,
    flat_list_grads,
)
from optconf.reference.collect import trainables

from .cases import CaseId
from .deviation import Deviation
from .report.jsonable import literal


def program_of(case: dict[str, Any]) -> Program | None:
    """The Program a counterexample describes, if it describes one."""
    if isinstance(case.get("program"), Program):
        return case["program"]
    if {"model", "rule", "ops"} <= case.keys():
        return Program(case["model"], case["rule"], tuple(case["ops"]),
                       case.get("dtype", "float64"))
    return None


def flat_op(model: Any, op: Op) -> dict[str, Any]:
    """One op in the flat terms of the repro script (see ``Adapter.repro_source``)."""
    if isinstance(op, Step):
        return {"op": "step", "grads": flat_list_grads(model, op.grads)}
    if isinstance(op, Adjust):
        return {"op": "adjust", "changes": dict(op.changes)}
    if isinstance(op, Checkpoint):
        return {"op": "checkpoint", "into": op.into}
    kind = "freeze" if isinstance(op, Freeze) else "thaw"
    assert isinstance(op, Freeze | Thaw)
    return {"op": kind, "keys": list(op.keys)}


def _params_after(adapter: Adapter, program: Program, path: PathName) -> list[np.ndarray] | None:
    try:
        params: list[np.ndarray] = trainables(adapter.run(program, path).model)
    except Exception:  # the script then says no result was recorded
        return None
    return params


def _reference_params(program: Program) -> list[np.ndarray] | None:
    try:
        from optconf.adapters.reference import ReferenceAdapter
    except ImportError:
        return None
    # the oracle is the float64 structured run, whatever dtype the engine ran at
    return _params_after(ReferenceAdapter(), dataclasses.replace(program, dtype="float64"),
                         "structured")


def _pickled(program: Program) -> str | None:
    try:
        return base64.b64encode(pickle.dumps(program)).decode()
    except Exception:  # classes defined inside functions cannot be pickled
        return None


def write_repro(repro_dir: Path, adapter: Adapter, case: CaseId, seed: int,
                dev: Deviation) -> Path:
    """Write the repro script of one failure and return its path."""
    repro_dir.mkdir(parents=True, exist_ok=True)
    target = repro_dir / f"{case.file_stem}.py"
    program = program_of(dev.case)
    path: PathName = case.path or dev.case.get("path") or "structured"
    fields: dict[str, str] = {"PROGRAM_PICKLE": "None", "EXPECTED": "None", "RECORDED": "None",
                              "PARAMS": "None", "OPS": "None", "RULE": "None"}
    hook = None
    if program is not None:
        try:
            fields |= _program_fields(adapter, program, path)
            # a distributed path's script starts its ranks through optconf's adapter (CONF-13)
            hook = None if path in DISTRIBUTED_PATHS else adapter.repro_source(program, path)
        except Exception:  # a deliberately malformed program (ERR-*, TREE-5) has no flat
            program = None  # form: the script shows the recorded counterexample only
    target.write_text(_render(case, seed, dev, path, fields, hook, program))
    return target


def _program_fields(adapter: Adapter, program: Program, path: PathName) -> dict[str, str]:
    """The script's literals for a program: parameters, flat ops, rule, the oracle's and
    the engine's results, and the pickled program."""
    rule = {"name": type(program.rule).__name__,
            **{f.name: getattr(program.rule, f.name) for f in dataclasses.fields(program.rule)}}
    return {
        "PARAMS": literal(trainables(program.model)),
        "OPS": literal([flat_op(program.model, op) for op in program.ops]),
        "RULE": literal(rule),
        "EXPECTED": literal(_reference_params(program)),
        "RECORDED": literal(_params_after(adapter, program, path)),
        "PROGRAM_PICKLE": repr(_pickled(program)),
    }


def _render(case: CaseId, seed: int, dev: Deviation, path: str, fields: dict[str, str],
            hook: str | None, program: Program | None) -> str:
    engine = _indent(hook) if hook else _FALLBACK
    dtype = program.dtype if program else "float64"
    return _TEMPLATE.format(
        label=case.adapter, test_id=case.test_id, clause=dev.clause,
        message=dev.message.replace('"""', "'''"), replay=case.replay_command(seed),
        seed=seed, path=path,
        dtype=dtype, allowed=repr(dev.allowed), counterexample=literal(dev.case),
        engine=engine, **fields,
    )


def _indent(source: str) -> str:
    return "\n".join("    " + line if line.strip() else "" for line in source.splitlines())


_FALLBACK = """\
    # This adapter has no repro_source hook, so the engine is driven through optconf's own
    # adapter (needs optconf installed).  The program is the exact counterexample, pickled.
    if PROGRAM_PICKLE is None:
        sys.exit("no engine-only replay for this case; use: " + REPLAY)
    import base64
    import pickle

    from optconf.adapters import load
    from optconf.reference import trainables

    program = pickle.loads(base64.b64decode(PROGRAM_PICKLE))
    GOT = trainables(load(ADAPTER).run(program, PATH).model)"""

_TEMPLATE = '''\
#!/usr/bin/env python
"""optconf repro: {label} {test_id} deviates from {clause}.

{message}

Case seed {seed}.  Inside optconf, replay with:
    {replay}
"""

import sys

import numpy as np

ADAPTER = {label!r}
CLAUSE = {clause!r}
PATH = {path!r}
DTYPE = {dtype!r}
REPLAY = {replay!r}
RULE = {RULE}
# parameters before the run, in reference trainables order (float64)
PARAMS = {PARAMS}
# the operations; gradients as one array (or None) per parameter
OPS = {OPS}
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = {EXPECTED}
# what the engine gave when the failure was found
RECORDED = {RECORDED}
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = {allowed}
PROGRAM_PICKLE = {PROGRAM_PICKLE}
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {counterexample}


def run_engine():
{engine}
    return GOT


def main():
    if EXPECTED is None:
        print("recorded deviation ({clause}); no replayable program in this case:")
        print(COUNTEREXAMPLE)
        return 1
    got = [np.asarray(g) for g in run_engine()]
    worst, wrong_kind = 0.0, False
    for i, (e, g) in enumerate(zip(EXPECTED, got, strict=True)):
        if g.dtype != np.dtype(DTYPE) or g.shape != e.shape:
            print(f"param {{i}}: {{g.dtype}} {{g.shape}}, but should be {{DTYPE}} {{e.shape}}")
            wrong_kind = True
            continue
        err = float(np.max(np.abs(g.astype(np.float64) - e), initial=0.0))
        print(f"param {{i}}: expected {{e.tolist()}}, got {{g.tolist()}}")
        worst = err if err != err else max(worst, err)
    bound = ALLOWED or 0.0
    print(f"max abs error {{worst!r}}, allowed {{bound!r}} ({clause})")
    return 0 if worst <= bound and not wrong_kind else 1


if __name__ == "__main__":
    sys.exit(main())
'''
