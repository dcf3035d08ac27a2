"""Known deviations of an engine, declared in TOML and checked strictly (CONF-12).

A file holds ``[[deviation]]`` entries::

    [[deviation]]
    property = "flat.*"            # property id or glob (required)
    rule = "Adam"                  # optional: rule class name or glob
    path = "flat_vector"           # optional: the update path the failure is on
    clause = "FLAT-2"              # optional: the clause the Deviation names
    drawn = "OptimiserChain(AccumGrad(*"   # optional: glob on a rule the failing case ran
    features = ["models: tie across containers"]   # optional: features the failing case had
    message = "*only supports 2D parameters*"   # optional: glob on the result's message
    kind = "fail"                  # fail | error | crash | timeout | unsupported (default fail)
    shows = "sometimes"            # optional: only some drawn cases trigger it (default always)
    version = "*backend jax*"      # optional: glob on the engine version the adapter declares
    reason = "torch sums tied gradients twice"   # required
    link = "https://github.com/..."              # required

An entry declares results of exactly that kind: a case that used to fail and now crashes is
a new failure.  An entry whose selector reached results in a whole run but declared none of
them is *stale* (the engine was fixed, or the entry is wrong) and fails the run -- unless it
``shows = "sometimes"``: a deviation that only some drawn cases trigger (e.g. a clipping
epsilon, visible only when a drawn gradient is clipped) is never stale; its reason must say
which cases trigger it.  ``drawn`` narrows an entry to failures whose counterexample ran a
rule matching the glob (its ``repr``), drawn or as an Adjust op of the program left it: a
deviation of chains that start with one rule, say, without declaring every other chain's
failures too, or of a hyperparameter value, whether drawn or adjusted to.  ``message``
narrows it to results whose message matches the glob: the one selector an ``error`` has
on a property without a rule axis, where no counterexample names the rule that raised, and
what keeps an ``error`` entry from declaring every other error of its cases.  ``version``
narrows an entry to runs whose adapter declares a matching ``EngineInfo.version`` (Keras's
names its backend): in another run the entry is listed but reaches no case, so it is never
stale there.  It needs the entry's adapter (a packaged file gives its own).

Entries select by path and by model feature, so that a deviation that shows only on one path
of tied models is declared for exactly those failures.  ``path`` is the path of the failure:
the case's path for properties that run one path per case, and for those that run every
path inside one case the path the counterexample failed on.  ``features`` lists features the
failing counterexample must all have, named as ``optconf run`` prints the draws' features
(``strategies.FEATURE_NAMES``: ``"models: tie across containers"``, ``"programs: freeze then
step"``, ``"losses: parameter reached twice"``); for a deviation that any one of several
features triggers, write one entry per feature; only a ``fail`` has a counterexample, so
``features`` with another ``kind`` is refused.  Like ``kind``, ``clause`` and ``drawn``,
they narrow what an entry declares, not which cases it covers: an entry with a ``path``
covers a case that runs every path, and is stale when none of its cases failed as declared.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from fnmatch import fnmatchcase
from importlib.resources import files
from pathlib import Path

from optconf.adapters.protocol import PATHS

from .cases import CaseId
from .report.model import FAILING, CaseResult, ExpectationUse, RunReport
from .strategies import FEATURE_NAMES

KINDS = ("fail", "error", "crash", "timeout", "unsupported")
_KEYS = {"adapter", "property", "rule", "path", "clause", "drawn", "features", "message",
         "kind", "shows", "reason", "link", "version"}
SHOWS = ("always", "sometimes")


class ExpectationsError(ValueError):
    """A malformed expectations file; the message names the file and line."""


def packaged(adapter: str) -> Path | None:
    """The expectations file shipped for ``adapter`` (adapters/expectations/<name>.toml)."""
    candidate = _package_root() / "adapters" / "expectations" / f"{adapter}.toml"
    return candidate if candidate.is_file() else None


def _package_root() -> Path:
    """The folder of the ``optconf`` package (the repository, for an editable install)."""
    return Path(str(files("optconf.adapters"))).parent


def portable(path: Path) -> str:
    """``path`` as a report stores it: relative to the optconf package (a packaged file
    reads ``adapters/expectations/jax.toml``) or to the working directory; else as given."""
    resolved = path.resolve()
    for base in (_package_root().resolve(), Path.cwd().resolve()):
        if resolved.is_relative_to(base):
            return resolved.relative_to(base).as_posix()
    return str(path)


def load(path: Path, adapter: str | None = None) -> list[ExpectationUse]:
    """Parse ``path``; entries without an ``adapter`` key apply to ``adapter`` (None: any)."""
    text = path.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ExpectationsError(f"{path}: {exc}") from exc
    unknown_tables = sorted(set(data) - {"deviation"})
    if unknown_tables:
        raise ExpectationsError(f"{path}:1: unknown table {unknown_tables[0]!r}; use [[deviation]]")
    lines = _entry_lines(text)
    return [_entry(path, lines[i] if i < len(lines) else 1, raw, adapter)
            for i, raw in enumerate(data.get("deviation", []))]


def _entry_lines(text: str) -> list[int]:
    """1-based line of each ``[[deviation]]`` header, in order."""
    return [n for n, line in enumerate(text.splitlines(), 1)
            if re.match(r"\s*\[\[\s*deviation\s*\]\]", line)]


def _entry(path: Path, line: int, raw: dict[str, object], adapter: str | None) -> ExpectationUse:
    def fail(msg: str, key: str | None = None) -> ExpectationsError:
        return ExpectationsError(f"{path}:{_key_line(path, line, key)}: {msg}")

    unknown = sorted(set(raw) - _KEYS)
    if unknown:
        raise fail(f"unknown key {unknown[0]!r}; valid keys: {', '.join(sorted(_KEYS))}",
                   unknown[0])
    for key, value in raw.items():
        if key != "features" and not isinstance(value, str):
            raise fail(f"{key} must be a string, not {type(value).__name__}", key)
    for key in ("property", "reason", "link"):
        if not str(raw.get(key, "")).strip():
            raise fail(f"missing required key {key!r}")
    choices = {"kind": ("fail", KINDS), "shows": ("always", SHOWS), "path": (None, PATHS)}
    for key, (default, allowed) in choices.items():
        value = raw.get(key, default)
        if value is not None and value not in allowed:
            raise fail(f"{key}={value!r} is not one of {', '.join(allowed)}", key)
    features = raw.get("features", [])
    if not isinstance(features, list) or not all(isinstance(f, str) for f in features):
        raise fail("features must be a list of strings, e.g. "
                   '["models: tie across containers"]', "features")
    if features and raw.get("kind", "fail") != "fail":
        raise fail(f"features select failures by their counterexample, which a "
                   f"{raw.get('kind')!r} result has none of", "features")
    for feature in features:
        if feature not in FEATURE_NAMES:
            raise fail(f"unknown feature {feature!r}; features: "
                       f"{', '.join(sorted(FEATURE_NAMES))}", "features")
    get = raw.get
    if get("version") is not None and not (get("adapter") or adapter):
        raise fail("version narrows an entry to its adapter's declared version: give the "
                   "adapter too (adapter = \"keras\")", "version")
    return ExpectationUse(
        file=portable(path), line=line, adapter=str(get("adapter", adapter) or "") or None,
        property=str(raw["property"]), rule=_opt(get("rule")), path=_opt(get("path")),
        clause=_opt(get("clause")), kind=str(get("kind", "fail")), reason=str(raw["reason"]),
        link=str(raw["link"]), shows=str(get("shows", "always")), drawn=_opt(get("drawn")),
        features=sorted(features), message=_opt(get("message")), version=_opt(get("version")),
    )


def _key_line(path: Path, header: int, key: str | None) -> int:
    """The line of ``key`` in the entry whose header is on line ``header`` (the header's
    own line when the key is not written there, e.g. a missing key)."""
    if key is None:
        return header
    lines = path.read_text(encoding="utf-8").splitlines()[header:]
    for n, text in enumerate(lines, header + 1):
        if re.match(r"\s*\[", text):
            break
        if re.match(rf"\s*{re.escape(key)}\s*=", text):
            return n
    return header


def _opt(value: object) -> str | None:
    return None if value is None else str(value)


def _selects(entry: ExpectationUse, case: CaseId) -> bool:
    """Whether ``case`` is one an entry speaks about (its coverage): a case without a path
    runs every path, so an entry's ``path`` selects among its failures instead."""
    return (
        (entry.adapter is None or entry.adapter == case.adapter)
        and fnmatchcase(case.property, entry.property)
        and (entry.rule is None or fnmatchcase(case.rule or "", entry.rule))
        and (entry.path is None or case.path is None or entry.path == case.path)
    )


