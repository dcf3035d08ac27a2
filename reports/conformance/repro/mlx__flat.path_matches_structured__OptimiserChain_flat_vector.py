#!/usr/bin/env python
"""optconf repro: mlx flat.path_matches_structured[OptimiserChain,flat_vector] deviates from FLAT-6.

model['w'].weight=-0.41437973772503806, but should be -0.41437973766724584 [adapter=mlx, path=flat_vector, step=4, dtype=float64, observed=5.7792215457652674e-11, allowed=8.116792354195652e-16]

Case seed 66929487.  Inside optconf, replay with:
    optconf replay --adapter mlx --property flat.path_matches_structured --rule OptimiserChain --path flat_vector --seed 66929487
"""

import sys

import numpy as np

ADAPTER = 'mlx'
CLAUSE = 'FLAT-6'
PATH = 'flat_vector'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter mlx --property flat.path_matches_structured --rule OptimiserChain --path flat_vector --seed 66929487'
RULE = {'name': 'OptimiserChain', 'rules': ({'__type__': 'Adam', 'eta': 0.0016642535084587763, 'beta': (0.3048614656178099, 0.5, ), 'epsilon': 1e-08, 'variant': 'normative'}, )}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array(-0.41278180841094336, dtype=np.float64), np.array(-0.41278180841094336, dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array(-8.35549711097045e-111, dtype=np.float64), np.array(-0.001953134765625, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(0.0, dtype=np.float64), np.array(-0.0022873149312423366, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(-4.518094932040831e-300, dtype=np.float64), np.array(-0.0009705956624383857, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(0.003630063805565865, dtype=np.float64), np.array(-0.984928381432268, dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array(-0.41437973766724584, dtype=np.float64), np.array(-0.40646200529961135, dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array(-0.41437973772503806, dtype=np.float64), np.array(-0.4064620052855886, dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 8.116792354195652e-16
PROGRAM_PICKLE = 'gASV/AMAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJR9lCiMAXeUjB5vcHRjb25mLmNvbmZvcm1hbmNlLnN0cmF0ZWdpZXOUjAVEZW5zZZSTlCmBlH2UKIwGd2VpZ2h0lIwWbnVtcHkuX2NvcmUubXVsdGlhcnJheZSMDF9yZWNvbnN0cnVjdJSTlIwFbnVtcHmUjAduZGFycmF5lJOUSwCFlEMBYpSHlFKUKEsBKWgRjAVkdHlwZZSTlIwCZjiUiYiHlFKUKEsDjAE8lE5OTkr/////Sv////9LAHSUYolDCDCP4GMEa9q/lHSUYowEYmlhc5SMBHJlbHWUjAVzY2FsZZRoEGgTSwCFlGgVh5RSlChLAUsBSwBLAoeUaByJQwCUdJRijANhY3SUaBGMBHRhbmiUk5R1YowBYZQpjAFilH2UKGgHaBBoE0sAhZRoFYeUUpQoSwEpaByJQwgwj+BjBGvav5R0lGJoLl2UKE5oIolldXWMBHJ1bGWUjB9vcHRjb25mLnJlZmVyZW5jZS5ydWxlcy5jb21wb3NllIwOT3B0aW1pc2VyQ2hhaW6Uk5QpgZR9lIwFcnVsZXOUjBxvcHRjb25mLnJlZmVyZW5jZS5ydWxlcy5hZGFtlIwEQWRhbZSTlCmBlH2UKIwDZXRhlEc/W0RimQeD8YwEYmV0YZRHP9OC2aoo52BHP+AAAAAAAACGlIwHZXBzaWxvbpRHPkV5juIwjDqMB3ZhcmlhbnSUjAlub3JtYXRpdmWUdWKFlHNijANvcHOUKGgAjARTdGVwlJOUKYGUfZSMBWdyYWRzlH2UKGgHfZQoaA1oDowGc2NhbGFylJOUaBxDCMeiUGUdGBSplIaUUpRoIU5oI05oKk51aC0paC59lChoB2hSaBxDCDliLT4FAGC/lIaUUpRoLl2UKE5OTmV1dXNiaEspgZR9lGhOfZQoaAd9lChoDWhSaBxDCAAAAAAAAAAAlIaUUpRoIU5oI05oKk51aC0paC59lChoB2hSaBxDCOsradrYvGK/lIaUUpRoLl2UKE5OTmV1dXNiaEspgZR9lGhOfZQoaAd9lChoDWhSaBxDCM1rGRS1NMiBlIaUUpRoIU5oI05oKk51aC0paC59lChoB2hSaBxDCHgnXFDyzU+/lIaUUpRoLl2UKE5OTmV1dXNiaEspgZR9lGhOfZQoaAd9lChoDWhSaBxDCBw7earLvG0/lIaUUpRoIU5oI05oKk51aC0paC59lChoB2hSaBxDCPjrZIaIhO+/lIaUUpRoLl2UKE5OTmV1dXNidJSMBWR0eXBllIwHZmxvYXQ2NJR1Yi4='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: carried value', 'models: dict keys out of sorted order', 'models: layer with a non-trainable array', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': {'w': {'__type__': 'Dense', 'weight': np.array(-0.41278180841094336, dtype=np.float64), 'bias': 'relu', 'scale': np.array([[]], dtype=np.float64), 'act': "<ufunc 'tanh'>"}, 'a': (), 'b': {'w': np.array(-0.41278180841094336, dtype=np.float64), 'b': [None, 'relu', False]}}, 'rule': {'__type__': 'OptimiserChain', 'rules': ({'__type__': 'Adam', 'eta': 0.0016642535084587763, 'beta': (0.3048614656178099, 0.5, ), 'epsilon': 1e-08, 'variant': 'normative'}, )}, 'ops': ({'__type__': 'Step', 'grads': {'w': {'weight': -8.35549711097045e-111, 'bias': None, 'scale': None, 'act': None}, 'a': (), 'b': {'w': -0.001953134765625, 'b': [None, None, None]}}}, {'__type__': 'Step', 'grads': {'w': {'weight': 0.0, 'bias': None, 'scale': None, 'act': None}, 'a': (), 'b': {'w': -0.0022873149312423366, 'b': [None, None, None]}}}, {'__type__': 'Step', 'grads': {'w': {'weight': -4.518094932040831e-300, 'bias': None, 'scale': None, 'act': None}, 'a': (), 'b': {'w': -0.0009705956624383857, 'b': [None, None, None]}}}, {'__type__': 'Step', 'grads': {'w': {'weight': 0.003630063805565865, 'bias': None, 'scale': None, 'act': None}, 'a': (), 'b': {'w': -0.984928381432268, 'b': [None, None, None]}}}, ), 'dtype': 'float64'}, 'model': {'w': {'__type__': 'Dense', 'weight': {'__array__': -0.41278180841094336, 'dtype': 'float64'}, 'bias': 'relu', 'scale': {'__array__': [[]], 'dtype': 'float64'}, 'act': "<ufunc 'tanh'>"}, 'a': [], 'b': {'w': {'__array__': -0.41278180841094336, 'dtype': 'float64'}, 'b': [None, 'relu', False]}}, 'rule': "OptimiserChain(Adam(eta=0.0016642535084587763, beta=(0.3048614656178099, 0.5), epsilon=1e-08, variant='normative'))", 'ops': [{'op': 'step', 'grads': {'w': {'weight': -8.35549711097045e-111, 'bias': None, 'scale': None, 'act': None}, 'a': [], 'b': {'w': -0.001953134765625, 'b': [None, None, None]}}}, {'op': 'step', 'grads': {'w': {'weight': 0.0, 'bias': None, 'scale': None, 'act': None}, 'a': [], 'b': {'w': -0.0022873149312423366, 'b': [None, None, None]}}}, {'op': 'step', 'grads': {'w': {'weight': -4.518094932040831e-300, 'bias': None, 'scale': None, 'act': None}, 'a': [], 'b': {'w': -0.0009705956624383857, 'b': [None, None, None]}}}, {'op': 'step', 'grads': {'w': {'weight': 0.003630063805565865, 'bias': None, 'scale': None, 'act': None}, 'a': [], 'b': {'w': -0.984928381432268, 'b': [None, None, None]}}}], 'rules': ["OptimiserChain(Adam(eta=0.0016642535084587763, beta=(0.3048614656178099, 0.5), epsilon=1e-08, variant='normative'))"], 'path': 'flat_vector', 'dtype': 'float64', 'step': 4}


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
