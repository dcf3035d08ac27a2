#!/usr/bin/env python
"""optconf repro: keras flat.path_matches_structured[AdamW,flat_vector] deviates from FLAT-6.

model['dec'][1].w.weight=-0.010229113104868386, but should be -0.010230395898583954 [adapter=keras, path=flat_vector, step=4, dtype=float64, observed=1.2827937155672486e-06, allowed=2.3145652361589804e-16]

Case seed 1892337460.  Inside optconf, replay with:
    optconf replay --adapter keras --property flat.path_matches_structured --rule AdamW --path flat_vector --seed 1892337460
"""

import sys

import numpy as np

ADAPTER = 'keras'
CLAUSE = 'FLAT-6'
PATH = 'flat_vector'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter keras --property flat.path_matches_structured --rule AdamW --path flat_vector --seed 1892337460'
RULE = {'name': 'AdamW', 'eta': 0.0035012564317564356, 'beta': (2.225073858507203e-309, 0.5, ), 'lambda_': 2.2250738585e-313, 'epsilon': 1e-06, 'couple': True, 'variant': 'normative'}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array(-3.083556220604162e-290, dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array(0.0011283860287801218, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(3.853008421362774, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(1.6924965068811284, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(1.2474599080702412e-43, dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array(-0.010230395898583954, dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array(-0.010229113104868386, dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 2.3145652361589804e-16
PROGRAM_PICKLE = 'gASVjAUAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJR9lCiMA2RlY5RdlCiMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBUJsb2NrlJOUKYGUfZQojAF3lGgLKYGUfZQoaA6IjAFilIwAlIwEbm90ZZSMBGhlYWSUdWJoEWgSaBOMBWJsb2NrlHViaAspgZR9lChoDmgJjAVEZW5zZZSTlCmBlH2UKIwGd2VpZ2h0lIwWbnVtcHkuX2NvcmUubXVsdGlhcnJheZSMDF9yZWNvbnN0cnVjdJSTlIwFbnVtcHmUjAduZGFycmF5lJOUSwCFlEMBYpSHlFKUKEsBKWggjAVkdHlwZZSTlIwCZjiUiYiHlFKUKEsDjAE8lE5OTkr/////Sv////9LAHSUYolDCL4AcrttO9ODlHSUYowEYmlhc5RLAowFc2NhbGWUaB9oIksAhZRoJIeUUpQoSwFLAUsCSwGHlGgriUMQ6GDWS6rd7j/oYNZLqt3uP5R0lGKMA2FjdJRoCYwIaWRlbnRpdHmUk5R1YmgRKWgTaBR1YmgJjARQYWlylJOUfZQoaA5OjANlbmOUaBJ1aBkpgZR9lChoHCloMGg8Sv////9oH2giSwCFlGgkh5RSlChLAUsAhZRoKIwCaTiUiYiHlFKUKEsDaCxOTk5K/////0r/////SwB0lGKJQwCUdJRihpSBlGgxaB9oIksAhZRoJIeUUpQoSwFLAUsBhpRoK4lDCDliLT4FAABAlHSUYmg4aDp1YoaUgZRljAFhlGgmdYwEcnVsZZSMHG9wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLmFkYW2UjAVBZGFtV5STlCmBlH2UKIwDZXRhlEc/bK6qu9FVrIwEYmV0YZRHAAGZmZmZmZpHP+AAAAAAAACGlIwHbGFtYmRhX5RHAAAACnxaxHKMB2Vwc2lsb26URz6wxvegte2NjAZjb3VwbGWUiIwHdmFyaWFudJSMCW5vcm1hdGl2ZZR1YowDb3BzlChoAIwEU3RlcJSTlCmBlH2UjAVncmFkc5R9lChoB12UKH2UKGgOfZQoaA5OaBFOaBNOdWgRTmgTTnV9lChoDn2UKGgcaB2MBnNjYWxhcpSTlGgrQwhsPVt1RgbdlZSGlFKUaDBOaDFOaDhOdWgRKWgTTnV9lChoDk5oPk51fZQoaBwpaDBOToaUaDFOaDhOdYaUZWhVaHFoK0MI7ODQRct8Uj+UhpRSlHVzYmhmKYGUfZRoaX2UKGgHXZQofZQoaA59lChoDk5oEU5oE051aBFOaBNOdX2UKGgOfZQoaBxocWgrQwjA9H7AswYTP5SGlFKUaDBOaDFOaDhOdWgRKWgTTnV9lChoDk5oPk51fZQoaBwpaDBOToaUaDFOaDhOdYaUZWhVaHFoK0MIxDjgBtDSDkCUhpRSlHVzYmhmKYGUfZRoaX2UKGgHXZQofZQoaA59lChoDk5oEU5oE051aBFOaBNOdX2UKGgOfZQoaBxocWgrQwiUpv9mMokFQJSGlFKUaDBOaDFOaDhOdWgRKWgTTnV9lChoDk5oPk51fZQoaBwpaDBOToaUaDFOaDhOdYaUZWhVaHFoK0MISNjJLNv777+UhpRSlHVzYmhmKYGUfZRoaX2UKGgHXZQofZQoaA59lChoDk5oEU5oE051aBFOaBNOdX2UKGgOfZQoaBxocWgrQwiwVC7CY0EGN5SGlFKUaDBOaDFOaDhOdWgRKWgTTnV9lChoDk5oPk51fZQoaBwpaDBOToaUaDFOaDhOdYaUZWhVaHFoK0MIAAAAAAAAAACUhpRSlHVzYnSUjAVkdHlwZZSMB2Zsb2F0NjSUdWIu'
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: carried value', 'models: dict keys out of sorted order', 'models: layer with a non-trainable array', 'models: parameter three levels deep', 'models: tie across containers'], 'program': {'__type__': 'Program', 'model': {'dec': [{'__type__': 'Block', 'w': {'__type__': 'Block', 'w': True, 'b': '', 'note': 'head'}, 'b': '', 'note': 'block'}, {'__type__': 'Block', 'w': {'__type__': 'Dense', 'weight': np.array(-3.083556220604162e-290, dtype=np.float64), 'bias': 2, 'scale': np.array([[[0.9645587426375899], [0.9645587426375899]]], dtype=np.float64), 'act': '<function identity>'}, 'b': (), 'note': 'head'}, ({'w': None, 'enc': ''}, {'__type__': 'Dense', 'weight': (), 'bias': (-1, np.array([], dtype=np.int64), ), 'scale': np.array([[2.00001]], dtype=np.float64), 'act': '<function identity>'}, )], 'a': np.array(-3.083556220604162e-290, dtype=np.float64)}, 'rule': {'__type__': 'AdamW', 'eta': 0.0035012564317564356, 'beta': (2.225073858507203e-309, 0.5, ), 'lambda_': 2.2250738585e-313, 'epsilon': 1e-06, 'couple': True, 'variant': 'normative'}, 'ops': ({'__type__': 'Step', 'grads': {'dec': [{'w': {'w': None, 'b': None, 'note': None}, 'b': None, 'note': None}, {'w': {'weight': -2.3143438043733206e-203, 'bias': None, 'scale': None, 'act': None}, 'b': (), 'note': None}, ({'w': None, 'enc': None}, {'weight': (), 'bias': (None, None, ), 'scale': None, 'act': None}, )], 'a': 0.0011283860287801218}}, {'__type__': 'Step', 'grads': {'dec': [{'w': {'w': None, 'b': None, 'note': None}, 'b': None, 'note': None}, {'w': {'weight': 7.257911795384691e-05, 'bias': None, 'scale': None, 'act': None}, 'b': (), 'note': None}, ({'w': None, 'enc': None}, {'weight': (), 'bias': (None, None, ), 'scale': None, 'act': None}, )], 'a': 3.85293584224482}}, {'__type__': 'Step', 'grads': {'dec': [{'w': {'w': None, 'b': None, 'note': None}, 'b': None, 'note': None}, {'w': {'weight': 2.691990666081276, 'bias': None, 'scale': None, 'act': None}, 'b': (), 'note': None}, ({'w': None, 'enc': None}, {'weight': (), 'bias': (None, None, ), 'scale': None, 'act': None}, )], 'a': -0.9994941592001476}}, {'__type__': 'Step', 'grads': {'dec': [{'w': {'w': None, 'b': None, 'note': None}, 'b': None, 'note': None}, {'w': {'weight': 1.2474599080702412e-43, 'bias': None, 'scale': None, 'act': None}, 'b': (), 'note': None}, ({'w': None, 'enc': None}, {'weight': (), 'bias': (None, None, ), 'scale': None, 'act': None}, )], 'a': 0.0}}, ), 'dtype': 'float64'}, 'model': {'dec': [{'__type__': 'Block', 'w': {'__type__': 'Block', 'w': True, 'b': '', 'note': 'head'}, 'b': '', 'note': 'block'}, {'__type__': 'Block', 'w': {'__type__': 'Dense', 'weight': {'__array__': -3.083556220604162e-290, 'dtype': 'float64'}, 'bias': 2, 'scale': {'__array__': [[[0.9645587426375899], [0.9645587426375899]]], 'dtype': 'float64'}, 'act': '<function identity>'}, 'b': [], 'note': 'head'}, [{'w': None, 'enc': ''}, {'__type__': 'Dense', 'weight': [], 'bias': [-1, {'__array__': [], 'dtype': 'int64'}], 'scale': {'__array__': [[2.00001]], 'dtype': 'float64'}, 'act': '<function identity>'}]], 'a': {'__array__': -3.083556220604162e-290, 'dtype': 'float64'}}, 'rule': "AdamW(eta=0.0035012564317564356, beta=(2.225073858507203e-309, 0.5), lambda_=2.2250738585e-313, epsilon=1e-06, couple=True, variant='normative')", 'ops': [{'op': 'step', 'grads': {'dec': [{'w': {'w': None, 'b': None, 'note': None}, 'b': None, 'note': None}, {'w': {'weight': -2.3143438043733206e-203, 'bias': None, 'scale': None, 'act': None}, 'b': [], 'note': None}, [{'w': None, 'enc': None}, {'weight': [], 'bias': [None, None], 'scale': None, 'act': None}]], 'a': 0.0011283860287801218}}, {'op': 'step', 'grads': {'dec': [{'w': {'w': None, 'b': None, 'note': None}, 'b': None, 'note': None}, {'w': {'weight': 7.257911795384691e-05, 'bias': None, 'scale': None, 'act': None}, 'b': [], 'note': None}, [{'w': None, 'enc': None}, {'weight': [], 'bias': [None, None], 'scale': None, 'act': None}]], 'a': 3.85293584224482}}, {'op': 'step', 'grads': {'dec': [{'w': {'w': None, 'b': None, 'note': None}, 'b': None, 'note': None}, {'w': {'weight': 2.691990666081276, 'bias': None, 'scale': None, 'act': None}, 'b': [], 'note': None}, [{'w': None, 'enc': None}, {'weight': [], 'bias': [None, None], 'scale': None, 'act': None}]], 'a': -0.9994941592001476}}, {'op': 'step', 'grads': {'dec': [{'w': {'w': None, 'b': None, 'note': None}, 'b': None, 'note': None}, {'w': {'weight': 1.2474599080702412e-43, 'bias': None, 'scale': None, 'act': None}, 'b': [], 'note': None}, [{'w': None, 'enc': None}, {'weight': [], 'bias': [None, None], 'scale': None, 'act': None}]], 'a': 0.0}}], 'rules': ["AdamW(eta=0.0035012564317564356, beta=(2.225073858507203e-309, 0.5), lambda_=2.2250738585e-313, epsilon=1e-06, couple=True, variant='normative')"], 'path': 'flat_vector', 'dtype': 'float64', 'step': 4}


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
