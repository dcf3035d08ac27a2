"""Protocol versions (CONF-2): an adapter written against protocol 1 keeps running, a newer
version than the suite's is refused with the reason, and a protocol change keeps older
adapters working through a shim with a DeprecationWarning naming the replacement (DEP-3)."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from optconf.adapters import loader, protocol, versions
from optconf.adapters.loader import AdapterUnavailable
from optconf.conformance.profiles import PROFILES
from optconf.conformance.runner import RunConfig, _entry, run
from optconf.conformance.worker import describe
from tests.conformance import v1_adapter
from tests.conformance.fixtures_adapters import GoodAdapter
from tests.conformance.runner_helpers import optconf

V1 = "tests.conformance.v1_adapter:V1Adapter"


class FutureAdapter(GoodAdapter):
    protocol_version = protocol.PROTOCOL_VERSION + 1


class MisdeclaredAdapter(GoodAdapter):
    protocol_version = "1"  # type: ignore[assignment]


def test_the_v1_adapter_keeps_passing_through_the_runner():
    report = run(RunConfig([V1], PROFILES["ci"], seed=20261123,
                           properties=["flat.*", "freezing.*", "tying.*", "gradients.*",
                                       "collection.*", "none_grad.*"]))
    assert not report.unexpected(), [(r.key, r.message) for r in report.unexpected()]
    passed = {r.property for r in report.results if r.status == "pass"}
    assert {"flat.path_matches_structured", "freezing.frozen_untouched",
            "tying.shared_summed_once", "gradients.through_collection",
            "collection.destructure_matches", "none_grad.none_skips_zero_advances"} <= passed


def test_the_v1_adapter_declares_protocol_1_and_loads_without_a_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        adapter = loader.load(V1)
    assert type(adapter).protocol_version == 1 == versions.declared_version(adapter)


def test_an_adapter_declaring_no_version_is_read_as_version_1():
    assert GoodAdapter.protocol_version is None
    assert versions.declared_version(GoodAdapter()) == 1


def test_a_newer_protocol_version_is_unavailable_naming_the_versions_spoken():
    with pytest.raises(AdapterUnavailable, match=r"protocol_version=2, but this optconf speaks "
                                                 r"protocol versions 1 to 1: upgrade optconf"):
        loader.load("tests.conformance.test_protocol_versions:FutureAdapter")


def test_a_version_that_is_no_version_number_is_refused():
    with pytest.raises(versions.ProtocolVersionError, match=r"protocol_version='1'.*declare"):
        versions.declared_version(MisdeclaredAdapter())


def test_optconf_run_exits_2_for_an_adapter_of_a_newer_protocol():
    proc = optconf("run", "--adapter", "tests.conformance.test_protocol_versions:FutureAdapter",
                   "--property", "flat.*")
    assert proc.returncode == 2 and "upgrade optconf" in proc.stderr + proc.stdout


class Renamed(protocol.Adapter):
    """A shim as a protocol 2 that renamed ``run`` to ``execute`` would ship it."""

    protocol_version = 2

    def __init__(self, inner: protocol.Adapter) -> None:
        self.inner = inner

    def info(self) -> protocol.EngineInfo:
        return self.inner.info()

    def run(self, program, path):
        return self.inner.run(program, path)


def test_a_protocol_change_keeps_v1_adapters_working_with_a_deprecation_warning(monkeypatch):
    monkeypatch.setattr(versions, "PROTOCOL_VERSION", 2)
    monkeypatch.setattr(versions, "SUPERSEDED", {1: versions.Superseded(
        "Adapter.run(program, path) of protocol 1", "Adapter.execute(program, path)",
        Renamed)})
    with pytest.warns(DeprecationWarning) as seen:
        adapter = loader.load(V1)
    (warning,) = seen
    assert str(warning.message) == ("Adapter.run(program, path) of protocol 1 is deprecated; "
                                    "use Adapter.execute(program, path)")
    assert Path(warning.filename).name == "v1_adapter.py"  # the adapter's class line (DEP-2)
    assert isinstance(adapter, Renamed) and isinstance(adapter.inner, v1_adapter.V1Adapter)


def test_the_worker_hands_the_deprecation_on_as_a_note_of_the_run(monkeypatch):
    monkeypatch.setattr(versions, "PROTOCOL_VERSION", 2)
    monkeypatch.setattr(versions, "SUPERSEDED", {1: versions.Superseded("old()", "new()",
                                                                        Renamed)})
    hello, adapter = describe(V1)
    assert hello.info is not None and isinstance(adapter, Renamed)
    assert hello.message == f"{V1}: old() is deprecated; use new()"
    entry = _entry(V1, hello, named=True)
    assert entry.available and entry.reason == hello.message
