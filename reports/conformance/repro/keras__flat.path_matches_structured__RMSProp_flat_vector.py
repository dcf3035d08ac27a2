#!/usr/bin/env python
"""optconf repro: keras flat.path_matches_structured[RMSProp,flat_vector] deviates from FLAT-6.

model['dec'][1]=-0.000409858839750637, but should be -0.00040985883857361265 [adapter=keras, path=flat_vector, step=4, dtype=float64, observed=1.1770243525492663e-12, allowed=7.924811892495313e-17]

Case seed 2970379748.  Inside optconf, replay with:
    optconf replay --adapter keras --property flat.path_matches_structured --rule RMSProp --path flat_vector --seed 2970379748
"""

import sys

import numpy as np

ADAPTER = 'keras'
CLAUSE = 'FLAT-6'
PATH = 'flat_vector'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter keras --property flat.path_matches_structured --rule RMSProp --path flat_vector --seed 2970379748'
RULE = {'name': 'RMSProp', 'eta': 0.0030608318954269275, 'rho': 0.24744971414017417, 'epsilon': 1e-08, 'centred': False}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array(1.727844741323582e-289, dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array(1.131313980792529, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(-1.1349004769932995, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(0.0029296875, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(0.0023241988160416106, dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array(-0.00040985883857361265, dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array(-0.000409858839750637, dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 7.924811892495313e-17
PROGRAM_PICKLE = 'gASVIgQAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJR9lCiMA2RlY5RdlCiMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBURlbnNllJOUKYGUfZQojAZ3ZWlnaHSUaAmMBFBhaXKUk5SMFm51bXB5Ll9jb3JlLm11bHRpYXJyYXmUjAxfcmVjb25zdHJ1Y3SUk5SMBW51bXB5lIwHbmRhcnJheZSTlEsAhZRDAWKUh5RSlChLAUsChZRoFIwFZHR5cGWUk5SMAmk4lImIh5RSlChLA4wBPJROTk5K/////0r/////SwB0lGKJQxAEAAAAAAAAAAMAAAAAAAAAlHSUYkr/////hpSBlIwEYmlhc5RoCymBlH2UKGgOTmgnjACUjAVzY2FsZZRoE2gWSwCFlGgYh5RSlChLASloHYwCZjiUiYiHlFKUKEsDaCFOTk5K/////0r/////SwB0lGKJQwhE5hP/hxIMQJR0lGKMA2FjdJRoCYwIaWRlbnRpdHmUk5R1YmgraBNoFksAhZRoGIeUUpQoSwFLAIWUaDGJQwCUdJRiaDVoN3ViaBNoFksAhZRoGIeUUpQoSwEpaDGJQwj3Gy0eAfH6A5R0lGJljAFhlGhAdYwEcnVsZZSMIG9wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLmFkYXB0aXZllIwHUk1TUHJvcJSTlCmBlH2UKIwDZXRhlEc/aRMHnHYQ4YwDcmhvlEc/z6xuptF8AYwHZXBzaWxvbpRHPkV5juIwjDqMB2NlbnRyZWSUiXVijANvcHOUKGgAjARTdGVwlJOUKYGUfZSMBWdyYWRzlH2UKGgHXZQofZQoaA5OToaUaCd9lChoDk5oJ05oK05oNU51aCtOaDVOdWgRjAZzY2FsYXKUk5RoMUMIUB3lUioyOr+UhpRSlGVoQ2haaDFDCFxd9dJ/G/I/lIaUUpR1c2JoUCmBlH2UaFN9lChoB12UKH2UKGgOTk6GlGgnfZQoaA5OaCdOaCtOaDVOdWgrTmg1TnVoWmgxQwiWag5njSjyv5SGlFKUZWhDaFpoMUMIAAAAAAAAAACUhpRSlHVzYmhQKYGUfZRoU32UKGgHXZQofZQoaA5OToaUaCd9lChoDk5oJ05oK05oNU51aCtOaDVOdWhaaDFDCAAAAAAAAGg/lIaUUpRlaENoWmgxQwgAAAAAAAAAAJSGlFKUdXNiaFApgZR9lGhTfZQoaAddlCh9lChoDk5OhpRoJ32UKGgOTmgnTmgrTmg1TnVoK05oNU51aFpoMUMI5AfwvDIKYz+UhpRSlGVoQ2haaDFDCAAAAAAAABC8lIaUUpR1c2J0lIwFZHR5cGWUjAdmbG9hdDY0lHViLg=='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: carried value', 'models: dict keys out of sorted order', 'models: layer with a non-trainable array', 'models: tie across containers'], 'program': {'__type__': 'Program', 'model': {'dec': [{'__type__': 'Dense', 'weight': (np.array([4, 3], dtype=np.int64), -1, ), 'bias': {'__type__': 'Dense', 'weight': None, 'bias': '', 'scale': np.array(3.509048455042633, dtype=np.float64), 'act': '<function identity>'}, 'scale': np.array([], dtype=np.float64), 'act': '<function identity>'}, np.array(1.727844741323582e-289, dtype=np.float64)], 'a': np.array(1.727844741323582e-289, dtype=np.float64)}, 'rule': {'__type__': 'RMSProp', 'eta': 0.0030608318954269275, 'rho': 0.24744971414017417, 'epsilon': 1e-08, 'centred': False}, 'ops': ({'__type__': 'Step', 'grads': {'dec': [{'weight': (None, None, ), 'bias': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'scale': None, 'act': None}, -0.00039971860214334676], 'a': 1.1317136993946724}}, {'__type__': 'Step', 'grads': {'dec': [{'weight': (None, None, ), 'bias': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'scale': None, 'act': None}, -1.1349004769932995], 'a': 0.0}}, {'__type__': 'Step', 'grads': {'dec': [{'weight': (None, None, ), 'bias': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'scale': None, 'act': None}, 0.0029296875], 'a': 0.0}}, {'__type__': 'Step', 'grads': {'dec': [{'weight': (None, None, ), 'bias': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'scale': None, 'act': None}, 0.0023241988160416106], 'a': -2.168404344971009e-19}}, ), 'dtype': 'float64'}, 'model': {'dec': [{'__type__': 'Dense', 'weight': [{'__array__': [4, 3], 'dtype': 'int64'}, -1], 'bias': {'__type__': 'Dense', 'weight': None, 'bias': '', 'scale': {'__array__': 3.509048455042633, 'dtype': 'float64'}, 'act': '<function identity>'}, 'scale': {'__array__': [], 'dtype': 'float64'}, 'act': '<function identity>'}, {'__array__': 1.727844741323582e-289, 'dtype': 'float64'}], 'a': {'__array__': 1.727844741323582e-289, 'dtype': 'float64'}}, 'rule': 'RMSProp(eta=0.0030608318954269275, rho=0.24744971414017417, epsilon=1e-08, centred=False)', 'ops': [{'op': 'step', 'grads': {'dec': [{'weight': [None, None], 'bias': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'scale': None, 'act': None}, -0.00039971860214334676], 'a': 1.1317136993946724}}, {'op': 'step', 'grads': {'dec': [{'weight': [None, None], 'bias': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'scale': None, 'act': None}, -1.1349004769932995], 'a': 0.0}}, {'op': 'step', 'grads': {'dec': [{'weight': [None, None], 'bias': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'scale': None, 'act': None}, 0.0029296875], 'a': 0.0}}, {'op': 'step', 'grads': {'dec': [{'weight': [None, None], 'bias': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'scale': None, 'act': None}, 0.0023241988160416106], 'a': -2.168404344971009e-19}}], 'rules': ['RMSProp(eta=0.0030608318954269275, rho=0.24744971414017417, epsilon=1e-08, centred=False)'], 'path': 'flat_vector', 'dtype': 'float64', 'step': 4}


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
