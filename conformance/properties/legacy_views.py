"""The legacy surface seen through the verbs every adapter has: the gradient through
``params`` is the gradient through ``trainables`` (DEP-6, DEP-8), and the legacy optimiser
keeps one state per array object (DEP-9).  Separate properties, so that an engine without
the legacy surface shows these clauses as unsupported with its reason."""

from __future__ import annotations

import dataclasses

from optconf.adapters.protocol import Adapter

from ..profiles import Profile
from . import gradients, tying
from .common import explore
from .registry import CaseId, prop


@prop("DEP-6", "DEP-8", requires=("legacy", "gradient"))
def check_params_gradient(adapter: Adapter, profile: Profile, seed: int,
                          case: CaseId) -> None:
    """The engine's gradient of a random loss through its legacy ``params``: per distinct
    array it is the exact gradient through ``trainables``, so ``params`` collected the same
    arrays in the same order, each once (DEP-6), and is differentiable (DEP-8)."""
    explore(gradients._cases(adapter, ["legacy"]),
            lambda drawn: gradients._check_gradient(adapter, drawn), profile, seed, share=2)


@prop("DEP-9", requires=("legacy", "shared"))
def check_state_by_identity(adapter: Adapter, profile: Profile, seed: int,
                            case: CaseId) -> None:
    """Legacy steps on a model holding one array at two places and distinct arrays that may
    be equal in value: one state per array object, as tying.shared_summed_once checks on the
    legacy path (DEP-9)."""
    tying.check_shared_summed_once(adapter, profile, seed,
                                   dataclasses.replace(case, path="legacy"))
