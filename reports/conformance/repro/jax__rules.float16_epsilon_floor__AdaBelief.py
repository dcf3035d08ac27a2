#!/usr/bin/env python
"""optconf repro: jax rules.float16_epsilon_floor[AdaBelief] deviates from RULE-7.

model=nan, but should be 1.0013680362562827 [adapter=jax, path=structured, step=5, dtype=float16, observed=inf, allowed=0.03502076439919486]

Case seed 1724139032.  Inside optconf, replay with:
    optconf replay --adapter jax --property rules.float16_epsilon_floor --rule AdaBelief --seed 1724139032
"""

import sys

import numpy as np

ADAPTER = 'jax'
CLAUSE = 'RULE-7'
PATH = 'structured'
DTYPE = 'float16'
REPLAY = 'optconf replay --adapter jax --property rules.float16_epsilon_floor --rule AdaBelief --seed 1724139032'
RULE = {'name': 'AdaBelief', 'eta': 0.0001, 'beta': (0.5, 0.5, ), 'epsilon': 1e-08, 'variant': 'optax'}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array(1.0, dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array(0.0, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(-0.25, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(-0.25, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(-0.25, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(-0.25, dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array(1.0013680793807032, dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array(float('nan'), dtype=np.float16)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 0.03502076439919486
PROGRAM_PICKLE = 'gASVLAIAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJSMFm51bXB5Ll9jb3JlLm11bHRpYXJyYXmUjAxfcmVjb25zdHJ1Y3SUk5SMBW51bXB5lIwHbmRhcnJheZSTlEsAhZRDAWKUh5RSlChLASloCYwFZHR5cGWUk5SMAmY4lImIh5RSlChLA4wBPJROTk5K/////0r/////SwB0lGKJQwgAAAAAAADwP5R0lGKMBHJ1bGWUjBxvcHRjb25mLnJlZmVyZW5jZS5ydWxlcy5hZGFtlIwJQWRhQmVsaWVmlJOUKYGUfZQojANldGGURz8aNuLrHEMtjARiZXRhlEc/4AAAAAAAAEc/4AAAAAAAAIaUjAdlcHNpbG9ulEc+RXmO4jCMOowHdmFyaWFudJSMBW9wdGF4lHVijANvcHOUKGgAjARTdGVwlJOUKYGUfZSMBWdyYWRzlGgIaAtLAIWUaA2HlFKUKEsBKWgUiUMIAAAAAAAAAACUdJRic2JoJymBlH2UaCpoBowGc2NhbGFylJOUaBRDCAAAAAAAANC/lIaUUpRzYmgnKYGUfZRoKmgzaBRDCAAAAAAAANC/lIaUUpRzYmgnKYGUfZRoKmgzaBRDCAAAAAAAANC/lIaUUpRzYmgnKYGUfZRoKmgzaBRDCAAAAAAAANC/lIaUUpRzYnSUjAVkdHlwZZSMB2Zsb2F0MTaUdWIu'
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': np.array(1.0, dtype=np.float64), 'rule': {'__type__': 'AdaBelief', 'eta': 0.0001, 'beta': (0.5, 0.5, ), 'epsilon': 1e-08, 'variant': 'optax'}, 'ops': ({'__type__': 'Step', 'grads': np.array(0.0, dtype=np.float64)}, {'__type__': 'Step', 'grads': -0.25}, {'__type__': 'Step', 'grads': -0.25}, {'__type__': 'Step', 'grads': -0.25}, {'__type__': 'Step', 'grads': -0.25}, ), 'dtype': 'float16'}, 'model': {'__array__': 1.0, 'dtype': 'float64'}, 'rule': "AdaBelief(eta=0.0001, beta=(0.5, 0.5), epsilon=1e-08, variant='optax')", 'ops': [{'op': 'step', 'grads': {'__array__': 0.0, 'dtype': 'float64'}}, {'op': 'step', 'grads': -0.25}, {'op': 'step', 'grads': -0.25}, {'op': 'step', 'grads': -0.25}, {'op': 'step', 'grads': -0.25}], 'rules': ["AdaBelief(eta=0.0001, beta=(0.5, 0.5), epsilon=1e-08, variant='optax')"], 'path': 'structured', 'dtype': 'float16', 'step': 5}


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
        print("recorded deviation (RULE-7); no replayable program in this case:")
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
    print(f"max abs error {worst!r}, allowed {bound!r} (RULE-7)")
    return 0 if worst <= bound and not wrong_kind else 1


if __name__ == "__main__":
    sys.exit(main())
