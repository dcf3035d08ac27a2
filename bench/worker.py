"""Each engine's benchmark cases in a process of its own (``optconf bench``).

An interrupted preparation leaves the engine's native work running (an XLA compile of
10,000 leaves goes on in its threads after the Python-level timeout), which would eat the
cores and memory every later case is timed with; and one engine's allocator pools would
count in the next engine's peak resident set.  So the cases of one engine run in one worker
process (``python -m optconf.bench.worker ENGINE``, ENGINE a bench engine's name), which is
stopped and replaced after a case that did not end cleanly, and killed when it gives no
answer within ``Config.max_case`` seconds.  The worker speaks the conformance runner's line
protocol: one JSON request ``{"case": ..., "config": ...}`` per line, one result record per
line.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys

from optconf.conformance.pool import Lost, Worker

from . import loader
from .record import config_from_json, result_from_json, result_json
from .sweep import Case, Config, Result, run_case
from .timing import Timer

#: Statuses after which the worker's process may hold running native work or a broken
#: engine (an interrupted compile, a failed kernel): the next case starts a fresh one.
_UNCLEAN = ("skipped", "error")
#: seconds a worker may take to import its engine
STARTUP_TIMEOUT = 300.0


class IsolatedCases:
    """Runs one bench engine's cases in a worker process: ``isolated(case) -> Result``; a
    context manager that stops the worker on leaving."""

    def __init__(self, engine: str, config: Config) -> None:
        self.config = config
        self.worker = Worker(engine, ["optconf.bench.worker", engine], STARTUP_TIMEOUT)

    def __call__(self, case: Case) -> Result:
        line = self.worker.ask(json.dumps({"case": dataclasses.asdict(case),
                                           "config": dataclasses.asdict(self.config)}),
                               self.config.max_case)
        if isinstance(line, Lost) and line.status == "timeout":
            return Result(case, "skipped", f"no result within {self.config.max_case:g} s; "
                          "the worker was stopped")
        if isinstance(line, Lost):
            return Result(case, "error", line.message)
        answer = json.loads(line)
        if answer["status"] in _UNCLEAN:
            self.worker.close()
        return result_from_json(answer)

    def close(self) -> None:
        self.worker.close()

    def __enter__(self) -> IsolatedCases:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def main(argv: list[str] | None = None) -> None:
    """``python -m optconf.bench.worker ENGINE``."""
    args = sys.argv[1:] if argv is None else argv
    proto = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # engine prints must not corrupt the protocol stream
    engine = loader.load(args[0])
    proto.write(json.dumps({"ready": True}) + "\n")
    proto.flush()
    timers: dict[tuple[float, int], Timer] = {}
    for line in sys.stdin:
        request = json.loads(line)
        case, config = Case(**request["case"]), config_from_json(request["config"])
        timer = timers.setdefault((config.target, config.repeats),
                                  Timer(config.target, config.repeats))
        proto.write(json.dumps(result_json(run_case(engine, case, timer, config))) + "\n")
        proto.flush()


if __name__ == "__main__":
    main()
