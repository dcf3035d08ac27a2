#!/usr/bin/env python
"""optconf repro: keras flat.path_matches_structured[AdamW,flat_list] deviates from FLAT-6.

model[1][0, 0, 0]=3.4832353039918366e-05, but should be 3.4840428242474914e-05 [adapter=keras, path=flat_list, step=4, dtype=float64, observed=8.075202556547673e-09, allowed=5.110683093972562e-15]

Case seed 856996090.  Inside optconf, replay with:
    optconf replay --adapter keras --property flat.path_matches_structured --rule AdamW --path flat_list --seed 856996090
"""

import sys

import numpy as np

ADAPTER = 'keras'
CLAUSE = 'FLAT-6'
PATH = 'flat_list'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter keras --property flat.path_matches_structured --rule AdamW --path flat_list --seed 856996090'
RULE = {'name': 'AdamW', 'eta': 0.0009681313240794336, 'beta': (0.3965805264636749, 0.7025590226751058, ), 'lambda_': 0.009482690373531763, 'epsilon': 1e-06, 'couple': True, 'variant': 'normative'}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([[[9.86079622731222e-88]], [[-2.8351702711083426]]], dtype=np.float64), np.array([[-3.4383752389859783, 3.397210651687475]], dtype=np.float64), np.array([], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([[[-0.13006034561388713]], [[-3.4706645583066074]]], dtype=np.float64), np.array([[-0.0026523964281597937, -4.53436524030871e-42]], dtype=np.float64), np.array([], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[[1.2601161399501395e-80]], [[9.864393508595048e-116]]], dtype=np.float64), np.array([[-7.047010261908878e-91, 0.00107421875]], dtype=np.float64), np.array([], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[[2.1867892351553397]], [[9.797727995846808e-234]]], dtype=np.float64), np.array([[1.2331346779141263e-147, -0.9582709993880956]], dtype=np.float64), np.array([], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[[0.0]], [[0.0]]], dtype=np.float64), np.array([[-1.1029838889202206, -9.934906474132456e-06]], dtype=np.float64), np.array([], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([[[3.4840428242474914e-05]], [[-2.833362228493747]]], dtype=np.float64), np.array([[-3.4356916500509778, 3.397557153135036]], dtype=np.float64), np.array([], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([[[3.4832353039918366e-05]], [[-2.8333622288456857]]], dtype=np.float64), np.array([[-3.4356920947575915, 3.397557596584639]], dtype=np.float64), np.array([], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 5.110683093972562e-15
PROGRAM_PICKLE = 'gASVRwYAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCiMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBURlbnNllJOUKYGUfZQojAZ3ZWlnaHSUfZQojAFilIwWbnVtcHkuX2NvcmUubXVsdGlhcnJheZSMDF9yZWNvbnN0cnVjdJSTlIwFbnVtcHmUjAduZGFycmF5lJOUSwCFlEMBYpSHlFKUKEsBKWgSjAVkdHlwZZSTlIwCaTiUiYiHlFKUKEsDjAE8lE5OTkr/////Sv////9LAHSUYolDCP//////////lHSUYowBYZROjAF3lIwEcmVsdZR1jARiaWFzlGgJKYGUfZQoaAxK/f///2glaBFoFEsAhZRoFoeUUpQoSwFLAoWUaB2JQxACAAAAAAAAAAAAAAAAAAAAlHSUYowFc2NhbGWUaBFoFEsAhZRoFoeUUpQoSwFLAYWUaBqMAmY4lImIh5RSlChLA2geTk5OSv////9K/////0sAdJRiiUMI7AdB3vI7B8CUdJRijANhY3SUaBKMBHRhbmiUk5R1YmguaBFoFEsAhZRoFoeUUpQoSwEpaDWJQwgQgfRxLOYFwJR0lGJoOWgHjAhpZGVudGl0eZSTlHViaBFoFEsAhZRoFoeUUpQoSwFLAksBSwGHlGg1iUMQ/Ymi+rdi3y2oA0jAba4GwJR0lGJoEWgUSwCFlGgWh5RSlChLAUsBSwKGlGg1iUMQVJGW4MqBC8Dk9jTHfC0LQJR0lGJoEWgUSwCFlGgWh5RSlChLAUsASwJLAIeUaDWJQwCUdJRiZYwEcnVsZZSMHG9wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLmFkYW2UjAVBZGFtV5STlCmBlH2UKIwDZXRhlEc/T7lGMAUOvYwEYmV0YZRHP9lhk0nZFaZHP+Z7XQ88xxWGlIwHbGFtYmRhX5RHP4NrqShCYbiMB2Vwc2lsb26URz6wxvegte2NjAZjb3VwbGWUiIwHdmFyaWFudJSMCW5vcm1hdGl2ZZR1YowDb3BzlChoAIwEU3RlcJSTlCmBlH2UjAVncmFkc5RdlCh9lChoDH2UKGgOTmgiTmgjTnVoJX2UKGgMTmglTmguTmg5TnVoLk5oOU51aBFoFEsAhZRoFoeUUpQoSwFLAksBSwGHlGg1iUMQYIR1QdGlwL9cgarH68MLwJR0lGJoEWgUSwCFlGgWh5RSlChLAUsBSwKGlGg1iUMQkHZHfXq6Zb+IGUWOqUdZt5R0lGJoEWgUSwCFlGgWh5RSlChLAUsASwJLAIeUaDWJaFN0lGJlc2JoZSmBlH2UaGhdlCh9lChoDH2UKGgOTmgiTmgjTnVoJX2UKGgMTmglTmguTmg5TnVoLk5oOU51aBFoFEsAhZRoFoeUUpQoSwFLAksBSwGHlGg1iUMQ7Yapl/jnVy97lJZQGhgPKJR0lGJoEWgUSwCFlGgWh5RSlChLAUsBSwKGlGg1iUMQgaWSQdD3Nq2amZmZmZlRP5R0lGJoEWgUSwCFlGgWh5RSlChLAUsASwJLAIeUaDWJaFN0lGJlc2JoZSmBlH2UaGhdlCh9lChoDH2UKGgOTmgiTmgjTnVoJX2UKGgMTmglTmguTmg5TnVoLk5oOU51aBFoFEsAhZRoFoeUUpQoSwFLAksBSwGHlGg1iUMQdOXBWot+AUD1Y3z9BSePD5R0lGJoEWgUSwCFlGgWh5RSlChLAUsBSwKGlGg1iUMQByI5HRCJbyGod2LxJ6ruv5R0lGJoEWgUSwCFlGgWh5RSlChLAUsASwJLAIeUaDWJaFN0lGJlc2JoZSmBlH2UaGhdlCh9lChoDH2UKGgOTmgiTmgjTnVoJX2UKGgMTmglTmguTmg5TnVoLk5oOU51aBFoFEsAhZRoFoeUUpQoSwFLAksBSwGHlGg1iUMQAAAAAAAAAAAAAAAAAAAAAJR0lGJoEWgUSwCFlGgWh5RSlChLAUsBSwKGlGg1iUMQ/tUub9Kl8b8xug0mw9XkvpR0lGJoEWgUSwCFlGgWh5RSlChLAUsASwJLAIeUaDWJaFN0lGJlc2J0lIwFZHR5cGWUjAdmbG9hdDY0lHViLg=='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: carried value', 'models: dict keys out of sorted order', 'models: empty array', 'models: layer with a non-trainable array', 'models: sizes that do not divide evenly', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': [{'__type__': 'Dense', 'weight': {'b': np.array(-1, dtype=np.int64), 'a': None, 'w': 'relu'}, 'bias': {'__type__': 'Dense', 'weight': -3, 'bias': np.array([2, 0], dtype=np.int64), 'scale': np.array([-2.9042718280406827], dtype=np.float64), 'act': "<ufunc 'tanh'>"}, 'scale': np.array(-2.7373894598714585, dtype=np.float64), 'act': '<function identity>'}, np.array([[[9.86079622731222e-88]], [[-2.8351702711083426]]], dtype=np.float64), np.array([[-3.4383752389859783, 3.397210651687475]], dtype=np.float64), np.array([], dtype=np.float64)], 'rule': {'__type__': 'AdamW', 'eta': 0.0009681313240794336, 'beta': (0.3965805264636749, 0.7025590226751058, ), 'lambda_': 0.009482690373531763, 'epsilon': 1e-06, 'couple': True, 'variant': 'normative'}, 'ops': ({'__type__': 'Step', 'grads': [{'weight': {'b': None, 'a': None, 'w': None}, 'bias': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'scale': None, 'act': None}, np.array([[[-0.13006034561388713]], [[-3.4706645583066074]]], dtype=np.float64), np.array([[-0.0026523964281597937, -4.53436524030871e-42]], dtype=np.float64), np.array([], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [{'weight': {'b': None, 'a': None, 'w': None}, 'bias': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'scale': None, 'act': None}, np.array([[[1.2601161399501395e-80]], [[9.864393508595048e-116]]], dtype=np.float64), np.array([[-7.047010261908878e-91, 0.00107421875]], dtype=np.float64), np.array([], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [{'weight': {'b': None, 'a': None, 'w': None}, 'bias': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'scale': None, 'act': None}, np.array([[[2.1867892351553397]], [[9.797727995846808e-234]]], dtype=np.float64), np.array([[1.2331346779141263e-147, -0.9582709993880956]], dtype=np.float64), np.array([], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [{'weight': {'b': None, 'a': None, 'w': None}, 'bias': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'scale': None, 'act': None}, np.array([[[0.0]], [[0.0]]], dtype=np.float64), np.array([[-1.1029838889202206, -9.934906474132456e-06]], dtype=np.float64), np.array([], dtype=np.float64)]}, ), 'dtype': 'float64'}, 'model': [{'__type__': 'Dense', 'weight': {'b': {'__array__': -1, 'dtype': 'int64'}, 'a': None, 'w': 'relu'}, 'bias': {'__type__': 'Dense', 'weight': -3, 'bias': {'__array__': [2, 0], 'dtype': 'int64'}, 'scale': {'__array__': [-2.9042718280406827], 'dtype': 'float64'}, 'act': "<ufunc 'tanh'>"}, 'scale': {'__array__': -2.7373894598714585, 'dtype': 'float64'}, 'act': '<function identity>'}, {'__array__': [[[9.86079622731222e-88]], [[-2.8351702711083426]]], 'dtype': 'float64'}, {'__array__': [[-3.4383752389859783, 3.397210651687475]], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}], 'rule': "AdamW(eta=0.0009681313240794336, beta=(0.3965805264636749, 0.7025590226751058), lambda_=0.009482690373531763, epsilon=1e-06, couple=True, variant='normative')", 'ops': [{'op': 'step', 'grads': [{'weight': {'b': None, 'a': None, 'w': None}, 'bias': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'scale': None, 'act': None}, {'__array__': [[[-0.13006034561388713]], [[-3.4706645583066074]]], 'dtype': 'float64'}, {'__array__': [[-0.0026523964281597937, -4.53436524030871e-42]], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [{'weight': {'b': None, 'a': None, 'w': None}, 'bias': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'scale': None, 'act': None}, {'__array__': [[[1.2601161399501395e-80]], [[9.864393508595048e-116]]], 'dtype': 'float64'}, {'__array__': [[-7.047010261908878e-91, 0.00107421875]], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [{'weight': {'b': None, 'a': None, 'w': None}, 'bias': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'scale': None, 'act': None}, {'__array__': [[[2.1867892351553397]], [[9.797727995846808e-234]]], 'dtype': 'float64'}, {'__array__': [[1.2331346779141263e-147, -0.9582709993880956]], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [{'weight': {'b': None, 'a': None, 'w': None}, 'bias': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'scale': None, 'act': None}, {'__array__': [[[0.0]], [[0.0]]], 'dtype': 'float64'}, {'__array__': [[-1.1029838889202206, -9.934906474132456e-06]], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}]}], 'rules': ["AdamW(eta=0.0009681313240794336, beta=(0.3965805264636749, 0.7025590226751058), lambda_=0.009482690373531763, epsilon=1e-06, couple=True, variant='normative')"], 'path': 'flat_list', 'dtype': 'float64', 'step': 4}


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
