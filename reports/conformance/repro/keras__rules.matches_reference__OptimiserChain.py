#!/usr/bin/env python
"""optconf repro: keras rules.matches_reference[OptimiserChain] deviates from CHAIN-1.

model['dec'][2]=0.024540476500988007, but should be 0.025584913919673512 [adapter=keras, path=structured, step=4, dtype=float32, observed=0.0010444374186855052, allowed=1.8201474852256565e-06]

Case seed 756629361.  Inside optconf, replay with:
    optconf replay --adapter keras --property rules.matches_reference --rule OptimiserChain --seed 756629361
"""

import sys

import numpy as np

ADAPTER = 'keras'
CLAUSE = 'CHAIN-1'
PATH = 'structured'
DTYPE = 'float32'
REPLAY = 'optconf replay --adapter keras --property rules.matches_reference --rule OptimiserChain --seed 756629361'
RULE = {'name': 'OptimiserChain', 'rules': ({'__type__': 'ClipNorm', 'omega': 2.9725382962595956, 'p': 2.0, 'throw': True}, {'__type__': 'Adam', 'eta': 0.009402545567854467, 'beta': (0.3292380942608495, 0.5, ), 'epsilon': 0.001, 'variant': 'normative'}, )}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([[]], dtype=np.float64), np.array(-2.1977632214120746e-10, dtype=np.float64), np.array([], dtype=np.float64), np.array(1.100000023841858, dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([[]], dtype=np.float64), np.array(-0.0024692807346582413, dtype=np.float64), np.array([], dtype=np.float64), np.array(-3.2792380452156067, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[]], dtype=np.float64), np.array(-0.0033199575264006853, dtype=np.float64), np.array([], dtype=np.float64), np.array(0.833302915096283, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[]], dtype=np.float64), np.array(0.0, dtype=np.float64), np.array([], dtype=np.float64), np.array(0.0, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[]], dtype=np.float64), np.array(-2.3349971771240234, dtype=np.float64), np.array([], dtype=np.float64), np.array(-0.0007576998323202133, dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([[]], dtype=np.float64), np.array(0.025584913919673512, dtype=np.float64), np.array([], dtype=np.float64), np.array(1.1103423946709807, dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([[]], dtype=np.float32), np.array(0.024540476500988007, dtype=np.float32), np.array([], dtype=np.float32), np.array(1.1103410720825195, dtype=np.float32)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 1.8201474852256565e-06
PROGRAM_PICKLE = 'gASViAYAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJR9lCiMA2RlY5RdlCiMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBFBhaXKUk5RdlCh9lChoB2gJjAhpZGVudGl0eZSTlIWUjANlbmOUSv3///91XZRlaAmMBURlbnNllJOUKYGUfZQojAZ3ZWlnaHSUfZQojAFilIwWbnVtcHkuX2NvcmUubXVsdGlhcnJheZSMDF9yZWNvbnN0cnVjdJSTlIwFbnVtcHmUjAduZGFycmF5lJOUSwCFlEMBYpSHlFKUKEsBKWgdjAVkdHlwZZSTlIwCaTiUiYiHlFKUKEsDjAE8lE5OTkr/////Sv////9LAHSUYolDCAEAAAAAAAAAlHSUYmgRiXWMBGJpYXOUSv3///+MBXNjYWxllGgcaB9LAIWUaCGHlFKUKEsBSwBLAksCh5RoJYwCZjiUiYiHlFKUKEsDaClOTk5K/////0r/////SwB0lGKJQwCUdJRijANhY3SUaA91YoaUgZRoHGgfSwCFlGghh5RSlChLAUsBSwBLAoeUaDWJaDd0lGJoHGgfSwCFlGghh5RSlChLASloNYlDCAAAACCxNO69lHSUYmgcaB9LAIWUaCGHlFKUKEsBSwCFlGg1iWg3dJRiaBxoH0sAhZRoIYeUUpQoSwEpaDWJQwgAAACgmZnxP5R0lGJljAFhlGhNdYwEcnVsZZSMH29wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLmNvbXBvc2WUjA5PcHRpbWlzZXJDaGFpbpSTlCmBlH2UjAVydWxlc5SMHG9wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLmNsaXCUjAhDbGlwTm9ybZSTlCmBlH2UKIwFb21lZ2GUR0AHx8IohFcWjAFwlEdAAAAAAAAAAIwFdGhyb3eUiHVijBxvcHRjb25mLnJlZmVyZW5jZS5ydWxlcy5hZGFtlIwEQWRhbZSTlCmBlH2UKIwDZXRhlEc/g0GkTbRlvowEYmV0YZRHP9USPKfcp1hHP+AAAAAAAACGlIwHZXBzaWxvbpRHP1BiTdLxqfyMB3ZhcmlhbnSUjAlub3JtYXRpdmWUdWKGlHNijANvcHOUKGgAjARTdGVwlJOUKYGUfZSMBWdyYWRzlH2UKGgHXZQoXZQofZQoaAdOhZRoEU51XZRlfZQoaBd9lChoGU5oEU51aC1OaC5OaDlOdYaUaBxoH0sAhZRoIYeUUpQoSwFLAUsASwKHlGg1iWg3dJRiaBqMBnNjYWxhcpSTlGg1QwgAAAAAdTpkv5SGlFKUaBxoH0sAhZRoIYeUUpQoSwFLAIWUaDWJaDd0lGJogWg1QwgAAAAA9tcPwJSGlFKUZWhQaIFoNUMIAAAAYFNw5j+UhpRSlHVzYmhuKYGUfZRocX2UKGgHXZQoXZQofZQoaAdOhZRoEU51XZRlfZQoaBd9lChoGU5oEU51aC1OaC5OaDlOdYaUaBxoH0sAhZRoIYeUUpQoSwFLAUsASwKHlGg1iWg3dJRiaIFoNUMIAAAAoHQya7+UhpRSlGgcaB9LAIWUaCGHlFKUKEsBSwCFlGg1iWg3dJRiaIFoNUMIAAAA4NQvJLuUhpRSlGVoUGiBaDVDCAAAAOBqquo/lIaUUpR1c2JobimBlH2UaHF9lChoB12UKF2UKH2UKGgHToWUaBFOdV2UZX2UKGgXfZQoaBlOaBFOdWgtTmguTmg5TnWGlGgcaB9LAIWUaCGHlFKUKEsBSwFLAEsCh5RoNYloN3SUYmiBaDVDCAAAAAAAAAAAlIaUUpRoHGgfSwCFlGghh5RSlChLAUsAhZRoNYloN3SUYmiBaDVDCAAAAAAAAAAAlIaUUpRlaFBogWg1QwgAAAAAAAAAAJSGlFKUdXNiaG4pgZR9lGhxfZQoaAddlChdlCh9lChoB06FlGgRTnVdlGV9lChoF32UKGgZTmgRTnVoLU5oLk5oOU51hpRoHGgfSwCFlGghh5RSlChLAUsBSwBLAoeUaDWJaDd0lGJogWg1QwgAAAAAE64CwJSGlFKUaBxoH0sAhZRoIYeUUpQoSwFLAIWUaDWJaDd0lGJogWg1QwgAAAAADNRIv5SGlFKUZWhQaIFoNUMIAAAAAAAAAACUhpRSlHVzYnSUjAVkdHlwZZSMB2Zsb2F0MzKUdWIu'
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: carried value', 'models: dict keys out of sorted order', 'models: empty array', 'models: layer with a non-trainable array', 'models: sizes that do not divide evenly', 'models: tie across containers', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': {'dec': [([{'dec': ('<function identity>', ), 'enc': -3}, []], {'__type__': 'Dense', 'weight': {'b': np.array(1, dtype=np.int64), 'enc': False}, 'bias': -3, 'scale': np.array([], dtype=np.float64), 'act': '<function identity>'}, ), np.array([[]], dtype=np.float64), np.array(-2.1977632214120746e-10, dtype=np.float64), np.array([], dtype=np.float64), np.array(1.100000023841858, dtype=np.float64)], 'a': np.array(1.100000023841858, dtype=np.float64)}, 'rule': {'__type__': 'OptimiserChain', 'rules': ({'__type__': 'ClipNorm', 'omega': 2.9725382962595956, 'p': 2.0, 'throw': True}, {'__type__': 'Adam', 'eta': 0.009402545567854467, 'beta': (0.3292380942608495, 0.5, ), 'epsilon': 0.001, 'variant': 'normative'}, )}, 'ops': ({'__type__': 'Step', 'grads': {'dec': [([{'dec': (None, ), 'enc': None}, []], {'weight': {'b': None, 'enc': None}, 'bias': None, 'scale': None, 'act': None}, ), np.array([[]], dtype=np.float64), -0.0024692807346582413, np.array([], dtype=np.float64), -3.980449676513672], 'a': 0.7012116312980652}}, {'__type__': 'Step', 'grads': {'dec': [([{'dec': (None, ), 'enc': None}, []], {'weight': {'b': None, 'enc': None}, 'bias': None, 'scale': None, 'act': None}, ), np.array([[]], dtype=np.float64), -0.0033199575264006853, np.array([], dtype=np.float64), -8.349082150944822e-24], 'a': 0.833302915096283}}, {'__type__': 'Step', 'grads': {'dec': [([{'dec': (None, ), 'enc': None}, []], {'weight': {'b': None, 'enc': None}, 'bias': None, 'scale': None, 'act': None}, ), np.array([[]], dtype=np.float64), 0.0, np.array([], dtype=np.float64), 0.0], 'a': 0.0}}, {'__type__': 'Step', 'grads': {'dec': [([{'dec': (None, ), 'enc': None}, []], {'weight': {'b': None, 'enc': None}, 'bias': None, 'scale': None, 'act': None}, ), np.array([[]], dtype=np.float64), -2.3349971771240234, np.array([], dtype=np.float64), -0.0007576998323202133], 'a': 0.0}}, ), 'dtype': 'float32'}, 'model': {'dec': [[[{'dec': ['<function identity>'], 'enc': -3}, []], {'__type__': 'Dense', 'weight': {'b': {'__array__': 1, 'dtype': 'int64'}, 'enc': False}, 'bias': -3, 'scale': {'__array__': [], 'dtype': 'float64'}, 'act': '<function identity>'}], {'__array__': [[]], 'dtype': 'float64'}, {'__array__': -2.1977632214120746e-10, 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}, {'__array__': 1.100000023841858, 'dtype': 'float64'}], 'a': {'__array__': 1.100000023841858, 'dtype': 'float64'}}, 'rule': "OptimiserChain(ClipNorm(omega=2.9725382962595956, p=2.0, throw=True), Adam(eta=0.009402545567854467, beta=(0.3292380942608495, 0.5), epsilon=0.001, variant='normative'))", 'ops': [{'op': 'step', 'grads': {'dec': [[[{'dec': [None], 'enc': None}, []], {'weight': {'b': None, 'enc': None}, 'bias': None, 'scale': None, 'act': None}], {'__array__': [[]], 'dtype': 'float64'}, -0.0024692807346582413, {'__array__': [], 'dtype': 'float64'}, -3.980449676513672], 'a': 0.7012116312980652}}, {'op': 'step', 'grads': {'dec': [[[{'dec': [None], 'enc': None}, []], {'weight': {'b': None, 'enc': None}, 'bias': None, 'scale': None, 'act': None}], {'__array__': [[]], 'dtype': 'float64'}, -0.0033199575264006853, {'__array__': [], 'dtype': 'float64'}, -8.349082150944822e-24], 'a': 0.833302915096283}}, {'op': 'step', 'grads': {'dec': [[[{'dec': [None], 'enc': None}, []], {'weight': {'b': None, 'enc': None}, 'bias': None, 'scale': None, 'act': None}], {'__array__': [[]], 'dtype': 'float64'}, 0.0, {'__array__': [], 'dtype': 'float64'}, 0.0], 'a': 0.0}}, {'op': 'step', 'grads': {'dec': [[[{'dec': [None], 'enc': None}, []], {'weight': {'b': None, 'enc': None}, 'bias': None, 'scale': None, 'act': None}], {'__array__': [[]], 'dtype': 'float64'}, -2.3349971771240234, {'__array__': [], 'dtype': 'float64'}, -0.0007576998323202133], 'a': 0.0}}], 'rules': ["OptimiserChain(ClipNorm(omega=2.9725382962595956, p=2.0, throw=True), Adam(eta=0.009402545567854467, beta=(0.3292380942608495, 0.5), epsilon=0.001, variant='normative'))"], 'variant': None, 'path': 'structured', 'dtype': 'float32', 'step': 4}


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
        print("recorded deviation (CHAIN-1); no replayable program in this case:")
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
    print(f"max abs error {worst!r}, allowed {bound!r} (CHAIN-1)")
    return 0 if worst <= bound and not wrong_kind else 1


if __name__ == "__main__":
    sys.exit(main())
