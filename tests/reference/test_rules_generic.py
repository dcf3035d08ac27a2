"""Properties every rule shares (RULE-1 .. RULE-8): the step is subtracted, x and the
gradient are never written, None means no update, ``elementwise`` is declared truthfully,
variants are named with the normative one first, hyperparameters are validated, float16
epsilon is floored, global-norm rules run in rounds."""

import dataclasses
import inspect
import math

import numpy as np
import pytest

from optconf.reference import rules as rules_module
from optconf.reference import setup, update_
from optconf.reference.rules import (
    LAMB,
    LARS,
    AccumGrad,
    AdaBelief,
    AdaDelta,
    AdaGrad,
    Adam,
    AdaMax,
    AdamW,
    AMSGrad,
    ClipGlobalNorm,
    ClipGrad,
    ClipNorm,
    Descent,
    Lion,
    MixedPrecision,
    Momentum,
    Muon,
    NAdam,
    Nesterov,
    OAdam,
    OptimiserChain,
    RAdam,
    RMSProp,
    Rprop,
    Rule,
    SignDecay,
    WeightDecay,
)
from optconf.reference.rules.base import apply_rules, eps_for

from .rules_support import GOLDEN, frozen_array, steps

RULE_CLASSES = [cls for name in rules_module.__all__
                if inspect.isclass(cls := getattr(rules_module, name))
                and issubclass(cls, Rule) and cls is not Rule]
NEEDS_ARGUMENTS = {AccumGrad: AccumGrad(2), OptimiserChain: OptimiserChain(ClipGrad(), Adam()),
                   MixedPrecision: MixedPrecision(Adam())}


def every_rule() -> list[Rule]:
    """One instance of each exported rule per variant, plus a few compositions."""
    found: list[Rule] = []
    for cls in RULE_CLASSES:
        base = NEEDS_ARGUMENTS.get(cls) or cls()
        found += [dataclasses.replace(base, variant=v) for v in cls.variants] or [base]
    return [*found, RMSProp(centred=True), AdamW(lambda_=0.1, couple=False),
            OptimiserChain(AccumGrad(2), ClipGlobalNorm(1.0), Momentum()),
            OptimiserChain(ClipNorm(1.0), Descent())]


ALL_RULES = every_rule()
RNG = np.random.default_rng(20261123)
X0 = RNG.normal(size=5)
GRADS = [20 * RNG.normal(size=5) for _ in range(4)]  # large enough for the clipping rules


def test_every_exported_rule_class_is_covered():
    assert {type(rule) for rule in ALL_RULES} == set(RULE_CLASSES)


@pytest.mark.parametrize("rule", ALL_RULES, ids=repr)
def test_apply_writes_neither_x_nor_the_gradient(rule):  # RULE-2
    steps(rule, GRADS, x=X0)  # x and every gradient are read-only arrays: a write would raise


@dataclasses.dataclass(frozen=True)
class WritesGradient(Rule):
    """A faulty rule that scales its gradient in place."""

    def init(self, x):
        return None

    def apply(self, state, x, dx):
        dx *= 2
        return None, dx


def test_update_hands_rules_a_read_only_gradient():  # RULE-2
    g = np.array([1.0])
    with pytest.raises(ValueError, match="read-only"):
        update_(setup(WritesGradient(), {"w": np.zeros(1)}), {"w": np.zeros(1)}, {"w": g})
    chain = OptimiserChain(Momentum(), WritesGradient())
    with pytest.raises(ValueError, match="read-only"):
        steps(chain, [[1.0]])


def test_update_subtracts_the_step():  # RULE-1
    model = {"w": np.array([1.0, 1.0])}
    update_(setup(Descent(0.5), model), model, {"w": np.array([2.0, -2.0])})
    assert model["w"].tolist() == [0.0, 2.0]  # 1 - 0.5*2, 1 - 0.5*(-2)


def test_a_none_step_leaves_x_but_advances_state():  # RULE-3
    model = {"w": np.array([1.0])}
    state = setup(AccumGrad(2), model)
    update_(state, model, {"w": np.array([4.0])})
    assert model["w"].tolist() == [1.0] and state["w"].state.counter == 2


def run_update(rule, pieces):
    """x after the GRADS through update_, with X0 and every gradient cut at ``pieces``."""
    model = {str(i): part.copy() for i, part in enumerate(np.split(X0, pieces))}
    state = setup(rule, model)
    for g in GRADS:
        update_(state, model, {str(i): part for i, part in enumerate(np.split(g, pieces))})
    return np.concatenate(list(model.values()))


@pytest.mark.parametrize("rule", ALL_RULES, ids=repr)
def test_elementwise_is_declared_truthfully(rule):  # RULE-4, CLIPNORM-2, CLIPGLOBALNORM-2
    whole, split = run_update(rule, []), run_update(rule, [2])
    if rule.elementwise:
        np.testing.assert_allclose(split, whole, **GOLDEN)
    else:
        assert not np.allclose(split, whole)


