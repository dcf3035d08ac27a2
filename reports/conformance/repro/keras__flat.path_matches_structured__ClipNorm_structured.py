#!/usr/bin/env python
"""optconf repro: keras flat.path_matches_structured[ClipNorm,structured] deviates from FLAT-6.

model[2]=-0.5439745276681022, but should be -0.5439745135609663 [adapter=keras, path=structured, step=4, dtype=float64, observed=1.4107135903884682e-08, allowed=6.9105223999751435e-15]

Case seed 1826084035.  Inside optconf, replay with:
    optconf replay --adapter keras --property flat.path_matches_structured --rule ClipNorm --path structured --seed 1826084035
"""

import sys

import numpy as np

ADAPTER = 'keras'
CLAUSE = 'FLAT-6'
PATH = 'structured'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter keras --property flat.path_matches_structured --rule ClipNorm --path structured --seed 1826084035'
RULE = {'name': 'ClipNorm', 'omega': 0.5577172916036622, 'p': 2.0, 'throw': True}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([], dtype=np.float64), np.array(-1.1, dtype=np.float64), np.array(-0.76734197895306, dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([], dtype=np.float64), np.array(0.0016918051646287171, dtype=np.float64), np.array(2.168404344971009e-19, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([], dtype=np.float64), np.array(3.0, dtype=np.float64), np.array(-1.1, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([], dtype=np.float64), np.array(-3.847553698367408, dtype=np.float64), np.array(-1.6752742300486285, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([], dtype=np.float64), np.array(-1.4560349933335774, dtype=np.float64), np.array(-0.0018112241108329554, dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([], dtype=np.float64), np.array(-0.5439745135609663, dtype=np.float64), np.array(0.3499038283650974, dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([], dtype=np.float64), np.array(-0.5439745276681022, dtype=np.float64), np.array(0.34990380876286703, dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 6.9105223999751435e-15
PROGRAM_PICKLE = 'gASV5gMAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlChdlCiMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBFBhaXKUk5SMFm51bXB5Ll9jb3JlLm11bHRpYXJyYXmUjAxfcmVjb25zdHJ1Y3SUk5SMBW51bXB5lIwHbmRhcnJheZSTlEsAhZRDAWKUh5RSlChLAUsAhZRoDowFZHR5cGWUk5SMAmk4lImIh5RSlChLA4wBPJROTk5K/////0r/////SwB0lGKJQwCUdJRiaA6MBHRhbmiUk5SGlIGUaAiMBUJsb2NrlJOUKYGUfZQojAF3lE6MAWKUTowEbm90ZZSMBGhlYWSUdWJlaA1oEEsAhZRoEoeUUpQoSwFLAIWUaBeMAmY4lImIh5RSlChLA2gbTk5OSv////9K/////0sAdJRiiWgddJRiaA1oEEsAhZRoEoeUUpQoSwEpaDGJQwiamZmZmZnxv5R0lGJoDWgQSwCFlGgSh5RSlChLASloMYlDCChxDsQQjui/lHSUYmWMBHJ1bGWUjBxvcHRjb25mLnJlZmVyZW5jZS5ydWxlcy5jbGlwlIwIQ2xpcE5vcm2Uk5QpgZR9lCiMBW9tZWdhlEc/4djR7vs+34wBcJRHQAAAAAAAAACMBXRocm93lIh1YowDb3BzlChoAIwEU3RlcJSTlCmBlH2UjAVncmFkc5RdlChdlChOToaUfZQoaCdOaChOaClOdWVoDWgQSwCFlGgSh5RSlChLAUsAhZRoMYloHXSUYmgLjAZzY2FsYXKUk5RoMUMIfDWc9vG3Wz+UhpRSlGhXaDFDCAAAAAAAABA8lIaUUpRlc2JoSSmBlH2UaExdlChdlChOToaUfZQoaCdOaChOaClOdWVoDWgQSwCFlGgSh5RSlChLAUsAhZRoMYloHXSUYmhXaDFDCAAAAAAAAAhAlIaUUpRoV2gxQwiamZmZmZnxv5SGlFKUZXNiaEkpgZR9lGhMXZQoXZQoTk6GlH2UKGgnTmgoTmgpTnVlaA1oEEsAhZRoEoeUUpQoSwFLAIWUaDGJaB10lGJoV2gxQwgkvMA7yscOwJSGlFKUaFdoMUMIPj/eWezN+r+UhpRSlGVzYmhJKYGUfZRoTF2UKF2UKE5OhpR9lChoJ05oKE5oKU51ZWgNaBBLAIWUaBKHlFKUKEsBSwCFlGgxiWgddJRiaFdoMUMITjBjWetL97+UhpRSlGhXaDFDCAaflxTTrF2/lIaUUpRlc2J0lIwFZHR5cGWUjAdmbG9hdDY0lHViLg=='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: carried value', 'models: empty array', 'models: sizes that do not divide evenly'], 'program': {'__type__': 'Program', 'model': [[(np.array([], dtype=np.int64), "<ufunc 'tanh'>", ), {'__type__': 'Block', 'w': None, 'b': None, 'note': 'head'}], np.array([], dtype=np.float64), np.array(-1.1, dtype=np.float64), np.array(-0.76734197895306, dtype=np.float64)], 'rule': {'__type__': 'ClipNorm', 'omega': 0.5577172916036622, 'p': 2.0, 'throw': True}, 'ops': ({'__type__': 'Step', 'grads': [[(None, None, ), {'w': None, 'b': None, 'note': None}], np.array([], dtype=np.float64), 0.0016918051646287171, 2.168404344971009e-19]}, {'__type__': 'Step', 'grads': [[(None, None, ), {'w': None, 'b': None, 'note': None}], np.array([], dtype=np.float64), 3.0, -1.1]}, {'__type__': 'Step', 'grads': [[(None, None, ), {'w': None, 'b': None, 'note': None}], np.array([], dtype=np.float64), -3.847553698367408, -1.6752742300486285]}, {'__type__': 'Step', 'grads': [[(None, None, ), {'w': None, 'b': None, 'note': None}], np.array([], dtype=np.float64), -1.4560349933335774, -0.0018112241108329554]}, ), 'dtype': 'float64'}, 'model': [[[{'__array__': [], 'dtype': 'int64'}, "<ufunc 'tanh'>"], {'__type__': 'Block', 'w': None, 'b': None, 'note': 'head'}], {'__array__': [], 'dtype': 'float64'}, {'__array__': -1.1, 'dtype': 'float64'}, {'__array__': -0.76734197895306, 'dtype': 'float64'}], 'rule': 'ClipNorm(omega=0.5577172916036622, p=2.0, throw=True)', 'ops': [{'op': 'step', 'grads': [[[None, None], {'w': None, 'b': None, 'note': None}], {'__array__': [], 'dtype': 'float64'}, 0.0016918051646287171, 2.168404344971009e-19]}, {'op': 'step', 'grads': [[[None, None], {'w': None, 'b': None, 'note': None}], {'__array__': [], 'dtype': 'float64'}, 3.0, -1.1]}, {'op': 'step', 'grads': [[[None, None], {'w': None, 'b': None, 'note': None}], {'__array__': [], 'dtype': 'float64'}, -3.847553698367408, -1.6752742300486285]}, {'op': 'step', 'grads': [[[None, None], {'w': None, 'b': None, 'note': None}], {'__array__': [], 'dtype': 'float64'}, -1.4560349933335774, -0.0018112241108329554]}], 'rules': ['ClipNorm(omega=0.5577172916036622, p=2.0, throw=True)'], 'path': 'structured', 'dtype': 'float64', 'step': 4}


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
