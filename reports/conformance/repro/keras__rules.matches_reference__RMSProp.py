#!/usr/bin/env python
"""optconf repro: keras rules.matches_reference[RMSProp] deviates from RMSPROP-1.

model[0]=-1.4103294419565104, but should be -1.4102967050698894 [adapter=keras, path=structured, step=4, dtype=float64, observed=3.2736886621087535e-05, allowed=2.666103877207371e-15]

Case seed 2887175611.  Inside optconf, replay with:
    optconf replay --adapter keras --property rules.matches_reference --rule RMSProp --seed 2887175611
"""

import sys

import numpy as np

ADAPTER = 'keras'
CLAUSE = 'RMSPROP-1'
PATH = 'structured'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter keras --property rules.matches_reference --rule RMSProp --seed 2887175611'
RULE = {'name': 'RMSProp', 'eta': 0.008239936257154001, 'rho': 0.0, 'epsilon': 0.001, 'centred': False}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array(-1.4102664088227423, dtype=np.float64), np.array([], dtype=np.float64), np.array([], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array(-3.4944481503225493e-193, dtype=np.float64), np.array([], dtype=np.float64), np.array([], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(4.0, dtype=np.float64), np.array([], dtype=np.float64), np.array([], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(-0.2536670940479464, dtype=np.float64), np.array([], dtype=np.float64), np.array([], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(0.0, dtype=np.float64), np.array([], dtype=np.float64), np.array([], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array(-1.4102967050698894, dtype=np.float64), np.array([], dtype=np.float64), np.array([], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array(-1.4103294419565104, dtype=np.float64), np.array([], dtype=np.float64), np.array([], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 2.666103877207371e-15
PROGRAM_PICKLE = 'gASVgAQAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCiMFm51bXB5Ll9jb3JlLm11bHRpYXJyYXmUjAxfcmVjb25zdHJ1Y3SUk5SMBW51bXB5lIwHbmRhcnJheZSTlEsAhZRDAWKUh5RSlChLASloCowFZHR5cGWUk5SMAmY4lImIh5RSlChLA4wBPJROTk5K/////0r/////SwB0lGKJQwgeqIiCc5D2v5R0lGJdlCiMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBUJsb2NrlJOUKYGUfZQojAF3lIwAlGgJaAxLAIWUaA6HlFKUKEsBSwKFlGgSjAJpOJSJiIeUUpQoSwNoFk5OTkr/////Sv////9LAHSUYolDEP7/////////BAAAAAAAAACUdJRiaCGHlIwBYpQpjARub3RllIwFYmxvY2uUdWJoCWgMSwCFlGgOh5RSlChLAUsAhZRoFYlDAJR0lGJoCWgMSwCFlGgOh5RSlChLAUsASwFLAYeUaBWJaDR0lGJoEGVljARydWxllIwgb3B0Y29uZi5yZWZlcmVuY2UucnVsZXMuYWRhcHRpdmWUjAdSTVNQcm9wlJOUKYGUfZQojANldGGURz+A4BmF9v2zjANyaG+URwAAAAAAAAAAjAdlcHNpbG9ulEc/UGJN0vGp/IwHY2VudHJlZJSJdWKMA29wc5QoaACMBFN0ZXCUk5QpgZR9lIwFZ3JhZHOUXZQoaAeMBnNjYWxhcpSTlGgVQwgAAAAAAAAAAJSGlFKUXZQofZQoaCBOTk6HlGgtKWguTnVoCWgMSwCFlGgOh5RSlChLAUsAhZRoFYloNHSUYmgJaAxLAIWUaA6HlFKUKEsBSwBLAUsBh5RoFYloNHSUYmhNaBVDCEfdFvdWgvmXlIaUUpRlZXNiaEcpgZR9lGhKXZQoaE1oFUMIAAAAAAAAEECUhpRSlF2UKH2UKGggTk5Oh5RoLSloLk51aAloDEsAhZRoDoeUUpQoSwFLAIWUaBWJaDR0lGJoCWgMSwCFlGgOh5RSlChLAUsASwFLAYeUaBWJaDR0lGJoTWgVQwgAAAAAAAAAAJSGlFKUZWVzYmhHKYGUfZRoSl2UKGhNaBVDCID2VJbhT6m/lIaUUpRdlCh9lChoIE5OToeUaC0paC5OdWgJaAxLAIWUaA6HlFKUKEsBSwCFlGgViWg0dJRiaAloDEsAhZRoDoeUUpQoSwFLAEsBSwGHlGgViWg0dJRiaE1oFUMIILHrajEkyr+UhpRSlGVlc2JoRymBlH2UaEpdlChoTWgVQwgAAAAAAAAAAJSGlFKUXZQofZQoaCBOTk6HlGgtKWguTnVoCWgMSwCFlGgOh5RSlChLAUsAhZRoFYloNHSUYmgJaAxLAIWUaA6HlFKUKEsBSwBLAUsBh5RoFYloNHSUYmhNaBVDCAAAAAAAAAAAlIaUUpRlZXNidJSMBWR0eXBllIwHZmxvYXQ2NJR1Yi4='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: carried value', 'models: empty array', 'models: sizes that do not divide evenly', 'models: tie across containers', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': [np.array(-1.4102664088227423, dtype=np.float64), [{'__type__': 'Block', 'w': ('', np.array([-2, 4], dtype=np.int64), '', ), 'b': (), 'note': 'block'}, np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array(-1.4102664088227423, dtype=np.float64)]], 'rule': {'__type__': 'RMSProp', 'eta': 0.008239936257154001, 'rho': 0.0, 'epsilon': 0.001, 'centred': False}, 'ops': ({'__type__': 'Step', 'grads': [0.0, [{'w': (None, None, None, ), 'b': (), 'note': None}, np.array([], dtype=np.float64), np.array([], dtype=np.float64), -3.4944481503225493e-193]]}, {'__type__': 'Step', 'grads': [4.0, [{'w': (None, None, None, ), 'b': (), 'note': None}, np.array([], dtype=np.float64), np.array([], dtype=np.float64), 0.0]]}, {'__type__': 'Step', 'grads': [-0.049437570191440905, [{'w': (None, None, None, ), 'b': (), 'note': None}, np.array([], dtype=np.float64), np.array([], dtype=np.float64), -0.2042295238565055]]}, {'__type__': 'Step', 'grads': [0.0, [{'w': (None, None, None, ), 'b': (), 'note': None}, np.array([], dtype=np.float64), np.array([], dtype=np.float64), 0.0]]}, ), 'dtype': 'float64'}, 'model': [{'__array__': -1.4102664088227423, 'dtype': 'float64'}, [{'__type__': 'Block', 'w': ['', {'__array__': [-2, 4], 'dtype': 'int64'}, ''], 'b': [], 'note': 'block'}, {'__array__': [], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}, {'__array__': -1.4102664088227423, 'dtype': 'float64'}]], 'rule': 'RMSProp(eta=0.008239936257154001, rho=0.0, epsilon=0.001, centred=False)', 'ops': [{'op': 'step', 'grads': [0.0, [{'w': [None, None, None], 'b': [], 'note': None}, {'__array__': [], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}, -3.4944481503225493e-193]]}, {'op': 'step', 'grads': [4.0, [{'w': [None, None, None], 'b': [], 'note': None}, {'__array__': [], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}, 0.0]]}, {'op': 'step', 'grads': [-0.049437570191440905, [{'w': [None, None, None], 'b': [], 'note': None}, {'__array__': [], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}, -0.2042295238565055]]}, {'op': 'step', 'grads': [0.0, [{'w': [None, None, None], 'b': [], 'note': None}, {'__array__': [], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}, 0.0]]}], 'rules': ['RMSProp(eta=0.008239936257154001, rho=0.0, epsilon=0.001, centred=False)'], 'variant': None, 'path': 'structured', 'dtype': 'float64', 'step': 4}


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
        print("recorded deviation (RMSPROP-1); no replayable program in this case:")
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
    print(f"max abs error {worst!r}, allowed {bound!r} (RMSPROP-1)")
    return 0 if worst <= bound and not wrong_kind else 1


if __name__ == "__main__":
    sys.exit(main())