def test_only_per_array_rules_are_not_elementwise():  # RULE-4
    per_array = {type(r) for r in ALL_RULES if not r.elementwise}
    assert per_array == {ClipNorm, LAMB, LARS, Muon, OptimiserChain}


WITH_AXES = [cls for cls in RULE_CLASSES if cls.axes]


def test_rules_with_variants_name_the_normative_form_first():  # RULE-5
    assert sorted(cls.__name__ for cls in WITH_AXES) == [
        "AMSGrad", "AdaBelief", "AdaMax", "Adam", "AdamW", "LAMB", "LARS", "Lion", "Momentum",
        "Muon", "NAdam", "Nesterov", "OAdam", "RAdam"]
    for cls in WITH_AXES:
        assert cls.variants == ("normative", *cls.presets)
        assert cls().variant == "normative"
        assert all(cls().axis(axis) == values[0] for axis, values in cls.axes.items())


@pytest.mark.parametrize("cls", WITH_AXES, ids=lambda c: c.__name__)
def test_a_preset_is_its_axis_values(cls):  # RULE-5
    for name, values in cls.presets.items():
        spelled = ", ".join(f"{axis}={value}" for axis, value in values.items())
        preset, written = cls(variant=name), cls(variant=spelled or "normative")
        assert {a: preset.axis(a) for a in cls.axes} == {a: written.axis(a) for a in cls.axes}


def test_engine_presets_name_what_they_compute():  # RULE-5, ADAM-2, MOMENTUM-2
    assert Adam(variant="torch").axis("bias_correction") == "recompute"
    assert Adam(variant="optimisers").axis("bias_correction") == "lagged"
    assert Adam(variant="optimisers_jl").axis("bias_correction") == "lagged"
    assert Adam(variant="tinygrad").axis("bias_correction") == "applied"
    assert Momentum(variant="torch").axis("lr_placement") == "outside"
    assert RAdam(variant="torch").axis("epsilon_root") == "raw"
    assert AdamW(variant="optimisers").axis("epsilon_floor") == "none"


@pytest.mark.parametrize("variant", ["pytorch", "bias_correction=later", "lr_placement=outside",
                                     "bias_correction"])
def test_unknown_variant_is_refused(variant):  # RULE-5
    with pytest.raises(ValueError, match=f"variant={variant!r}"):
        AMSGrad(variant=variant)


def test_variant_cannot_be_adjusted():  # RULE-5, ADJ-1
    with pytest.raises(TypeError, match="variant"):
        Lion().adjusted(variant="optimisers")


#: Axes whose values agree while the hyperparameters stay constant (ADAM-2, MOMENTUM-2) and the
#: parameters are not float16 (ADAMW-3); compared with the form named here.
AGREE = {"bias_correction": "bias_correction=applied", "lr_placement": "normative",
         "epsilon_floor": "normative"}
#: Axes that only matter under another axis' value: AMSGrad's maximum, when it bias-corrects.
UNDER = {(AMSGrad, "max_of"): "bias_correction=applied, "}


@pytest.mark.parametrize("cls", WITH_AXES, ids=lambda c: c.__name__)
def test_each_axis_value_differs_from_the_normative_form(cls):  # RULE-5
    """Six steps at default hyperparameters tell every axis value apart (RAdam's step 5;
    Lion's last, a small gradient against a large one; LARS's at a nonzero parameter, where
    the ratio is not 1; Muon's on a tall and a wide matrix, which its axis scales), except
    those of AGREE, which agree until a hyperparameter changes mid-run."""
    x = X0 if cls is LARS else None
    for axis, values in cls.axes.items():
        under = UNDER.get((cls, axis), "")
        for value in values[1:]:
            grads = shaped_for(cls, value, [*GRADS, GRADS[0], -1e-3 * GRADS[0]])
            base = np.array(steps(cls(variant=under.rstrip(", ") or "normative"), grads, x=x))
            other = np.array(steps(cls(variant=f"{under}{axis}={value}"), grads, x=x))
            if axis in AGREE and AGREE[axis] != f"{axis}={value}":
                np.testing.assert_allclose(
                    other, np.array(steps(cls(variant=AGREE[axis]), grads, x=x)), **GOLDEN)
            else:
                assert not np.array_equal(other, base), (axis, value)


def shaped_for(cls: type[Rule], value: str, grads: list[np.ndarray]) -> list[np.ndarray]:
    """Muon's gradients as a wide matrix for its "cols" scaling, a tall one otherwise, so
    the shape scaling under test changes the step (MUON-4); other rules' as they are."""
    if cls is not Muon:
        return grads
    wide = [np.stack([g[:4], 2 * g[:4]]) for g in grads]
    return wide if value == "cols" else [g.T for g in wide]


