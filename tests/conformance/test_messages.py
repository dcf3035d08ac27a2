"""The records between the runner and its workers: one codec, and a schema slip names the
record and the field (CONF-3)."""

from __future__ import annotations

import json

import pytest

from optconf.adapters.reference import ReferenceAdapter
from optconf.conformance.cases import CaseId
from optconf.conformance.messages import (
    CaseAnswer,
    CaseRequest,
    Hello,
    ProtocolError,
    decode,
    encode,
)
from optconf.conformance.profiles import PROFILES

REQUEST = CaseRequest(CaseId("torch", "flat.x", "Adam", "structured"), 7, PROFILES["ci"])


@pytest.mark.parametrize("record", [
    REQUEST,
    CaseAnswer("fail", 0.5, message="w differs", clause="ADAM-1", observed="nan",
               allowed=1e-6, counterexample={"model": [1, 2]}, repro="/tmp/r.py"),
    Hello(ReferenceAdapter().info(), {"Adam": None, "Rprop": "not here"}),
    Hello(None, {}, "unavailable", "no engine"),
], ids=["request", "answer", "hello", "failed-hello"])
def test_every_record_round_trips(record):
    assert decode(encode(record), type(record)) == record


def _slipped(record, **changes):
    data = json.loads(encode(record))
    for path, value in changes.items():
        *parents, last = path.split("__")
        target = data
        for key in parents:
            target = target[key]
        target[last] = value
    return json.dumps(data)


@pytest.mark.parametrize(("changes", "named"), [
    ({"seed": "7"}, "CaseRequest.seed: expected int, got str"),
    ({"case__path": "sideways"}, "CaseRequest.case.path: expected"),
    ({"profile__timeout": None}, "CaseRequest.profile.timeout: expected float"),
    ({"extra": 1}, "CaseRequest: unknown field 'extra'"),
])
def test_a_schema_slip_names_the_record_and_field(changes, named):
    with pytest.raises(ProtocolError, match=named.replace(".", r"\.")):
        decode(_slipped(REQUEST, **changes), CaseRequest)


def test_a_missing_field_and_a_line_that_is_not_json_are_named():
    with pytest.raises(ProtocolError, match=r"CaseAnswer\.duration: missing"):
        decode('{"status": "pass"}', CaseAnswer)
    with pytest.raises(ProtocolError, match="CaseAnswer: not JSON"):
        decode("engine chatter", CaseAnswer)
