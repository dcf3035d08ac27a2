#!/usr/bin/env python
"""optconf repro: keras flat.path_matches_structured[RMSProp,flat_list] deviates from FLAT-6.

model[0]=2.999895315877493, but should be 2.9998953158776955 [adapter=keras, path=flat_list, step=4, dtype=float64, observed=2.0250467969162855e-13, allowed=5.3754387444351826e-15]

Case seed 1689992989.  Inside optconf, replay with:
    optconf replay --adapter keras --property flat.path_matches_structured --rule RMSProp --path flat_list --seed 1689992989
"""

import sys

import numpy as np

ADAPTER = 'keras'
CLAUSE = 'FLAT-6'
PATH = 'flat_list'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter keras --property flat.path_matches_structured --rule RMSProp --path flat_list --seed 1689992989'
RULE = {'name': 'RMSProp', 'eta': 0.00017926921374330482, 'rho': 0.886503388840172, 'epsilon': 1e-08, 'centred': False}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array(3.0, dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array(2.1888449647730823, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(0.0, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(-2.616941749068153, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(0.0, dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array(2.9998953158776955, dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array(2.999895315877493, dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 5.3754387444351826e-15
PROGRAM_PICKLE = 'gASVQQMAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCiMFm51bXB5Ll9jb3JlLm11bHRpYXJyYXmUjAxfcmVjb25zdHJ1Y3SUk5SMBW51bXB5lIwHbmRhcnJheZSTlEsAhZRDAWKUh5RSlChLASloCowFZHR5cGWUk5SMAmY4lImIh5RSlChLA4wBPJROTk5K/////0r/////SwB0lGKJQwgAAAAAAAAIQJR0lGKMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBFBhaXKUk5RK/////2gajAVCbG9ja5STlCmBlH2UKIwBd5R9lCiMA2RlY5RoEIwBYZROjAFilIwAlHVoJWgciImGlIGUjARub3RllIwFYmxvY2uUdWKGlIGUZYwEcnVsZZSMIG9wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLmFkYXB0aXZllIwHUk1TUHJvcJSTlCmBlH2UKIwDZXRhlEc/J39G0garLowDcmhvlEc/7F48WtuTIYwHZXBzaWxvbpRHPkV5juIwjDqMB2NlbnRyZWSUiXVijANvcHOUKGgAjARTdGVwlJOUKYGUfZSMBWdyYWRzlF2UKGgHjAZzY2FsYXKUk5RoFUMIoLcdJsGCAUCUhpRSlE59lChoIX2UKGgjaD9oFUMIHb4bGncnubKUhpRSlGgkTmglTnVoJU5OhpRoKU51hpRlc2JoOSmBlH2UaDxdlChoP2gVQwgAAAAAAAAAAJSGlFKUTn2UKGghfZQoaCNoP2gVQwgAAAAAAAAAgJSGlFKUaCROaCVOdWglTk6GlGgpTnWGlGVzYmg5KYGUfZRoPF2UKGg/aBVDCDC4Q1TDxArAlIaUUpROfZQoaCF9lChoI2g/aBVDCAjElbEQVec/lIaUUpRoJE5oJU51aCVOToaUaClOdYaUZXNiaDkpgZR9lGg8XZQoaD9oFUMIAAAAAAAAAACUhpRSlE59lChoIX2UKGgjaD9oFUMIAAAAAAAAAACUhpRSlGgkTmglTnVoJU5OhpRoKU51hpRlc2J0lIwFZHR5cGWUjAdmbG9hdDY0lHViLg=='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: carried value', 'models: dict keys out of sorted order', 'models: parameter three levels deep', 'models: tie across containers', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': [np.array(3.0, dtype=np.float64), (-1, {'__type__': 'Block', 'w': {'dec': np.array(3.0, dtype=np.float64), 'a': None, 'b': ''}, 'b': (True, False, ), 'note': 'block'}, )], 'rule': {'__type__': 'RMSProp', 'eta': 0.00017926921374330482, 'rho': 0.886503388840172, 'epsilon': 1e-08, 'centred': False}, 'ops': ({'__type__': 'Step', 'grads': [2.1888449647730823, (None, {'w': {'dec': -2.388530408325427e-64, 'a': None, 'b': None}, 'b': (None, None, ), 'note': None}, )]}, {'__type__': 'Step', 'grads': [0.0, (None, {'w': {'dec': -0.0, 'a': None, 'b': None}, 'b': (None, None, ), 'note': None}, )]}, {'__type__': 'Step', 'grads': [-3.346075685803065, (None, {'w': {'dec': 0.7291339367349119, 'a': None, 'b': None}, 'b': (None, None, ), 'note': None}, )]}, {'__type__': 'Step', 'grads': [0.0, (None, {'w': {'dec': 0.0, 'a': None, 'b': None}, 'b': (None, None, ), 'note': None}, )]}, ), 'dtype': 'float64'}, 'model': [{'__array__': 3.0, 'dtype': 'float64'}, [-1, {'__type__': 'Block', 'w': {'dec': {'__array__': 3.0, 'dtype': 'float64'}, 'a': None, 'b': ''}, 'b': [True, False], 'note': 'block'}]], 'rule': 'RMSProp(eta=0.00017926921374330482, rho=0.886503388840172, epsilon=1e-08, centred=False)', 'ops': [{'op': 'step', 'grads': [2.1888449647730823, [None, {'w': {'dec': -2.388530408325427e-64, 'a': None, 'b': None}, 'b': [None, None], 'note': None}]]}, {'op': 'step', 'grads': [0.0, [None, {'w': {'dec': -0.0, 'a': None, 'b': None}, 'b': [None, None], 'note': None}]]}, {'op': 'step', 'grads': [-3.346075685803065, [None, {'w': {'dec': 0.7291339367349119, 'a': None, 'b': None}, 'b': [None, None], 'note': None}]]}, {'op': 'step', 'grads': [0.0, [None, {'w': {'dec': 0.0, 'a': None, 'b': None}, 'b': [None, None], 'note': None}]]}], 'rules': ['RMSProp(eta=0.00017926921374330482, rho=0.886503388840172, epsilon=1e-08, centred=False)'], 'path': 'flat_list', 'dtype': 'float64', 'step': 4}


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
