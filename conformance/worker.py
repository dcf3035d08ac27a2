"""Running one case, in process or in an isolated worker process (CONF-3).

:func:`execute` runs a property's check on one case and says what happened, as a
:class:`~.messages.CaseAnswer`.  :func:`main` is the worker process: it loads its adapter
once and asks its declarations (:func:`describe`, where a raising adapter is caught and a
hanging or crashing one costs only this process), says so in its first line, then answers
one request per line on stdin with one line on a private copy of stdout (the engine's own
prints go to stderr), preceded by a RanksStarting and a RanksStarted line whenever the case
starts rank processes, whose start-up the runner does not count in the case's timeout.
"""

from __future__ import annotations

import contextlib
import dataclasses
import faulthandler
import functools
import math
import os
import re
import sys
import time
import traceback
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from optconf.adapters import AdapterUnavailable, UnknownAdapter, ranks
from optconf.adapters import load as load_adapter
from optconf.adapters.protocol import Adapter, NotOfferedReason, Unsupported
from optconf.adapters.ranks import RankFailure

from .cases import DEFAULT_REGISTRY, CaseId, natural_rule
from .catalog import rule_classes
from .deviation import Deviation
from .messages import (
    CaseAnswer,
    CaseRequest,
    Failure,
    Hello,
    RanksStarted,
    RanksStarting,
    Record,
    decode,
    encode,
)
from .profiles import Profile
from .properties.common import shrinking_within
from .properties.registry import Property, load_properties
from .report.jsonable import jsonable
from .strategies import tally

#: The innermost frames of an error's traceback its message keeps (CONF-3).
TRACEBACK_FRAMES = 6

#: Engine settings a worker makes before it loads its adapter, where its environment has
#: none: tinygrad compiles each kernel in the worker (``PARALLEL=0``) instead of in a pool
#: of spawned processes, one pool per worker, which oversubscribes the cores the runner's
#: ``--jobs`` already fill and re-imports tinygrad in a new process every 16 kernels.  The
#: kernels compiled and run are the same.
ENGINE_DEFAULTS = {"PARALLEL": "0"}


def describe(label: str) -> tuple[Hello, Adapter | None]:
    """Load the adapter ``label`` and ask its declarations and which rule classes it runs
    in their natural form (RULE-5); or why it cannot load.  Any exception the adapter
    raises is caught here and named."""
    try:
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always", DeprecationWarning)  # an older protocol's
            adapter = load_adapter(label)
        info = adapter.info()
        supports = {name: adapter.supports(natural_rule(info, name)) for name in rule_classes()}
        lacking = tuple(name for name, why in supports.items()
                        if isinstance(why, NotOfferedReason))
    except UnknownAdapter as exc:
        return Hello(None, {}, "unknown", str(exc)), None
    except AdapterUnavailable as exc:
        return Hello(None, {}, "unavailable", str(exc)), None
    except Exception as exc:
        return Hello(None, {}, "error", f"{label}: raised while loading or declaring "
                     f"itself: {_error_text(exc)}"), None
    notes = "; ".join(f"{label}: {w.message}" for w in seen
                      if issubclass(w.category, DeprecationWarning))
    return Hello(info, supports, message=notes,
                 protocol=type(adapter).protocol_version,
                 not_offered=lacking), adapter


def execute(adapter: Adapter, prop: Property, case: CaseId, profile: Profile, seed: int,
            repro_dir: Path | None = None) -> CaseAnswer:
    """Run ``prop`` on ``case``: pass, fail (a Deviation), unsupported or error; crash or
    timeout naming the rank when a rank of a distributed path died or hung."""
    start = time.perf_counter()
    fields: dict[str, Any] = {"status": "pass"}
    try:
        with tally() as drawn, shrinking_within(profile):
            prop.check(adapter, profile, seed, case)
    except Exception as exc:
        failures = _distinct(exc)
        first, *others = [_failure(e) for e in failures]
        if isinstance(failures[0], Deviation) and repro_dir is not None:
            repro = _repro(repro_dir, adapter, case, seed, failures[0])
            first = dataclasses.replace(first, repro=repro)
        fields = dataclasses.asdict(first) | {"others": tuple(others)}
    return CaseAnswer(duration=time.perf_counter() - start, drawn=drawn.to_json(), **fields)


