#!/usr/bin/env python
"""optconf repro: keras flat.path_matches_structured[RMSProp,per_array] deviates from FLAT-6.

model['dec'][0][0].weight=-2.425558656923644, but should be -2.425560182435648 [adapter=keras, path=per_array, step=4, dtype=float64, observed=1.5255120038304426e-06, allowed=4.416474200222657e-15]

Case seed 3923052095.  Inside optconf, replay with:
    optconf replay --adapter keras --property flat.path_matches_structured --rule RMSProp --path per_array --seed 3923052095
"""

import sys

import numpy as np

ADAPTER = 'keras'
CLAUSE = 'FLAT-6'
PATH = 'per_array'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter keras --property flat.path_matches_structured --rule RMSProp --path per_array --seed 3923052095'
RULE = {'name': 'RMSProp', 'eta': 0.005519443401264472, 'rho': 1.2546036496840793e-127, 'epsilon': 0.001, 'centred': False}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array(-2.431077797241659, dtype=np.float64), np.array(1.175494351e-38, dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array(1.1479437019748901e-41, dtype=np.float64), np.array(3.8355696657433924, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(-3.0174062829807706, dtype=np.float64), np.array(-0.00014761821076149633, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(2.0127377042339553e-22, dtype=np.float64), np.array(0.0, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(0.0, dtype=np.float64), np.array(-0.5006964668524576, dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array(-2.425560182435648, dtype=np.float64), np.array(0.0007004034719314033, dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array(-2.425558656923644, dtype=np.float64), np.array(1.4977224607722397e-05, dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 4.416474200222657e-15
PROGRAM_PICKLE = 'gASVzgMAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJR9lCiMA2RlY5RdlCiMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBURlbnNllJOUKYGUfZQojAZ3ZWlnaHSUjBZudW1weS5fY29yZS5tdWx0aWFycmF5lIwMX3JlY29uc3RydWN0lJOUjAVudW1weZSMB25kYXJyYXmUk5RLAIWUQwFilIeUUpQoSwEpaBKMBWR0eXBllJOUjAJmOJSJiIeUUpQoSwOMATyUTk5OSv////9K/////0sAdJRiiUMIJ3qJ6thyA8CUdJRijARiaWFzlEsDjAVzY2FsZZRoEWgUSwCFlGgWh5RSlChLASloHYlDCPam9IIjgPi/lHSUYowDYWN0lGgSjAR0YW5olJOUdWJOTowAlIeUhpRoEWgUSwCFlGgWh5RSlChLASloHYlDCJtjCgAAABA4lHSUYmWMAWGUaBh1jARydWxllIwgb3B0Y29uZi5yZWZlcmVuY2UucnVsZXMuYWRhcHRpdmWUjAdSTVNQcm9wlJOUKYGUfZQojANldGGURz92m45OaKs4jANyaG+URyWVvcMufkIPjAdlcHNpbG9ulEc/UGJN0vGp/IwHY2VudHJlZJSJdWKMA29wc5QoaACMBFN0ZXCUk5QpgZR9lIwFZ3JhZHOUfZQoaAddlCh9lChoDmgPjAZzY2FsYXKUk5RoHUMIAAAAAAAAAACUhpRSlGgiTmgjTmgpTnVOTk6HlIaUaEloHUMIIC4fJj+vDkCUhpRSlGVoNGhJaB1DCAAAAAAAAHA3lIaUUpR1c2JoQSmBlH2UaER9lChoB12UKH2UKGgOaEloHUMIm2MKAAAAELiUhpRSlGgiTmgjTmgpTnVOTk6HlIaUaEloHUMIYFJoxj5ZI7+UhpRSlGVoNGhJaB1DCLwtweelIwjAlIaUUpR1c2JoQSmBlH2UaER9lChoB12UKH2UKGgOaEloHUMIalvG32ZqbjuUhpRSlGgiTmgjTmgpTnVOTk6HlIaUaEloHUMIAAAAAAAAAACUhpRSlGVoNGhJaB1DCAAAAAAAAAAAlIaUUpR1c2JoQSmBlH2UaER9lChoB12UKH2UKGgOaEloHUMIAAAAAAAAAACUhpRSlGgiTmgjTmgpTnVOTk6HlIaUaEloHUMIaFTLmLQF4L+UhpRSlGVoNGhJaB1DCAAAAAAAAAAAlIaUUpR1c2J0lIwFZHR5cGWUjAdmbG9hdDY0lHViLg=='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: carried value', 'models: dict keys out of sorted order', 'models: layer with a non-trainable array', 'models: parameter three levels deep', 'models: tie across containers', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': {'dec': [({'__type__': 'Dense', 'weight': np.array(-2.431077797241659, dtype=np.float64), 'bias': 3, 'scale': np.array(-1.531283866448971, dtype=np.float64), 'act': "<ufunc 'tanh'>"}, (None, None, '', ), ), np.array(1.175494351e-38, dtype=np.float64)], 'a': np.array(-2.431077797241659, dtype=np.float64)}, 'rule': {'__type__': 'RMSProp', 'eta': 0.005519443401264472, 'rho': 1.2546036496840793e-127, 'epsilon': 0.001, 'centred': False}, 'ops': ({'__type__': 'Step', 'grads': {'dec': [({'weight': 0.0, 'bias': None, 'scale': None, 'act': None}, (None, None, None, ), ), 3.8355696657433924], 'a': 1.1479437019748901e-41}}, {'__type__': 'Step', 'grads': {'dec': [({'weight': -1.175494351e-38, 'bias': None, 'scale': None, 'act': None}, (None, None, None, ), ), -0.00014761821076149633], 'a': -3.0174062829807706}}, {'__type__': 'Step', 'grads': {'dec': [({'weight': 2.0127377042339553e-22, 'bias': None, 'scale': None, 'act': None}, (None, None, None, ), ), 0.0], 'a': 0.0}}, {'__type__': 'Step', 'grads': {'dec': [({'weight': 0.0, 'bias': None, 'scale': None, 'act': None}, (None, None, None, ), ), -0.5006964668524576], 'a': 0.0}}, ), 'dtype': 'float64'}, 'model': {'dec': [[{'__type__': 'Dense', 'weight': {'__array__': -2.431077797241659, 'dtype': 'float64'}, 'bias': 3, 'scale': {'__array__': -1.531283866448971, 'dtype': 'float64'}, 'act': "<ufunc 'tanh'>"}, [None, None, '']], {'__array__': 1.175494351e-38, 'dtype': 'float64'}], 'a': {'__array__': -2.431077797241659, 'dtype': 'float64'}}, 'rule': 'RMSProp(eta=0.005519443401264472, rho=1.2546036496840793e-127, epsilon=0.001, centred=False)', 'ops': [{'op': 'step', 'grads': {'dec': [[{'weight': 0.0, 'bias': None, 'scale': None, 'act': None}, [None, None, None]], 3.8355696657433924], 'a': 1.1479437019748901e-41}}, {'op': 'step', 'grads': {'dec': [[{'weight': -1.175494351e-38, 'bias': None, 'scale': None, 'act': None}, [None, None, None]], -0.00014761821076149633], 'a': -3.0174062829807706}}, {'op': 'step', 'grads': {'dec': [[{'weight': 2.0127377042339553e-22, 'bias': None, 'scale': None, 'act': None}, [None, None, None]], 0.0], 'a': 0.0}}, {'op': 'step', 'grads': {'dec': [[{'weight': 0.0, 'bias': None, 'scale': None, 'act': None}, [None, None, None]], -0.5006964668524576], 'a': 0.0}}], 'rules': ['RMSProp(eta=0.005519443401264472, rho=1.2546036496840793e-127, epsilon=0.001, centred=False)'], 'path': 'per_array', 'dtype': 'float64', 'step': 4}


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
