"""The distributed paths against the same engine's structured path (SHARD-1 .. SHARD-4):
torch ``zero`` and ``fsdp`` on 2 gloo ranks, jax ``sharded`` on 2 host devices, on arrays
whose sizes do not divide by 2, Adam and a global-norm clip, with a checkpoint into an
unsharded optimiser and one into fresh shards.  Each engine's ranks start once per test
module (seconds: the engine's import in each rank)."""

from __future__ import annotations

import numpy as np
import pytest

from optconf.adapters.loader import load
from optconf.adapters.protocol import Checkpoint, Program, Step, Unsupported
from optconf.conformance.cases import in_declared_variants
from optconf.conformance.deviation import Deviation
from optconf.conformance.properties.sharded import same_as_structured
from optconf.reference import trainables
from optconf.reference.rules import Adam, ClipGlobalNorm, OptimiserChain, WeightDecay
from optconf.reference.rules.base import Rule

RNG = np.random.default_rng(13)
SHAPES = {"a": (3, 2), "b": (5,), "c": (1, 3)}


def grads() -> dict[str, np.ndarray]:
    return {k: RNG.normal(size=s) * 4 for k, s in SHAPES.items()}


MODEL = {k: RNG.normal(size=s) for k, s in SHAPES.items()}
STEPS = (Step(grads()), Step(grads()), Step(grads()), Step(grads()))


def rules(engine: str) -> list[Rule]:
    info = load(engine).info()
    return [in_declared_variants(info, Adam()),
            in_declared_variants(info, OptimiserChain(ClipGlobalNorm(0.5), WeightDecay(0.1),
                                                      Adam()))]


def assert_same(got, want, rtol: float = 0.0) -> None:
    for g, w in zip(trainables(got.model), trainables(want.model), strict=True):
        np.testing.assert_allclose(g, w, rtol=rtol, atol=0)
    for g, w in zip(got.states, want.states, strict=True):
        assert g.keys() == w.keys()
        for key in w:
            np.testing.assert_allclose(np.asarray(g[key]), np.asarray(w[key]), rtol=rtol,
                                       atol=0)


CASES = [("torch", "zero"), ("torch", "fsdp"), ("jax", "sharded")]


@pytest.mark.parametrize(("engine", "path"), [pytest.param(
    e, p, marks=pytest.mark.engine(e), id=f"{e}-{p}") for e, p in CASES])
def test_a_sharded_run_is_the_structured_run(engine, path):
    adapter = load(engine)
    adam, clipped = rules(engine)
    program = Program(MODEL, adam, STEPS, "float32")
    assert_same(adapter.run(program, path), adapter.run(program, "structured"))
    # the global norm is summed shard by shard, then over the shards: another order of the
    # same sum, float32 roundings apart (SHARD-1), never a norm of one shard (SHARD-3)
    program = Program(MODEL, clipped, STEPS, "float32")
    assert_same(adapter.run(program, path), adapter.run(program, "structured"), rtol=1e-6)


@pytest.mark.parametrize("into", ["unsharded", "resharded"])
@pytest.mark.parametrize(("engine", "path"), [pytest.param(
    e, p, marks=pytest.mark.engine(e), id=f"{e}-{p}") for e, p in CASES])
def test_a_checkpoint_resumes_the_uninterrupted_run(engine, path, into):
    adapter = load(engine)
    rule = rules(engine)[0]
    plain = Program(MODEL, rule, STEPS, "float32")
    resumed = Program(MODEL, rule, (*STEPS[:2], Checkpoint(into), *STEPS[2:]), "float32")
    assert_same(adapter.run(resumed, path), adapter.run(plain, "structured"))


@pytest.mark.engine("torch")
def test_fsdp_refuses_a_scalar_parameter_as_unsupported():
    with pytest.raises(Unsupported, match="0-dimensional"):
        load("torch").run(Program({"s": np.array(1.0)}, rules("torch")[0],
                                  (Step({"s": np.array(1.0)}),), "float32"), "fsdp")


@pytest.mark.engine("torch")
def test_fsdp_gathers_an_array_of_shape_n_by_0_with_an_error_finding_t14():
    """FINDINGS T14: fully_shard cuts a (2, 0) Parameter into (0, 0) shards, and gathering
    them raises; the day torch gathers it, the finding and its declaration go."""
    model = {"w": np.zeros((2, 0))}
    with pytest.raises(RuntimeError, match="Expected cond to be True"):
        load("torch").run(Program(model, rules("torch")[0], (Step(model),), "float32"), "fsdp")


@pytest.mark.engine("torch")
def test_an_error_of_the_sharded_path_fails_its_clause_with_the_drawn_features(monkeypatch):
    adapter = load("torch")
    structured = adapter.run

    def run(program, path):
        if path == "fsdp":
            raise RuntimeError("Expected cond to be True, but got False.")
        return structured(program, path)

    monkeypatch.setattr(adapter, "run", run)
    model = {"w": np.zeros((2, 0)), "b": np.ones(3)}
    program = Program(model, rules("torch")[0], (Step(model),), "float32")
    with pytest.raises(Deviation, match="fsdp path raised RuntimeError: Expected") as caught:
        same_as_structured(adapter, program, "fsdp", "SHARD-1")
    assert caught.value.clause == "SHARD-1"
    assert "models: empty array" in caught.value.case["features"]
