#!/usr/bin/env python
"""optconf repro: mlx flat.path_matches_structured[AdamW,structured] deviates from FLAT-6.

model[0]['enc']['w']=1.05188444897148, but should be 1.051884449664508 [adapter=mlx, path=structured, step=4, dtype=float64, observed=6.930278573236137e-10, allowed=2.2240913899566363e-15]

Case seed 3169025753.  Inside optconf, replay with:
    optconf replay --adapter mlx --property flat.path_matches_structured --rule AdamW --path structured --seed 3169025753
"""

import sys

import numpy as np

ADAPTER = 'mlx'
CLAUSE = 'FLAT-6'
PATH = 'structured'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter mlx --property flat.path_matches_structured --rule AdamW --path structured --seed 3169025753'
RULE = {'name': 'AdamW', 'eta': 0.004498141478270506, 'beta': (0.525395760876209, 0.7640621140582485, ), 'lambda_': 0.0050278512609250505, 'epsilon': 0.001, 'couple': True, 'variant': 'normative'}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array(1.041159853851604, dtype=np.float64), np.array(-3.8868320630928057, dtype=np.float64), np.array([], dtype=np.float64), np.array([[0.5774134872677772]], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array(-0.0025064556420371746, dtype=np.float64), np.array(-7.73577236919122e-118, dtype=np.float64), np.array([], dtype=np.float64), np.array([[0.0]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(-3.7610245678398666, dtype=np.float64), np.array(-3.543419390067484, dtype=np.float64), np.array([], dtype=np.float64), np.array([[2.4580294886102517e-111]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(0.0039062499999999996, dtype=np.float64), np.array(0.0, dtype=np.float64), np.array([], dtype=np.float64), np.array([[0.0025350832169634494]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(0.0, dtype=np.float64), np.array(0.0, dtype=np.float64), np.array([], dtype=np.float64), np.array([[0.0]], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array(1.051884449664508, dtype=np.float64), np.array(-3.878872342504651, dtype=np.float64), np.array([], dtype=np.float64), np.array([[0.5736531775592759]], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array(1.05188444897148, dtype=np.float64), np.array(-3.8788723430155576, dtype=np.float64), np.array([], dtype=np.float64), np.array([[0.5736531776548031]], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 2.2240913899566363e-15
PROGRAM_PICKLE = 'gASVTQYAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCh9lCiMAWGUjB5vcHRjb25mLmNvbmZvcm1hbmNlLnN0cmF0ZWdpZXOUjARQYWlylJOUXZQoiV2UZSmGlIGUjAF3lGgLaAmMBURlbnNllJOUKYGUfZQojAZ3ZWlnaHSUjBZudW1weS5fY29yZS5tdWx0aWFycmF5lIwMX3JlY29uc3RydWN0lJOUjAVudW1weZSMB25kYXJyYXmUk5RLAIWUQwFilIeUUpQoSwEpaBmMBWR0eXBllJOUjAJpOJSJiIeUUpQoSwOMATyUTk5OSv////9K/////0sAdJRiiUMIAgAAAAAAAACUdJRijARiaWFzlE6MBXNjYWxllGgYaBtLAIWUaB2HlFKUKEsBSwBLAIaUaCGMAmY4lImIh5RSlChLA2glTk5OSv////9K/////0sAdJRiiUMAlHSUYowDYWN0lGgJjAhpZGVudGl0eZSTlHViaBIpgZR9lChoFWgYaBtLAIWUaB2HlFKUKEsBKWgkiUMI//////////+UdJRiaCmIaCpoGGgbSwCFlGgdh5RSlChLASloMYlDCB13Sgfr/++/lHSUYmg1aDd1YoaUgZSMA2VuY5R9lChoRksCaBBoGGgbSwCFlGgdh5RSlChLASloMYlDCGQ2IzyXqPA/lHSUYnV1aBhoG0sAhZRoHYeUUpQoSwEpaDGJQwj0OKBoOxgPwJR0lGJoGGgbSwCFlGgdh5RSlChLAUsAhZRoMYloM3SUYmgYaBtLAIWUaB2HlFKUKEsBSwFLAYaUaDGJQwiIs4LZK3riP5R0lGJljARydWxllIwcb3B0Y29uZi5yZWZlcmVuY2UucnVsZXMuYWRhbZSMBUFkYW1XlJOUKYGUfZQojANldGGURz9ybKSoq9bTjARiZXRhlEc/4NAKxU1zikc/6HMyY//FA4aUjAdsYW1iZGFflEc/dJgVi8HYVowHZXBzaWxvbpRHP1BiTdLxqfyMBmNvdXBsZZSIjAd2YXJpYW50lIwJbm9ybWF0aXZllHVijANvcHOUKGgAjARTdGVwlJOUKYGUfZSMBWdyYWRzlF2UKH2UKGgIXZQoTl2UZSmGlGgQfZQoaBVOaClOaCpOaDVOdX2UKGgVTmgpTmgqTmg1TnWGlGhGfZQoaEZOaBBoFowGc2NhbGFylJOUaDFDCJiWXSBriGS/lIaUUpR1dWh7aDFDCOA1LmZHNp+nlIaUUpRoGGgbSwCFlGgdh5RSlChLAUsAhZRoMYloM3SUYmgYaBtLAIWUaB2HlFKUKEsBSwFLAYaUaDGJQwgAAAAAAAAAAJR0lGJlc2JobSmBlH2UaHBdlCh9lChoCF2UKE5dlGUphpRoEH2UKGgVTmgpTmgqTmg1TnV9lChoFU5oKU5oKk5oNU51hpRoRn2UKGhGTmgQaHtoMUMIHJlyDJQWDsCUhpRSlHV1aHtoMUMIINHiQ+xYDMCUhpRSlGgYaBtLAIWUaB2HlFKUKEsBSwCFlGgxiWgzdJRiaBhoG0sAhZRoHYeUUpQoSwFLAUsBhpRoMYlDCP3DtLA0pfcolHSUYmVzYmhtKYGUfZRocF2UKH2UKGgIXZQoTl2UZSmGlGgQfZQoaBVOaClOaCpOaDVOdX2UKGgVTmgpTmgqTmg1TnWGlGhGfZQoaEZOaBBoe2gxQwj///////9vP5SGlFKUdXVoe2gxQwgAAAAAAAAAAJSGlFKUaBhoG0sAhZRoHYeUUpQoSwFLAIWUaDGJaDN0lGJoGGgbSwCFlGgdh5RSlChLAUsBSwGGlGgxiUMIlMtNcHTEZD+UdJRiZXNiaG0pgZR9lGhwXZQofZQoaAhdlChOXZRlKYaUaBB9lChoFU5oKU5oKk5oNU51fZQoaBVOaClOaCpOaDVOdYaUaEZ9lChoRk5oEGh7aDFDCAAAAAAAAAAAlIaUUpR1dWh7aDFDCAAAAAAAAAAAlIaUUpRoGGgbSwCFlGgdh5RSlChLAUsAhZRoMYloM3SUYmgYaBtLAIWUaB2HlFKUKEsBSwFLAYaUaDGJQwgAAAAAAAAAAJR0lGJlc2J0lIwFZHR5cGWUjAdmbG9hdDY0lHViLg=='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: carried value', 'models: dict keys out of sorted order', 'models: empty array', 'models: layer with a non-trainable array', 'models: parameter three levels deep', 'models: sizes that do not divide evenly', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': [{'a': ([False, []], (), ), 'w': ({'__type__': 'Dense', 'weight': np.array(2, dtype=np.int64), 'bias': None, 'scale': np.array([], dtype=np.float64), 'act': '<function identity>'}, {'__type__': 'Dense', 'weight': np.array(-1, dtype=np.int64), 'bias': True, 'scale': np.array(-0.99999, dtype=np.float64), 'act': '<function identity>'}, ), 'enc': {'enc': 2, 'w': np.array(1.041159853851604, dtype=np.float64)}}, np.array(-3.8868320630928057, dtype=np.float64), np.array([], dtype=np.float64), np.array([[0.5774134872677772]], dtype=np.float64)], 'rule': {'__type__': 'AdamW', 'eta': 0.004498141478270506, 'beta': (0.525395760876209, 0.7640621140582485, ), 'lambda_': 0.0050278512609250505, 'epsilon': 0.001, 'couple': True, 'variant': 'normative'}, 'ops': ({'__type__': 'Step', 'grads': [{'a': ([None, []], (), ), 'w': ({'weight': None, 'bias': None, 'scale': None, 'act': None}, {'weight': None, 'bias': None, 'scale': None, 'act': None}, ), 'enc': {'enc': None, 'w': -0.0025064556420371746}}, -7.73577236919122e-118, np.array([], dtype=np.float64), np.array([[0.0]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [{'a': ([None, []], (), ), 'w': ({'weight': None, 'bias': None, 'scale': None, 'act': None}, {'weight': None, 'bias': None, 'scale': None, 'act': None}, ), 'enc': {'enc': None, 'w': -3.7610245678398666}}, -3.543419390067484, np.array([], dtype=np.float64), np.array([[2.4580294886102517e-111]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [{'a': ([None, []], (), ), 'w': ({'weight': None, 'bias': None, 'scale': None, 'act': None}, {'weight': None, 'bias': None, 'scale': None, 'act': None}, ), 'enc': {'enc': None, 'w': 0.0039062499999999996}}, 0.0, np.array([], dtype=np.float64), np.array([[0.0025350832169634494]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [{'a': ([None, []], (), ), 'w': ({'weight': None, 'bias': None, 'scale': None, 'act': None}, {'weight': None, 'bias': None, 'scale': None, 'act': None}, ), 'enc': {'enc': None, 'w': 0.0}}, 0.0, np.array([], dtype=np.float64), np.array([[0.0]], dtype=np.float64)]}, ), 'dtype': 'float64'}, 'model': [{'a': [[False, []], []], 'w': [{'__type__': 'Dense', 'weight': {'__array__': 2, 'dtype': 'int64'}, 'bias': None, 'scale': {'__array__': [], 'dtype': 'float64'}, 'act': '<function identity>'}, {'__type__': 'Dense', 'weight': {'__array__': -1, 'dtype': 'int64'}, 'bias': True, 'scale': {'__array__': -0.99999, 'dtype': 'float64'}, 'act': '<function identity>'}], 'enc': {'enc': 2, 'w': {'__array__': 1.041159853851604, 'dtype': 'float64'}}}, {'__array__': -3.8868320630928057, 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}, {'__array__': [[0.5774134872677772]], 'dtype': 'float64'}], 'rule': "AdamW(eta=0.004498141478270506, beta=(0.525395760876209, 0.7640621140582485), lambda_=0.0050278512609250505, epsilon=0.001, couple=True, variant='normative')", 'ops': [{'op': 'step', 'grads': [{'a': [[None, []], []], 'w': [{'weight': None, 'bias': None, 'scale': None, 'act': None}, {'weight': None, 'bias': None, 'scale': None, 'act': None}], 'enc': {'enc': None, 'w': -0.0025064556420371746}}, -7.73577236919122e-118, {'__array__': [], 'dtype': 'float64'}, {'__array__': [[0.0]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [{'a': [[None, []], []], 'w': [{'weight': None, 'bias': None, 'scale': None, 'act': None}, {'weight': None, 'bias': None, 'scale': None, 'act': None}], 'enc': {'enc': None, 'w': -3.7610245678398666}}, -3.543419390067484, {'__array__': [], 'dtype': 'float64'}, {'__array__': [[2.4580294886102517e-111]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [{'a': [[None, []], []], 'w': [{'weight': None, 'bias': None, 'scale': None, 'act': None}, {'weight': None, 'bias': None, 'scale': None, 'act': None}], 'enc': {'enc': None, 'w': 0.0039062499999999996}}, 0.0, {'__array__': [], 'dtype': 'float64'}, {'__array__': [[0.0025350832169634494]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [{'a': [[None, []], []], 'w': [{'weight': None, 'bias': None, 'scale': None, 'act': None}, {'weight': None, 'bias': None, 'scale': None, 'act': None}], 'enc': {'enc': None, 'w': 0.0}}, 0.0, {'__array__': [], 'dtype': 'float64'}, {'__array__': [[0.0]], 'dtype': 'float64'}]}], 'rules': ["AdamW(eta=0.004498141478270506, beta=(0.525395760876209, 0.7640621140582485), lambda_=0.0050278512609250505, epsilon=0.001, couple=True, variant='normative')"], 'path': 'structured', 'dtype': 'float64', 'step': 4}


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
