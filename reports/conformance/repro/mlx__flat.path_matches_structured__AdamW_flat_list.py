#!/usr/bin/env python
"""optconf repro: mlx flat.path_matches_structured[AdamW,flat_list] deviates from FLAT-6.

model[1][1]=-0.8461619794473484, but should be -0.8461619810353507 [adapter=mlx, path=flat_list, step=4, dtype=float64, observed=1.588002285224377e-09, allowed=3.9369268782912685e-15]

Case seed 2551672264.  Inside optconf, replay with:
    optconf replay --adapter mlx --property flat.path_matches_structured --rule AdamW --path flat_list --seed 2551672264
"""

import sys

import numpy as np

ADAPTER = 'mlx'
CLAUSE = 'FLAT-6'
PATH = 'flat_list'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter mlx --property flat.path_matches_structured --rule AdamW --path flat_list --seed 2551672264'
RULE = {'name': 'AdamW', 'eta': 0.006812093130050154, 'beta': (0.6804021384655835, 0.6691938172602891, ), 'lambda_': 0.00972961796625445, 'epsilon': 1e-08, 'couple': True, 'variant': 'normative'}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([[]], dtype=np.float64), np.array([-1.8690575496257043, -0.8613673293576474], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([[]], dtype=np.float64), np.array([-3.662667680526466, -2.8249137325946467], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[]], dtype=np.float64), np.array([-2.2250738585072014e-308, -0.8618430534514951], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[]], dtype=np.float64), np.array([0.5, 2.448811670304826], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[]], dtype=np.float64), np.array([1.0785148746351174, -3.444839458243141], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([[]], dtype=np.float64), np.array([-1.8556791197283073, -0.8461619810353507], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([[]], dtype=np.float64), np.array([-1.8556791184070687, -0.8461619794473484], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 3.9369268782912685e-15
PROGRAM_PICKLE = 'gASVwwQAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCh9lCiMAXeUjB5vcHRjb25mLmNvbmZvcm1hbmNlLnN0cmF0ZWdpZXOUjAVEZW5zZZSTlCmBlH2UKIwGd2VpZ2h0lGgJjARQYWlylJOUiUr+////hpSBlIwEYmlhc5RoCYwFQmxvY2uUk5QpgZR9lChoCIwAlIwBYpSMFm51bXB5Ll9jb3JlLm11bHRpYXJyYXmUjAxfcmVjb25zdHJ1Y3SUk5SMBW51bXB5lIwHbmRhcnJheZSTlEsAhZRDAWKUh5RSlChLAUsBSwBLAIeUaB2MBWR0eXBllJOUjAJmOJSJiIeUUpQoSwOMATyUTk5OSv////9K/////0sAdJRiiUMAlHSUYowEbm90ZZSMBWJsb2NrlHVijAVzY2FsZZRoHGgfSwCFlGghh5RSlChLASloKYlDCOwbv9e7sgrAlHSUYowDYWN0lGgdjAR0YW5olJOUdWKMA2VuY5RoEEr/////ToaUgZR1aBxoH0sAhZRoIYeUUpQoSwFLAoWUaCmJQxCuv5/jqOf9v/jirTdSkOu/lHSUYmWMBHJ1bGWUjBxvcHRjb25mLnJlZmVyZW5jZS5ydWxlcy5hZGFtlIwFQWRhbVeUk5QpgZR9lCiMA2V0YZRHP3vm/1Nfuv2MBGJldGGURz/lxdq0mtIVRz/lagkm+i/chpSMB2xhbWJkYV+URz+D7R83vbhpjAdlcHNpbG9ulEc+RXmO4jCMOowGY291cGxllIiMB3ZhcmlhbnSUjAlub3JtYXRpdmWUdWKMA29wc5QoaACMBFN0ZXCUk5QpgZR9lIwFZ3JhZHOUXZQofZQoaAh9lChoDk5OhpRoE32UKGgITmgZaBxoH0sAhZRoIYeUUpQoSwFLAUsASwCHlGgpiWgsdJRiaC5OdWgwTmg2TnVoOU5OhpR1aBxoH0sAhZRoIYeUUpQoSwFLAoWUaCmJQxCc0X+2JE0NwFQf/F5smQbAlHSUYmVzYmhSKYGUfZRoVV2UKH2UKGgIfZQoaA5OToaUaBN9lChoCE5oGWgcaB9LAIWUaCGHlFKUKEsBSwFLAEsAh5RoKYloLHSUYmguTnVoME5oNk51aDlOToaUdWgcaB9LAIWUaCGHlFKUKEsBSwKFlGgpiUMQAAAAAAAAEICIfBviN5Trv5R0lGJlc2JoUimBlH2UaFVdlCh9lChoCH2UKGgOTk6GlGgTfZQoaAhOaBloHGgfSwCFlGghh5RSlChLAUsBSwBLAIeUaCmJaCx0lGJoLk51aDBOaDZOdWg5Tk6GlHVoHGgfSwCFlGghh5RSlChLAUsChZRoKYlDEAAAAAAAAOA/zC2wkiqXA0CUdJRiZXNiaFIpgZR9lGhVXZQofZQoaAh9lChoDk5OhpRoE32UKGgITmgZaBxoH0sAhZRoIYeUUpQoSwFLAUsASwCHlGgpiWgsdJRiaC5OdWgwTmg2TnVoOU5OhpR1aBxoH0sAhZRoIYeUUpQoSwFLAoWUaCmJQxD86izQmEHxP0j/aP0HjwvAlHSUYmVzYnSUjAVkdHlwZZSMB2Zsb2F0NjSUdWIu'
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: carried value', 'models: dict keys out of sorted order', 'models: empty array', 'models: layer with a non-trainable array', 'models: parameter three levels deep'], 'program': {'__type__': 'Program', 'model': [{'w': {'__type__': 'Dense', 'weight': (False, -2, ), 'bias': {'__type__': 'Block', 'w': '', 'b': np.array([[]], dtype=np.float64), 'note': 'block'}, 'scale': np.array(-3.3372723441311702, dtype=np.float64), 'act': "<ufunc 'tanh'>"}, 'enc': (-1, None, )}, np.array([-1.8690575496257043, -0.8613673293576474], dtype=np.float64)], 'rule': {'__type__': 'AdamW', 'eta': 0.006812093130050154, 'beta': (0.6804021384655835, 0.6691938172602891, ), 'lambda_': 0.00972961796625445, 'epsilon': 1e-08, 'couple': True, 'variant': 'normative'}, 'ops': ({'__type__': 'Step', 'grads': [{'w': {'weight': (None, None, ), 'bias': {'w': None, 'b': np.array([[]], dtype=np.float64), 'note': None}, 'scale': None, 'act': None}, 'enc': (None, None, )}, np.array([-3.662667680526466, -2.8249137325946467], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [{'w': {'weight': (None, None, ), 'bias': {'w': None, 'b': np.array([[]], dtype=np.float64), 'note': None}, 'scale': None, 'act': None}, 'enc': (None, None, )}, np.array([-2.2250738585072014e-308, -0.8618430534514951], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [{'w': {'weight': (None, None, ), 'bias': {'w': None, 'b': np.array([[]], dtype=np.float64), 'note': None}, 'scale': None, 'act': None}, 'enc': (None, None, )}, np.array([0.5, 2.448811670304826], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [{'w': {'weight': (None, None, ), 'bias': {'w': None, 'b': np.array([[]], dtype=np.float64), 'note': None}, 'scale': None, 'act': None}, 'enc': (None, None, )}, np.array([1.0785148746351174, -3.444839458243141], dtype=np.float64)]}, ), 'dtype': 'float64'}, 'model': [{'w': {'__type__': 'Dense', 'weight': [False, -2], 'bias': {'__type__': 'Block', 'w': '', 'b': {'__array__': [[]], 'dtype': 'float64'}, 'note': 'block'}, 'scale': {'__array__': -3.3372723441311702, 'dtype': 'float64'}, 'act': "<ufunc 'tanh'>"}, 'enc': [-1, None]}, {'__array__': [-1.8690575496257043, -0.8613673293576474], 'dtype': 'float64'}], 'rule': "AdamW(eta=0.006812093130050154, beta=(0.6804021384655835, 0.6691938172602891), lambda_=0.00972961796625445, epsilon=1e-08, couple=True, variant='normative')", 'ops': [{'op': 'step', 'grads': [{'w': {'weight': [None, None], 'bias': {'w': None, 'b': {'__array__': [[]], 'dtype': 'float64'}, 'note': None}, 'scale': None, 'act': None}, 'enc': [None, None]}, {'__array__': [-3.662667680526466, -2.8249137325946467], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [{'w': {'weight': [None, None], 'bias': {'w': None, 'b': {'__array__': [[]], 'dtype': 'float64'}, 'note': None}, 'scale': None, 'act': None}, 'enc': [None, None]}, {'__array__': [-2.2250738585072014e-308, -0.8618430534514951], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [{'w': {'weight': [None, None], 'bias': {'w': None, 'b': {'__array__': [[]], 'dtype': 'float64'}, 'note': None}, 'scale': None, 'act': None}, 'enc': [None, None]}, {'__array__': [0.5, 2.448811670304826], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [{'w': {'weight': [None, None], 'bias': {'w': None, 'b': {'__array__': [[]], 'dtype': 'float64'}, 'note': None}, 'scale': None, 'act': None}, 'enc': [None, None]}, {'__array__': [1.0785148746351174, -3.444839458243141], 'dtype': 'float64'}]}], 'rules': ["AdamW(eta=0.006812093130050154, beta=(0.6804021384655835, 0.6691938172602891), lambda_=0.00972961796625445, epsilon=1e-08, couple=True, variant='normative')"], 'path': 'flat_list', 'dtype': 'float64', 'step': 4}


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
