"""Bytes each rule must move per parameter element: the one table GB/s is computed from.

A step reads the parameter ``x``, its gradient ``g`` and every per-element state array, and
writes ``x`` and the state back; that is the least any implementation can move, one pass
over each array (a fused kernel's traffic).  Scalars (step counts, ``beta^t``) are ignored.
The counts are in elements of the parameters' dtype: an engine keeping state in another
dtype (tinygrad keeps float32 state under float64 parameters) moves a little less than the
table says, so its GB/s is an overestimate there.

=========== ===================== ================== =====
rule        reads                 writes             total
=========== ===================== ================== =====
Descent     x, g                  x                  3
Momentum    x, g, velocity        x, velocity        5
Nesterov    x, g, velocity        x, velocity        5
RMSProp     x, g, quad            x, quad            5   (centred: + lin, 7)
AdaGrad     x, g, acc             x, acc             5
Lion        x, g, mu              x, mu              5
Adam        x, g, mu, nu          x, mu, nu          7
AdamW       x, g, mu, nu          x, mu, nu          7
NAdam       x, g, mu, nu          x, mu, nu          7
RAdam       x, g, mu, nu          x, mu, nu          7
AdaMax      x, g, mu, u           x, mu, u           7
AdaBelief   x, g, mu, s           x, mu, s           7
AMSGrad     x, g, mu, nu, nu_max  x, mu, nu, nu_max  9
=========== ===================== ================== =====
"""

from __future__ import annotations

from optconf.reference.rules.base import Rule

#: (arrays read, arrays written) per element, by rule class name; see the module table.
ARRAYS: dict[str, tuple[int, int]] = {
    "Descent": (2, 1),
    "Momentum": (3, 2),
    "Nesterov": (3, 2),
    "RMSProp": (3, 2),
    "AdaGrad": (3, 2),
    "Lion": (3, 2),
    "Adam": (4, 3),
    "AdamW": (4, 3),
    "NAdam": (4, 3),
    "RAdam": (4, 3),
    "AdaMax": (4, 3),
    "AdaBelief": (4, 3),
    "AMSGrad": (5, 4),
}


def _counts(rule: Rule) -> tuple[int, int]:
    """(arrays read, arrays written) by one step of ``rule``; the centred RMSProp also reads
    and writes ``lin``."""
    name = type(rule).__name__
    if name not in ARRAYS:
        raise LookupError(f"no traffic entry for {name}: add it to optconf.conformance."
                          f"bench.traffic.ARRAYS with its reasoning")
    reads, writes = ARRAYS[name]
    centred = 1 if name == "RMSProp" and getattr(rule, "centred", False) else 0
    return reads + centred, writes + centred


def arrays_moved(rule: Rule) -> int:
    """Full-size arrays read plus written by one step of ``rule``."""
    reads, writes = _counts(rule)
    return reads + writes


def arrays_held(rule: Rule) -> int:
    """Full-size arrays a step of ``rule`` works on (every one is read): its working set is
    this many arrays of the parameters' size."""
    return _counts(rule)[0]


def bytes_per_element(rule: Rule, itemsize: int) -> int:
    """Bytes one step must move per parameter element at a dtype of ``itemsize`` bytes."""
    return arrays_moved(rule) * itemsize
