"""pytest plugin: optconf's properties as pytest items for one adapter (CONF-11).

    pytest --pyargs optconf.conformance.suite --optconf-adapter torch [--optconf-profile ci]
           [--optconf-seed N] [--optconf-expectations FILE]

Each (property, case) becomes one item of ``optconf.conformance.suite``; a conforming case
passes, a Deviation fails with its clause and replay command, an unsupported case skips and a
deviation declared in the expectations file xfails.  Cases run in the pytest process (use
``-n`` from pytest-xdist to spread them; ``optconf run`` isolates each case in a worker).
The run seed is chosen once on the controller and handed to xdist workers.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from optconf.adapters.protocol import Adapter

from . import expectations as expect
from .cases import DEFAULT_REGISTRY
from .planning import Task, plan
from .profiles import PROFILES, run_seed, seed_arg
from .properties.registry import SelectionError, load_properties, select_properties
from .report.model import CaseResult, ExpectationUse
from .worker import describe, execute

ENTRIES = pytest.StashKey[list[ExpectationUse]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("optconf", "optconf conformance suite")
    group.addoption("--optconf-adapter", metavar="NAME", default=None,
                    help="adapter to check: short name, module:attr or mutant:NAME")
    group.addoption("--optconf-profile", metavar="NAME", default="ci",
                    choices=sorted(PROFILES), help="effort profile.  Default: %(default)r")
    group.addoption("--optconf-seed", metavar="N|random", type=seed_arg, default=None,
                    help="run seed, or 'random'.  Default: the profile's fixed seed (ci), a "
                         "new one for dev and thorough; printed in the header")
    group.addoption("--optconf-expectations", metavar="FILE", type=Path, action="append",
                    default=None, help="expectations file.  Default: the adapter's packaged one")
    group.addoption("--optconf-property", metavar="GLOB", action="append", default=None,
                    help="only properties whose id matches GLOB")
    group.addoption("--optconf-registry", metavar="MODULE:ATTR", default=DEFAULT_REGISTRY,
                    help="property registry.  Default: %(default)r")


def pytest_configure(config: pytest.Config) -> None:
    # the controller picks the seed; an xdist worker takes it from its workerinput
    worker = getattr(config, "workerinput", None)
    config.option.optconf_seed = (worker["optconf_seed"] if worker else run_seed(
        PROFILES[config.option.optconf_profile], config.option.optconf_seed))


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: object) -> None:
    """pytest-xdist: hand the controller's seed to each worker, so all plan alike."""
    node.workerinput["optconf_seed"] = node.config.option.optconf_seed  # type: ignore[attr-defined]


def pytest_report_header(config: pytest.Config) -> str | None:
    name = config.option.optconf_adapter
    if not name:
        return None
    return (f"optconf: adapter {name}, profile {config.option.optconf_profile}, "
            f"seed {config.option.optconf_seed}")


@dataclasses.dataclass
class OptconfCase:
    """One case as a pytest parameter; ``check`` runs it and maps the outcome."""

    adapter: Adapter
    task: Task
    profile: str
    known: CaseResult | None          # planned unsupported results
    entries: list[ExpectationUse]
    registry: str = DEFAULT_REGISTRY

    def check(self) -> None:
        t = self.task
        if self.known is not None:
            pytest.skip(f"unsupported: {self.known.message}")
        result = t.result(execute(self.adapter, t.prop, t.case, PROFILES[self.profile],
                                  t.seed))
        entry = expect.judge(self.entries, result)
        if result.status == "pass":
            return
        if result.status == "unsupported":
            pytest.skip(f"unsupported: {result.message}")
        if entry is not None:
            pytest.xfail(f"{entry.where}: {entry.reason} ({entry.link})")
        replay = t.case.replay_command(t.seed, self.profile, self.registry)
        bound = (f" observed={result.observed} allowed={result.allowed}"
                 if result.observed is not None else "")
        others = "".join(f"\nand {o['status']}: {o['message']}" for o in result.others)
        pytest.fail(f"{result.status} {result.clause or ''}{bound}\n{result.message}{others}\n"
                    f"replay: {replay}", pytrace=False)


def _cases(config: pytest.Config) -> list[OptconfCase]:
    """Every case of the adapter, planned as ``optconf run`` plans them; the adapter is
    loaded once, in this process."""
    opt = config.option
    hello, adapter = describe(opt.optconf_adapter)
    if adapter is None or hello.info is None:
        raise pytest.UsageError(f"--optconf-adapter: {hello.message}")
    try:
        props = load_properties(opt.optconf_registry)
        selected = select_properties(props, opt.optconf_property)
    except SelectionError as exc:
        raise pytest.UsageError(str(exc)) from exc
    tasks, known = plan(opt.optconf_adapter, hello.info, hello.supports, selected,
                        opt.optconf_seed, lacking=hello.not_offered)
    try:
        files = opt.optconf_expectations or [p for p in [expect.packaged(opt.optconf_adapter)]
                                             if p is not None]
        entries = expect.applicable(
            [e for f in files for e in expect.load(f, adapter=opt.optconf_adapter)],
            {opt.optconf_adapter: hello.info.version})
    except expect.ExpectationsError as exc:
        raise pytest.UsageError(f"--optconf-expectations: {exc}") from exc
    config.stash[ENTRIES] = entries
    reg = opt.optconf_registry
    cases = [OptconfCase(adapter, t, opt.optconf_profile, None, entries, reg) for t in tasks]
    for r in known:
        task = Task(r.case, props[r.property], r.seed, r.variant, tuple(r.clauses))
        cases.append(OptconfCase(adapter, task, opt.optconf_profile, r, entries, reg))
    return sorted(cases, key=_id)


def _id(case: OptconfCase) -> str:
    return case.task.case.test_id


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter,
                            config: pytest.Config) -> None:
    """Stale entries (reached, declared nothing) as a warning; ``optconf run`` fails on them.
    Under xdist the controller runs no case, so nothing is judged there."""
    stale = [e for e in config.stash.get(ENTRIES, []) if e.stale]
    if stale:
        terminalreporter.section("optconf: stale expectations")
        for e in stale:
            terminalreporter.line(f"{e.where}: {e.property} reached {e.covered} cases, "
                                  "declared none")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "optconf_case" not in metafunc.fixturenames:
        return
    config = metafunc.config
    if not config.option.optconf_adapter:
        metafunc.parametrize("optconf_case", [pytest.param(None, marks=pytest.mark.skip(
            reason="pass --optconf-adapter NAME to run the optconf suite"))], ids=["no-adapter"])
        return
    cases = _cases(config)
    metafunc.parametrize("optconf_case", cases, ids=[_id(c) for c in cases])
