"""Views of a :class:`~.model.RunReport`: JSON (the source), Markdown summary, JUnit XML
and a self-contained HTML engine x clause matrix in the spirit of test262.fyi (CONF-8)."""

from __future__ import annotations

import html
import json
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from pathlib import Path

from .model import FAILING, CaseResult, NotOfferedRule, RunReport
from .spec import Clause, clauses

CELL_ORDER = ("pass", "fail", "error", "crash", "timeout", "expected", "unsupported")


def write_all(report: RunReport, out: Path) -> dict[str, Path]:
    """Write every view of ``report`` into ``out``; returns the paths by kind."""
    out.mkdir(parents=True, exist_ok=True)
    paths = {"json": out / "report.json", "markdown": out / "report.md",
             "junit": out / "junit.xml", "html": out / "matrix.html"}
    write_json(report, paths["json"])
    paths["markdown"].write_text(markdown(report), encoding="utf-8")
    paths["junit"].write_text(junit(report), encoding="utf-8")
    paths["html"].write_text(matrix_html(report), encoding="utf-8")
    return paths


def write_json(report: RunReport, path: Path) -> None:
    path.write_text(json.dumps(report.to_dict(), indent=1, sort_keys=True) + "\n",
                    encoding="utf-8")


def read_json(path: Path) -> RunReport:
    return RunReport.from_dict(json.loads(path.read_text(encoding="utf-8")))


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""


# -------------------------------------------------------------------------------- markdown


def markdown(report: RunReport) -> str:
    lines = [
        "# optconf conformance run", "",
        f"Suite {report.suite_version}, profile `{report.profile}`, seed {report.seed}, "
        f"shard {report.shard}, {report.started} .. {report.finished}"
        + (" -- **interrupted, partial results**" if report.interrupted else ""), "",
        "| adapter | " + " | ".join(CELL_ORDER) + " | clauses checked | rules not offered |",
        "|---|" + "---|" * (len(CELL_ORDER) + 2),
    ]
    checked = clauses_checked(report)
    spec = set(clauses())
    per: dict[str, Counter[str]] = defaultdict(Counter)
    for r in report.results:
        per[r.adapter][r.status] += 1
    for a in report.adapters:
        if not a.available:
            state = "error" if a.error else "unavailable"
            lines.append(f"| {a.name} | {state}: {_first_line(a.reason)} |")
            continue
        lines.append(f"| {a.name} | " + " | ".join(str(per[a.name][s]) for s in CELL_ORDER)
                     + f" | {len(checked[a.name] & spec)} of {len(spec)} "
                     f"| {len(a.not_offered)} |")
    lacking = [a for a in report.adapters if a.not_offered]
    if lacking:
        lines += ["", "## Rules not offered", "",
                  "A rule class the engine does not have at all gets no case; its clauses "
                  "show `not offered` in the matrix.", ""]
        lines += [f"- **{a.name}**: " + "; ".join(f"{n.rule} ({_first_line(n.reason)})"
                                                 for n in a.not_offered) for a in lacking]
    bad = report.unexpected()
    lines += ["", f"## Unexpected results ({len(bad)})", ""]
    for r in bad:
        where = f" ({r.clause})" if r.clause else ""
        repro = f" -- repro: `{r.repro}`" if r.repro else ""
        lines.append(f"- **{r.status}** `{r.case.key}`{where}: {_first_line(r.message)}{repro}")
        lines += [f"  - and **{o['status']}**: {_first_line(o['message'])}" for o in r.others]
    stale = report.stale()
    if stale:
        lines += ["", f"## Stale expectations ({len(stale)})", ""]
        lines += [f"- {e.where}: `{e.property}` reached {e.covered} results, declared none "
                  f"({e.reason})" for e in stale]
    return "\n".join(lines) + "\n"


def clauses_checked(report: RunReport) -> dict[str, set[str]]:
    """Per adapter, the clauses some case of it ran against (any status but
    ``unsupported``): a failure counts for the clause it names, any other result for every
    clause its case checks."""
    checked: dict[str, set[str]] = defaultdict(set)
    for (clause, adapter), results in _cell_results(report).items():
        if any(r.status != "unsupported" for r in results):
            checked[adapter].add(clause)
    return checked


