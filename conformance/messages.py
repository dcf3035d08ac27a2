"""The records the runner and its workers exchange, and the one place they become JSON lines
and back (CONF-3).

A worker's first line is a :class:`Hello`: the adapter, loaded once in that process, with
its declarations and the rule classes it runs, or why it could not load.  Then each
:class:`CaseRequest` line gets one :class:`CaseAnswer` line, before which a case that
starts rank processes sends a :class:`RanksStarting` and a :class:`RanksStarted` line.
:func:`decode` checks every field against the record's annotations, so a schema slip names
the record and the field.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from collections.abc import Mapping
from typing import Any, Literal, TypeVar

from optconf.adapters.protocol import EngineInfo

from .cases import CaseId
from .profiles import Profile

#: How loading an adapter can fail: no such adapter, its engine cannot run here, or the
#: adapter itself raised while loading or declaring itself.
LoadFailure = Literal["unknown", "unavailable", "error"]


class ProtocolError(ValueError):
    """A line that is not the record it should be; the message names record and field."""


@dataclasses.dataclass(frozen=True)
class Hello:
    """The worker is ready: ``info``, per rule class None when the adapter runs its natural
    rule (RULE-5) or why not, the rule classes among those the engine does not have at all
    (``not_offered``), the protocol version the adapter declares (None: none) and in
    ``message`` the deprecations loading it raised (an older protocol's, CONF-2); or
    ``failure`` and ``message`` when it did not load."""

    info: EngineInfo | None
    supports: dict[str, str | None]
    failure: LoadFailure | None = None
    message: str = ""
    protocol: int | None = None
    not_offered: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class CaseRequest:
    """Run one case with its seed under ``profile``; repro scripts go to ``repro_dir``."""

    case: CaseId
    seed: int
    profile: Profile
    repro_dir: str | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class Details:
    """How a case failed, beside its status: the fields a report's result has for it."""

    message: str = ""
    clause: str | None = None
    observed: float | str | None = None  # "nan" / "inf" when the error is not finite
    allowed: float | str | None = None
    counterexample: Any = None
    repro: str | None = None


@dataclasses.dataclass(frozen=True)
class Failure(Details):
    """One distinct failure of a case: a fail (a Deviation), an error, or a rank's crash or
    timeout; Hypothesis reports every distinct failure it found while shrinking (CONF-3)."""

    status: Literal["fail", "error", "crash", "timeout", "unsupported"]


@dataclasses.dataclass(frozen=True)
class CaseAnswer(Details):
    """What happened to one case (the fields of a result that the run does not know): its
    status and, when it failed, its first failure's details; ``others`` holds the case's
    other distinct failures."""

    status: Literal["pass", "fail", "error", "crash", "timeout", "unsupported"]
    duration: float
    drawn: Any = None  # Drawn.to_json(): the features the case's draws had (CONF-4)
    startup: float = 0.0  # seconds spent starting rank processes, not in duration (CONF-13)
    others: tuple[Failure, ...] = ()


@dataclasses.dataclass(frozen=True)
class RanksStarting:
    """Sent during a case, before its worker starts rank processes (CONF-13): the start,
    which may take ``allowance`` seconds, is not the case's time."""

    allowance: float


@dataclasses.dataclass(frozen=True)
class RanksStarted:
    """Sent after a :class:`RanksStarting`, once the ranks started or failed to, after
    ``seconds``: the case's time runs again."""

    seconds: float


Record = Hello | CaseRequest | CaseAnswer | RanksStarting | RanksStarted
R = TypeVar("R", Hello, CaseRequest, CaseAnswer, RanksStarting, RanksStarted)


def encode(record: Record) -> str:
    """One JSON line (without the newline)."""
    return json.dumps(plain(record))


def plain(value: Any) -> Any:
    """A record (or any value in one) as JSON data."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, frozenset):
        return sorted(plain(v) for v in value)
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items()}
    return value


def decode(line: str, cls: type[R]) -> R:
    """The record ``cls`` from one JSON line; ProtocolError naming the field otherwise."""
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ProtocolError(f"{cls.__name__}: not JSON ({exc}): {line[:200]!r}") from None
    built: R = _build(data, cls, cls.__name__)
    return built


def _build(data: Any, cls: type[Any], where: str) -> Any:
    if not isinstance(data, dict):
        raise ProtocolError(f"{where}: expected an object, got {_show(data)}")
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise ProtocolError(f"{where}: unknown field {unknown[0]!r}")
    values = {}
    for name, field in fields.items():
        if name not in data:
            if (field.default is dataclasses.MISSING
                    and field.default_factory is dataclasses.MISSING):
                raise ProtocolError(f"{where}.{name}: missing")
            continue
        values[name] = _value(data[name], hints[name], f"{where}.{name}")
    return cls(**values)


def _value(data: Any, hint: Any, where: str) -> Any:
    """``data`` checked against ``hint`` and given its Python form (tuples, frozensets,
    dataclasses)."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is Any:
        return data
    if origin in (types.UnionType, typing.Union):
        for option in args:
            try:
                return _value(data, option, where)
            except ProtocolError:
                continue
        raise ProtocolError(f"{where}: expected {_name(hint)}, got {_show(data)}")
    if origin is Literal:
        if data in args:
            return data
        raise ProtocolError(f"{where}: expected one of {list(args)}, got {_show(data)}")
    if dataclasses.is_dataclass(hint):
        return _build(data, typing.cast(type[Any], hint), where)
    if origin in (tuple, frozenset, list):
        if not isinstance(data, list):
            raise ProtocolError(f"{where}: expected a list, got {_show(data)}")
        items = [_value(v, args[0], f"{where}[{i}]") for i, v in enumerate(data)]
        return origin(items)
    if origin in (dict, Mapping):
        if not isinstance(data, dict):
            raise ProtocolError(f"{where}: expected an object, got {_show(data)}")
        return {k: _value(v, args[1], f"{where}[{k!r}]") for k, v in data.items()}
    return _scalar(data, hint, where)


def _scalar(data: Any, hint: Any, where: str) -> Any:
    if hint is type(None) and data is None:
        return None
    if hint is float and isinstance(data, int | float) and not isinstance(data, bool):
        return float(data)
    if hint in (str, int, bool) and type(data) is hint:
        return data
    raise ProtocolError(f"{where}: expected {_name(hint)}, got {_show(data)}")


def _name(hint: Any) -> str:
    return getattr(hint, "__name__", None) or str(hint).replace("typing.", "")


def _show(data: Any) -> str:
    return f"{type(data).__name__} {json.dumps(data)[:80]}"
