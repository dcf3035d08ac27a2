#!/usr/bin/env python
"""optconf repro: keras adjust.mid_run[Adam] deviates from ADAM-1.

adam.beta_t[model[1]][0]=0.20545793308535054, but should be 0.4532746773043367 [adapter=keras, path=structured, step=1, dtype=float64, observed=0.24781674421898614, allowed=3.0257500366169027e-16]

Case seed 1153679000.  Inside optconf, replay with:
    optconf replay --adapter keras --property adjust.mid_run --rule Adam --seed 1153679000
"""

import sys

import numpy as np

ADAPTER = 'keras'
CLAUSE = 'ADAM-1'
PATH = 'structured'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter keras --property adjust.mid_run --rule Adam --seed 1153679000'
RULE = {'name': 'Adam', 'eta': 0.008738068597330397, 'beta': (0.4532746773043367, 0.6813383368712074, ), 'epsilon': 0.001, 'variant': 'normative'}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array(1.6821375315530824, dtype=np.float64), np.array([], dtype=np.float64), np.array(-1.5413766227001433e-266, dtype=np.float64), np.array([0.7905615199153138], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [None, None, np.array(0.0, dtype=np.float64), np.array([0.0], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array(1.6821375315530824, dtype=np.float64), np.array([], dtype=np.float64), np.array(-1.5413766227001433e-266, dtype=np.float64), np.array([0.7905615199153138], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array(1.6821375315530824, dtype=np.float64), np.array([], dtype=np.float64), np.array(-1.5413766227001433e-266, dtype=np.float64), np.array([0.7905615199153138], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 3.0257500366169027e-16
PROGRAM_PICKLE = 'gASVTQIAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCh9lCiMAXeUKYwBYpRdlHWMFm51bXB5Ll9jb3JlLm11bHRpYXJyYXmUjAxfcmVjb25zdHJ1Y3SUk5SMBW51bXB5lIwHbmRhcnJheZSTlEsAhZRDAWKUh5RSlChLASloDowFZHR5cGWUk5SMAmY4lImIh5RSlChLA4wBPJROTk5K/////0r/////SwB0lGKJQwiEUFYLCer6P5R0lGJoDWgQSwCFlGgSh5RSlChLAUsASwFLAoeUaBmJQwCUdJRiaA1oEEsAhZRoEoeUUpQoSwEpaBmJQwgF+KAmAs+/iJR0lGJoDWgQSwCFlGgSh5RSlChLAUsBhZRoGYlDCPhkMKxHTOk/lHSUYmWMBHJ1bGWUjBxvcHRjb25mLnJlZmVyZW5jZS5ydWxlcy5hZGFtlIwEQWRhbZSTlCmBlH2UKIwDZXRhlEc/geVDttiNgYwEYmV0YZRHP90Cc8rIIhJHP+XNhg5L7oaGlIwHZXBzaWxvbpRHP1BiTdLxqfyMB3ZhcmlhbnSUjAlub3JtYXRpdmWUdWKMA29wc5RoAIwEU3RlcJSTlCmBlH2UjAVncmFkc5RdlChOTk5oC4wGc2NhbGFylJOUaBlDCAAAAAAAAAAAlIaUUpRoDWgQSwCFlGgSh5RSlChLAUsBhZRoGYlDCAAAAAAAAAAAlHSUYmVzYoWUjAVkdHlwZZSMB2Zsb2F0NjSUdWIu'
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: dict keys out of sorted order', 'models: empty array', 'models: sizes that do not divide evenly', 'programs: None inside a gradient', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': [{'w': (), 'b': []}, np.array(1.6821375315530824, dtype=np.float64), np.array([], dtype=np.float64), np.array(-1.5413766227001433e-266, dtype=np.float64), np.array([0.7905615199153138], dtype=np.float64)], 'rule': {'__type__': 'Adam', 'eta': 0.008738068597330397, 'beta': (0.4532746773043367, 0.6813383368712074, ), 'epsilon': 0.001, 'variant': 'normative'}, 'ops': ({'__type__': 'Step', 'grads': [None, None, None, 0.0, np.array([0.0], dtype=np.float64)]}, ), 'dtype': 'float64'}, 'model': [{'w': [], 'b': []}, {'__array__': 1.6821375315530824, 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}, {'__array__': -1.5413766227001433e-266, 'dtype': 'float64'}, {'__array__': [0.7905615199153138], 'dtype': 'float64'}], 'rule': "Adam(eta=0.008738068597330397, beta=(0.4532746773043367, 0.6813383368712074), epsilon=0.001, variant='normative')", 'ops': [{'op': 'step', 'grads': [None, None, None, 0.0, {'__array__': [0.0], 'dtype': 'float64'}]}], 'rules': ["Adam(eta=0.008738068597330397, beta=(0.4532746773043367, 0.6813383368712074), epsilon=0.001, variant='normative')"], 'path': 'structured', 'dtype': 'float64', 'step': 1}


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
        print("recorded deviation (ADAM-1); no replayable program in this case:")
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
    print(f"max abs error {worst!r}, allowed {bound!r} (ADAM-1)")
    return 0 if worst <= bound and not wrong_kind else 1


if __name__ == "__main__":
    sys.exit(main())