# ----------------------------------------------------------------------------------- junit


def junit(report: RunReport) -> str:
    """One testcase per result: fail -> failure; error, crash, timeout -> error;
    unsupported and declared deviations -> skipped."""
    root = ET.Element("testsuites", name="optconf")
    by_adapter: dict[str, list[CaseResult]] = defaultdict(list)
    for r in report.results:
        by_adapter[r.adapter].append(r)
    for adapter, results in sorted(by_adapter.items()):
        suite = ET.SubElement(root, "testsuite", name=adapter, tests=str(len(results)))
        counts: Counter[str] = Counter()
        for r in results:
            case = ET.SubElement(suite, "testcase", classname=f"{adapter}.{r.property}",
                                 name=r.case.test_id, time=f"{r.duration:.3f}")
            kind = _junit_kind(r)
            if kind:
                counts[kind] += 1
                msg = _first_line(r.message) if kind != "skipped" or not r.expected else (
                    f"expected {r.happened} ({r.expected})")
                node = ET.SubElement(case, kind, message=msg, type=r.happened)
                if kind != "skipped":
                    node.text = f"{r.clause or ''} seed={r.seed}\n{r.message}" + "".join(
                        f"\n\nand {o['status']}: {o['message']}" for o in r.others)
        suite.set("failures", str(counts["failure"]))
        suite.set("errors", str(counts["error"]))
        suite.set("skipped", str(counts["skipped"]))
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _junit_kind(r: CaseResult) -> str | None:
    if r.status in ("unsupported", "expected"):
        return "skipped"
    return {"fail": "failure", "error": "error", "crash": "error", "timeout": "error"}.get(r.status)


# ------------------------------------------------------------------------------------ html


def _cell_results(report: RunReport) -> dict[tuple[str, str], list[CaseResult]]:
    """(clause, adapter) -> results bearing on it: a failure counts against the clause its
    Deviation names, everything else for every clause the property checks."""
    cells: dict[tuple[str, str], list[CaseResult]] = defaultdict(list)
    for r in report.results:
        targets = [r.clause] if r.happened == "fail" and r.clause else r.clauses
        for c in targets:
            cells[(c, r.adapter)].append(r)
    return cells


def _not_offered(report: RunReport) -> dict[tuple[str, str], list[NotOfferedRule]]:
    """(clause, adapter) -> the rules not offered whose cases would have checked it."""
    cells: dict[tuple[str, str], list[NotOfferedRule]] = defaultdict(list)
    for a in report.adapters:
        for lacking in a.not_offered:
            for c in lacking.clauses:
                cells[(c, a.name)].append(lacking)
    return cells


def _cell(results: list[CaseResult], lacking: list[NotOfferedRule]) -> str:
    absent = "\n".join(f"not offered: {n.rule} -- {_first_line(n.reason)[:120]}"
                        for n in lacking)
    if not results:
        if lacking:
            return (f'<td class="notoffered" title="{html.escape(absent)}">'
                    f"{len(lacking)} not offered</td>")
        return '<td class="none"></td>'
    counts = Counter(r.status for r in results)
    bad = sum(counts[s] for s in FAILING)
    css = ("bad" if bad else "expected" if counts["expected"] else
           "ok" if counts["pass"] else "unsupported")
    text = " ".join(f"{counts[s]}{_MARK[s]}" for s in CELL_ORDER if counts[s])
    detail = "\n".join(f"{r.status}: {r.case.test_id}"
                       + (f" -- {_first_line(r.message)[:120]}" if r.message else "")
                       for r in sorted(results, key=lambda r: r.status)[:40])
    detail += f"\n{absent}" if absent else ""
    return f'<td class="{css}" title="{html.escape(detail)}">{html.escape(text)}</td>'


_MARK = {"pass": "✓", "fail": "✗", "error": "!", "crash": "☠", "timeout": "⌛",
         "expected": "~", "unsupported": "–"}

