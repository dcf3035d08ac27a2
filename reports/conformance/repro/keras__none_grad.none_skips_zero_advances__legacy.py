#!/usr/bin/env python
"""optconf repro: keras none_grad.none_skips_zero_advances[legacy] deviates from UPD-5.

model[3][0, 0, 0]=0.66667, but should be 1.6440395454501706e-249 [adapter=keras, path=legacy, step=4, dtype=float64, observed=0.66667, allowed=7.105427357601002e-15]

Case seed 1489903233.  Inside optconf, replay with:
    optconf replay --adapter keras --property none_grad.none_skips_zero_advances --path legacy --seed 1489903233
"""

import sys

import numpy as np

ADAPTER = 'keras'
CLAUSE = 'UPD-5'
PATH = 'legacy'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter keras --property none_grad.none_skips_zero_advances --path legacy --seed 1489903233'
RULE = {'name': 'AccumGrad', 'n': 3}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array(0.784652682584281, dtype=np.float64), np.array([], dtype=np.float64), np.array([[[1.6440395454501706e-249, 4.0]]], dtype=np.float64), np.array([-3.651817682005559], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [None, np.array([], dtype=np.float64), np.array([[[0.0, 0.0]]], dtype=np.float64), np.array([0.0], dtype=np.float64)]}, {'op': 'step', 'grads': [None, np.array([], dtype=np.float64), None, np.array([-0.9998155781445979], dtype=np.float64)]}, {'op': 'step', 'grads': [None, None, None, None]}, {'op': 'step', 'grads': [np.array(0.0, dtype=np.float64), np.array([], dtype=np.float64), np.array([[[-2.00001, -1.9954107410979306e-124]]], dtype=np.float64), np.array([0.0], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array(0.784652682584281, dtype=np.float64), np.array([], dtype=np.float64), np.array([[[1.6440395454501706e-249, 4.0]]], dtype=np.float64), np.array([-3.3185458226240265], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array(0.784652682584281, dtype=np.float64), np.array([], dtype=np.float64), np.array([[[0.66667, 4.0]]], dtype=np.float64), np.array([-3.3185458226240265], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 7.105427357601002e-15
PROGRAM_PICKLE = 'gASVFwQAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCiMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBUJsb2NrlJOUKYGUfZQojAF3lF2UjAFilGgJKYGUfZQoaAx9lCiMA2VuY5RK/v///2gMSwKMA2RlY5RLAHVoDmgHjARQYWlylJOUjARyZWx1lEr+////hpSBlIwEbm90ZZSMBGhlYWSUdWJoGWgadWKMFm51bXB5Ll9jb3JlLm11bHRpYXJyYXmUjAxfcmVjb25zdHJ1Y3SUk5SMBW51bXB5lIwHbmRhcnJheZSTlEsAhZRDAWKUh5RSlChLASloHowFZHR5cGWUk5SMAmY4lImIh5RSlChLA4wBPJROTk5K/////0r/////SwB0lGKJQwiIYU3x3xvpP5R0lGJoHWggSwCFlGgih5RSlChLAUsAhZRoKYlDAJR0lGJoHWggSwCFlGgih5RSlChLAUsBSwFLAoeUaCmJQxAuAMDRr4pHDAAAAAAAABBAlHSUYmgdaCBLAIWUaCKHlFKUKEsBSwGFlGgpiUMI5FhZMOw2DcCUdJRiZYwEcnVsZZSMH29wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLmNvbXBvc2WUjAlBY2N1bUdyYWSUk5QpgZR9lIwBbpRLA3NijANvcHOUKGgAjARTdGVwlJOUKYGUfZSMBWdyYWRzlF2UKH2UKGgMTmgOfZQoaAx9lChoEk5oDE5oE051aA5OaBlOdWgZTnVOaB1oIEsAhZRoIoeUUpQoSwFLAIWUaCmJaDJ0lGJoHWggSwCFlGgih5RSlChLAUsBSwFLAoeUaCmJQxAAAAAAAAAAAAAAAAAAAAAAlHSUYmgdaCBLAIWUaCKHlFKUKEsBSwGFlGgpiUMIAAAAAAAAAACUdJRiZXNiaEkpgZR9lGhMXZQoTk5oHWggSwCFlGgih5RSlChLAUsAhZRoKYloMnSUYk5oHWggSwCFlGgih5RSlChLAUsBhZRoKYlDCDgyRT19/u+/lHSUYmVzYmhJKYGUfZRoTE5zYmhJKYGUfZRoTF2UKH2UKGgMXZRoDn2UKGgMfZQoaBJOaAxOaBNOdWgOTk6GlGgZTnVoGU51aBuMBnNjYWxhcpSTlGgpQwgAAAAAAAAAAJSGlFKUaB1oIEsAhZRoIoeUUpQoSwFLAIWUaCmJaDJ0lGJoHWggSwCFlGgih5RSlChLAUsBSwFLAoeUaCmJQxA5Yi0+BQAAwMFEU/pa4kCmlHSUYmgdaCBLAIWUaCKHlFKUKEsBSwGFlGgpiUMIAAAAAAAAAACUdJRiZXNidJSMBWR0eXBllIwHZmxvYXQ2NJR1Yi4='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: carried value', 'models: dict keys out of sorted order', 'models: empty array', 'programs: None inside a gradient', 'programs: step without any gradient', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': [{'__type__': 'Block', 'w': [], 'b': {'__type__': 'Block', 'w': {'enc': -2, 'w': 2, 'dec': 0}, 'b': ('relu', -2, ), 'note': 'head'}, 'note': 'head'}, np.array(0.784652682584281, dtype=np.float64), np.array([], dtype=np.float64), np.array([[[1.6440395454501706e-249, 4.0]]], dtype=np.float64), np.array([-3.651817682005559], dtype=np.float64)], 'rule': {'__type__': 'AccumGrad', 'n': 3}, 'ops': ({'__type__': 'Step', 'grads': [{'w': None, 'b': {'w': {'enc': None, 'w': None, 'dec': None}, 'b': None, 'note': None}, 'note': None}, None, np.array([], dtype=np.float64), np.array([[[0.0, 0.0]]], dtype=np.float64), np.array([0.0], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [None, None, np.array([], dtype=np.float64), None, np.array([-0.9998155781445979], dtype=np.float64)]}, {'__type__': 'Step', 'grads': None}, {'__type__': 'Step', 'grads': [{'w': [], 'b': {'w': {'enc': None, 'w': None, 'dec': None}, 'b': (None, None, ), 'note': None}, 'note': None}, 0.0, np.array([], dtype=np.float64), np.array([[[-2.00001, -1.9954107410979306e-124]]], dtype=np.float64), np.array([0.0], dtype=np.float64)]}, ), 'dtype': 'float64'}, 'model': [{'__type__': 'Block', 'w': [], 'b': {'__type__': 'Block', 'w': {'enc': -2, 'w': 2, 'dec': 0}, 'b': ['relu', -2], 'note': 'head'}, 'note': 'head'}, {'__array__': 0.784652682584281, 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}, {'__array__': [[[1.6440395454501706e-249, 4.0]]], 'dtype': 'float64'}, {'__array__': [-3.651817682005559], 'dtype': 'float64'}], 'rule': 'AccumGrad(n=3)', 'ops': [{'op': 'step', 'grads': [{'w': None, 'b': {'w': {'enc': None, 'w': None, 'dec': None}, 'b': None, 'note': None}, 'note': None}, None, {'__array__': [], 'dtype': 'float64'}, {'__array__': [[[0.0, 0.0]]], 'dtype': 'float64'}, {'__array__': [0.0], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [None, None, {'__array__': [], 'dtype': 'float64'}, None, {'__array__': [-0.9998155781445979], 'dtype': 'float64'}]}, {'op': 'step', 'grads': None}, {'op': 'step', 'grads': [{'w': [], 'b': {'w': {'enc': None, 'w': None, 'dec': None}, 'b': [None, None], 'note': None}, 'note': None}, 0.0, {'__array__': [], 'dtype': 'float64'}, {'__array__': [[[-2.00001, -1.9954107410979306e-124]]], 'dtype': 'float64'}, {'__array__': [0.0], 'dtype': 'float64'}]}], 'rules': ['AccumGrad(n=3)'], 'path': 'legacy', 'dtype': 'float64', 'step': 4}


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
        print("recorded deviation (UPD-5); no replayable program in this case:")
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
    print(f"max abs error {worst!r}, allowed {bound!r} (UPD-5)")
    return 0 if worst <= bound and not wrong_kind else 1


if __name__ == "__main__":
    sys.exit(main())