def _failed(result: CaseResult) -> dict[str, object]:
    """The failing counterexample as recorded ({} without one)."""
    example = result.counterexample
    return example if isinstance(example, dict) else {}


def _declares(entry: ExpectationUse, result: CaseResult) -> bool:
    """Whether a result the entry covers is what it declares: its kind, clause, path, drawn
    rule and features."""
    example = _failed(result)
    return (
        result.happened == entry.kind
        and (entry.clause is None or entry.clause == result.clause)
        and (entry.path is None or entry.path == (result.path or example.get("path")))
        and (entry.drawn is None or any(fnmatchcase(rule, entry.drawn)
                                        for rule in _rules(example)))
        and set(entry.features) <= _features(example)
        and (entry.message is None or fnmatchcase(result.message or "", entry.message))
    )


def _rules(example: dict[str, object]) -> list[str]:
    """The reprs of the rules the counterexample ran: drawn, then as each Adjust left it (a
    report from before ``rules`` was recorded has the drawn rule only)."""
    found = example.get("rules")
    return [str(r) for r in found] if isinstance(found, list) else [str(example.get("rule", ""))]


def _features(example: dict[str, object]) -> set[str]:
    found = example.get("features")
    return {str(f) for f in found} if isinstance(found, list) else set()


def match(entries: list[ExpectationUse], result: CaseResult) -> ExpectationUse | None:
    """The first entry declaring ``result``; counts coverage and the match on the entries."""
    found = None
    for entry in entries:
        if not _selects(entry, result.case):
            continue
        entry.covered += 1
        if found is None and _declares(entry, result):
            entry.matched += 1
            found = entry
    return found