_STYLE = """
body{font:14px system-ui,sans-serif;margin:1.5em}table{border-collapse:collapse}
td,th{border:1px solid #ccc;padding:2px 6px;text-align:center}th.clause,td.clause{text-align:left}
td.ok{background:#c8f0c8}td.bad{background:#f4b4b4}td.expected{background:#f6e3a8}
td.unsupported{background:#e4e4e4;color:#666}td.notoffered{color:#888;font-style:italic}
tr.area th{background:#345;color:#fff;text-align:left}
td.clause span{color:#555;font-size:12px}
"""


def matrix_html(report: RunReport, spec: dict[str, Clause] | None = None) -> str:
    """Rows: SPEC clauses grouped by area; columns: adapters; cells: counts by status, with
    the cases as hover text.  Clauses the run reached but the SPEC lacks come last."""
    spec = clauses() if spec is None else spec
    adapters = [a.name for a in report.adapters if a.available]
    cells = _cell_results(report)
    lacking = _not_offered(report)
    reached = {c for c, _ in cells} | {c for c, _ in lacking}
    rows = list(spec.values())
    extra = sorted(reached - set(spec))
    head = "".join(f"<th>{html.escape(a)}</th>" for a in adapters)
    body, area = [], None
    for clause in rows:
        if clause.area != area:
            area = clause.area
            body.append(f'<tr class="area"><th colspan="{len(adapters) + 1}">'
                        f"{html.escape(clause.section)}</th></tr>")
        body.append(_row(clause.id, clause.sentence, adapters, cells, lacking))
    if extra:
        body.append(f'<tr class="area"><th colspan="{len(adapters) + 1}">'
                    "Not in docs/SPEC.md</th></tr>")
        body += [_row(c, "", adapters, cells, lacking) for c in extra]
    unavailable = "".join(f"<li>{html.escape(a.name)}: {html.escape(a.reason)}</li>"
                          for a in report.adapters if not a.available)
    not_offered = "".join(f"<li>{html.escape(a.name)}: "
                          + html.escape(", ".join(n.rule for n in a.not_offered)) + "</li>"
                          for a in report.adapters if a.not_offered)
    legend = " ".join(f"{m} {s}" for s, m in _MARK.items())
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>optconf conformance matrix</title>
<style>{_STYLE}</style></head><body>
<h1>optconf: engine x clause</h1>
<p>Profile <code>{report.profile}</code>, seed {report.seed}, {report.finished}.
{'<strong>Interrupted: partial results.</strong>' if report.interrupted else ''}
Legend: {html.escape(legend)}; "not offered": the engine has no such rule, so no case
ran (the rules each engine lacks are listed below the table); hover a cell for its cases.</p>
<table><tr><th class="clause">clause</th>{head}</tr>
<tr><td class="clause">cases passed / run (unsupported not run)</td>{_totals(report, adapters)}</tr>
<tr><td class="clause">clauses checked / in docs/SPEC.md</td>{_checked(report, adapters, spec)}</tr>
{chr(10).join(body)}
</table>
{f'<h2>Rules not offered</h2><ul>{not_offered}</ul>' if not_offered else ''}
{f'<h2>Unavailable</h2><ul>{unavailable}</ul>' if unavailable else ''}
</body></html>
"""


def _totals(report: RunReport, adapters: list[str]) -> str:
    cells = []
    for a in adapters:
        mine = [r for r in report.results if r.adapter == a and r.status != "unsupported"]
        passed = sum(r.status == "pass" for r in mine)
        cells.append(f"<td><b>{passed}/{len(mine)}</b></td>")
    return "".join(cells)


def _checked(report: RunReport, adapters: list[str], spec: dict[str, Clause]) -> str:
    checked = clauses_checked(report)
    return "".join(f"<td><b>{len(checked[a] & set(spec))}/{len(spec)}</b></td>" for a in adapters)


def _row(cid: str, sentence: str, adapters: list[str],
         cells: dict[tuple[str, str], list[CaseResult]],
         lacking: dict[tuple[str, str], list[NotOfferedRule]]) -> str:
    label = (f'<td class="clause" title="{html.escape(sentence)}"><b>{cid}</b> '
             f"<span>{html.escape(sentence[:90])}</span></td>")
    return "<tr>" + label + "".join(_cell(cells.get((cid, a), []), lacking.get((cid, a), []))
                                    for a in adapters) + "</tr>"
