#!/usr/bin/env python
"""optconf repro: keras rules.matches_reference[Adam] deviates from ADAM-1.

model['dec'].b[1].w=-0.003173965040367108, but should be -0.0028241182206339803 [adapter=keras, path=structured, step=4, dtype=float64, observed=0.00034984681973312774, allowed=1.7642246299521216e-16]

Case seed 201229206.  Inside optconf, replay with:
    optconf replay --adapter keras --property rules.matches_reference --rule Adam --seed 201229206
"""

import sys

import numpy as np

ADAPTER = 'keras'
CLAUSE = 'ADAM-1'
PATH = 'structured'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter keras --property rules.matches_reference --rule Adam --seed 201229206'
RULE = {'name': 'Adam', 'eta': 0.002632610777283423, 'beta': (0.5652380768791596, 0.7464924533147163, ), 'epsilon': 0.001, 'variant': 'normative'}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([], dtype=np.float64), np.array(1.1754943508222875e-38, dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([], dtype=np.float64), np.array(-0.00390625, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([], dtype=np.float64), np.array(2.6921282380751164, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([], dtype=np.float64), np.array(-0.5556744796321085, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([], dtype=np.float64), np.array(1.9510773906391927, dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([], dtype=np.float64), np.array(-0.0028241182206339803, dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([], dtype=np.float64), np.array(-0.003173965040367108, dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 1.7642246299521216e-16
PROGRAM_PICKLE = 'gASVHgQAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJR9lCiMA2RlY5SMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBUJsb2NrlJOUKYGUfZQojAF3lImMAWKUaAiMBFBhaXKUk5R9lCiMAWGUjBZudW1weS5fY29yZS5tdWx0aWFycmF5lIwMX3JlY29uc3RydWN0lJOUjAVudW1weZSMB25kYXJyYXmUk5RLAIWUQwFilIeUUpQoSwFLAEsChpRoFowFZHR5cGWUk5SMAmY4lImIh5RSlChLA4wBPJROTk5K/////0r/////SwB0lGKJQwCUdJRiaAeMBHJlbHWUdWgKKYGUfZQoaA1oFWgYSwCFlGgah5RSlChLASloIolDCAAAAAAAABA4lHSUYmgOjACUjARub3RllIwEaGVhZJR1YoaUgZRoMGgxdWJoEmgsdYwEcnVsZZSMHG9wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLmFkYW2UjARBZGFtlJOUKYGUfZQojANldGGURz9lkPwmIQJajARiZXRhlEc/4hZuKdTMLkc/5+NEJDZSB4aUjAdlcHNpbG9ulEc/UGJN0vGp/IwHdmFyaWFudJSMCW5vcm1hdGl2ZZR1YowDb3BzlChoAIwEU3RlcJSTlCmBlH2UjAVncmFkc5R9lChoB32UKGgNTmgOfZQoaBJoFWgYSwCFlGgah5RSlChLAUsASwKGlGgiiWgldJRiaAdOdX2UKGgNaBOMBnNjYWxhcpSTlGgiQwgAAAAAAABwv5SGlFKUaA5OaDBOdYaUaDBOdWgSaFBoIkMIAAAAAAAAAACUhpRSlHVzYmhCKYGUfZRoRX2UKGgHfZQoaA1OaA59lChoEmgVaBhLAIWUaBqHlFKUKEsBSwBLAoaUaCKJaCV0lGJoB051fZQoaA1oUGgiQwjYGfRw2vUGQJSGlFKUaA5OaDBOdYaUaDBOdWgSaFBoIkMIIMOrlf7Fxr+UhpRSlHVzYmhCKYGUfZRoRX2UKGgHfZQoaA1OaA59lChoEmgVaBhLAIWUaBqHlFKUKEsBSwBLAoaUaCKJaCV0lGJoB051fZQoaA1oUGgiQwg3EUI4HJECwJSGlFKUaA5OaDBOdYaUaDBOdWgSaFBoIkMIVEQwhC0+/D+UhpRSlHVzYmhCKYGUfZRoRX2UKGgHfZQoaA1OaA59lChoEmgVaBhLAIWUaBqHlFKUKEsBSwBLAoaUaCKJaCV0lGJoB051fZQoaA1oUGgiQwhkKgztnDf/P5SGlFKUaA5OaDBOdYaUaDBOdWgSaFBoIkMIAAAAAAAAAACUhpRSlHVzYnSUjAVkdHlwZZSMB2Zsb2F0NjSUdWIu'
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: carried value', 'models: dict keys out of sorted order', 'models: empty array', 'models: parameter three levels deep', 'models: sizes that do not divide evenly', 'models: tie across containers'], 'program': {'__type__': 'Program', 'model': {'dec': {'__type__': 'Block', 'w': False, 'b': ({'a': np.array([], dtype=np.float64), 'dec': 'relu'}, {'__type__': 'Block', 'w': np.array(1.1754943508222875e-38, dtype=np.float64), 'b': '', 'note': 'head'}, ), 'note': 'head'}, 'a': np.array(1.1754943508222875e-38, dtype=np.float64)}, 'rule': {'__type__': 'Adam', 'eta': 0.002632610777283423, 'beta': (0.5652380768791596, 0.7464924533147163, ), 'epsilon': 0.001, 'variant': 'normative'}, 'ops': ({'__type__': 'Step', 'grads': {'dec': {'w': None, 'b': ({'a': np.array([], dtype=np.float64), 'dec': None}, {'w': -0.00390625, 'b': None, 'note': None}, ), 'note': None}, 'a': 0.0}}, {'__type__': 'Step', 'grads': {'dec': {'w': None, 'b': ({'a': np.array([], dtype=np.float64), 'dec': None}, {'w': 2.8700455498212527, 'b': None, 'note': None}, ), 'note': None}, 'a': -0.17791731174613634}}, {'__type__': 'Step', 'grads': {'dec': {'w': None, 'b': ({'a': np.array([], dtype=np.float64), 'dec': None}, {'w': -2.320854606167042, 'b': None, 'note': None}, ), 'note': None}, 'a': 1.7651801265349336}}, {'__type__': 'Step', 'grads': {'dec': {'w': None, 'b': ({'a': np.array([], dtype=np.float64), 'dec': None}, {'w': 1.9510773906391927, 'b': None, 'note': None}, ), 'note': None}, 'a': 0.0}}, ), 'dtype': 'float64'}, 'model': {'dec': {'__type__': 'Block', 'w': False, 'b': [{'a': {'__array__': [], 'dtype': 'float64'}, 'dec': 'relu'}, {'__type__': 'Block', 'w': {'__array__': 1.1754943508222875e-38, 'dtype': 'float64'}, 'b': '', 'note': 'head'}], 'note': 'head'}, 'a': {'__array__': 1.1754943508222875e-38, 'dtype': 'float64'}}, 'rule': "Adam(eta=0.002632610777283423, beta=(0.5652380768791596, 0.7464924533147163), epsilon=0.001, variant='normative')", 'ops': [{'op': 'step', 'grads': {'dec': {'w': None, 'b': [{'a': {'__array__': [], 'dtype': 'float64'}, 'dec': None}, {'w': -0.00390625, 'b': None, 'note': None}], 'note': None}, 'a': 0.0}}, {'op': 'step', 'grads': {'dec': {'w': None, 'b': [{'a': {'__array__': [], 'dtype': 'float64'}, 'dec': None}, {'w': 2.8700455498212527, 'b': None, 'note': None}], 'note': None}, 'a': -0.17791731174613634}}, {'op': 'step', 'grads': {'dec': {'w': None, 'b': [{'a': {'__array__': [], 'dtype': 'float64'}, 'dec': None}, {'w': -2.320854606167042, 'b': None, 'note': None}], 'note': None}, 'a': 1.7651801265349336}}, {'op': 'step', 'grads': {'dec': {'w': None, 'b': [{'a': {'__array__': [], 'dtype': 'float64'}, 'dec': None}, {'w': 1.9510773906391927, 'b': None, 'note': None}], 'note': None}, 'a': 0.0}}], 'rules': ["Adam(eta=0.002632610777283423, beta=(0.5652380768791596, 0.7464924533147163), epsilon=0.001, variant='normative')"], 'variant': None, 'path': 'structured', 'dtype': 'float64', 'step': 4}


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
        print("recorded deviation (ADAM-1); no replayable program in this case:")
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
    print(f"max abs error {worst!r}, allowed {bound!r} (ADAM-1)")
    return 0 if worst <= bound and not wrong_kind else 1


if __name__ == "__main__":
    sys.exit(main())
