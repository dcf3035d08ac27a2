#!/usr/bin/env python
"""optconf repro: jax flat.path_matches_structured[Rprop,flat_vector] deviates from FLAT-6.

model=1.0003310441970825, but should be 1.0004641 [adapter=jax, path=flat_vector, step=4, dtype=float32, observed=0.0001330558029175588, allowed=9.544977188110352e-07]

Case seed 3907072514.  Inside optconf, replay with:
    optconf replay --adapter jax --property flat.path_matches_structured --rule Rprop --path flat_vector --seed 3907072514
"""

import sys

import numpy as np

ADAPTER = 'jax'
CLAUSE = 'FLAT-6'
PATH = 'flat_vector'
DTYPE = 'float32'
REPLAY = 'optconf replay --adapter jax --property flat.path_matches_structured --rule Rprop --path flat_vector --seed 3907072514'
RULE = {'name': 'Rprop', 'eta': 0.0001, 'ell': (0.3, 1.1, ), 'gamma': (1e-06, 0.05, )}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array(1.0, dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array(-0.25, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(-0.25, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(-0.25, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(-0.25, dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array(1.0004641, dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array(1.0003310441970825, dtype=np.float32)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 9.544977188110352e-07
PROGRAM_PICKLE = 'gASV8AEAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJSMFm51bXB5Ll9jb3JlLm11bHRpYXJyYXmUjAxfcmVjb25zdHJ1Y3SUk5SMBW51bXB5lIwHbmRhcnJheZSTlEsAhZRDAWKUh5RSlChLASloCYwFZHR5cGWUk5SMAmY4lImIh5RSlChLA4wBPJROTk5K/////0r/////SwB0lGKJQwgAAAAAAADwP5R0lGKMBHJ1bGWUjBxvcHRjb25mLnJlZmVyZW5jZS5ydWxlcy5zaWdulIwFUnByb3CUk5QpgZR9lCiMA2V0YZRHPxo24uscQy2MA2VsbJRHP9MzMzMzMzNHP/GZmZmZmZqGlIwFZ2FtbWGURz6wxvegte2NRz+pmZmZmZmahpR1YowDb3BzlChoAIwEU3RlcJSTlCmBlH2UjAVncmFkc5RoBowGc2NhbGFylJOUaBRDCAAAAAAAANC/lIaUUpRzYmgmKYGUfZRoKWgraBRDCAAAAAAAANC/lIaUUpRzYmgmKYGUfZRoKWgraBRDCAAAAAAAANC/lIaUUpRzYmgmKYGUfZRoKWgraBRDCAAAAAAAANC/lIaUUpRzYnSUjAVkdHlwZZSMB2Zsb2F0MzKUdWIu'
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array'], 'program': {'__type__': 'Program', 'model': np.array(1.0, dtype=np.float64), 'rule': {'__type__': 'Rprop', 'eta': 0.0001, 'ell': (0.3, 1.1, ), 'gamma': (1e-06, 0.05, )}, 'ops': ({'__type__': 'Step', 'grads': -0.25}, {'__type__': 'Step', 'grads': -0.25}, {'__type__': 'Step', 'grads': -0.25}, {'__type__': 'Step', 'grads': -0.25}, ), 'dtype': 'float32'}, 'model': {'__array__': 1.0, 'dtype': 'float64'}, 'rule': 'Rprop(eta=0.0001, ell=(0.3, 1.1), gamma=(1e-06, 0.05))', 'ops': [{'op': 'step', 'grads': -0.25}, {'op': 'step', 'grads': -0.25}, {'op': 'step', 'grads': -0.25}, {'op': 'step', 'grads': -0.25}], 'rules': ['Rprop(eta=0.0001, ell=(0.3, 1.1), gamma=(1e-06, 0.05))'], 'path': 'flat_vector', 'dtype': 'float32', 'step': 4}


def run_engine():
    # This adapter has no repro_source hook, so the engine is driven through optconf's own
    # adapter (needs optconf installed).  The program is the exact counterexample, pickled.
    if PROGRAM_PICKLE is None:
        sys.exit("no engine-only replay for this case; use: " + REPLAY)
    import base64
    import pickle

    from optconf.adapters import load
    from optconf.reference import trainables

    program = pickle.loads(base64.b64decode(PROGRAM_PICKLE))
    GOT = trainables(load(ADAPTER).run(program, PATH).model)
    return GOT


def main():
    if EXPECTED is None:
        print("recorded deviation (FLAT-6); no replayable program in this case:")
        print(COUNTEREXAMPLE)
        return 1
    got = [np.asarray(g) for g in run_engine()]
    worst, wrong_kind = 0.0, False
    for i, (e, g) in enumerate(zip(EXPECTED, got, strict=True)):
        if g.dtype != np.dtype(DTYPE) or g.shape != e.shape:
            print(f"param {i}: {g.dtype} {g.shape}, but should be {DTYPE} {e.shape}")
            wrong_kind = True
            continue
        err = float(np.max(np.abs(g.astype(np.float64) - e), initial=0.0))
        print(f"param {i}: expected {e.tolist()}, got {g.tolist()}")
        worst = err if err != err else max(worst, err)
    bound = ALLOWED or 0.0
    print(f"max abs error {worst!r}, allowed {bound!r} (FLAT-6)")
    return 0 if worst <= bound and not wrong_kind else 1


if __name__ == "__main__":
    sys.exit(main())
