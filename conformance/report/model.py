"""The one result model of a conformance run.  The JSON form of :class:`RunReport` is the
source of truth; Markdown, JUnit XML and HTML are views of it (CONF-8).

Records have a field named ``property``, hence ``@builtins.property`` for their properties.
"""

from __future__ import annotations

import builtins
import dataclasses
from fnmatch import fnmatchcase
from typing import Any

from optconf.adapters.protocol import PathName

from ..cases import CaseId
from ..messages import Failure

#: What can happen to one case.  ``fail``: a Deviation (the engine disagrees with the spec);
#: ``error``: any other exception; ``crash``: the worker process died; ``timeout``: the case
#: ran past the profile's limit; ``unsupported``: the adapter cannot express the case;
#: ``expected``: one of the four failing ones, declared in an expectations file (CONF-12).
STATUSES = ("pass", "expected", "fail", "error", "crash", "timeout", "unsupported")
FAILING = frozenset({"fail", "error", "crash", "timeout"})
#: The fields of a result that say how its case failed (a worker's Failure); ``others``
#: holds more of them.
FAILURE_FIELDS = tuple(f.name for f in dataclasses.fields(Failure))
SUITE_VERSION = "0.1.0"


@dataclasses.dataclass
class CaseResult:
    """The outcome of one (adapter, property, rule, path) case.  ``expected`` names the
    expectations entry (``file:line``) that declared this outcome, if any; a declared
    failure has status ``expected`` and keeps what happened in ``declared``."""

    adapter: str
    property: str
    rule: str | None
    path: PathName | None
    clauses: list[str]
    status: str
    message: str = ""
    clause: str | None = None
    observed: float | str | None = None  # "nan" / "inf" when the error is not finite
    allowed: float | str | None = None
    counterexample: Any = None
    variant: str | None = None
    seed: int = 0
    duration: float = 0.0
    repro: str | None = None
    expected: str | None = None
    declared: str | None = None
    drawn: Any = None  # the features its draws had: strategies.Drawn.to_json() (CONF-4)
    startup: float = 0.0  # seconds its worker spent starting rank processes (CONF-13)
    #: the case's other distinct failures (Hypothesis reports each it found while
    #: shrinking), each as the FAILURE_FIELDS of a result (CONF-3)
    others: list[dict[str, Any]] = dataclasses.field(default_factory=list)

    @builtins.property
    def case(self) -> CaseId:
        return CaseId(self.adapter, self.property, self.rule, self.path)

    @builtins.property
    def happened(self) -> str:
        """What the engine did: the status, or for an expected result the declared one."""
        return self.declared or self.status

    @builtins.property
    def unexpected(self) -> bool:
        return self.status in FAILING

    def as_first(self, other: dict[str, Any]) -> CaseResult:
        """This result as if ``other``, one of its other failures, were its failure."""
        return dataclasses.replace(self, **other, others=[])

    def lead_with(self, index: int) -> None:
        """Show ``others[index]`` as the case's failure, and the one shown until now among
        the others."""
        shown = {name: getattr(self, name) for name in FAILURE_FIELDS}
        for name, value in self.others[index].items():
            setattr(self, name, value)
        self.others = [shown if i == index else other for i, other in enumerate(self.others)]

    def declare(self, where: str) -> None:
        """Mark this result as declared by the expectations entry at ``where``."""
        self.expected = where
        if self.status in FAILING:
            self.status, self.declared = "expected", self.status


@dataclasses.dataclass
class NotOfferedRule:
    """A rule class the engine does not have at all, so no case of it is planned: why (the
    adapter's words), and the clauses its cases would have checked beyond their
    properties' own (its rows in the matrix) (CONF-3)."""

    rule: str
    reason: str
    clauses: list[str]


@dataclasses.dataclass
class AdapterEntry:
    """An adapter of the run: its declared EngineInfo, or why it could not run (for one that
    runs, ``reason`` holds the deprecations its loading raised, CONF-2).  ``error``:
    the adapter failed (unknown, or it hung, crashed or raised while loading or declaring
    itself; or it was asked for by name and cannot run here), which makes the run's exit
    code 2; otherwise an unavailable engine is only a note.  ``not_offered``: the rule
    classes the engine lacks, which have no cases."""

    name: str
    available: bool
    reason: str = ""
    info: dict[str, Any] | None = None
    error: bool = False
    not_offered: list[NotOfferedRule] = dataclasses.field(default_factory=list)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AdapterEntry:
        lacking = [NotOfferedRule(**n) for n in data.get("not_offered", [])]
        return cls(**{**data, "not_offered": lacking})


@dataclasses.dataclass
class ExpectationUse:
    """One expectations entry and how the run used it.  ``covered``: results its selector
    reached; ``matched``: results it declared.  Covered but never matched = stale, unless
    the entry ``shows`` only ``"sometimes"``: a deviation that only some drawn cases
    trigger (its reason says which)."""

    file: str
    line: int
    adapter: str | None
    property: str
    rule: str | None
    path: str | None
    clause: str | None
    kind: str
    reason: str
    link: str
    shows: str = "always"
    drawn: str | None = None
    features: list[str] = dataclasses.field(default_factory=list)
    message: str | None = None
    version: str | None = None
    covered: int = 0
    matched: int = 0

    @builtins.property
    def where(self) -> str:
        return f"{self.file}:{self.line}"

    @builtins.property
    def stale(self) -> bool:
        return self.shows == "always" and self.covered > 0 and self.matched == 0


