#!/usr/bin/env python
"""optconf repro: mlx rules.matches_reference[AdamW] deviates from ADAMW-1.

model[1]=0.01444900321093976, but should be 0.014449002299552462 [adapter=mlx, path=structured, step=4, dtype=float64, observed=9.113872989630067e-10, allowed=7.161157596961816e-16]

Case seed 3833294281.  Inside optconf, replay with:
    optconf replay --adapter mlx --property rules.matches_reference --rule AdamW --seed 3833294281
"""

import sys

import numpy as np

ADAPTER = 'mlx'
CLAUSE = 'ADAMW-1'
PATH = 'structured'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter mlx --property rules.matches_reference --rule AdamW --seed 3833294281'
RULE = {'name': 'AdamW', 'eta': 0.008699988064940909, 'beta': (0.4695072381460421, 0.7609251322703094, ), 'lambda_': 1.218085274290933e-170, 'epsilon': 1e-08, 'couple': True, 'variant': 'normative'}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array(-1.1877590415822145e-257, dtype=np.float64), np.array([-1.8213723399078598, -3.0], dtype=np.float64), np.array([[]], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array(-6.77420843762338e-47, dtype=np.float64), np.array([-0.0032029622279161063, 1.16415321875e-10], dtype=np.float64), np.array([[]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(-1.1, dtype=np.float64), np.array([0.0030470102472206217, 0.0006249536192624991], dtype=np.float64), np.array([[]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(-0.0008475365552768786, dtype=np.float64), np.array([0.0, 0.0], dtype=np.float64), np.array([[]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(0.0, dtype=np.float64), np.array([-2.741368113291937, 0.24567902247281292], dtype=np.float64), np.array([[]], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array(0.014449002299552462, dtype=np.float64), np.array([-1.809099239119806, -3.0202881924343745], dtype=np.float64), np.array([[]], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array(0.01444900321093976, dtype=np.float64), np.array([-1.8090992385783706, -3.0202881939299417], dtype=np.float64), np.array([[]], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 7.161157596961816e-16
PROGRAM_PICKLE = 'gASVmQYAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCiMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBURlbnNllJOUKYGUfZQojAZ3ZWlnaHSUaAeMBUJsb2NrlJOUKYGUfZQojAF3lGgJKYGUfZQoaAyMFm51bXB5Ll9jb3JlLm11bHRpYXJyYXmUjAxfcmVjb25zdHJ1Y3SUk5SMBW51bXB5lIwHbmRhcnJheZSTlEsAhZRDAWKUh5RSlChLASloF4wFZHR5cGWUk5SMAmk4lImIh5RSlChLA4wBPJROTk5K/////0r/////SwB0lGKJQwgCAAAAAAAAAJR0lGKMBGJpYXOUaBeMBHRhbmiUk5SMBXNjYWxllGgWaBlLAIWUaBuHlFKUKEsBSwCFlGgfjAJmOJSJiIeUUpQoSwNoI05OTkr/////Sv////9LAHSUYolDAJR0lGKMA2FjdJRoB4wIaWRlbnRpdHmUk5R1YowBYpRoB4wEUGFpcpSTlIwEcmVsdZROhpSBlIwEbm90ZZSMBGhlYWSUdWJoJ2gJKYGUfZQoaAxdlCiJaBZoGUsAhZRoG4eUUpQoSwEpaCKJQwgAAAAAAAAAAJR0lGJlaCdoOkr/////aBZoGUsAhZRoG4eUUpQoSwEpaCKJQwj7/////////5R0lGKGlIGUaCpoFmgZSwCFlGgbh5RSlChLAUsAhZRoMYloM3SUYmg1aDd1YmgqaBZoGUsAhZRoG4eUUpQoSwFLAEsBSwGHlGgxiWgzdJRiaDVoN3ViaBZoGUsAhZRoG4eUUpQoSwEpaDGJQwjtkGem7NOWipR0lGJoFmgZSwCFlGgbh5RSlChLAUsChZRoMYlDEF7km1JXJP2/AAAAAAAACMCUdJRiaBZoGUsAhZRoG4eUUpQoSwFLAUsASwKHlGgxiWgzdJRiZYwEcnVsZZSMHG9wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLmFkYW2UjAVBZGFtV5STlCmBlH2UKIwDZXRhlEc/gdFMobdR0owEYmV0YZRHP94MaBZEpGhHP+hZf6m5xkaGlIwHbGFtYmRhX5RHHKeJY/El5eWMB2Vwc2lsb26URz5FeY7iMIw6jAZjb3VwbGWUiIwHdmFyaWFudJSMCW5vcm1hdGl2ZZR1YowDb3BzlChoAIwEU3RlcJSTlCmBlH2UjAVncmFkc5RdlCh9lChoDH2UKGgRfZQoaAxOaCdOaCpOaDVOdWg4Tk6GlGg+TnVoJ32UKGgMXZQoTk5laCdOToaUaCpOaDVOdWgqTmg1TnVoFIwGc2NhbGFylJOUaDFDCCkx8ahUwFi2lIaUUpRoFmgZSwCFlGgbh5RSlChLAUsChZRoMYlDEIB5nUAZPWq/aF8cAAAA4D2UdJRiaBZoGUsAhZRoG4eUUpQoSwFLAUsASwKHlGgxiWgzdJRiZXNiaHkpgZR9lGh8XZQofZQoaAx9lChoEX2UKGgMTmgnTmgqTmg1TnVoOE5OhpRoPk51aCd9lChoDF2UKE5OZWgnTk6GlGgqTmg1TnVoKk5oNU51aIZoMUMImpmZmZmZ8b+UhpRSlGgWaBlLAIWUaBuHlFKUKEsBSwKFlGgxiUMQwLGYKwv2aD94k5mtfXpEP5R0lGJoFmgZSwCFlGgbh5RSlChLAUsBSwBLAoeUaDGJaDN0lGJlc2JoeSmBlH2UaHxdlCh9lChoDH2UKGgRfZQoaAxOaCdOaCpOaDVOdWg4Tk6GlGg+TnVoJ32UKGgMXZQoTk5laCdOToaUaCpOaDVOdWgqTmg1TnVohmgxQwiY/r7kpsVLv5SGlFKUaBZoGUsAhZRoG4eUUpQoSwFLAoWUaDGJQxAAAAAAAAAAAAAAAAAAAAAAlHSUYmgWaBlLAIWUaBuHlFKUKEsBSwFLAEsCh5RoMYloM3SUYmVzYmh5KYGUfZRofF2UKH2UKGgMfZQoaBF9lChoDE5oJ05oKk5oNU51aDhOToaUaD5OdWgnfZQoaAxdlChOTmVoJ05OhpRoKk5oNU51aCpOaDVOdWiGaDFDCAAAAAAAAAAAlIaUUpRoFmgZSwCFlGgbh5RSlChLAUsChZRoMYlDELgWx2dS7gXA4L9qA2lyzz+UdJRiaBZoGUsAhZRoG4eUUpQoSwFLAUsASwKHlGgxiWgzdJRiZXNidJSMBWR0eXBllIwHZmxvYXQ2NJR1Yi4='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: carried value', 'models: empty array', 'models: layer with a non-trainable array', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': [{'__type__': 'Dense', 'weight': {'__type__': 'Block', 'w': {'__type__': 'Dense', 'weight': np.array(2, dtype=np.int64), 'bias': "<ufunc 'tanh'>", 'scale': np.array([], dtype=np.float64), 'act': '<function identity>'}, 'b': ('relu', None, ), 'note': 'head'}, 'bias': {'__type__': 'Dense', 'weight': [False, np.array(0, dtype=np.int64)], 'bias': (-1, np.array(-5, dtype=np.int64), ), 'scale': np.array([], dtype=np.float64), 'act': '<function identity>'}, 'scale': np.array([], dtype=np.float64), 'act': '<function identity>'}, np.array(-1.1877590415822145e-257, dtype=np.float64), np.array([-1.8213723399078598, -3.0], dtype=np.float64), np.array([[]], dtype=np.float64)], 'rule': {'__type__': 'AdamW', 'eta': 0.008699988064940909, 'beta': (0.4695072381460421, 0.7609251322703094, ), 'lambda_': 1.218085274290933e-170, 'epsilon': 1e-08, 'couple': True, 'variant': 'normative'}, 'ops': ({'__type__': 'Step', 'grads': [{'weight': {'w': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'b': (None, None, ), 'note': None}, 'bias': {'weight': [None, None], 'bias': (None, None, ), 'scale': None, 'act': None}, 'scale': None, 'act': None}, -6.77420843762338e-47, np.array([-0.0032029622279161063, 1.16415321875e-10], dtype=np.float64), np.array([[]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [{'weight': {'w': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'b': (None, None, ), 'note': None}, 'bias': {'weight': [None, None], 'bias': (None, None, ), 'scale': None, 'act': None}, 'scale': None, 'act': None}, -1.1, np.array([0.0030470102472206217, 0.0006249536192624991], dtype=np.float64), np.array([[]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [{'weight': {'w': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'b': (None, None, ), 'note': None}, 'bias': {'weight': [None, None], 'bias': (None, None, ), 'scale': None, 'act': None}, 'scale': None, 'act': None}, -0.0008475365552768786, np.array([0.0, 0.0], dtype=np.float64), np.array([[]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [{'weight': {'w': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'b': (None, None, ), 'note': None}, 'bias': {'weight': [None, None], 'bias': (None, None, ), 'scale': None, 'act': None}, 'scale': None, 'act': None}, 0.0, np.array([-2.741368113291937, 0.24567902247281292], dtype=np.float64), np.array([[]], dtype=np.float64)]}, ), 'dtype': 'float64'}, 'model': [{'__type__': 'Dense', 'weight': {'__type__': 'Block', 'w': {'__type__': 'Dense', 'weight': {'__array__': 2, 'dtype': 'int64'}, 'bias': "<ufunc 'tanh'>", 'scale': {'__array__': [], 'dtype': 'float64'}, 'act': '<function identity>'}, 'b': ['relu', None], 'note': 'head'}, 'bias': {'__type__': 'Dense', 'weight': [False, {'__array__': 0, 'dtype': 'int64'}], 'bias': [-1, {'__array__': -5, 'dtype': 'int64'}], 'scale': {'__array__': [], 'dtype': 'float64'}, 'act': '<function identity>'}, 'scale': {'__array__': [], 'dtype': 'float64'}, 'act': '<function identity>'}, {'__array__': -1.1877590415822145e-257, 'dtype': 'float64'}, {'__array__': [-1.8213723399078598, -3.0], 'dtype': 'float64'}, {'__array__': [[]], 'dtype': 'float64'}], 'rule': "AdamW(eta=0.008699988064940909, beta=(0.4695072381460421, 0.7609251322703094), lambda_=1.218085274290933e-170, epsilon=1e-08, couple=True, variant='normative')", 'ops': [{'op': 'step', 'grads': [{'weight': {'w': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'b': [None, None], 'note': None}, 'bias': {'weight': [None, None], 'bias': [None, None], 'scale': None, 'act': None}, 'scale': None, 'act': None}, -6.77420843762338e-47, {'__array__': [-0.0032029622279161063, 1.16415321875e-10], 'dtype': 'float64'}, {'__array__': [[]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [{'weight': {'w': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'b': [None, None], 'note': None}, 'bias': {'weight': [None, None], 'bias': [None, None], 'scale': None, 'act': None}, 'scale': None, 'act': None}, -1.1, {'__array__': [0.0030470102472206217, 0.0006249536192624991], 'dtype': 'float64'}, {'__array__': [[]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [{'weight': {'w': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'b': [None, None], 'note': None}, 'bias': {'weight': [None, None], 'bias': [None, None], 'scale': None, 'act': None}, 'scale': None, 'act': None}, -0.0008475365552768786, {'__array__': [0.0, 0.0], 'dtype': 'float64'}, {'__array__': [[]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [{'weight': {'w': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'b': [None, None], 'note': None}, 'bias': {'weight': [None, None], 'bias': [None, None], 'scale': None, 'act': None}, 'scale': None, 'act': None}, 0.0, {'__array__': [-2.741368113291937, 0.24567902247281292], 'dtype': 'float64'}, {'__array__': [[]], 'dtype': 'float64'}]}], 'rules': ["AdamW(eta=0.008699988064940909, beta=(0.4695072381460421, 0.7609251322703094), lambda_=1.218085274290933e-170, epsilon=1e-08, couple=True, variant='normative')"], 'variant': None, 'path': 'structured', 'dtype': 'float64', 'step': 4}


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
