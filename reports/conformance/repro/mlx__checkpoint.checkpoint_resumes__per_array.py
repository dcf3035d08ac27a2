#!/usr/bin/env python
"""optconf repro: mlx checkpoint.checkpoint_resumes[per_array] deviates from STATE-8.

the run with a checkpoint raised RuntimeError: [save_safetensors] received invalid dtype., but should resume as the run without it does [adapter=mlx, path=per_array, step=4, dtype=float64]

Case seed 3589942152.  Inside optconf, replay with:
    optconf replay --adapter mlx --property checkpoint.checkpoint_resumes --path per_array --seed 3589942152
"""

import sys

import numpy as np

ADAPTER = 'mlx'
CLAUSE = 'STATE-8'
PATH = 'per_array'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter mlx --property checkpoint.checkpoint_resumes --path per_array --seed 3589942152'
RULE = {'name': 'Momentum', 'eta': 0.0001, 'rho': 0.0, 'variant': 'torch'}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array(0.0, dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array(0.0, dtype=np.float64)]}, {'op': 'checkpoint', 'into': 'unsharded'}, {'op': 'step', 'grads': [np.array(0.0, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(0.0, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(0.0, dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array(0.0, dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = None
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = None
PROGRAM_PICKLE = 'gASVDAIAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJSMFm51bXB5Ll9jb3JlLm11bHRpYXJyYXmUjAxfcmVjb25zdHJ1Y3SUk5SMBW51bXB5lIwHbmRhcnJheZSTlEsAhZRDAWKUh5RSlChLASloCYwFZHR5cGWUk5SMAmY4lImIh5RSlChLA4wBPJROTk5K/////0r/////SwB0lGKJQwgAAAAAAAAAAJR0lGKMBHJ1bGWUjB9vcHRjb25mLnJlZmVyZW5jZS5ydWxlcy5kZXNjZW50lIwITW9tZW50dW2Uk5QpgZR9lCiMA2V0YZRHPxo24uscQy2MA3Job5RHAAAAAAAAAACMB3ZhcmlhbnSUjAV0b3JjaJR1YowDb3BzlChoAIwEU3RlcJSTlCmBlH2UjAVncmFkc5RoBowGc2NhbGFylJOUaBRDCAAAAAAAAAAAlIaUUpRzYmgAjApDaGVja3BvaW50lJOUKYGUfZSMBGludG+UjAl1bnNoYXJkZWSUc2JoJSmBlH2UaChoKmgUQwgAAAAAAAAAAJSGlFKUc2JoJSmBlH2UaChoKmgUQwgAAAAAAAAAAJSGlFKUc2JoJSmBlH2UaChoKmgUQwgAAAAAAAAAAJSGlFKUc2J0lIwFZHR5cGWUjAdmbG9hdDY0lHViLg=='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': np.array(0.0, dtype=np.float64), 'rule': {'__type__': 'Momentum', 'eta': 0.0001, 'rho': 0.0, 'variant': 'torch'}, 'ops': ({'__type__': 'Step', 'grads': 0.0}, {'__type__': 'Checkpoint', 'into': 'unsharded'}, {'__type__': 'Step', 'grads': 0.0}, {'__type__': 'Step', 'grads': 0.0}, {'__type__': 'Step', 'grads': 0.0}, ), 'dtype': 'float64'}, 'model': {'__array__': 0.0, 'dtype': 'float64'}, 'rule': "Momentum(eta=0.0001, rho=0.0, variant='torch')", 'ops': [{'op': 'step', 'grads': 0.0}, {'op': 'checkpoint', 'into': 'unsharded'}, {'op': 'step', 'grads': 0.0}, {'op': 'step', 'grads': 0.0}, {'op': 'step', 'grads': 0.0}], 'rules': ["Momentum(eta=0.0001, rho=0.0, variant='torch')"], 'path': 'per_array', 'dtype': 'float64', 'step': 4}


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
        print("recorded deviation (STATE-8); no replayable program in this case:")
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
    print(f"max abs error {worst!r}, allowed {bound!r} (STATE-8)")
    return 0 if worst <= bound and not wrong_kind else 1


if __name__ == "__main__":
    sys.exit(main())
