#!/usr/bin/env python
"""optconf repro: mlx nonfinite.clipglobalnorm_raises deviates from CLIPGLOBALNORM-3.

the run completed, but should raise ValueError naming model['net'] [adapter=mlx, path=structured, step=1, dtype=float32]

Case seed 109968847.  Inside optconf, replay with:
    optconf replay --adapter mlx --property nonfinite.clipglobalnorm_raises --seed 109968847
"""

import sys

import numpy as np

ADAPTER = 'mlx'
CLAUSE = 'CLIPGLOBALNORM-3'
PATH = 'structured'
DTYPE = 'float32'
REPLAY = 'optconf replay --adapter mlx --property nonfinite.clipglobalnorm_raises --seed 109968847'
RULE = {'name': 'ClipGlobalNorm', 'omega': 10.0, 'throw': True}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array(0.0, dtype=np.float64), np.array([1.0, 1.0, 1.0], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array(float('inf'), dtype=np.float64), np.array([0.0, 0.0, 0.0], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = None
# what the engine gave when the failure was found
RECORDED = [np.array(float('nan'), dtype=np.float32), np.array([1.0, 1.0, 1.0], dtype=np.float32)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = None
PROGRAM_PICKLE = 'gASV/QEAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJR9lCiMA25ldJSMFm51bXB5Ll9jb3JlLm11bHRpYXJyYXmUjAxfcmVjb25zdHJ1Y3SUk5SMBW51bXB5lIwHbmRhcnJheZSTlEsAhZRDAWKUh5RSlChLASloC4wFZHR5cGWUk5SMAmY4lImIh5RSlChLA4wBPJROTk5K/////0r/////SwB0lGKJQwgAAAAAAAAAAJR0lGKMBGhlYWSUaApoDUsAhZRoD4eUUpQoSwFLA4WUaBaJQxgAAAAAAADwPwAAAAAAAPA/AAAAAAAA8D+UdJRidYwEcnVsZZSMHG9wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLmNsaXCUjA5DbGlwR2xvYmFsTm9ybZSTlCmBlH2UKIwFb21lZ2GUR0AkAAAAAAAAjAV0aHJvd5SIdWKMA29wc5RoAIwEU3RlcJSTlCmBlH2UjAVncmFkc5R9lChoB2gKaA1LAIWUaA+HlFKUKEsBKWgWiUMIAAAAAAAA8H+UdJRiaBtoCmgNSwCFlGgPh5RSlChLAUsDhZRoFolDGAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAJR0lGJ1c2KFlIwFZHR5cGWUjAdmbG9hdDMylHViLg=='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: dict keys out of sorted order', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': {'net': np.array(0.0, dtype=np.float64), 'head': np.array([1.0, 1.0, 1.0], dtype=np.float64)}, 'rule': {'__type__': 'ClipGlobalNorm', 'omega': 10.0, 'throw': True}, 'ops': ({'__type__': 'Step', 'grads': {'net': np.array(float('inf'), dtype=np.float64), 'head': np.array([0.0, 0.0, 0.0], dtype=np.float64)}}, ), 'dtype': 'float32'}, 'model': {'net': {'__array__': 0.0, 'dtype': 'float64'}, 'head': {'__array__': [1.0, 1.0, 1.0], 'dtype': 'float64'}}, 'rule': 'ClipGlobalNorm(omega=10.0, throw=True)', 'ops': [{'op': 'step', 'grads': {'net': {'__array__': 'inf', 'dtype': 'float64'}, 'head': {'__array__': [0.0, 0.0, 0.0], 'dtype': 'float64'}}}], 'rules': ['ClipGlobalNorm(omega=10.0, throw=True)'], 'path': 'structured', 'dtype': 'float32', 'step': 1}


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
        print("recorded deviation (CLIPGLOBALNORM-3); no replayable program in this case:")
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
    print(f"max abs error {worst!r}, allowed {bound!r} (CLIPGLOBALNORM-3)")
    return 0 if worst <= bound and not wrong_kind else 1


if __name__ == "__main__":
    sys.exit(main())
