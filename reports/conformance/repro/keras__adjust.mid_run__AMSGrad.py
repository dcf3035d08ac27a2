#!/usr/bin/env python
"""optconf repro: keras adjust.mid_run[AMSGrad] deviates from AMSGRAD-1.

model[1][1]=0.5022832220142829, but should be 0.5034319471087318 [adapter=keras, path=structured, step=3, dtype=float64, observed=0.0011487250944489658, allowed=1.0793855018399423e-15]

Case seed 349528890.  Inside optconf, replay with:
    optconf replay --adapter keras --property adjust.mid_run --rule AMSGrad --seed 349528890
"""

import sys

import numpy as np

ADAPTER = 'keras'
CLAUSE = 'AMSGRAD-1'
PATH = 'structured'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter keras --property adjust.mid_run --rule AMSGrad --seed 349528890'
RULE = {'name': 'AMSGrad', 'eta': 0.004092035530331064, 'beta': (0.9426935779960035, 0.8319696723839953, ), 'epsilon': 0.001, 'variant': 'torch'}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([], dtype=np.float64), np.array(0.5, dtype=np.float64), np.array([[]], dtype=np.float64), np.array(2.5403258628862737e-147, dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([], dtype=np.float64), np.array(-0.00048515542108215366, dtype=np.float64), np.array([[]], dtype=np.float64), np.array(-1.2528695052420006e-187, dtype=np.float64)]}, {'op': 'step', 'grads': [None, None, None, None]}, {'op': 'step', 'grads': [np.array([], dtype=np.float64), np.array(-0.002151832719045747, dtype=np.float64), None, np.array(-0.00390625, dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([], dtype=np.float64), np.array(0.5034319471087318, dtype=np.float64), np.array([[]], dtype=np.float64), np.array(0.0021173318835367516, dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([], dtype=np.float64), np.array(0.5022832220142829, dtype=np.float64), np.array([[]], dtype=np.float64), np.array(0.0017549682123661418, dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 1.0793855018399423e-15
PROGRAM_PICKLE = 'gASVyAMAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCiMFm51bXB5Ll9jb3JlLm11bHRpYXJyYXmUjAxfcmVjb25zdHJ1Y3SUk5SMBW51bXB5lIwHbmRhcnJheZSTlEsAhZRDAWKUh5RSlChLAUsASwFLAIeUaAqMBWR0eXBllJOUjAJmOJSJiIeUUpQoSwOMATyUTk5OSv////9K/////0sAdJRiiUMAlHSUYl2UKIweb3B0Y29uZi5jb25mb3JtYW5jZS5zdHJhdGVnaWVzlIwEUGFpcpSTlIloCowEdGFuaJSTlIaUgZSFlGgcjAVEZW5zZZSTlCmBlH2UKIwGd2VpZ2h0lEsCjARiaWFzlGggjAVzY2FsZZRoCWgMSwCFlGgOh5RSlChLASloFolDCJ7i+DNMreAalHSUYowDYWN0lGgcjAhpZGVudGl0eZSTlHVihpRoCWgMSwCFlGgOh5RSlChLASloFolDCAAAAAAAAOA/lHSUYmgJaAxLAIWUaA6HlFKUKEsBSwFLAIaUaBaJaBl0lGJoCWgMSwCFlGgOh5RSlChLASloFolDCDoL/km9PYAhlHSUYmgQZWWMBHJ1bGWUjB5vcHRjb25mLnJlZmVyZW5jZS5ydWxlcy5tYXhpbWGUjAdBTVNHcmFklJOUKYGUfZQojANldGGURz9wws9sbfHPjARiZXRhlEc/7iqLuPSLwkc/6p9+3MTmJoaUjAdlcHNpbG9ulEc/UGJN0vGp/IwHdmFyaWFudJSMBXRvcmNolHVijANvcHOUaACMBFN0ZXCUk5QpgZR9lIwFZ3JhZHOUXZQoaAloDEsAhZRoDoeUUpQoSwFLAEsBSwCHlGgWiWgZdJRiXZQoTk6GlIWUfZQoaChOaClOaCpOaDBOdYaUaAeMBnNjYWxhcpSTlGgWQwjQJcKqjss/v5SGlFKUaAloDEsAhZRoDoeUUpQoSwFLAUsAhpRoFoloGXSUYmhhaBZDCF9cOou8cSGZlIaUUpRoCWgMSwCFlGgOh5RSlChLAUsASwFLAIeUaBaJaBl0lGJlZXNiaFEpgZR9lGhUTnNiaFEpgZR9lGhUXZQoaAloDEsAhZRoDoeUUpQoSwFLAEsBSwCHlGgWiWgZdJRiXZQoToWUfZQoaChOaClOaCpOaDBOdYaUaGFoFkMII9TzZLigYb+UhpRSlE5oYWgWQwgAAAAAAABwv5SGlFKUTmVlc2KHlIwFZHR5cGWUjAdmbG9hdDY0lHViLg=='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: carried value', 'models: empty array', 'models: layer with a non-trainable array', 'models: sizes that do not divide evenly', 'models: tie across containers', 'programs: None inside a gradient', 'programs: step without any gradient'], 'program': {'__type__': 'Program', 'model': [np.array([], dtype=np.float64), [(((False, "<ufunc 'tanh'>", ), ), {'__type__': 'Dense', 'weight': 2, 'bias': "<ufunc 'tanh'>", 'scale': np.array(3.2152078938218883e-179, dtype=np.float64), 'act': '<function identity>'}, ), np.array(0.5, dtype=np.float64), np.array([[]], dtype=np.float64), np.array(2.5403258628862737e-147, dtype=np.float64), np.array([], dtype=np.float64)]], 'rule': {'__type__': 'AMSGrad', 'eta': 0.004092035530331064, 'beta': (0.9426935779960035, 0.8319696723839953, ), 'epsilon': 0.001, 'variant': 'torch'}, 'ops': ({'__type__': 'Step', 'grads': [np.array([], dtype=np.float64), [(((None, None, ), ), {'weight': None, 'bias': None, 'scale': None, 'act': None}, ), -0.00048515542108215366, np.array([[]], dtype=np.float64), -1.2528695052420006e-187, np.array([], dtype=np.float64)]]}, {'__type__': 'Step', 'grads': None}, {'__type__': 'Step', 'grads': [np.array([], dtype=np.float64), [((None, ), {'weight': None, 'bias': None, 'scale': None, 'act': None}, ), -0.002151832719045747, None, -0.00390625, None]]}, ), 'dtype': 'float64'}, 'model': [{'__array__': [], 'dtype': 'float64'}, [[[[False, "<ufunc 'tanh'>"]], {'__type__': 'Dense', 'weight': 2, 'bias': "<ufunc 'tanh'>", 'scale': {'__array__': 3.2152078938218883e-179, 'dtype': 'float64'}, 'act': '<function identity>'}], {'__array__': 0.5, 'dtype': 'float64'}, {'__array__': [[]], 'dtype': 'float64'}, {'__array__': 2.5403258628862737e-147, 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}]], 'rule': "AMSGrad(eta=0.004092035530331064, beta=(0.9426935779960035, 0.8319696723839953), epsilon=0.001, variant='torch')", 'ops': [{'op': 'step', 'grads': [{'__array__': [], 'dtype': 'float64'}, [[[[None, None]], {'weight': None, 'bias': None, 'scale': None, 'act': None}], -0.00048515542108215366, {'__array__': [[]], 'dtype': 'float64'}, -1.2528695052420006e-187, {'__array__': [], 'dtype': 'float64'}]]}, {'op': 'step', 'grads': None}, {'op': 'step', 'grads': [{'__array__': [], 'dtype': 'float64'}, [[[None], {'weight': None, 'bias': None, 'scale': None, 'act': None}], -0.002151832719045747, None, -0.00390625, None]]}], 'rules': ["AMSGrad(eta=0.004092035530331064, beta=(0.9426935779960035, 0.8319696723839953), epsilon=0.001, variant='torch')"], 'path': 'structured', 'dtype': 'float64', 'step': 3}


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
        print("recorded deviation (AMSGRAD-1); no replayable program in this case:")
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
    print(f"max abs error {worst!r}, allowed {bound!r} (AMSGRAD-1)")
    return 0 if worst <= bound and not wrong_kind else 1


if __name__ == "__main__":
    sys.exit(main())
