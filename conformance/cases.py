"""One case of a conformance run: an adapter, a property, and the rule and path the property
expands over.  Its key names it in reports, expectations, shards, pytest ids and repro
scripts; its seed and replay command come from here alone (CONF-4, CONF-9).

Also here: the rule a case runs, in the variant the adapter declares (RULE-5).
"""

from __future__ import annotations

import builtins
import dataclasses
import hashlib
import re

from optconf.adapters.protocol import EngineInfo, PathName
from optconf.reference.rules.base import Rule
from optconf.reference.rules.compose import OptimiserChain
from optconf.reference.rules.mixed import MixedPrecision

from .catalog import default_rule

DEFAULT_REGISTRY = "optconf.conformance.properties:PROPERTIES"


@dataclasses.dataclass(frozen=True)
class CaseId:
    """``adapter::property[rule,path]``; ``rule`` (a rule class name) and ``path`` are None
    when the property does not expand over that axis.  (A field is named ``property``,
    hence ``@builtins.property``.)"""

    adapter: str
    property: str
    rule: str | None = None
    path: PathName | None = None

    @builtins.property
    def axes_key(self) -> str:
        """``[rule,path]``, or "" for a property without axes."""
        parts = [p for p in (self.rule, self.path) if p]
        return f"[{','.join(parts)}]" if parts else ""

    @builtins.property
    def test_id(self) -> str:
        """``property[rule,path]``: the case within its adapter (pytest ids, JUnit)."""
        return f"{self.property}{self.axes_key}"

    @builtins.property
    def key(self) -> str:
        """``adapter::property[rule,path]``: how reports, replay and shards name a case."""
        return f"{self.adapter}::{self.test_id}"

    @builtins.property
    def file_stem(self) -> str:
        """The key as a file name: ``adapter__property__rule_path``."""
        return "__".join(re.sub(r"[^A-Za-z0-9_.-]+", "_", s).strip("_")
                         for s in (self.adapter, self.property, self.axes_key or "case"))

    def seed(self, run_seed: int) -> int:
        """The case's own seed: a hash of the run seed and the key (32 bits), so a case
        replays alone."""
        text = f"{run_seed}|{self.adapter}|{self.property}|{self.axes_key}"
        return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big")

    def in_shard(self, shard: tuple[int, int]) -> bool:
        """Whether the case belongs to shard ``i`` of ``n`` (1-based, stable)."""
        i, n = shard
        digest = hashlib.sha256(self.key.encode()).digest()[:8]
        return int.from_bytes(digest, "big") % n == i - 1

    def replay_command(self, seed: int, profile: str | None = None,
                       registry: str = DEFAULT_REGISTRY) -> str:
        """The ``optconf replay`` line that re-runs this case in process."""
        return (f"optconf replay --adapter {self.adapter} --property {self.property}"
                + (f" --rule {self.rule}" if self.rule else "")
                + (f" --path {self.path}" if self.path else "")
                + f" --seed {seed}" + (f" --profile {profile}" if profile else "")
                + (f" --registry {registry}" if registry != DEFAULT_REGISTRY else ""))


def natural_rule(info: EngineInfo, name: str) -> Rule:
    """The rule class ``name`` as the engine runs it: the catalogue's default rule, it and
    every member of a chain in the variant the engine declares for its class (RULE-5)."""
    return in_declared_variants(info, default_rule(name))


def in_declared_variants(info: EngineInfo, rule: Rule) -> Rule:
    """``rule``, every member of a chain and a MixedPrecision's inner rule, in the variant
    the engine declares for its class (RULE-5)."""
    if isinstance(rule, OptimiserChain):
        return OptimiserChain(*(in_declared_variants(info, member) for member in rule.rules))
    if isinstance(rule, MixedPrecision):
        return dataclasses.replace(rule, rule=in_declared_variants(info, rule.rule))
    variant = info.variants.get(type(rule).__name__)
    return rule if variant is None else dataclasses.replace(rule, variant=variant)
