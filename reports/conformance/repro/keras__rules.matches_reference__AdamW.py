#!/usr/bin/env python
"""optconf repro: keras rules.matches_reference[AdamW] deviates from ADAMW-1.

model[1]=0.2643821416272771, but should be 0.2643840224689062 [adapter=keras, path=structured, step=4, dtype=float64, observed=1.8808416291093977e-06, allowed=9.966657669166814e-16]

Case seed 1514770705.  Inside optconf, replay with:
    optconf replay --adapter keras --property rules.matches_reference --rule AdamW --seed 1514770705
"""

import sys

import numpy as np

ADAPTER = 'keras'
CLAUSE = 'ADAMW-1'
PATH = 'structured'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter keras --property rules.matches_reference --rule AdamW --seed 1514770705'
RULE = {'name': 'AdamW', 'eta': 0.00414129806875104, 'beta': (0.830592236358462, 0.8078350773905717, ), 'lambda_': 0.002692560535571649, 'epsilon': 1e-06, 'couple': True, 'variant': 'normative'}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array(0.2549445183451189, dtype=np.float64), np.array([], dtype=np.float64), np.array([[-0.13240824497765313]], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array(9.18776986228232e-23, dtype=np.float64), np.array([], dtype=np.float64), np.array([[2.851155285589209e-146]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(-0.0031384256916150814, dtype=np.float64), np.array([], dtype=np.float64), np.array([[1.1]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(-0.0033713735593217838, dtype=np.float64), np.array([], dtype=np.float64), np.array([[0.002813868078335339]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(0.0, dtype=np.float64), np.array([], dtype=np.float64), np.array([[0.0]], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array(0.2643840224689062, dtype=np.float64), np.array([], dtype=np.float64), np.array([[-0.13981516568269423]], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array(0.2643821416272771, dtype=np.float64), np.array([], dtype=np.float64), np.array([[-0.13981516013790316]], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 9.966657669166814e-16
PROGRAM_PICKLE = 'gASVrQUAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCiMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBFBhaXKUk5R9lCiMA2RlY5RoCUsBToaUgZSMAWKUaAeMBURlbnNllJOUKYGUfZQojAZ3ZWlnaHSUSv////+MBGJpYXOUiYwFc2NhbGWUjBZudW1weS5fY29yZS5tdWx0aWFycmF5lIwMX3JlY29uc3RydWN0lJOUjAVudW1weZSMB25kYXJyYXmUk5RLAIWUQwFilIeUUpQoSwFLAEsASwCHlGgZjAVkdHlwZZSTlIwCZjiUiYiHlFKUKEsDjAE8lE5OTkr/////Sv////9LAHSUYolDAJR0lGKMA2FjdJRoB4wIaWRlbnRpdHmUk5R1YnVoB4wFQmxvY2uUk5QpgZR9lCiMAXeUXZQoSv////9K/////4wEcmVsdZRlaA5oGGgbSwCFlGgdh5RSlChLAUsBhZRoIowCaTiUiYiHlFKUKEsDaCZOTk5K/////0r/////SwB0lGKJQwgFAAAAAAAAAJR0lGJoGYwEdGFuaJSTlIaUjARub3RllIwFYmxvY2uUdWKGlIGUaBhoG0sAhZRoHYeUUpQoSwEpaCWJQwhwjSXQAlHQP5R0lGJoGGgbSwCFlGgdh5RSlChLAUsASwJLAIeUaCWJaCh0lGJoGGgbSwCFlGgdh5RSlChLAUsBSwGGlGgliUMI4Cvz3MDywL+UdJRiZYwEcnVsZZSMHG9wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLmFkYW2UjAVBZGFtV5STlCmBlH2UKIwDZXRhlEc/cPZ3PErZV4wEYmV0YZRHP+qUNitvEzlHP+nZyPK+iEWGlIwHbGFtYmRhX5RHP2YOtW4rQfeMB2Vwc2lsb26URz6wxvegte2NjAZjb3VwbGWUiIwHdmFyaWFudJSMCW5vcm1hdGl2ZZR1YowDb3BzlChoAIwEU3RlcJSTlCmBlH2UjAVncmFkc5RdlCh9lChoC05OhpRoDn2UKGgTTmgUTmgVTmgqTnV1fZQoaDFdlChOTk5laA5OToaUaEFOdYaUaBaMBnNjYWxhcpSTlGglQwh0LDpPscRbO5SGlFKUaBhoG0sAhZRoHYeUUpQoSwFLAEsCSwCHlGgliWgodJRiaBhoG0sAhZRoHYeUUpQoSwFLAUsBhpRoJYlDCLzoeTAXybYhlHSUYmVzYmhlKYGUfZRoaF2UKH2UKGgLTk6GlGgOfZQoaBNOaBROaBVOaCpOdXV9lChoMV2UKE5OTmVoDk5OhpRoQU51hpRocmglQwhY75p2wbVpv5SGlFKUaBhoG0sAhZRoHYeUUpQoSwFLAEsCSwCHlGgliWgodJRiaBhoG0sAhZRoHYeUUpQoSwFLAUsBhpRoJYlDCJqZmZmZmfE/lHSUYmVzYmhlKYGUfZRoaF2UKH2UKGgLTk6GlGgOfZQoaBNOaBROaBVOaCpOdXV9lChoMV2UKE5OTmVoDk5OhpRoQU51hpRocmglQwiooMFlSJ5rv5SGlFKUaBhoG0sAhZRoHYeUUpQoSwFLAEsCSwCHlGgliWgodJRiaBhoG0sAhZRoHYeUUpQoSwFLAUsBhpRoJYlDCIgJ5esbDWc/lHSUYmVzYmhlKYGUfZRoaF2UKH2UKGgLTk6GlGgOfZQoaBNOaBROaBVOaCpOdXV9lChoMV2UKE5OTmVoDk5OhpRoQU51hpRocmglQwgAAAAAAAAAAJSGlFKUaBhoG0sAhZRoHYeUUpQoSwFLAEsCSwCHlGgliWgodJRiaBhoG0sAhZRoHYeUUpQoSwFLAUsBhpRoJYlDCAAAAAAAAAAAlHSUYmVzYnSUjAVkdHlwZZSMB2Zsb2F0NjSUdWIu'
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: carried value', 'models: dict keys out of sorted order', 'models: empty array', 'models: layer with a non-trainable array', 'models: sizes that do not divide evenly', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': [({'dec': (1, None, ), 'b': {'__type__': 'Dense', 'weight': -1, 'bias': False, 'scale': np.array([], dtype=np.float64), 'act': '<function identity>'}}, {'__type__': 'Block', 'w': [-1, -1, 'relu'], 'b': (np.array([5], dtype=np.int64), "<ufunc 'tanh'>", ), 'note': 'block'}, ), np.array(0.2549445183451189, dtype=np.float64), np.array([], dtype=np.float64), np.array([[-0.13240824497765313]], dtype=np.float64)], 'rule': {'__type__': 'AdamW', 'eta': 0.00414129806875104, 'beta': (0.830592236358462, 0.8078350773905717, ), 'lambda_': 0.002692560535571649, 'epsilon': 1e-06, 'couple': True, 'variant': 'normative'}, 'ops': ({'__type__': 'Step', 'grads': [({'dec': (None, None, ), 'b': {'weight': None, 'bias': None, 'scale': None, 'act': None}}, {'w': [None, None, None], 'b': (None, None, ), 'note': None}, ), 9.18776986228232e-23, np.array([], dtype=np.float64), np.array([[2.851155285589209e-146]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [({'dec': (None, None, ), 'b': {'weight': None, 'bias': None, 'scale': None, 'act': None}}, {'w': [None, None, None], 'b': (None, None, ), 'note': None}, ), -0.0031384256916150814, np.array([], dtype=np.float64), np.array([[1.1]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [({'dec': (None, None, ), 'b': {'weight': None, 'bias': None, 'scale': None, 'act': None}}, {'w': [None, None, None], 'b': (None, None, ), 'note': None}, ), -0.0033713735593217838, np.array([], dtype=np.float64), np.array([[0.002813868078335339]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [({'dec': (None, None, ), 'b': {'weight': None, 'bias': None, 'scale': None, 'act': None}}, {'w': [None, None, None], 'b': (None, None, ), 'note': None}, ), 0.0, np.array([], dtype=np.float64), np.array([[0.0]], dtype=np.float64)]}, ), 'dtype': 'float64'}, 'model': [[{'dec': [1, None], 'b': {'__type__': 'Dense', 'weight': -1, 'bias': False, 'scale': {'__array__': [], 'dtype': 'float64'}, 'act': '<function identity>'}}, {'__type__': 'Block', 'w': [-1, -1, 'relu'], 'b': [{'__array__': [5], 'dtype': 'int64'}, "<ufunc 'tanh'>"], 'note': 'block'}], {'__array__': 0.2549445183451189, 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}, {'__array__': [[-0.13240824497765313]], 'dtype': 'float64'}], 'rule': "AdamW(eta=0.00414129806875104, beta=(0.830592236358462, 0.8078350773905717), lambda_=0.002692560535571649, epsilon=1e-06, couple=True, variant='normative')", 'ops': [{'op': 'step', 'grads': [[{'dec': [None, None], 'b': {'weight': None, 'bias': None, 'scale': None, 'act': None}}, {'w': [None, None, None], 'b': [None, None], 'note': None}], 9.18776986228232e-23, {'__array__': [], 'dtype': 'float64'}, {'__array__': [[2.851155285589209e-146]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [[{'dec': [None, None], 'b': {'weight': None, 'bias': None, 'scale': None, 'act': None}}, {'w': [None, None, None], 'b': [None, None], 'note': None}], -0.0031384256916150814, {'__array__': [], 'dtype': 'float64'}, {'__array__': [[1.1]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [[{'dec': [None, None], 'b': {'weight': None, 'bias': None, 'scale': None, 'act': None}}, {'w': [None, None, None], 'b': [None, None], 'note': None}], -0.0033713735593217838, {'__array__': [], 'dtype': 'float64'}, {'__array__': [[0.002813868078335339]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [[{'dec': [None, None], 'b': {'weight': None, 'bias': None, 'scale': None, 'act': None}}, {'w': [None, None, None], 'b': [None, None], 'note': None}], 0.0, {'__array__': [], 'dtype': 'float64'}, {'__array__': [[0.0]], 'dtype': 'float64'}]}], 'rules': ["AdamW(eta=0.00414129806875104, beta=(0.830592236358462, 0.8078350773905717), lambda_=0.002692560535571649, epsilon=1e-06, couple=True, variant='normative')"], 'variant': None, 'path': 'structured', 'dtype': 'float64', 'step': 4}


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
        print("recorded deviation (ADAMW-1); no replayable program in this case:")
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
    print(f"max abs error {worst!r}, allowed {bound!r} (ADAMW-1)")
    return 0 if worst <= bound and not wrong_kind else 1


if __name__ == "__main__":
    sys.exit(main())
