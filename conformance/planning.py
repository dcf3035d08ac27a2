"""Planning a run for one adapter, without running any engine code: its declarations and
the rule classes it runs go in; the cases to run and the results already known come out
(CONF-3, CONF-4).

A property expands over its axes: one case per rule class the adapter runs (``rule``), one
per path it declares (``path``; ``distributed`` for the paths on several ranks).  A
property needing a capability or path the adapter lacks, and a rule class it refuses, are
``unsupported`` results without running; a capability declared on some paths only
(``EngineInfo.path_capabilities``) runs the property on those paths, and one
``unsupported`` result names the others.  A rule class the engine does not have at all
(its adapter refuses it with ``NotOffered``) gets no case: it is listed as not offered, with
the clauses its cases would have checked.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterable, Mapping

from optconf.adapters.protocol import DISTRIBUTED_PATHS, EngineInfo, PathName

from .cases import CaseId
from .messages import CaseAnswer
from .properties.registry import Property
from .report.model import CaseResult, NotOfferedRule


@dataclasses.dataclass(frozen=True)
class Task:
    """One planned case with its seed, the variant its rule runs in (RULE-5) and every
    clause it checks (the property's and its rule's)."""

    case: CaseId
    prop: Property
    seed: int
    variant: str | None
    clauses: tuple[str, ...]

    def result(self, answer: CaseAnswer) -> CaseResult:
        """The case's result from what its run answered."""
        fields = {f.name: getattr(answer, f.name) for f in dataclasses.fields(answer)}
        fields["others"] = [dataclasses.asdict(other) for other in answer.others]
        return CaseResult(**dataclasses.asdict(self.case), clauses=list(self.clauses),
                          variant=self.variant, seed=self.seed, **fields)

    def unsupported(self, why: str) -> CaseResult:
        return self.result(CaseAnswer("unsupported", 0.0, message=why))


def plan(label: str, info: EngineInfo, supports: Mapping[str, str | None],
         props: Iterable[Property], run_seed: int, rules: list[str] | None = None,
         lacking: Collection[str] = ()) -> tuple[list[Task], list[CaseResult]]:
    """The tasks to run for the adapter ``label``, and the results known without running
    (``unsupported``); ``supports`` maps each rule class to None (runs) or why not, in the
    reference's order; ``rules`` narrows the rule axis; a rule class in ``lacking`` (the
    engine does not have it at all) gets no case."""
    offered = info.capabilities | set(info.paths)
    reasons = {name: why for name, why in supports.items()
               if (rules is None or name in rules) and name not in lacking}
    tasks: list[Task] = []
    known: list[CaseResult] = []
    for prop in props:
        def task(rule: str | None = None, path: PathName | None = None,
                 prop: Property = prop) -> Task:
            case = CaseId(label, prop.id, rule, path)
            return Task(case, prop, case.seed(run_seed), info.variants.get(rule or ""),
                        prop.clauses_for(rule, path, info))

        on_axes: list[PathName | None] = [
            p for p in info.paths
            if ("distributed" if p in DISTRIBUTED_PATHS else "path") in prop.axes]
        paths = on_axes if {"path", "distributed"} & set(prop.axes) else [None]
        missing = sorted(prop.requires - offered)
        if missing:
            able = [p for p in paths if p is not None and set(missing) <= info.capabilities_on(p)]
            if not able:
                known.append(task().unsupported(f"adapter lacks {', '.join(missing)}"))
                continue
            if len(able) < len(paths):
                known.append(task().unsupported(_lacks_on(missing, paths, able)))
            paths = able
        rule_names: list[str | None] = list(reasons) if "rule" in prop.axes else [None]
        if "distributed" in prop.axes and not on_axes:
            known.append(task().unsupported("adapter declares no distributed path (SHARD-1)"))
            continue
        for rule in rule_names:
            why = reasons.get(rule or "")
            if why:
                known.append(task(rule).unsupported(why))
                continue
            tasks += [task(rule, path) for path in paths]
    return tasks, known


def _lacks_on(missing: list[str], paths: list[PathName | None],
              able: list[PathName | None]) -> str:
    """Why a property needing ``missing`` does not run on the ``paths`` outside ``able``,
    the paths that declare it (``EngineInfo.path_capabilities``)."""
    lacking = ", ".join(str(p) for p in paths if p not in able)
    return (f"adapter lacks {', '.join(missing)} on {lacking} (declared on "
            f"{', '.join(str(p) for p in able)} only)")


def not_offered(info: EngineInfo, supports: Mapping[str, str | None],
                lacking: Collection[str], props: Iterable[Property],
                rules: list[str] | None = None) -> list[NotOfferedRule]:
    """The rule classes in ``lacking`` (narrowed to ``rules``), in the reference's order,
    each with the adapter's reason and the clauses the rule-expanded ``props`` would have
    checked for it beyond their own (its rows of the matrix)."""
    props = [prop for prop in props if "rule" in prop.axes]
    return [NotOfferedRule(name, why or "", list(dict.fromkeys(
                c for prop in props for c in prop.clauses_for(name, None, info)
                if c not in prop.clauses)))
            for name, why in supports.items()
            if name in lacking and (rules is None or name in rules)]
