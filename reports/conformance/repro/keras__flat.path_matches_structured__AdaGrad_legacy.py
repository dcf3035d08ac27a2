#!/usr/bin/env python
"""optconf repro: keras flat.path_matches_structured[AdaGrad,legacy] deviates from FLAT-6.

model[0].w[0].bias=-1.7145728175023578, but should be -1.714572817470378 [adapter=keras, path=legacy, step=4, dtype=float64, observed=3.197975217972271e-11, allowed=3.0464036934885773e-15]

Case seed 1173766814.  Inside optconf, replay with:
    optconf replay --adapter keras --property flat.path_matches_structured --rule AdaGrad --path legacy --seed 1173766814
"""

import sys

import numpy as np

ADAPTER = 'keras'
CLAUSE = 'FLAT-6'
PATH = 'legacy'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter keras --property flat.path_matches_structured --rule AdaGrad --path legacy --seed 1173766814'
RULE = {'name': 'AdaGrad', 'eta': 0.00010000000000000002, 'epsilon': 1e-06}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array(-1.7144282694142414, dtype=np.float64), np.array(-2.482191802000496, dtype=np.float64), np.array([[-2.880838927207982], [2.8163436273905347e-204]], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array(3.818465365987297, dtype=np.float64), np.array(-0.001953134765625, dtype=np.float64), np.array([[3.1287995491758984], [1.7666455898114846]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(0.0, dtype=np.float64), np.array(0.0, dtype=np.float64), np.array([[2.2250738585072014e-308], [0.3333333333333333]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(-3.312467487371093e-24, dtype=np.float64), np.array(0.0, dtype=np.float64), np.array([[0.0], [0.0]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(1.9, dtype=np.float64), np.array(-0.0009781443708839327, dtype=np.float64), np.array([[0.00107421875], [0.0005661573402496083]], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array(-1.714572817470378, dtype=np.float64), np.array(-2.4820621326290437, dtype=np.float64), np.array([[-2.8809389615041545], [-0.0001185724050543499]], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array(-1.7145728175023578, dtype=np.float64), np.array(-2.4820732163449346, dtype=np.float64), np.array([[-2.880938961531017], [-0.00011857245309592321]], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 3.0464036934885773e-15
PROGRAM_PICKLE = 'gASVMgUAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCiMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBUJsb2NrlJOUKYGUfZQojAF3lGgHjARQYWlylJOUaAeMBURlbnNllJOUKYGUfZQojAZ3ZWlnaHSUTowEYmlhc5SMFm51bXB5Ll9jb3JlLm11bHRpYXJyYXmUjAxfcmVjb25zdHJ1Y3SUk5SMBW51bXB5lIwHbmRhcnJheZSTlEsAhZRDAWKUh5RSlChLASloGIwFZHR5cGWUk5SMAmY4lImIh5RSlChLA4wBPJROTk5K/////0r/////SwB0lGKJQwh+jUdWTG77v5R0lGKMBXNjYWxllGgXaBpLAIWUaByHlFKUKEsBSwGFlGgjiUMIAAAAAAAA+L+UdJRijANhY3SUaBiMBHRhbmiUk5R1Yl2UKCmIaBdoGksAhZRoHIeUUpQoSwEpaCOJQwh37h9gh9sDwJR0lGKIh5RlhpSBlIwBYpR9lChoO12UKIhoF2gaSwCFlGgch5RSlChLAUsBhZRoIIwCaTiUiYiHlFKUKEsDaCROTk5K/////0r/////SwB0lGKJQwgDAAAAAAAAAJR0lGJlaAyJdYwEbm90ZZSMBWJsb2NrlHViaBdoGksAhZRoHIeUUpQoSwFLAksBhpRoI4lDEFA3i0f1CwfA7ZI3x5FBrBWUdJRiZYwEcnVsZZSMIG9wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLmFkYXB0aXZllIwHQWRhR3JhZJSTlCmBlH2UKIwDZXRhlEc/Gjbi6xxDLowHZXBzaWxvbpRHPrDG96C17Y11YowDb3BzlChoAIwEU3RlcJSTlCmBlH2UjAVncmFkc5RdlCh9lChoDH2UKGgTTmgUaBWMBnNjYWxhcpSTlGgjQwjIl96RN4wOQJSGlFKUaChOaC9OdV2UKClOaGJoI0MIOWItPgUAYL+UhpRSlE6HlGWGlGg7fZQoaDtdlChOTmVoDE51aEhOdWgXaBpLAIWUaByHlFKUKEsBSwJLAYaUaCOJQxComdsOyAcJQKzOfSouRPw/lHSUYmVzYmhaKYGUfZRoXV2UKH2UKGgMfZQoaBNOaBRoYmgjQwgAAAAAAAAAAJSGlFKUaChOaC9OdV2UKClOaGJoI0MIAAAAAAAAAACUhpRSlE6HlGWGlGg7fZQoaDtdlChOTmVoDE51aEhOdWgXaBpLAIWUaByHlFKUKEsBSwJLAYaUaCOJQxAAAAAAAAAQAFVVVVVVVdU/lHSUYmVzYmhaKYGUfZRoXV2UKH2UKGgMfZQoaBNOaBRoYmgjQwjls4LZogQQu5SGlFKUaChOaC9OdV2UKClOaGJoI0MIAAAAAAAAAACUhpRSlE6HlGWGlGg7fZQoaDtdlChOTmVoDE51aEhOdWgXaBpLAIWUaByHlFKUKEsBSwJLAYaUaCOJQxAAAAAAAAAAAAAAAAAAAAAAlHSUYmVzYmhaKYGUfZRoXV2UKH2UKGgMfZQoaBNOaBRoYmgjQwhmZmZmZmb+P5SGlFKUaChOaC9OdV2UKClOaGJoI0MIto1bhaIGUL+UhpRSlE6HlGWGlGg7fZQoaDtdlChOTmVoDE51aEhOdWgXaBpLAIWUaByHlFKUKEsBSwJLAYaUaCOJQxCamZmZmZlRP6ipYKFFjUI/lHSUYmVzYnSUjAVkdHlwZZSMB2Zsb2F0NjSUdWIu'
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: carried value', 'models: layer with a non-trainable array', 'models: parameter three levels deep', 'models: sizes that do not divide evenly', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': [{'__type__': 'Block', 'w': ({'__type__': 'Dense', 'weight': None, 'bias': np.array(-1.7144282694142414, dtype=np.float64), 'scale': np.array([-1.5], dtype=np.float64), 'act': "<ufunc 'tanh'>"}, [(), (True, np.array(-2.482191802000496, dtype=np.float64), True, )], ), 'b': {'b': [True, np.array([3], dtype=np.int64)], 'w': False}, 'note': 'block'}, np.array([[-2.880838927207982], [2.8163436273905347e-204]], dtype=np.float64)], 'rule': {'__type__': 'AdaGrad', 'eta': 0.00010000000000000002, 'epsilon': 1e-06}, 'ops': ({'__type__': 'Step', 'grads': [{'w': ({'weight': None, 'bias': 3.818465365987297, 'scale': None, 'act': None}, [(), (None, -0.001953134765625, None, )], ), 'b': {'b': [None, None], 'w': None}, 'note': None}, np.array([[3.1287995491758984], [1.7666455898114846]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [{'w': ({'weight': None, 'bias': 0.0, 'scale': None, 'act': None}, [(), (None, 0.0, None, )], ), 'b': {'b': [None, None], 'w': None}, 'note': None}, np.array([[2.2250738585072014e-308], [0.3333333333333333]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [{'w': ({'weight': None, 'bias': -3.312467487371093e-24, 'scale': None, 'act': None}, [(), (None, 0.0, None, )], ), 'b': {'b': [None, None], 'w': None}, 'note': None}, np.array([[0.0], [0.0]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [{'w': ({'weight': None, 'bias': 1.9, 'scale': None, 'act': None}, [(), (None, -0.0009781443708839327, None, )], ), 'b': {'b': [None, None], 'w': None}, 'note': None}, np.array([[0.00107421875], [0.0005661573402496083]], dtype=np.float64)]}, ), 'dtype': 'float64'}, 'model': [{'__type__': 'Block', 'w': [{'__type__': 'Dense', 'weight': None, 'bias': {'__array__': -1.7144282694142414, 'dtype': 'float64'}, 'scale': {'__array__': [-1.5], 'dtype': 'float64'}, 'act': "<ufunc 'tanh'>"}, [[], [True, {'__array__': -2.482191802000496, 'dtype': 'float64'}, True]]], 'b': {'b': [True, {'__array__': [3], 'dtype': 'int64'}], 'w': False}, 'note': 'block'}, {'__array__': [[-2.880838927207982], [2.8163436273905347e-204]], 'dtype': 'float64'}], 'rule': 'AdaGrad(eta=0.00010000000000000002, epsilon=1e-06)', 'ops': [{'op': 'step', 'grads': [{'w': [{'weight': None, 'bias': 3.818465365987297, 'scale': None, 'act': None}, [[], [None, -0.001953134765625, None]]], 'b': {'b': [None, None], 'w': None}, 'note': None}, {'__array__': [[3.1287995491758984], [1.7666455898114846]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [{'w': [{'weight': None, 'bias': 0.0, 'scale': None, 'act': None}, [[], [None, 0.0, None]]], 'b': {'b': [None, None], 'w': None}, 'note': None}, {'__array__': [[2.2250738585072014e-308], [0.3333333333333333]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [{'w': [{'weight': None, 'bias': -3.312467487371093e-24, 'scale': None, 'act': None}, [[], [None, 0.0, None]]], 'b': {'b': [None, None], 'w': None}, 'note': None}, {'__array__': [[0.0], [0.0]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [{'w': [{'weight': None, 'bias': 1.9, 'scale': None, 'act': None}, [[], [None, -0.0009781443708839327, None]]], 'b': {'b': [None, None], 'w': None}, 'note': None}, {'__array__': [[0.00107421875], [0.0005661573402496083]], 'dtype': 'float64'}]}], 'rules': ['AdaGrad(eta=0.00010000000000000002, epsilon=1e-06)'], 'path': 'legacy', 'dtype': 'float64', 'step': 4}


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
