"""The helpers every engine adapter shares (adapters/protocol.py, docs/ADAPTERS.md): rule
tables keyed by class, path tables, chains opened, parameters under freeze keys."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from optconf.adapters.protocol import (
    Unsupported,
    chain_members,
    composed,
    consecutive,
    indices_under,
    path_entry,
    refusal,
    refused,
    rule_entry,
)
from optconf.reference.rules import (
    Adam,
    ClipGrad,
    ClipNorm,
    Descent,
    Momentum,
    OptimiserChain,
    WeightDecay,
)

TABLE = {Descent: "sgd", Momentum: refused("no momentum here")}


@dataclasses.dataclass(frozen=True)
class SlowDescent(Descent):
    """A rule subclass: still Descent to a table keyed by class."""


def test_a_rule_subclass_finds_its_base_class_entry():
    assert rule_entry(TABLE, SlowDescent(0.1), "toy") == "sgd"


def test_a_rule_class_without_an_entry_is_refused_naming_it():
    with pytest.raises(Unsupported, match="toy has no Adam"):
        rule_entry(TABLE, Adam(), "toy")


def test_supports_answers_the_reason_a_refused_entry_raises():
    def check(rule):
        return rule_entry(TABLE, rule, "toy")(rule)

    assert refusal(check, Momentum()) == "no momentum here"
    assert refusal(lambda rule: rule_entry(TABLE, rule, "toy"), Descent()) is None


def test_a_path_missing_from_the_table_is_unsupported():
    with pytest.raises(Unsupported, match="'fused'"):
        path_entry({"structured": 1}, "fused", "toy")


def test_chain_members_open_nested_chains_with_state_key_prefixes():  # CHAIN-1
    rule = OptimiserChain(ClipGrad(), OptimiserChain(Adam()))
    assert [(prefix, type(r)) for prefix, r in chain_members(rule)] == [
        ("0.", ClipGrad), ("1.0.", Adam)]
    assert chain_members(Adam()) == [("", Adam())]


def test_indices_under_counts_a_tie_once_and_names_a_missing_key():  # FRZ-3, TIE-4
    w = np.ones(2)
    model = {"a": w, "block": [{"w": w, "b": np.zeros(1)}], "n": 3}
    assert indices_under(model, ("block",)) == {0, 1}
    assert indices_under(model, ("n",)) == set()
    with pytest.raises(KeyError, match="no such entry"):
        indices_under(model, ("nope",))


def test_consecutive_slices_cut_a_flat_buffer_in_order():
    assert consecutive([2, 0, 3]) == [slice(0, 2), slice(2, 2), slice(2, 5)]


def test_composed_splits_clips_then_one_weight_decay_then_one_rule():  # CHAIN-1
    chain = composed(OptimiserChain(ClipGrad(1.0), ClipNorm(2.0), WeightDecay(0.5), Adam()),
                     (ClipGrad, ClipNorm), "toy composes that")
    assert [type(c) for c in chain.clips] == [ClipGrad, ClipNorm]
    assert chain.decay == 0.5 and chain.core == ("3.", Adam())
    alone = composed(Descent(0.1), (ClipGrad,), "toy composes that")
    assert alone == type(alone)((), None, ("", Descent(0.1)))
    assert composed(WeightDecay(0.0), (), "toy").decay == 0.0  # a zero decay is still one
    with pytest.raises(Unsupported, match="toy composes that; this chain continues with "
                                          "Adam, Momentum"):
        composed(OptimiserChain(WeightDecay(0.1), Adam(), Momentum()), (), "toy composes that")