INVALID = [
    (lambda: Descent(-1.0), "eta"), (lambda: Momentum(rho=1.0), "rho"),
    (lambda: Nesterov(eta=math.nan), "eta"), (lambda: RMSProp(epsilon=-1.0), "epsilon"),
    (lambda: RMSProp(centred=1), "centred"), (lambda: Adam(beta=(0.9, 1.0)), "beta"),
    (lambda: Adam(beta=(0.9,)), "beta"), (lambda: Adam(eta="0.1"), "eta"),
    (lambda: AdamW(lambda_=-0.1), "lambda_"), (lambda: AdamW(couple="yes"), "couple"),
    (lambda: NAdam(eta=math.inf), "eta"), (lambda: RAdam(beta=(-0.1, 0.9)), "beta"),
    (lambda: OAdam(epsilon=-1.0), "epsilon"), (lambda: AdaBelief(eta=-1.0), "eta"),
    (lambda: AdaMax(beta=(1.0, 0.0)), "beta"), (lambda: AMSGrad(epsilon=math.nan), "epsilon"),
    (lambda: AdaGrad(eta=-1.0), "eta"), (lambda: AdaDelta(rho=-0.5), "rho"),
    (lambda: Lion(beta=(0.9, 1.5)), "beta"), (lambda: Rprop(eta=-1.0), "eta"),
    (lambda: Rprop(ell=(1.5, 2.0)), "ell"), (lambda: Rprop(gamma=(2.0, 1.0)), "gamma"),
    (lambda: WeightDecay(-1.0), "lambda_"), (lambda: SignDecay(math.nan), "lambda_"),
    (lambda: ClipGrad(-1.0), "delta"), (lambda: ClipNorm(-1.0), "omega"),
    (lambda: ClipNorm(p=0), "p"), (lambda: ClipNorm(throw=None), "throw"),
    (lambda: ClipGlobalNorm(-1.0), "omega"), (lambda: AccumGrad(0), "n"),
    (lambda: AccumGrad(2.0), "n"), (lambda: Adam().adjusted(eta=-1.0), "eta"),
]


@pytest.mark.parametrize(("make", "name"), INVALID, ids=[n for _, n in INVALID])
def test_invalid_hyperparameter_is_named(make, name):  # RULE-6
    with pytest.raises(ValueError, match=rf"\b{name}="):
        make()


def test_float16_epsilon_floor():  # RULE-7
    half, single = np.zeros(1, np.float16), np.zeros(1, np.float32)
    assert (eps_for(half, 1e-8), eps_for(half, 0.0), eps_for(half, 1e-3)) == (1e-7, 0.0, 1e-3)
    assert eps_for(single, 1e-8) == 1e-8
    # g = 1e-4: g^2 underflows in float16, so the denominator is epsilon alone
    floored = steps(Adam(), [[1e-4]], dtype=np.float16)[0]
    assert floored.tolist() == steps(Adam(epsilon=1e-7), [[1e-4]], dtype=np.float16)[0].tolist()


def test_float16_epsilon_as_in_optimisers_tests():  # RULE-7, ADAM-3
    # Optimisers.jl test/rules.jl, testset "Float16 epsilon" (issue #167): g^2 underflows for
    # the first two elements, so their step is eta*g/1e-7 (1e-7 rounded to float16); the
    # expected values and rtol = 1e-3 are that test's
    x = np.array([0.579, -0.729, 0.5493], dtype=np.float16)
    g = np.array([-0.001497, 0.0001875, -0.013176], dtype=np.float16)
    update_(setup(Adam(1e-4), {"w": x}), {"w": x}, {"w": g})
    np.testing.assert_allclose(x.astype(np.float64), [1.835, -0.886, 0.5493], rtol=1e-3)


def test_global_norm_rules_run_in_rounds():  # RULE-8
    x, ro = np.zeros(1), frozen_array
    calls = [(ClipGlobalNorm(2.5), None, x, ro([3.0])), (Descent(1.0), None, x, ro([7.0])),
             (ClipGlobalNorm(2.5), None, x, ro([4.0]))]
    got = {index: step.tolist() for index, _, step in apply_rules(calls)}
    assert got == {0: [1.5], 1: [7.0], 2: [2.0]}  # norm 5 over the two clipped arrays only


def test_accumulating_chains_take_no_part_in_the_norm():  # RULE-8, CHAIN-2
    # AccumGrad(2) before the clip: nothing moves at step 1; at step 2 the means [3], [4]
    # have global norm 5 and are scaled by 2.5/5
    model = {"a": np.zeros(1), "b": np.zeros(1)}
    state = setup(OptimiserChain(AccumGrad(2), ClipGlobalNorm(2.5)), model)
    update_(state, model, {"a": np.array([2.0]), "b": np.array([8.0])})
    assert (model["a"].tolist(), model["b"].tolist()) == ([0.0], [0.0])
    update_(state, model, {"a": np.array([4.0]), "b": np.array([0.0])})
    assert (model["a"].tolist(), model["b"].tolist()) == ([-1.5], [-2.0])


def test_a_rule_without_global_norm_refuses_apply_global():  # RULE-8
    with pytest.raises(TypeError, match="RULE-8"):
        next(Adam().apply_global(None, np.zeros(1), np.zeros(1)))