def judge(entries: list[ExpectationUse], result: CaseResult) -> ExpectationUse | None:
    """The entry declaring ``result``, when every distinct failure of its case is declared
    (CONF-12): a declared failure does not excuse another the case had.  Otherwise None,
    and the first undeclared failure becomes the one the result shows."""
    entry = match(entries, result)
    for index, other in enumerate(result.others):
        if other["status"] not in FAILING:
            continue  # an unsupported draw beside a failure is no failure of the engine
        view = result.as_first(other)
        declaring = next((e for e in entries if _selects(e, view.case) and _declares(e, view)),
                         None)
        if declaring is None:
            if entry is not None:
                result.lead_with(index)
            return None
        declaring.matched += 1
    return entry


def applicable(entries: list[ExpectationUse], versions: Mapping[str, str]
               ) -> list[ExpectationUse]:
    """The entries for the engine versions the adapters declare (``versions``: adapter ->
    ``EngineInfo.version``): those without a ``version``, and those whose glob matches
    their adapter's."""
    return [e for e in entries if e.version is None
            or fnmatchcase(versions.get(e.adapter or "", ""), e.version)]


def apply(report: RunReport, entries: list[ExpectationUse]) -> None:
    """Mark declared results ``expected`` and record each entry's coverage and matches; an
    entry for another engine version than its adapter's is listed and reaches nothing."""
    live = applicable(entries, {a.name: str((a.info or {}).get("version", ""))
                                for a in report.adapters})
    for r in report.results:
        entry = judge(live, r)
        if entry is not None:
            r.declare(entry.where)
    report.expectations.extend(entries)


def skeleton(report: RunReport) -> str:
    """TOML entries declaring every unexpected result of ``report`` (reasons to fill in)."""
    blocks = []
    for r in report.unexpected():
        lines = ["[[deviation]]", f'property = "{r.property}"']
        lines += [f'{k} = "{v}"' for k, v in (("rule", r.rule), ("path", r.path),
                                              ("clause", r.clause)) if v]
        lines += [f'kind = "{r.status}"', 'reason = "TODO"', 'link = "TODO"']
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + ("\n" if blocks else "")
