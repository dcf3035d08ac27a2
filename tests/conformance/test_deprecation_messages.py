"""DEP-3 reads an engine's own wording when its adapter declares the deprecated call and its
replacement, and optconf's form otherwise; the warning clauses expect a warning from each
legacy step that calls the legacy API, one with some gradient (UPD-5)."""

from __future__ import annotations

import numpy as np

from optconf.adapters.protocol import Freeze, Program, Step
from optconf.conformance.properties.deprecation import legacy_calls, names_the_replacement
from optconf.reference.rules import Descent

TORCH = {"torch.nn.utils.stateless.functional_call": ("torch.func.functional_call",)}
OPTAX = {"optax.tree_utils.tree_add_scalar_mul": ("optax.tree_utils.tree_add_scale",)}


def test_an_engine_message_naming_the_call_and_its_replacement_passes():
    message = ("`torch.nn.utils.stateless.functional_call` is deprecated as of PyTorch 2.0 and "
               "will be removed in a future version of PyTorch. Please use "
               "`torch.func.functional_call` instead which is a drop-in replacement.")
    assert names_the_replacement(message, TORCH)
    assert not names_the_replacement(message, {})  # not optconf's own form


def test_a_message_naming_another_call_fails():
    message = ("optax.tree_utils.tree_scalar_mul is deprecated: use "
               "optax.tree_utils.tree_scale (optax v0.2.5 or newer).")
    assert not names_the_replacement(message, OPTAX)


def test_naming_both_calls_without_saying_deprecated_fails():
    assert not names_the_replacement(
        "torch.nn.utils.stateless.functional_call: see torch.func.functional_call", TORCH)


def test_optconfs_own_form_passes_without_declarations():
    assert names_the_replacement("params(model) is deprecated; use trainables(model)", {})


def test_only_steps_with_some_gradient_call_the_legacy_api():
    """Seed 7 of the ci profile drew four steps without any gradient: torch's legacy path
    made no call, so no warning was due (DEP-1, DEP-2, DEP-3)."""
    model = {"w": np.ones(2), "empty": np.ones((1, 0))}
    ops = (Step({"w": None, "empty": None}), Step(None), Freeze(("w",)),
           Step({"w": None, "empty": np.ones((1, 0))}), Step({"w": np.ones(2), "empty": None}))
    assert legacy_calls(Program(model, Descent(), ops)) == 2
    assert legacy_calls(Program(model, Descent(), ops[:2])) == 0