@dataclasses.dataclass
class RunReport:
    suite_version: str
    started: str
    finished: str
    profile: str
    seed: int
    shard: str
    argv: list[str]
    adapters: list[AdapterEntry]
    results: list[CaseResult]
    expectations: list[ExpectationUse] = dataclasses.field(default_factory=list)
    interrupted: bool = False
    #: versions and CPU features that shape draws and numbers (see .environment)
    environment: dict[str, str] = dataclasses.field(default_factory=dict)
    #: the filters that left cases out of the run, ``{"property": [GLOB, ...], "rule":
    #: [NAME, ...]}`` as given to ``--property`` and ``--rule``; empty: every case
    selection: dict[str, list[str]] = dataclasses.field(default_factory=dict)

    @builtins.property
    def whole(self) -> bool:
        """Stale expectations are only judged over a whole run (one shard, or merged)."""
        return self.shard == "1/1" and not self.interrupted

    def stale(self) -> list[ExpectationUse]:
        """Entries that reached results but declared none, over a whole run and among the
        entries whose every case the selection kept (:meth:`judges`)."""
        return [e for e in self.expectations if e.stale and self.judges(e)] if self.whole else []

    def judges(self, entry: ExpectationUse) -> bool:
        """Whether every case ``entry`` selects was run: with ``--property`` globs, its
        property (read as a name) matches one of them; with ``--rule`` names, it names a
        rule that matches one.  Otherwise it may be unmatched only because the cases that
        show it were left out (an entry for every property narrowed to one drawn rule, in
        a run of another property)."""
        globs, rules = self.selection.get("property", []), self.selection.get("rule", [])
        return ((not globs or any(fnmatchcase(entry.property, g) for g in globs))
                and (not rules or (entry.rule is not None
                                   and any(fnmatchcase(entry.rule, r) for r in rules))))

    def unexpected(self) -> list[CaseResult]:
        return [r for r in self.results if r.unexpected]

    def counts(self) -> dict[str, int]:
        out = {s: 0 for s in STATUSES}
        for r in self.results:
            out[r.status] += 1
        return out

    def adapter_errors(self) -> list[AdapterEntry]:
        return [a for a in self.adapters if a.error]

    def exit_code(self) -> int:
        """0: conforms or deviates only as declared; 1: unexpected deviations or stale
        expectations; 2: an adapter error; 130: interrupted (CONF-12)."""
        if self.interrupted:
            return 130
        if self.adapter_errors():
            return 2
        return 1 if self.unexpected() or self.stale() else 0

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunReport:
        fields = {k: v for k, v in data.items() if k not in ("adapters", "results", "expectations")}
        return cls(
            **fields,
            adapters=[AdapterEntry.from_dict(a) for a in data["adapters"]],
            results=[CaseResult(**r) for r in data["results"]],
            expectations=[ExpectationUse(**e) for e in data.get("expectations", [])],
        )


def sort_results(results: list[CaseResult]) -> list[CaseResult]:
    return sorted(results, key=lambda r: (r.adapter, r.property, r.rule or "", r.path or ""))


def merge(reports: list[RunReport], argv: list[str]) -> RunReport:
    """One report from shards of a run or from runs of different adapters: results and
    adapters united, expectation use summed per entry (CONF-9)."""
    if not reports:
        raise ValueError("merge: give at least one report")
    adapters: dict[str, AdapterEntry] = {}
    for rep in reports:
        for a in rep.adapters:
            if a.available or a.name not in adapters:
                adapters[a.name] = a
    uses: dict[tuple[str, int, str | None], ExpectationUse] = {}
    for rep in reports:
        for e in rep.expectations:
            key = (e.file, e.line, e.adapter)
            if key in uses:
                uses[key].covered += e.covered
                uses[key].matched += e.matched
            else:
                uses[key] = dataclasses.replace(e)
    seen: dict[CaseId, CaseResult] = {}
    for rep in reports:
        for r in rep.results:
            seen.setdefault(r.case, r)
    first = reports[0]
    return RunReport(
        suite_version=first.suite_version,
        started=min(r.started for r in reports),
        finished=max(r.finished for r in reports),
        profile=first.profile,
        seed=first.seed,
        shard=_merged_shard([r.shard for r in reports]),
        argv=argv,
        adapters=sorted(adapters.values(), key=lambda a: a.name),
        results=sort_results(list(seen.values())),
        expectations=sorted(uses.values(), key=lambda e: (e.file, e.line, e.adapter or "")),
        interrupted=any(r.interrupted for r in reports),
        environment=first.environment,
        selection={key: sorted({v for r in reports for v in r.selection.get(key, [])})
                   for key in sorted({k for r in reports for k in r.selection})},
    )


def _merged_shard(shards: list[str]) -> str:
    """``1/1`` when the reports are whole runs or every shard of one run; otherwise the
    shards present, e.g. ``1+3/4`` (not whole: stale entries are not judged)."""
    parts = {tuple(int(x) for x in s.split("/")) for s in shards if s != "1/1"}
    if not parts:
        return "1/1"
    counts = {n for _, n in parts}
    present = sorted(i for i, _ in parts)
    if len(counts) == 1 and present == list(range(1, counts.pop() + 1)):
        return "1/1"
    return "+".join(map(str, present)) + "/" + "|".join(sorted({str(n) for _, n in parts}))
