"""The deprecated surface: every legacy call warns DeprecationWarning at the caller's line,
naming its replacement, the numbers are the new API's bit for bit, and with the warning made
an error the call stops before acting, which the adapter shows by reporting the caller's
objects after the raise (protocol ``Stopped``) (DEP-1 .. DEP-5).  One property per clause,
so that one clause's failure (a wrong category, say) hides no other's verdict."""

from __future__ import annotations

import dataclasses
import inspect
import re
import warnings
from collections import Counter
from collections.abc import Callable, Mapping

import numpy as np
from hypothesis import strategies as st

from optconf.adapters.protocol import (
    Adapter,
    Outcome,
    Program,
    Step,
    Stopped,
    Unsupported,
    WarningRecord,
    flat_list_grads,
)

from .. import catalog
from ..asserts import Context, fail
from ..profiles import Profile
from ..strategies import programs
from .common import (
    Clauses,
    assert_outcome,
    bound_for,
    context,
    drawing,
    dtypes,
    expected,
    explore,
    faithful_rules,
    run_and_compare,
)
from .registry import CaseId, prop

RULES = ("Descent", "Momentum", "Adam")
#: DEP-3: "<old call> is deprecated; use <new call>"
MESSAGE = re.compile(r".+ is deprecated; use .+")


def _programs(adapter: Adapter, profile: Profile) -> st.SearchStrategy[Program]:
    rules = faithful_rules(adapter, RULES, "legacy")[1]
    return st.tuples(dtypes(adapter), rules).flatmap(lambda dr: programs(
        dr[1], dtype=dr[0], steps=profile.steps, freeze=False, adjust=False,
        **drawing(adapter, "legacy")))


def _adapter_files(adapter: Adapter) -> set[str]:
    """Source files of the adapter's classes: where its legacy calls are written."""
    files = set()
    for cls in type(adapter).__mro__:
        try:
            files.add(inspect.getsourcefile(cls) or "")
        except TypeError:  # builtins
            continue
    return files - {inspect.getsourcefile(Adapter) or ""}


#: The categories Python gives deprecations (the warnings module's docs): DEP-2 and DEP-3
#: judge every warning of these, so a wrong category (DEP-1) hides no other clause's verdict.
DEPRECATIONS = ("DeprecationWarning", "PendingDeprecationWarning", "FutureWarning")


def _each_legacy_run(adapter: Adapter, profile: Profile, seed: int,
                     check: Callable[[Program, Outcome, Context], None]) -> None:
    """``check`` on drawn programs run through the legacy path, with their outcomes."""

    def test(program: Program) -> None:
        check(program, adapter.run(program, "legacy"), context(adapter, program, "legacy"))

    explore(_programs(adapter, profile), test, profile, seed)


def legacy_calls(program: Program) -> int:
    """The steps that call the legacy API: those with some gradient.  A step with none is
    not taken (UPD-5), so a user makes no call and nothing warns."""
    return sum(isinstance(op, Step) and any(
        g is not None for g in flat_list_grads(program.model, op.grads)) for op in program.ops)


def _deprecations(program: Program, outcome: Outcome, clause: str, ctx: Context
                  ) -> list[WarningRecord]:
    """The warnings of a deprecation category the run raised; a Deviation of ``clause``
    when there is none although some step called the legacy API."""
    seen = [w for w in outcome.warnings if w.category in DEPRECATIONS]
    if not seen and legacy_calls(program):
        fail(f"warnings={[w.category for w in outcome.warnings]}, but the legacy path "
             f"should warn with one of {', '.join(DEPRECATIONS)}", clause=clause, ctx=ctx)
    return seen


def names_the_replacement(message: str, replacements: Mapping[str, tuple[str, ...]]) -> bool:
    """Whether ``message`` says what is deprecated and names its replacement (DEP-3): in
    the engine's own words, naming one of the adapter's declared deprecated calls and one
    of that call's replacements; without declarations, in optconf's own form."""
    if not replacements:
        return MESSAGE.fullmatch(message) is not None
    return "deprecat" in message.lower() and any(
        old in message and any(new in message for new in news)
        for old, news in replacements.items())


@prop("DEP-1", requires=("legacy",))
def check_warns_every_call(adapter: Adapter, profile: Profile, seed: int,
                           case: CaseId) -> None:
    """The call that makes a legacy step warns with DeprecationWarning at every step that
    makes it (one with some gradient, UPD-5), not only the first time (DEP-1)."""

    def check(program: Program, outcome: Outcome, ctx: Context) -> None:
        deprecations = [w for w in outcome.warnings if w.category == "DeprecationWarning"]
        most_repeated = max(Counter(w.message for w in deprecations).values(), default=0)
        calls = legacy_calls(program)
        if most_repeated < calls:
            fail(f"most repeated DeprecationWarning={most_repeated} times, but should be at "
                 f"least once per legacy step with a gradient ({calls}): a call warns every time"
                 f" (warnings seen: {sorted({w.category for w in outcome.warnings})})",
                 clause="DEP-1", ctx=ctx)

    _each_legacy_run(adapter, profile, seed, check)