def _distinct(exc: Exception) -> list[BaseException]:
    """The distinct failures ``exc`` is or holds (Hypothesis groups those it found while
    shrinking), Deviations first, then errors, then Unsupported."""
    found = _leaves(exc) if isinstance(exc, BaseExceptionGroup) else [exc]
    return sorted(found, key=lambda e: (not isinstance(e, Deviation), isinstance(e, Unsupported)))


def _failure(exc: BaseException) -> Failure:
    """One failure as the report shows it."""
    if isinstance(exc, Deviation):
        return _deviation(exc)
    if isinstance(exc, Unsupported):
        return Failure("unsupported", message=str(exc))
    if isinstance(exc, RankFailure):  # one rank of a distributed path (CONF-13)
        return Failure(exc.kind, message=str(exc))
    # anything else the adapter, the engine or the property raised
    return Failure("error", message=_error_text(exc))


def _repro(repro_dir: Path, adapter: Adapter, case: CaseId, seed: int, dev: Deviation) -> str:
    from .repro import write_repro  # only failures pay for the repro writer

    return str(write_repro(repro_dir, adapter, case, seed, dev))


def _error_text(exc: BaseException) -> str:
    """``Type: message``, the innermost frames of the traceback, the exception it was
    raised from, and its notes (Hypothesis adds the falsifying example as one, which must
    not push the frames out)."""
    frames = traceback.extract_tb(exc.__traceback__)[-TRACEBACK_FRAMES:]
    cause = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
    origin = f"raised from {type(cause).__name__}: {cause}\n" if cause is not None else ""
    notes = "".join(f"{note}\n" for note in getattr(exc, "__notes__", ()))
    text = (f"{type(exc).__name__}: {exc}\nTraceback (most recent call last, the innermost "
            f"frames):\n" + "".join(traceback.format_list(frames)) + origin + notes)
    return without_machine_paths(text)


#: The folder holding optconf's packages (a checkout or site-packages/optconf).
_SOURCE_ROOT = str(Path(__file__).resolve().parents[1]) + os.sep


def without_machine_paths(text: str) -> str:
    """``text`` with file names relative to optconf's source root or to site-packages, so a
    committed report does not carry the paths of the machine that made it."""
    text = text.replace(_SOURCE_ROOT, "")
    return re.sub(r"[^\s\"']*?[/\\]site-packages[/\\]", "site-packages/", text)


def _leaves(group: BaseExceptionGroup[Any]) -> list[BaseException]:
    return [leaf for e in group.exceptions
            for leaf in (_leaves(e) if isinstance(e, BaseExceptionGroup) else [e])]


def _deviation(dev: Deviation) -> Failure:
    """A Deviation as a failure: the counterexample once, as data (the live program it may
    hold is for the repro writer only)."""
    data = {k: v for k, v in dev.case.items() if k != "program"}
    return Failure("fail", message=dev.message, clause=dev.clause, observed=_number(dev.observed),
                   allowed=_number(dev.allowed), counterexample=jsonable(data))


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
    for name, value in ENGINE_DEFAULTS.items():
        os.environ.setdefault(name, value)
    props = load_properties(spec)
    hello, adapter = describe(label)
    _send(proto, hello)
    if adapter is None:
        return
    started: list[float] = []  # the current case's rank start-ups, in seconds
    ranks.starting = functools.partial(_announced, proto, started)
    for line in sys.stdin:
        request = decode(line, CaseRequest)
        repro = Path(request.repro_dir) if request.repro_dir else None
        started.clear()
        answer = execute(adapter, props[request.case.property], request.case, request.profile,
                         request.seed, repro)
        startup = sum(started)
        _send(proto, dataclasses.replace(answer, startup=startup,
                                         duration=max(0.0, answer.duration - startup)))


#: Seconds the runner waits beyond a rank start's own limit, for the ranks to be stopped.
STOP_GRACE = 30.0


@contextlib.contextmanager
def _announced(proto: IO[str], started: list[float], allowance: float) -> Iterator[None]:
    """Tell the runner that ranks start, and when they did: their start-up is not the
    case's time (CONF-13); ``started`` gets its seconds."""
    _send(proto, RanksStarting(allowance + STOP_GRACE))
    begun = time.perf_counter()
    try:
        yield
    finally:
        started.append(time.perf_counter() - begun)
        _send(proto, RanksStarted(started[-1]))


def _send(proto: IO[str], record: Record) -> None:
    proto.write(encode(record) + "\n")
    proto.flush()


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(130)
