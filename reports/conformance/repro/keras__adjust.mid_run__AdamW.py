#!/usr/bin/env python
"""optconf repro: keras adjust.mid_run[AdamW] deviates from ADJ-2.

model[0]=-0.06018746644258499, but should be -0.06018647917229692 [adapter=keras, path=structured, step=4, dtype=float32, observed=9.872702880706075e-07, allowed=4.482745379642654e-07]

Case seed 1540138429.  Inside optconf, replay with:
    optconf replay --adapter keras --property adjust.mid_run --rule AdamW --seed 1540138429
"""

import sys

import numpy as np

ADAPTER = 'keras'
CLAUSE = 'ADJ-2'
PATH = 'structured'
DTYPE = 'float32'
REPLAY = 'optconf replay --adapter keras --property adjust.mid_run --rule AdamW --seed 1540138429'
RULE = {'name': 'AdamW', 'eta': 0.009999999999999998, 'beta': (0.18869127075937958, 0.6759837997699997, ), 'lambda_': 0.00481378520506892, 'epsilon': 0.001, 'couple': True, 'variant': 'normative'}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array(-0.0645982101559639, dtype=np.float64), np.array(-0.33535903692245483, dtype=np.float64), np.array([[], []], dtype=np.float64), np.array(1.0349488258361816, dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [None, None, None, None]}, {'op': 'adjust', 'changes': {'couple': True, 'epsilon': 0.001}}, {'op': 'step', 'grads': [np.array(-1.1754943508222875e-38, dtype=np.float64), np.array(0.0, dtype=np.float64), np.array([[], []], dtype=np.float64), np.array(0.0, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(-3.389624834060669, dtype=np.float64), np.array(0.0030661332421004772, dtype=np.float64), np.array([[], []], dtype=np.float64), np.array(-0.0028983468655496836, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(2.7799513896461576, dtype=np.float64), np.array(-0.00032552084303461015, dtype=np.float64), np.array([[], []], dtype=np.float64), None]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array(-0.06018647917229692, dtype=np.float64), np.array(-0.34372209249461616, dtype=np.float64), np.array([[], []], dtype=np.float64), np.array(1.0423774901016085, dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array(-0.06018746644258499, dtype=np.float32), np.array(-0.34293627738952637, dtype=np.float32), np.array([[], []], dtype=np.float32), np.array(1.0416300296783447, dtype=np.float32)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 4.482745379642654e-07
PROGRAM_PICKLE = 'gASVpQQAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCiMFm51bXB5Ll9jb3JlLm11bHRpYXJyYXmUjAxfcmVjb25zdHJ1Y3SUk5SMBW51bXB5lIwHbmRhcnJheZSTlEsAhZRDAWKUh5RSlChLASloCowFZHR5cGWUk5SMAmY4lImIh5RSlChLA4wBPJROTk5K/////0r/////SwB0lGKJQwgAAAAggomwv5R0lGJdlCh9lCiMA2RlY5SMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBUJsb2NrlJOUKYGUfZQojAF3lE6MAWKUaB2MBFBhaXKUk5ROiIaUgZSMBG5vdGWUjAVibG9ja5R1YowBYZRoHymBlH2UKGgiSv////9oI2gKjAR0YW5olJOUaChoKXVidWgJaAxLAIWUaA6HlFKUKEsBKWgViUMIAAAAwIV21b+UdJRiaAloDEsAhZRoDoeUUpQoSwFLAksASwGHlGgViUMAlHSUYmgQaAloDEsAhZRoDoeUUpQoSwEpaBWJQwgAAACAJo/wP5R0lGJlZYwEcnVsZZSMHG9wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLmFkYW2UjAVBZGFtV5STlCmBlH2UKIwDZXRhlEc/hHrhR64UeowEYmV0YZRHP8gnCRp54jpHP+WhqMcUai2GlIwHbGFtYmRhX5RHP3O3nqBpbf+MB2Vwc2lsb26URz9QYk3S8an8jAZjb3VwbGWUiIwHdmFyaWFudJSMCW5vcm1hdGl2ZZR1YowDb3BzlChoAIwEU3RlcJSTlCmBlH2UjAVncmFkc5ROc2JoAIwGQWRqdXN0lJOUKYGUfZSMB2NoYW5nZXOUfZQoaEqIaElHP1BiTdLxqfx1c2JoTymBlH2UaFJdlChoB4wGc2NhbGFylJOUaBVDCAAAAAAAABC4lIaUUpRdlCh9lChoHE5oKn2UKGgiTmgjTmgoTnV1aF1oFUMIAAAAAAAAAACUhpRSlGgJaAxLAIWUaA6HlFKUKEsBSwJLAEsBh5RoFYloOHSUYmhdaBVDCAAAAAAAAAAAlIaUUpRoXWgVQwgAAAAAAAAAAJSGlFKUZWVzYmhPKYGUfZRoUl2UKGhdaBVDCAAAAKDzHQvAlIaUUpRdlCh9lChoHH2UKGgiTmgjTmgoTnVoKn2UKGgiTmgjTmgoTnV1aF1oFUMIAAAAwCUeaT+UhpRSlGgJaAxLAIWUaA6HlFKUKEsBSwJLAEsBh5RoFYloOHSUYmhdaBVDCAAAAAAAAHC3lIaUUpRoXWgVQwgAAAAgRr5nv5SGlFKUZWVzYmhPKYGUfZRoUl2UKGhdaBVDCAAAACBieWm/lIaUUpRdlCh9lChoHH2UKGgiTmgjTmgoTnVoKn2UKGgiTmgjTmgoTnV1aF1oFUMIAAAAYFVVNb+UhpRSlGgJaAxLAIWUaA6HlFKUKEsBSwJLAEsBh5RoFYloOHSUYmhdaBVDCAAAAIC1QwZAlIaUUpROZWVzYnSUjAVkdHlwZZSMB2Zsb2F0MzKUdWIu'
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: carried value', 'models: dict keys out of sorted order', 'models: empty array', 'models: sizes that do not divide evenly', 'models: tie across containers', 'programs: None inside a gradient', 'programs: adjust then step', 'programs: step without any gradient', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': [np.array(-0.0645982101559639, dtype=np.float64), [{'dec': {'__type__': 'Block', 'w': None, 'b': (None, True, ), 'note': 'block'}, 'a': {'__type__': 'Block', 'w': -1, 'b': "<ufunc 'tanh'>", 'note': 'block'}}, np.array(-0.33535903692245483, dtype=np.float64), np.array([[], []], dtype=np.float64), np.array(-0.0645982101559639, dtype=np.float64), np.array(1.0349488258361816, dtype=np.float64)]], 'rule': {'__type__': 'AdamW', 'eta': 0.009999999999999998, 'beta': (0.18869127075937958, 0.6759837997699997, ), 'lambda_': 0.00481378520506892, 'epsilon': 0.001, 'couple': True, 'variant': 'normative'}, 'ops': ({'__type__': 'Step', 'grads': None}, {'__type__': 'Adjust', 'changes': {'couple': True, 'epsilon': 0.001}}, {'__type__': 'Step', 'grads': [-1.1754943508222875e-38, [{'dec': None, 'a': {'w': None, 'b': None, 'note': None}}, 0.0, np.array([[], []], dtype=np.float64), 0.0, 0.0]]}, {'__type__': 'Step', 'grads': [-3.389624834060669, [{'dec': {'w': None, 'b': None, 'note': None}, 'a': {'w': None, 'b': None, 'note': None}}, 0.0030661332421004772, np.array([[], []], dtype=np.float64), -1.1479437019748901e-41, -0.0028983468655496836]]}, {'__type__': 'Step', 'grads': [-0.0031096378806978464, [{'dec': {'w': None, 'b': None, 'note': None}, 'a': {'w': None, 'b': None, 'note': None}}, -0.00032552084303461015, np.array([[], []], dtype=np.float64), 2.7830610275268555, None]]}, ), 'dtype': 'float32'}, 'model': [{'__array__': -0.0645982101559639, 'dtype': 'float64'}, [{'dec': {'__type__': 'Block', 'w': None, 'b': [None, True], 'note': 'block'}, 'a': {'__type__': 'Block', 'w': -1, 'b': "<ufunc 'tanh'>", 'note': 'block'}}, {'__array__': -0.33535903692245483, 'dtype': 'float64'}, {'__array__': [[], []], 'dtype': 'float64'}, {'__array__': -0.0645982101559639, 'dtype': 'float64'}, {'__array__': 1.0349488258361816, 'dtype': 'float64'}]], 'rule': "AdamW(eta=0.009999999999999998, beta=(0.18869127075937958, 0.6759837997699997), lambda_=0.00481378520506892, epsilon=0.001, couple=True, variant='normative')", 'ops': [{'op': 'step', 'grads': None}, {'op': 'adjust', 'changes': {'couple': True, 'epsilon': 0.001}}, {'op': 'step', 'grads': [-1.1754943508222875e-38, [{'dec': None, 'a': {'w': None, 'b': None, 'note': None}}, 0.0, {'__array__': [[], []], 'dtype': 'float64'}, 0.0, 0.0]]}, {'op': 'step', 'grads': [-3.389624834060669, [{'dec': {'w': None, 'b': None, 'note': None}, 'a': {'w': None, 'b': None, 'note': None}}, 0.0030661332421004772, {'__array__': [[], []], 'dtype': 'float64'}, -1.1479437019748901e-41, -0.0028983468655496836]]}, {'op': 'step', 'grads': [-0.0031096378806978464, [{'dec': {'w': None, 'b': None, 'note': None}, 'a': {'w': None, 'b': None, 'note': None}}, -0.00032552084303461015, {'__array__': [[], []], 'dtype': 'float64'}, 2.7830610275268555, None]]}], 'rules': ["AdamW(eta=0.009999999999999998, beta=(0.18869127075937958, 0.6759837997699997), lambda_=0.00481378520506892, epsilon=0.001, couple=True, variant='normative')", "AdamW(eta=0.009999999999999998, beta=(0.18869127075937958, 0.6759837997699997), lambda_=0.00481378520506892, epsilon=0.001, couple=True, variant='normative')"], 'path': 'structured', 'dtype': 'float32', 'step': 4}


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
        print("recorded deviation (ADJ-2); no replayable program in this case:")
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
    print(f"max abs error {worst!r}, allowed {bound!r} (ADJ-2)")
    return 0 if worst <= bound and not wrong_kind else 1


if __name__ == "__main__":
    sys.exit(main())
