"""The clauses of docs/SPEC.md, parsed: what ``optconf spec`` shows and the rows of the
engine x clause matrix (CONF-8)."""

from __future__ import annotations

import dataclasses
import importlib.util
import os
import re
from functools import cache
from pathlib import Path

_CLAUSE = re.compile(r"^- \*\*([A-Z]+-\d+)\*\*\s*(.*)$")
_HEADING = re.compile(r"^#{2,3}\s+(.*?)\s*(?:\(([A-Z]+)\))?\s*$")


@dataclasses.dataclass(frozen=True)
class Clause:
    id: str
    area: str          # the ID's prefix, e.g. ADAM
    section: str       # the heading it sits under
    text: str          # the clause as written, continuation lines joined
    line: int

    @property
    def sentence(self) -> str:
        """The normative sentence, without the *Source:* / *Engines:* notes."""
        return re.split(r"\s\*(?:Source|Engines):\*", self.text)[0].strip()


def spec_path() -> Path:
    """The SPEC.md this installation carries: docs/ of the checkout for an editable install,
    the packaged copy (``optconf.docs``) otherwise; $OPTCONF_SPEC overrides both."""
    if os.environ.get("OPTCONF_SPEC"):
        return Path(os.environ["OPTCONF_SPEC"])
    docs = importlib.util.find_spec("optconf.docs")
    for folder in (docs.submodule_search_locations or []) if docs else []:
        if (Path(folder) / "SPEC.md").is_file():
            return Path(folder) / "SPEC.md"
    raise FileNotFoundError("SPEC.md not found: neither docs/ of a checkout nor the packaged "
                            "optconf.docs has it; set OPTCONF_SPEC to its path")


def parse(text: str) -> list[Clause]:
    clauses: list[Clause] = []
    section = ""
    current: list[str] | None = None
    start = 0

    def flush() -> None:
        if current:
            cid, first = current[0].split("\x00")
            text = " ".join([first, *(s.strip() for s in current[1:])]).strip()
            clauses.append(Clause(cid, cid.rsplit("-", 1)[0], section, text, start))

    for n, line in enumerate(text.splitlines(), 1):
        m = _CLAUSE.match(line)
        if m:
            flush()
            current, start = [f"{m[1]}\x00{m[2]}"], n
        elif current is not None and line.startswith("  ") and line.strip():
            current.append(line)
        else:
            flush()
            current = None
            h = _HEADING.match(line)
            if h:
                section = h[1]
    flush()
    return clauses


@cache
def clauses() -> dict[str, Clause]:
    """Every clause of the SPEC by ID, in document order."""
    return {c.id: c for c in parse(spec_path().read_text(encoding="utf-8"))}
