"""Optimisation rules, one small module per family (clauses RULE-1 .. and one group per rule)."""

from .adam import Adam, AdamState
from .base import Rule
from .descent import Descent, Momentum, MomentumState

__all__ = ["Adam", "AdamState", "Descent", "Momentum", "MomentumState", "Rule"]
