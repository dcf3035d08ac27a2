"""The deprecated implicit API: it warns, then gives exactly the new API's numbers (DEP)."""

import copy
import dataclasses
import warnings

import numpy as np
import pytest

from optconf.reference import NonFiniteLossError, TreeError, setup, trainables, update_
from optconf.reference.expr import Add, Const, Dot, Param, Square, Sum, Tanh
from optconf.reference.expr import gradient_through_trainables as gradient_new
from optconf.reference.legacy import (
    Grads,
    LegacyOptimiser,
    Params,
    gradient,
    gradient_through_params,
    params,
    train_,
)
from optconf.reference.legacy import update_ as legacy_update_
from optconf.reference.rules import Adam, ClipNorm, Descent, Momentum, OptimiserChain
from optconf.reference.state import leaves_for


@dataclasses.dataclass
class Dense:
    weight: np.ndarray
    bias: np.ndarray
    sigma: object = np.tanh


def tied_model(seed=0):
    rng = np.random.default_rng(seed)
    shared = rng.normal(size=(2, 3))
    return {"enc": Dense(shared, rng.normal(size=3)), "dec": [shared, rng.normal(size=2)],
            "steps": np.arange(3), "name": "tied"}


def quietly(call):
    """Run a legacy call with its DeprecationWarning silenced (the warnings are checked in
    the tests that are about them)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return call()


def recorded(call):
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        result = call()
    return result, seen


# ---------------------------------------------------------------- DEP-1 .. DEP-3


def legacy_calls():
    """(label, a one-line call of the legacy API, the replacement its message names)."""
    model = tied_model()
    ps = quietly(lambda: params(model))
    opt = quietly(lambda: LegacyOptimiser(Descent()))
    gs = quietly(lambda: Grads(ps, [np.ones(p.shape) for p in ps]))
    w = ps[0]
    return [
        ("params", lambda: params(model), "use trainables(model)"),
        ("Params", lambda: Params(list(ps)), "e.g. trainables(model)"),
        ("Grads", lambda: Grads(ps, [None] * len(ps)), "use update_(state, model, grads)"),
        ("gradient", lambda: gradient(Sum(Param(0)), ps),
         "use gradient_through_trainables(model, loss)"),
        ("gradient_through_params", lambda: gradient_through_params(model, Sum(Param(0))),
         "use gradient_through_trainables(model, loss)"),
        ("LegacyOptimiser", lambda: LegacyOptimiser(Adam()), "use state = setup(rule, model)"),
        ("update_ one array", lambda: legacy_update_(opt, w, np.zeros(w.shape)),
         "use state = setup(rule, x); update_(state, x, dx)"),
        ("update_ Params", lambda: legacy_update_(opt, ps, gs),
         "use update_(setup(rule, model), model, grads)"),
        ("train_", lambda: train_(lambda _d: Sum(Param(0)), ps, [0], opt),
         "use state = setup(rule, model)"),
    ]


CALLS = legacy_calls()


@pytest.mark.parametrize(("label", "call", "replacement"), CALLS, ids=[c[0] for c in CALLS])
def test_each_legacy_call_warns_at_the_callers_line_naming_its_replacement(
    label, call, replacement
):  # DEP-1, DEP-2, DEP-3
    _, seen = recorded(call)
    assert len(seen) == 1, [str(w.message) for w in seen]
    (w,) = seen
    assert w.category is DeprecationWarning
    assert "is deprecated; " in str(w.message) and replacement in str(w.message)
    assert w.filename == __file__
    assert w.lineno == call.__code__.co_firstlineno  # the lambda's own line


def test_every_call_warns_not_only_the_first():  # DEP-1
    model = tied_model()
    _, seen = recorded(lambda: [params(model) for _ in range(3)])
    assert len(seen) == 3


@pytest.mark.parametrize(("label", "call", "replacement"), CALLS, ids=[c[0] for c in CALLS])
def test_warning_comes_before_anything_else(label, call, replacement):  # DEP-1, DEP-5
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        with pytest.raises(DeprecationWarning):
            call()


def test_warning_comes_before_argument_checks():  # DEP-1
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        with pytest.raises(DeprecationWarning):
            legacy_update_(Adam(), "not an array", None)  # type: ignore[arg-type]


# ---------------------------------------------------------------------- DEP-5


def snapshot(model, opt):
    return copy.deepcopy(trainables(model)), copy.deepcopy(
        [None if opt.leaf(p) is None else opt.leaf(p).state for p in trainables(model)]
    )


def assert_snapshot_equal(a, b):
    (params_a, states_a), (params_b, states_b) = a, b
    for p, q in zip(params_a, params_b, strict=True):
        assert np.array_equal(p, q)
    for s, t in zip(states_a, states_b, strict=True):
        assert_same_rule_state(s, t)


def test_warnings_as_errors_leave_model_and_state_untouched():  # DEP-5
    model = tied_model()
    ps = quietly(lambda: params(model))
    opt = quietly(lambda: LegacyOptimiser(Adam(eta=0.1)))
    gs = quietly(lambda: Grads(ps, [np.ones(p.shape) for p in ps]))
    quietly(lambda: legacy_update_(opt, ps, gs))  # state exists and is not initial
    before = snapshot(model, opt)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for call in (
            lambda: legacy_update_(opt, ps, gs),
            lambda: legacy_update_(opt, ps[0], np.ones(ps[0].shape)),
            lambda: train_(lambda _d: Sum(Param(0)), ps, [0, 1], opt),
        ):
            with pytest.raises(DeprecationWarning):
                call()
    assert_snapshot_equal(snapshot(model, opt), before)


def test_a_bad_gradient_anywhere_leaves_every_array_untouched():  # DEP-5
    model = tied_model()
    ps = quietly(lambda: params(model))
    opt = quietly(lambda: LegacyOptimiser(Adam()))
    before = snapshot(model, opt)
    ps[-1].flags.writeable = False
    gs = quietly(lambda: Grads(ps, [np.ones(p.shape) for p in ps]))
    with pytest.raises(TreeError, match="read-only"):
        quietly(lambda: legacy_update_(opt, ps, gs))
    assert_snapshot_equal(snapshot(model, opt), before)


# ---------------------------------------------------------------------- DEP-6


def test_params_collects_exactly_trainables():  # DEP-6
    model = tied_model()
    ps = quietly(lambda: params(model))
    assert [p is q for p, q in zip(ps, trainables(model), strict=True)] == [True] * 3
    assert len(ps) == len(trainables(model)) == 3  # the shared array once, int array never
    assert model["dec"][0] in ps and np.arange(3) not in ps


def test_params_of_several_models_collects_each_array_once():  # DEP-6
    a, b = tied_model(), tied_model(1)
    ps = quietly(lambda: params(a, b, a))
    assert len(ps) == 6 and list(ps) == trainables([a, b])


def test_params_of_one_array_must_be_wrapped_in_a_list():  # DEP-6
    with pytest.raises(TypeError, match=r"Params\(\[x\]\)"):
        quietly(lambda: Params(np.ones(3)))


# ---------------------------------------------------------------------- DEP-4


def gradient_lists(model, steps):
    """Flat gradients aligned with trainables(model), some None, different each step."""
    rng = np.random.default_rng(7)
    return [
        [None if (i + t) % 3 == 2 else rng.normal(size=p.shape)
         for i, p in enumerate(trainables(model))]
        for t in range(steps)
    ]


def assert_same_as_new_api(new_state, new_model, opt, legacy_model):
    for p, q, leaf in zip(trainables(new_model), trainables(legacy_model),
                          leaves_for(new_state, new_model), strict=True):
        assert np.array_equal(p, q)
        old = opt.leaf(q)
        # DEP-9: an array never given a gradient has no legacy state; the new API's is initial
        assert_same_rule_state(leaf.state, leaf.rule.init(p) if old is None else old.state)


def assert_same_rule_state(s, t):
    assert (s is None) == (t is None)
    for u, v in zip(s or (), t or (), strict=True):
        assert np.array_equal(u, v)


RULES = [Adam(eta=0.01), Momentum(eta=0.1, rho=0.8), Descent(0.3)]


@pytest.mark.parametrize("rule", RULES, ids=lambda r: type(r).__name__)
@pytest.mark.parametrize("form", ["Params", "per array"])
def test_legacy_update_is_bitwise_the_new_update(rule, form):  # DEP-4, DEP-9
    new_model, legacy_model = tied_model(), tied_model()
    new_state = setup(rule, new_model)
    ps = quietly(lambda: params(legacy_model))
    opt = quietly(lambda: LegacyOptimiser(rule))
    for grads in gradient_lists(new_model, 5):
        update_(new_state, new_model, grads)
        if form == "Params":
            gs = quietly(lambda g=grads: Grads(ps, g))
            quietly(lambda gs=gs: legacy_update_(opt, ps, gs))
        else:
            for p, g in zip(ps, grads, strict=True):
                if g is not None:
                    quietly(lambda p=p, g=g: legacy_update_(opt, p, g))
    assert_same_as_new_api(new_state, new_model, opt, legacy_model)


def test_shared_array_takes_the_summed_gradient_once():  # DEP-4
    new_model, legacy_model = tied_model(), tied_model()
    rule = Momentum(eta=0.1, rho=0.5)
    new_state = setup(rule, new_model)
    ps = quietly(lambda: params(legacy_model))
    opt = quietly(lambda: LegacyOptimiser(rule))
    g_enc, g_dec = np.full((2, 3), 1.5), np.full((2, 3), -0.25)
    tree = {"enc": {"weight": g_enc, "bias": None}, "dec": [g_dec, None]}
    for _ in range(3):
        update_(new_state, new_model, tree)
        gs = quietly(lambda: Grads(ps, {id(ps[0]): g_enc + g_dec}))  # Zygote sums ties
        quietly(lambda gs=gs: legacy_update_(opt, ps, gs))
    assert_same_as_new_api(new_state, new_model, opt, legacy_model)


def test_train_is_the_new_update_with_gradient_through_trainables():  # DEP-4, DEP-8
    new_model, legacy_model = tied_model(), tied_model()
    rule = Adam(eta=0.05)

    def loss(d):
        return Add(Dot(Tanh(Param(0)), Const(np.full((2, 3), d))), Sum(Square(Param(2))))

    data = [0.5, -1.0, 2.0]
    new_state = setup(rule, new_model)
    for d in data:
        update_(new_state, new_model, gradient_new(new_model, loss(d)))
    ps = quietly(lambda: params(legacy_model))
    opt = quietly(lambda: LegacyOptimiser(rule))
    quietly(lambda: train_(loss, ps, data, opt))
    assert_same_as_new_api(new_state, new_model, opt, legacy_model)


def test_state_is_keyed_by_identity_not_value():  # DEP-9
    a, b = np.ones(2), np.ones(2)
    opt = quietly(lambda: LegacyOptimiser(Momentum()))
    quietly(lambda: legacy_update_(opt, a, np.ones(2)))
    assert opt.leaf(a) is not None and opt.leaf(b) is None


# ---------------------------------------------------------------------- DEP-7


@pytest.fixture
def implicit():
    model = tied_model()
    ps = quietly(lambda: params(model))
    opt = quietly(lambda: LegacyOptimiser(Adam()))
    return model, ps, opt


def test_structured_gradient_tree_in_legacy_update_is_an_error(implicit):  # DEP-7
    _, ps, opt = implicit
    tree = {"enc": {"weight": np.ones((2, 3))}}
    for grads in (tree, [np.ones(p.shape) for p in ps]):
        with pytest.raises(TypeError, match="can't mix implicit Params with explicit gradients"):
            quietly(lambda g=grads: legacy_update_(opt, ps, g))


@pytest.mark.parametrize(
    ("make_call", "message"),
    [
        (lambda m, ps, opt: legacy_update_(Adam(), ps[0], np.ones(ps[0].shape)),
         r"needs a LegacyOptimiser.*setup\(rule, model\)"),
        (lambda m, ps, opt: legacy_update_(setup(Adam(), m), m, {}),
         r"needs a LegacyOptimiser"),
        (lambda m, ps, opt: legacy_update_(opt, m, {}), r"dict is not a parameter"),
        (lambda m, ps, opt: legacy_update_(opt, ps[0], Grads(ps, [None] * 3)),
         r"Grads go with Params"),
        (lambda m, ps, opt: train_(lambda _d: Sum(Param(0)), ps, [0], Adam()),
         r"can't mix implicit Params with Adam"),
        (lambda m, ps, opt: train_(lambda _d: Sum(Param(0)), m, [0], opt),
         r"train_ takes Params"),
    ],
    ids=["rule", "state tree", "model", "Grads for one array", "train_ rule", "train_ model"],
)
def test_mixing_styles_is_a_type_error_naming_the_fix(implicit, make_call, message):  # DEP-7
    model, ps, opt = implicit
    with pytest.raises(TypeError, match=message):
        quietly(lambda: make_call(model, ps, opt))


def test_new_update_refuses_params(implicit):  # DEP-7
    model, ps, _ = implicit
    with pytest.raises(TypeError):
        update_(setup(Adam(), model), ps, [np.ones(p.shape) for p in ps])


def test_grads_of_other_params_is_a_key_error(implicit):  # DEP-7
    _, ps, opt = implicit
    other = quietly(lambda: params(tied_model(1)))
    gs = quietly(lambda: Grads(other, [np.ones(p.shape) for p in other]))
    with pytest.raises(KeyError, match="build Grads from the same Params"):
        quietly(lambda: legacy_update_(opt, ps, gs))
    assert all(opt.leaf(p) is None for p in ps)


# ---------------------------------------------------------------------- DEP-8


def test_gradient_through_params_is_gradient_through_trainables():  # DEP-8
    model = tied_model()
    loss = Add(Sum(Param(0)), Dot(Param(2), Const([1.0, 2.0])))
    old = quietly(lambda: gradient_through_params(model, loss))
    new = gradient_new(model, loss)
    np.testing.assert_array_equal(old["enc"]["weight"], np.ones((2, 3)))
    assert old["dec"][0] is None and old["enc"]["bias"] is None  # later occurrence; unreached
    np.testing.assert_array_equal(old["dec"][1], [1.0, 2.0])
    assert old["steps"] is None and old["name"] is None
    assert repr(old) == repr(new)


def test_implicit_gradient_keys_gradients_by_array():  # DEP-8
    model = tied_model()
    ps = quietly(lambda: params(model))
    gs = quietly(lambda: gradient(Sum(Param(0)), ps))
    np.testing.assert_array_equal(gs[model["dec"][0]], np.ones((2, 3)))
    assert gs[model["enc"].bias] is None


def test_legacy_update_is_atomic_too():  # UPD-8, DEP-4 (decision b)
    a, b = np.ones(2), np.ones(2)
    ps = quietly(lambda: params([a, b]))
    opt = quietly(lambda: LegacyOptimiser(OptimiserChain(ClipNorm(1.0), Descent(0.1))))
    grads = quietly(lambda: Grads(ps, [np.ones(2), np.array([np.inf, 0.0])]))
    with pytest.raises(ValueError, match=r"^model\[1\]: ClipNorm"):
        quietly(lambda: legacy_update_(opt, ps, grads))
    assert a.tolist() == [1.0, 1.0] and b.tolist() == [1.0, 1.0]


# ---------------------------------------------------------------------- DEP-10


def filled(d):
    """A loss over ``Param(0)`` that is NaN when the data item ``d`` is NaN."""
    return Dot(Param(0), Const(np.full((2, 3), d)))


@pytest.mark.parametrize("bad", [0, 2])
def test_train_stops_on_a_non_finite_loss_with_that_items_update_skipped(bad):  # DEP-10
    data = [0.5, -1.0, 2.0, 3.0]
    data[bad] = np.nan
    stopped, reference = tied_model(), tied_model()
    ps, ps_ref = quietly(lambda: params(stopped)), quietly(lambda: params(reference))
    opt = quietly(lambda: LegacyOptimiser(Adam(0.1)))
    opt_ref = quietly(lambda: LegacyOptimiser(Adam(0.1)))
    quietly(lambda: train_(filled, ps_ref, data[:bad], opt_ref))  # the items before it
    with pytest.raises(NonFiniteLossError, match=rf"loss is nan on data item {bad} "):
        quietly(lambda: train_(filled, ps, data, opt))
    assert_snapshot_equal(snapshot(stopped, opt), snapshot(reference, opt_ref))


def test_an_infinite_loss_also_stops_training():  # DEP-10
    model = tied_model()
    ps = quietly(lambda: params(model))
    opt = quietly(lambda: LegacyOptimiser(Descent(0.1)))
    before = copy.deepcopy(trainables(model))

    def loss(_d):
        return Dot(Square(Param(0)), Const(np.full((2, 3), np.inf)))

    with pytest.raises(NonFiniteLossError, match="loss is inf"):
        quietly(lambda: train_(loss, ps, [1.0], opt))
    for p, q in zip(before, trainables(model), strict=True):
        np.testing.assert_array_equal(q, p)
