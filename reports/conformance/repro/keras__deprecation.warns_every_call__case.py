#!/usr/bin/env python
"""optconf repro: keras deprecation.warns_every_call deviates from DEP-1.

most repeated DeprecationWarning=0 times, but should be at least once per legacy step with a gradient (4): a call warns every time (warnings seen: ['UserWarning']) [adapter=keras, path=legacy, step=4, dtype=float32]

Case seed 4258942838.  Inside optconf, replay with:
    optconf replay --adapter keras --property deprecation.warns_every_call --seed 4258942838
"""

import sys

import numpy as np

ADAPTER = 'keras'
CLAUSE = 'DEP-1'
PATH = 'legacy'
DTYPE = 'float32'
REPLAY = 'optconf replay --adapter keras --property deprecation.warns_every_call --seed 4258942838'
RULE = {'name': 'Descent', 'eta': 0.0001}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array(0.0, dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array(0.0, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(0.0, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(0.0, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(0.0, dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array(0.0, dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array(0.0, dtype=np.float32)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = None
PROGRAM_PICKLE = 'gASVvgEAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJSMFm51bXB5Ll9jb3JlLm11bHRpYXJyYXmUjAxfcmVjb25zdHJ1Y3SUk5SMBW51bXB5lIwHbmRhcnJheZSTlEsAhZRDAWKUh5RSlChLASloCYwFZHR5cGWUk5SMAmY4lImIh5RSlChLA4wBPJROTk5K/////0r/////SwB0lGKJQwgAAAAAAAAAAJR0lGKMBHJ1bGWUjB9vcHRjb25mLnJlZmVyZW5jZS5ydWxlcy5kZXNjZW50lIwHRGVzY2VudJSTlCmBlH2UjANldGGURz8aNuLrHEMtc2KMA29wc5QoaACMBFN0ZXCUk5QpgZR9lIwFZ3JhZHOUaAaMBnNjYWxhcpSTlGgUQwgAAAAAAAAAAJSGlFKUc2JoIimBlH2UaCVoJ2gUQwgAAAAAAAAAAJSGlFKUc2JoIimBlH2UaCVoJ2gUQwgAAAAAAAAAAJSGlFKUc2JoIimBlH2UaCVoJ2gUQwgAAAAAAAAAAJSGlFKUc2J0lIwFZHR5cGWUjAdmbG9hdDMylHViLg=='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': np.array(0.0, dtype=np.float64), 'rule': {'__type__': 'Descent', 'eta': 0.0001}, 'ops': ({'__type__': 'Step', 'grads': 0.0}, {'__type__': 'Step', 'grads': 0.0}, {'__type__': 'Step', 'grads': 0.0}, {'__type__': 'Step', 'grads': 0.0}, ), 'dtype': 'float32'}, 'model': {'__array__': 0.0, 'dtype': 'float64'}, 'rule': 'Descent(eta=0.0001)', 'ops': [{'op': 'step', 'grads': 0.0}, {'op': 'step', 'grads': 0.0}, {'op': 'step', 'grads': 0.0}, {'op': 'step', 'grads': 0.0}], 'rules': ['Descent(eta=0.0001)'], 'path': 'legacy', 'dtype': 'float32', 'step': 4}


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
        print("recorded deviation (DEP-1); no replayable program in this case:")
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
    print(f"max abs error {worst!r}, allowed {bound!r} (DEP-1)")
    return 0 if worst <= bound and not wrong_kind else 1


if __name__ == "__main__":
    sys.exit(main())
