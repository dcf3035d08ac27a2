"""Fake properties for the runner's own tests, in their own registry (``FAKE``) so the
real PROPERTIES never see them."""

from __future__ import annotations

import time

import numpy as np
from hypothesis import strategies as st

from optconf.adapters.protocol import Program, Step, Unsupported
from optconf.conformance.asserts import case_data
from optconf.conformance.deviation import Deviation
from optconf.conformance.properties.common import explore
from optconf.conformance.properties.registry import Property
from optconf.reference import trainables
from optconf.reference.rules import Descent

FAKE: dict[str, Property] = {}


def fake(pid, *, axes=(), requires=(), clauses=("CONF-1",)):
    def register(check):
        FAKE[pid] = Property(pid, clauses, frozenset(requires), axes, check, check.__doc__ or "")
        return check
    return register


@fake("fake.descent_step", axes=("path",))
def check_descent_step(adapter, profile, seed, case):
    """One Descent step moves x to x - eta * g."""
    rng = np.random.default_rng(seed)
    x, g = rng.normal(size=3), rng.normal(size=3)
    program = Program({"w": x}, Descent(0.1), (Step({"w": g}),))
    got = trainables(adapter.run(program, case.path).model)[0]
    err = float(np.max(np.abs(got - (x - 0.1 * g))))
    if not err <= 1e-12:  # NaN fails too
        raise Deviation(f"w={got}, but should be {x - 0.1 * g}", clause="CONF-1",
                        observed=err, allowed=1e-12,
                        case={"model": {"w": x}, "rule": Descent(0.1), "ops": program.ops})


@fake("fake.per_rule", axes=("rule",))
def check_per_rule(adapter, profile, seed, case):
    """Passes for every rule the adapter supports."""


@fake("fake.needs_freeze", requires=("freeze",))
def check_needs_freeze(adapter, profile, seed, case):
    """Never runs on adapters without the freeze capability."""


@fake("fake.freeze_per_path", axes=("path",), requires=("freeze",))
def check_freeze_per_path(adapter, profile, seed, case):
    """Runs only on the paths that have the freeze capability."""
    if "freeze" not in adapter.info().capabilities_on(case.path):
        raise Deviation(f"ran on {case.path}, which lacks freeze", clause="CONF-3")


@fake("fake.unsupported_case")
def check_unsupported_case(adapter, profile, seed, case):
    raise Unsupported("this case cannot be expressed")


@fake("fake.grouped_failures")
def check_grouped_failures(adapter, profile, seed, case):
    """Two distinct failures, as Hypothesis reports them: one Deviation, one error."""
    raise ExceptionGroup("Hypothesis found 2 distinct failures.", [
        ValueError("boom"), Deviation("w=1, but should be 2", clause="CONF-5")])


@fake("fake.grouped_errors")
def check_grouped_errors(adapter, profile, seed, case):
    """Two distinct errors and no Deviation, as Hypothesis reports them while shrinking."""
    raise ExceptionGroup("Hypothesis found 2 distinct failures.", [
        ZeroDivisionError("division by zero"), ValueError("only supports 2D parameters")])


def _innermost_engine_call():
    raise ZeroDivisionError("division by zero")


@fake("fake.error_with_a_long_note")
def check_error_with_a_long_note(adapter, profile, seed, case):
    """An error with the falsifying example Hypothesis notes on it, 40 lines long."""
    try:
        _innermost_engine_call()
    except ZeroDivisionError as exc:
        exc.add_note("Falsifying example: run(\n" + "    x,\n" * 40 + ")")
        raise


@fake("fake.slow_to_shrink")
def check_slow_to_shrink(adapter, profile, seed, case):
    """Fails for most lists, each call taking 250 ms, as a real engine's run can: shrinking
    the failure to the minimal list (about 60 calls) takes far longer than the case's
    timeout."""
    def test(values):
        time.sleep(0.25)
        if sum(values) > 10:
            raise Deviation(f"sum={sum(values)}, but should be at most 10", clause="CONF-4")

    explore(st.lists(st.integers(0, 10**6), min_size=20, max_size=40), test, profile, seed)


@fake("fake.numpy_error_sizes")
def check_numpy_error_sizes(adapter, profile, seed, case):
    """Error sizes as NumPy float32 scalars, as a float32 comparison computes them."""
    raise Deviation("w=1, but should be 2", clause="CONF-5", observed=np.float32(1.0),
                    allowed=np.float32(0.5))


@fake("fake.program_failure")
def check_program_failure(adapter, profile, seed, case):
    """A Deviation carrying its live program, as every stepped property's does."""
    program = Program({"w": np.ones(2)}, Descent(0.1), (Step({"w": np.ones(2)}),))
    raise Deviation("w=1, but should be 0.9", clause="CONF-1", case=case_data(program))
