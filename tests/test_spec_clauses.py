"""SPEC.md and the code cite each other: every clause a docstring, comment or test names
exists in docs/SPEC.md, and every clause in docs/SPEC.md is cited by code or a test."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "docs" / "SPEC.md"
SOURCES = ["reference", "adapters", "conformance", "tests"]

CLAUSE_DEF = re.compile(r"^- \*\*([A-Z]+(?:-[A-Z]+)*-\d+)\*\*", re.MULTILINE)


def spec_clauses() -> list[str]:
    return CLAUSE_DEF.findall(SPEC.read_text())


def cited_clauses(areas: set[str]) -> set[str]:
    """Clause IDs cited in source files; ``X-2 .. X-5`` cites X-2, X-3, X-4 and X-5."""
    area = "|".join(sorted(areas, key=len, reverse=True))
    single = re.compile(rf"\b({area})-(\d+)\b")
    span = re.compile(rf"\b({area})-(\d+)\s*\.\.\s*(?:({area})-)?(\d+)\b")
    cited: set[str] = set()
    for folder in SOURCES:
        for path in (ROOT / folder).rglob("*.py"):
            text = path.read_text()
            cited.update(f"{a}-{n}" for a, n in single.findall(text))
            for a, lo, _, hi in span.findall(text):
                cited.update(f"{a}-{n}" for n in range(int(lo), int(hi) + 1))
    return cited


def areas_of(clauses: list[str]) -> set[str]:
    return {c.rsplit("-", 1)[0] for c in clauses}


def test_spec_has_at_least_sixty_unique_clauses():
    clauses = spec_clauses()
    assert len(clauses) >= 60
    duplicates = sorted({c for c in clauses if clauses.count(c) > 1})
    assert not duplicates, f"clauses defined twice in SPEC.md: {duplicates}"


def test_every_cited_clause_exists_in_the_spec():
    clauses = set(spec_clauses())
    unknown = sorted(cited_clauses(areas_of(list(clauses))) - clauses)
    assert not unknown, f"cited but not in docs/SPEC.md: {unknown}"


def test_every_spec_clause_is_cited_by_code_or_tests():
    clauses = spec_clauses()
    uncited = sorted(set(clauses) - cited_clauses(areas_of(clauses)))
    assert not uncited, f"in docs/SPEC.md but cited nowhere: {uncited}"
