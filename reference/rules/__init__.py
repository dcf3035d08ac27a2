"""Optimisation rules, one small module per family (clauses RULE-1 .. RULE-8 and one group
per rule)."""

from .adam import (
    AdaBelief,
    Adam,
    AdamState,
    AdamW,
    NAdam,
    OAdam,
    OAdamState,
    RAdam,
    RAdamState,
)
from .adaptive import (
    AdaDelta,
    AdaDeltaState,
    AdaGrad,
    AdaGradState,
    RMSProp,
    RMSPropState,
)
from .base import Rule
from .clip import ClipGlobalNorm, ClipGrad, ClipNorm
from .compose import AccumGrad, AccumGradState, OptimiserChain
from .decay import SignDecay, WeightDecay
from .descent import Descent, Momentum, MomentumState, Nesterov, NesterovState
from .lamb import LAMB
from .lars import LARS, LARSState
from .maxima import AdaMax, AdaMaxState, AMSGrad, AMSGradState
from .mixed import MixedPrecision, MixedPrecisionState
from .muon import Muon, MuonState
from .sign import Lion, LionState, Rprop, RpropState

__all__ = [
    "LAMB",
    "LARS",
    "AMSGrad",
    "AMSGradState",
    "AccumGrad",
    "AccumGradState",
    "AdaBelief",
    "AdaDelta",
    "AdaDeltaState",
    "AdaGrad",
    "AdaGradState",
    "AdaMax",
    "AdaMaxState",
    "Adam",
    "AdamState",
    "AdamW",
    "ClipGlobalNorm",
    "ClipGrad",
    "ClipNorm",
    "Descent",
    "LARSState",
    "Lion",
    "LionState",
    "MixedPrecision",
    "MixedPrecisionState",
    "Momentum",
    "MomentumState",
    "Muon",
    "MuonState",
    "NAdam",
    "Nesterov",
    "NesterovState",
    "OAdam",
    "OAdamState",
    "OptimiserChain",
    "RAdam",
    "RAdamState",
    "RMSProp",
    "RMSPropState",
    "Rprop",
    "RpropState",
    "Rule",
    "SignDecay",
    "WeightDecay",
]
