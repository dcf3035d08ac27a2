#!/usr/bin/env python
"""optconf repro: jax adjust.mid_run[AdaMax] deviates from ADJ-2.

model[2][0, 0, 1]=1.4892574680191468, but should be 1.4876312293666563 [adapter=jax, path=structured, step=4, dtype=float64, observed=0.0016262386524905637, allowed=8.400797619087096e-15]

Case seed 1109298275.  Inside optconf, replay with:
    optconf replay --adapter jax --property adjust.mid_run --rule AdaMax --seed 1109298275
"""

import sys

import numpy as np

ADAPTER = 'jax'
CLAUSE = 'ADJ-2'
PATH = 'structured'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter jax --property adjust.mid_run --rule AdaMax --seed 1109298275'
RULE = {'name': 'AdaMax', 'eta': 0.005796699912543703, 'beta': (0.8153234506780523, 0.9480251940461377, ), 'epsilon': 1e-08, 'variant': 'torch'}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([], dtype=np.float64), np.array([[]], dtype=np.float64), np.array([[[3.9730274693842986, 1.5]]], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([], dtype=np.float64), np.array([[]], dtype=np.float64), np.array([[[-0.000997238248210975, 9.853980549711266e-176]]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([], dtype=np.float64), np.array([[]], dtype=np.float64), np.array([[[-1.374797436619015e-249, 2.2923772737236128]]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([], dtype=np.float64), np.array([[]], dtype=np.float64), np.array([[[-2.823413898189539, 2.0581506976655675]]], dtype=np.float64)]}, {'op': 'adjust', 'changes': {'beta': (0.6411519873817604, 0.7, ), 'epsilon': 0.001}}, {'op': 'step', 'grads': [np.array([], dtype=np.float64), np.array([[]], dtype=np.float64), np.array([[[-6.770993552559056e-255, 3.9393729407790428]]], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([], dtype=np.float64), np.array([[]], dtype=np.float64), np.array([[[3.985665454149142, 1.4876312293666563]]], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([], dtype=np.float64), np.array([[]], dtype=np.float64), np.array([[[3.9850883483305592, 1.4892574680191468]]], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 8.400797619087096e-15
PROGRAM_PICKLE = 'gASVUAQAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCh9lIwDZGVjlIhOjBZudW1weS5fY29yZS5tdWx0aWFycmF5lIwMX3JlY29uc3RydWN0lJOUjAVudW1weZSMB25kYXJyYXmUk5RLAIWUQwFilIeUUpQoSwFLAEsASwGHlGgMjAVkdHlwZZSTlIwCZjiUiYiHlFKUKEsDjAE8lE5OTkr/////Sv////9LAHSUYolDAJR0lGKHlHNoC2gOSwCFlGgQh5RSlChLAUsBSwBLAIeUaBiJaBt0lGJoC2gOSwCFlGgQh5RSlChLAUsBSwFLAoeUaBiJQxDw6zigwsgPQAAAAAAAAPg/lHSUYmWMBHJ1bGWUjB5vcHRjb25mLnJlZmVyZW5jZS5ydWxlcy5tYXhpbWGUjAZBZGFNYXiUk5QpgZR9lCiMA2V0YZRHP3e+R8jJHmiMBGJldGGURz/qFyE0il8PRz/uVjjuhsp4hpSMB2Vwc2lsb26URz5FeY7iMIw6jAd2YXJpYW50lIwFdG9yY2iUdWKMA29wc5QoaACMBFN0ZXCUk5QpgZR9lIwFZ3JhZHOUXZQofZRoCE5OaAtoDksAhZRoEIeUUpQoSwFLAEsASwGHlGgYiWgbdJRih5RzaAtoDksAhZRoEIeUUpQoSwFLAUsASwCHlGgYiWgbdJRiaAtoDksAhZRoEIeUUpQoSwFLAUsBSwKHlGgYiUMQNopkarhWUL+/yQjU8fSYG5R0lGJlc2JoNymBlH2UaDpdlCh9lGgITk5oC2gOSwCFlGgQh5RSlChLAUsASwBLAYeUaBiJaBt0lGKHlHNoC2gOSwCFlGgQh5RSlChLAUsBSwBLAIeUaBiJaBt0lGJoC2gOSwCFlGgQh5RSlChLAUsBSwFLAoeUaBiJQxDNG4hctK9DjHjkZeXJVgJAlHSUYmVzYmg3KYGUfZRoOl2UKH2UaAhOTmgLaA5LAIWUaBCHlFKUKEsBSwBLAEsBh5RoGIloG3SUYoeUc2gLaA5LAIWUaBCHlFKUKEsBSwFLAEsAh5RoGIloG3SUYmgLaA5LAIWUaBCHlFKUKEsBSwFLAUsCh5RoGIlDEBhengZalgbAoLSFthd3AECUdJRiZXNiaACMBkFkanVzdJSTlCmBlH2UjAdjaGFuZ2VzlH2UKGgwRz/khFEsMj36Rz/mZmZmZmZmhpRoMkc/UGJN0vGp/HVzYmg3KYGUfZRoOl2UKH2UaAhOTmgLaA5LAIWUaBCHlFKUKEsBSwBLAEsBh5RoGIloG3SUYoeUc2gLaA5LAIWUaBCHlFKUKEsBSwFLAEsAh5RoGIloG3SUYmgLaA5LAIWUaBCHlFKUKEsBSwFLAUsCh5RoGIlDEC6mECaraimLjCXb9dWDD0CUdJRiZXNidJSMBWR0eXBllIwHZmxvYXQ2NJR1Yi4='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'program': {'__type__': 'Program', 'model': [{'dec': (True, None, np.array([], dtype=np.float64), )}, np.array([[]], dtype=np.float64), np.array([[[3.9730274693842986, 1.5]]], dtype=np.float64)], 'rule': {'__type__': 'AdaMax', 'eta': 0.005796699912543703, 'beta': (0.8153234506780523, 0.9480251940461377, ), 'epsilon': 1e-08, 'variant': 'torch'}, 'ops': ({'__type__': 'Step', 'grads': [{'dec': (None, None, np.array([], dtype=np.float64), )}, np.array([[]], dtype=np.float64), np.array([[[-0.000997238248210975, 9.853980549711266e-176]]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [{'dec': (None, None, np.array([], dtype=np.float64), )}, np.array([[]], dtype=np.float64), np.array([[[-1.374797436619015e-249, 2.2923772737236128]]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [{'dec': (None, None, np.array([], dtype=np.float64), )}, np.array([[]], dtype=np.float64), np.array([[[-2.823413898189539, 2.0581506976655675]]], dtype=np.float64)]}, {'__type__': 'Adjust', 'changes': {'beta': (0.6411519873817604, 0.7, ), 'epsilon': 0.001}}, {'__type__': 'Step', 'grads': [{'dec': (None, None, np.array([], dtype=np.float64), )}, np.array([[]], dtype=np.float64), np.array([[[-6.770993552559056e-255, 3.9393729407790428]]], dtype=np.float64)]}, ), 'dtype': 'float64'}, 'model': [{'dec': [True, None, {'__array__': [], 'dtype': 'float64'}]}, {'__array__': [[]], 'dtype': 'float64'}, {'__array__': [[[3.9730274693842986, 1.5]]], 'dtype': 'float64'}], 'rule': "AdaMax(eta=0.005796699912543703, beta=(0.8153234506780523, 0.9480251940461377), epsilon=1e-08, variant='torch')", 'ops': [{'op': 'step', 'grads': [{'dec': [None, None, {'__array__': [], 'dtype': 'float64'}]}, {'__array__': [[]], 'dtype': 'float64'}, {'__array__': [[[-0.000997238248210975, 9.853980549711266e-176]]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [{'dec': [None, None, {'__array__': [], 'dtype': 'float64'}]}, {'__array__': [[]], 'dtype': 'float64'}, {'__array__': [[[-1.374797436619015e-249, 2.2923772737236128]]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [{'dec': [None, None, {'__array__': [], 'dtype': 'float64'}]}, {'__array__': [[]], 'dtype': 'float64'}, {'__array__': [[[-2.823413898189539, 2.0581506976655675]]], 'dtype': 'float64'}]}, {'op': 'adjust', 'changes': {'beta': [0.6411519873817604, 0.7], 'epsilon': 0.001}}, {'op': 'step', 'grads': [{'dec': [None, None, {'__array__': [], 'dtype': 'float64'}]}, {'__array__': [[]], 'dtype': 'float64'}, {'__array__': [[[-6.770993552559056e-255, 3.9393729407790428]]], 'dtype': 'float64'}]}], 'path': 'structured', 'dtype': 'float64', 'step': 4}


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
