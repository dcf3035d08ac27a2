"""SPEC.md and the code cite each other: every clause a docstring, comment or test names
exists in docs/SPEC.md, and every clause in docs/SPEC.md is cited by code or a test.  And
every clause is checked: by a property (its own clauses, or those its cases declare for
their rule, path and engine), or listed as reference-only or a suite clause with a reason;
a docstring mention is not coverage."""

import re
from itertools import product
from pathlib import Path

from optconf.adapters.protocol import CAPABILITIES, PATHS, EngineInfo
from optconf.conformance import catalog
from optconf.conformance.properties import PROPERTIES

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


def variants_of(name):
    """Every variant a rule class can be declared in: its presets and each axis value."""
    cls = catalog.rule_classes()[name]
    axes = getattr(cls, "axes", {})
    return [None, *cls.variants, *(f"{a}={v}" for a, values in axes.items() for v in values)]


def engines():
    """Engines declaring everything, one per variant of every rule, float16 included."""
    for name in catalog.rule_classes():
        for variant in variants_of(name):
            yield name, EngineInfo("e", "e", "1", "cpu", ("float64", "float16"), CAPABILITIES,
                                   PATHS, {name: variant} if variant else {})


def property_clauses():
    """Every clause some property checks on some engine, rule, variant and path."""
    found = set()
    for prop in PROPERTIES.values():
        found.update(prop.clauses)
        if prop.case_clauses:
            for (name, info), path in product(engines(), (None, *PATHS)):
                found.update(prop.clauses_for(name, path, info))
    return found


def test_every_spec_clause_is_checked_by_a_property_or_listed_with_a_reason():
    listed = set(catalog.REFERENCE_ONLY) | {c for c in spec_clauses()
                                            if c.rsplit("-", 1)[0] in catalog.SUITE_AREAS}
    unchecked = sorted(set(spec_clauses()) - property_clauses() - listed)
    assert not unchecked, ("in docs/SPEC.md but checked by no property and not in "
                           f"catalog.REFERENCE_ONLY: {unchecked}")


def test_reference_only_clauses_exist_have_a_reason_and_no_property_checks_them():
    listed = catalog.REFERENCE_ONLY
    assert set(listed) <= set(spec_clauses()), sorted(set(listed) - set(spec_clauses()))
    assert all(reason.strip() for reason in listed.values())
    checked = sorted(set(listed) & property_clauses())
    assert not checked, f"listed as reference-only but checked by a property: {checked}"


def test_every_case_clause_a_property_declares_exists_in_the_spec():
    unknown = sorted(property_clauses() - set(spec_clauses()))
    assert not unknown, f"declared by a property but not in docs/SPEC.md: {unknown}"