@prop("DEP-2", requires=("legacy",))
def check_warns_at_the_callers_line(adapter: Adapter, profile: Profile, seed: int,
                                    case: CaseId) -> None:
    """Every deprecation warning of a legacy step is attributed to the adapter's own line,
    the caller's, whatever its category (DEP-2)."""
    files = _adapter_files(adapter)

    def check(program: Program, outcome: Outcome, ctx: Context) -> None:
        for w in _deprecations(program, outcome, "DEP-2", ctx):
            if w.filename not in files:
                fail(f"warning.filename={w.filename}:{w.lineno}, but should be the calling "
                     f"line in {sorted(files)}", clause="DEP-2", ctx=ctx)

    _each_legacy_run(adapter, profile, seed, check)


@prop("DEP-3", requires=("legacy",))
def check_names_the_replacement(adapter: Adapter, profile: Profile, seed: int,
                                case: CaseId) -> None:
    """Every deprecation warning of a legacy step names the deprecated call and the call
    that replaces it (DEP-3): in the engine's words where the adapter declares its legacy
    calls (``Adapter.legacy_replacements``), otherwise '<old> is deprecated; use <new>'."""
    replacements = adapter.legacy_replacements()

    def check(program: Program, outcome: Outcome, ctx: Context) -> None:
        for w in _deprecations(program, outcome, "DEP-3", ctx):
            if not names_the_replacement(w.message, replacements):
                should = (f"name one of {dict(replacements)} and say it is deprecated"
                          if replacements else "read '<old> is deprecated; use <new>'")
                fail(f"warning.message={w.message!r}, but should {should}", clause="DEP-3",
                     ctx=ctx)

    _each_legacy_run(adapter, profile, seed, check)


@prop("DEP-4", requires=("legacy",))
def check_matches_the_replacement(adapter: Adapter, profile: Profile, seed: int,
                                  case: CaseId) -> None:
    """Through the legacy path, parameters and state equal the new API's (DEP-4), whatever
    the warnings."""

    def test(program: Program) -> None:
        run_and_compare(adapter, program, "legacy", clauses=Clauses("DEP-4"))

    explore(_programs(adapter, profile), test, profile, seed)


@prop("DEP-5", requires=("legacy",))
def check_error_stops_the_call(adapter: Adapter, profile: Profile, seed: int,
                               case: CaseId) -> None:
    """With DeprecationWarning made an error, a legacy run raises it (DEP-5)."""

    def test(program: Program) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("error", DeprecationWarning)
            try:
                adapter.run(program, "legacy")
            except DeprecationWarning:
                return
            except Stopped as stop:
                if isinstance(stop.error, DeprecationWarning):
                    return
                raise
        fail("the legacy run completed, but should raise the DeprecationWarning made an "
             "error", clause="DEP-5", ctx=context(adapter, program, "legacy"))

    explore(_programs(adapter, profile), test, profile, seed)


@prop("DEP-5", requires=("legacy",))
def check_error_changes_nothing(adapter: Adapter, profile: Profile, seed: int,
                                case: CaseId) -> None:
    """With one kind of legacy call's DeprecationWarning made an error (one message of a
    plain run's, each in turn), the run raises it and the caller's model and states, as the
    adapter reports them after the raise (Stopped), are as before any step: a legacy
    program makes the same calls at every step (DEP-1), so each kind is first called before
    the first step is complete, and the call that raised changed nothing (DEP-5)."""
    sample = Program({"w": np.ones(2), "v": np.ones(1)}, catalog.default_rule("Descent"),
                     (Step({"w": np.ones(2), "v": np.ones(1)}),), adapter.info().dtypes[0])
    if not any(w.category == "DeprecationWarning"
               for w in adapter.run(sample, "legacy").warnings):
        raise Unsupported("the adapter's legacy path warns nothing, so no deprecated call can "
                          "be made an error (DEP-1 and DEP-5 report that)")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", DeprecationWarning)
            adapter.run(sample, "legacy")
    except Stopped:
        pass
    except DeprecationWarning as error:
        raise Unsupported("the adapter's legacy path lets the DeprecationWarning through "
                          "without the caller's objects after it (protocol Stopped), so what "
                          "the raising call changed is not observed") from error

    def test(program: Program) -> None:
        ctx = context(adapter, program, "legacy")
        messages = dict.fromkeys(w.message for w in adapter.run(program, "legacy").warnings
                                 if w.category == "DeprecationWarning")
        before = dataclasses.replace(program, ops=())
        for message in messages:
            with warnings.catch_warnings():
                warnings.simplefilter("always")
                warnings.filterwarnings("error", message=re.escape(message),
                                        category=DeprecationWarning)
                try:
                    adapter.run(program, "legacy")
                except Stopped as stop:
                    assert_outcome(stop.outcome, expected(before), program=before,
                                   bound=bound_for(adapter, before, "legacy"),
                                   ctx=dataclasses.replace(ctx, case={**ctx.case,
                                                                      "raised": message}),
                                   clauses=Clauses("DEP-5"))
                    continue
            fail(f"the legacy run completed, but should raise {message!r} made an error",
                 clause="DEP-5", ctx=ctx)

    explore(_programs(adapter, profile), test, profile, seed)

