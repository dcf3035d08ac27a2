#!/usr/bin/env python
"""optconf repro: keras flat.path_matches_structured[AdaGrad,flat_vector] deviates from FLAT-6.

model[0]=0.057098675021052765, but should be 0.05709864897836195 [adapter=keras, path=flat_vector, step=4, dtype=float64, observed=2.6042690816352465e-08, allowed=5.669081953449775e-16]

Case seed 862911226.  Inside optconf, replay with:
    optconf replay --adapter keras --property flat.path_matches_structured --rule AdaGrad --path flat_vector --seed 862911226
"""

import sys

import numpy as np

ADAPTER = 'keras'
CLAUSE = 'FLAT-6'
PATH = 'flat_vector'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter keras --property flat.path_matches_structured --rule AdaGrad --path flat_vector --seed 862911226'
RULE = {'name': 'AdaGrad', 'eta': 0.062180541715785055, 'epsilon': 1e-06}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array(2.4137803392250412e-18, dtype=np.float64), np.array(-5.313823811219636e-241, dtype=np.float64), np.array([[], []], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array(-1.4670190787769886, dtype=np.float64), np.array(-3.233167845655569e-23, dtype=np.float64), np.array([[], []], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(-0.19609951247079938, dtype=np.float64), np.array(0.0, dtype=np.float64), np.array([[], []], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(3.651131836718487, dtype=np.float64), np.array(-1.3529672943393299e-193, dtype=np.float64), np.array([[], []], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(-4.000845437303167, dtype=np.float64), np.array(-0.0039062499999999996, dtype=np.float64), np.array([[], []], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array(0.05709864897836195, dtype=np.float64), np.array(0.06022304976643379, dtype=np.float64), np.array([[], []], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array(0.057098675021052765, dtype=np.float64), np.array(0.05846680684583574, dtype=np.float64), np.array([[], []], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 5.669081953449775e-16
PROGRAM_PICKLE = 'gASV6gUAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCiMFm51bXB5Ll9jb3JlLm11bHRpYXJyYXmUjAxfcmVjb25zdHJ1Y3SUk5SMBW51bXB5lIwHbmRhcnJheZSTlEsAhZRDAWKUh5RSlChLASloCowFZHR5cGWUk5SMAmY4lImIh5RSlChLA4wBPJROTk5K/////0r/////SwB0lGKJQwjI7f6vYENGPJR0lGJdlCh9lCiMA2VuY5R9lCiMAWGUjB5vcHRjb25mLmNvbmZvcm1hbmNlLnN0cmF0ZWdpZXOUjAhpZGVudGl0eZSTlGgciYwBd5RK/v///3VoH4wFRGVuc2WUk5QpgZR9lCiMBndlaWdodJRoCWgMSwCFlGgOh5RSlChLASloFYlDCP5g54WbWAyOlHSUYowEYmlhc5SMBHJlbHWUjAVzY2FsZZRoCWgMSwCFlGgOh5RSlChLASloFYlDCAAAAAAAAAjAlHSUYowDYWN0lGghdWKGlIwBYpRdlCiMAJSJiWWMA2RlY5RoH4wEUGFpcpSTlGgkKYGUfZQoaCdK/////2gtiGgvaAloDEsAhZRoDoeUUpQoSwEpaBWJQwgEKWRmhIYIQJR0lGJoNWgKjAR0YW5olJOUdWJdlChoOUsAaAloDEsAhZRoDoeUUpQoSwFLAoWUaBKMAmk4lImIh5RSlChLA2gWTk5OSv////9K/////0sAdJRiiUMQ/f/////////7/////////5R0lGJlhpSBlHVoEGgJaAxLAIWUaA6HlFKUKEsBSwJLAEsCh5RoFYlDAJR0lGJlZYwEcnVsZZSMIG9wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLmFkYXB0aXZllIwHQWRhR3JhZJSTlCmBlH2UKIwDZXRhlEc/r9YgwjvVJYwHZXBzaWxvbpRHPrDG96C17Y11YowDb3BzlChoAIwEU3RlcJSTlCmBlH2UjAVncmFkc5RdlChoB4wGc2NhbGFylJOUaBVDCAAAAAAAAAAAlIaUUpRdlCh9lChoHH2UKGgeTmgcTmgiTnV9lChoJ2hpaBVDCO6Q0LwVi0O7lIaUUpRoLU5oL05oNU51hpRoN12UKE5OTmVoOn2UKGgnTmgtTmgvTmg1TnVdlChOTk5lhpR1aGloFUMIjkhf/+h497+UhpRSlGgJaAxLAIWUaA6HlFKUKEsBSwJLAEsCh5RoFYloV3SUYmVlc2JoYymBlH2UaGZdlChoaWgVQwgAAAAAAAAAAJSGlFKUXZQofZQoaBx9lChoHk5oHE5oIk51fZQoaCdoaWgVQwgAAAAAAAAAAJSGlFKUaC1OaC9OaDVOdYaUaDddlChOTk5laDp9lChoJ05oLU5oL05oNU51XZQoTk5OZYaUdWhpaBVDCKBsafDJGcm/lIaUUpRoCWgMSwCFlGgOh5RSlChLAUsCSwBLAoeUaBWJaFd0lGJlZXNiaGMpgZR9lGhmXZQoaGloFUMIYIM/+ASAIj+UhpRSlF2UKH2UKGgcfZQoaB5OaBxOaCJOdX2UKGgnaGloFUMIubvn5MjA45eUhpRSlGgtTmgvTmg1TnWGlGg3XZQoTk5OZWg6fZQoaCdOaC1OaC9OaDVOdV2UKE5OTmWGlHVoaWgVQwj416ybOjUNQJSGlFKUaAloDEsAhZRoDoeUUpQoSwFLAksASwKHlGgViWhXdJRiZWVzYmhjKYGUfZRoZl2UKGhpaBVDCP///////w/AlIaUUpRdlCh9lChoHH2UKGgeTmgcTmgiTnV9lChoJ2hpaBVDCP///////2+/lIaUUpRoLU5oL05oNU51hpRoN12UKE5OTmVoOn2UKGgnTmgtTmgvTmg1TnVdlChOTk5lhpR1aGloFUMICLOxyAq0S7+UhpRSlGgJaAxLAIWUaA6HlFKUKEsBSwJLAEsCh5RoFYloV3SUYmVlc2J0lIwFZHR5cGWUjAdmbG9hdDY0lHViLg=='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: carried value', 'models: dict keys out of sorted order', 'models: empty array', 'models: layer with a non-trainable array', 'models: parameter three levels deep', 'models: sizes that do not divide evenly', 'models: tie across containers', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': [np.array(2.4137803392250412e-18, dtype=np.float64), [{'enc': ({'a': '<function identity>', 'enc': False, 'w': -2}, {'__type__': 'Dense', 'weight': np.array(-5.313823811219636e-241, dtype=np.float64), 'bias': 'relu', 'scale': np.array(-3.0, dtype=np.float64), 'act': '<function identity>'}, ), 'b': ['', False, False], 'dec': ({'__type__': 'Dense', 'weight': -1, 'bias': True, 'scale': np.array(3.065682220393798, dtype=np.float64), 'act': "<ufunc 'tanh'>"}, ['', 0, np.array([-3, -5], dtype=np.int64)], )}, np.array(2.4137803392250412e-18, dtype=np.float64), np.array([[], []], dtype=np.float64)]], 'rule': {'__type__': 'AdaGrad', 'eta': 0.062180541715785055, 'epsilon': 1e-06}, 'ops': ({'__type__': 'Step', 'grads': [0.0, [{'enc': ({'a': None, 'enc': None, 'w': None}, {'weight': -3.233167845655569e-23, 'bias': None, 'scale': None, 'act': None}, ), 'b': [None, None, None], 'dec': ({'weight': None, 'bias': None, 'scale': None, 'act': None}, [None, None, None], )}, -1.4670190787769886, np.array([[], []], dtype=np.float64)]]}, {'__type__': 'Step', 'grads': [0.0, [{'enc': ({'a': None, 'enc': None, 'w': None}, {'weight': 0.0, 'bias': None, 'scale': None, 'act': None}, ), 'b': [None, None, None], 'dec': ({'weight': None, 'bias': None, 'scale': None, 'act': None}, [None, None, None], )}, -0.19609951247079938, np.array([[], []], dtype=np.float64)]]}, {'__type__': 'Step', 'grads': [0.0001411443773795774, [{'enc': ({'a': None, 'enc': None, 'w': None}, {'weight': -1.3529672943393299e-193, 'bias': None, 'scale': None, 'act': None}, ), 'b': [None, None, None], 'dec': ({'weight': None, 'bias': None, 'scale': None, 'act': None}, [None, None, None], )}, 3.6509906923411073, np.array([[], []], dtype=np.float64)]]}, {'__type__': 'Step', 'grads': [-3.9999999999999996, [{'enc': ({'a': None, 'enc': None, 'w': None}, {'weight': -0.0039062499999999996, 'bias': None, 'scale': None, 'act': None}, ), 'b': [None, None, None], 'dec': ({'weight': None, 'bias': None, 'scale': None, 'act': None}, [None, None, None], )}, -0.0008454373031675242, np.array([[], []], dtype=np.float64)]]}, ), 'dtype': 'float64'}, 'model': [{'__array__': 2.4137803392250412e-18, 'dtype': 'float64'}, [{'enc': [{'a': '<function identity>', 'enc': False, 'w': -2}, {'__type__': 'Dense', 'weight': {'__array__': -5.313823811219636e-241, 'dtype': 'float64'}, 'bias': 'relu', 'scale': {'__array__': -3.0, 'dtype': 'float64'}, 'act': '<function identity>'}], 'b': ['', False, False], 'dec': [{'__type__': 'Dense', 'weight': -1, 'bias': True, 'scale': {'__array__': 3.065682220393798, 'dtype': 'float64'}, 'act': "<ufunc 'tanh'>"}, ['', 0, {'__array__': [-3, -5], 'dtype': 'int64'}]]}, {'__array__': 2.4137803392250412e-18, 'dtype': 'float64'}, {'__array__': [[], []], 'dtype': 'float64'}]], 'rule': 'AdaGrad(eta=0.062180541715785055, epsilon=1e-06)', 'ops': [{'op': 'step', 'grads': [0.0, [{'enc': [{'a': None, 'enc': None, 'w': None}, {'weight': -3.233167845655569e-23, 'bias': None, 'scale': None, 'act': None}], 'b': [None, None, None], 'dec': [{'weight': None, 'bias': None, 'scale': None, 'act': None}, [None, None, None]]}, -1.4670190787769886, {'__array__': [[], []], 'dtype': 'float64'}]]}, {'op': 'step', 'grads': [0.0, [{'enc': [{'a': None, 'enc': None, 'w': None}, {'weight': 0.0, 'bias': None, 'scale': None, 'act': None}], 'b': [None, None, None], 'dec': [{'weight': None, 'bias': None, 'scale': None, 'act': None}, [None, None, None]]}, -0.19609951247079938, {'__array__': [[], []], 'dtype': 'float64'}]]}, {'op': 'step', 'grads': [0.0001411443773795774, [{'enc': [{'a': None, 'enc': None, 'w': None}, {'weight': -1.3529672943393299e-193, 'bias': None, 'scale': None, 'act': None}], 'b': [None, None, None], 'dec': [{'weight': None, 'bias': None, 'scale': None, 'act': None}, [None, None, None]]}, 3.6509906923411073, {'__array__': [[], []], 'dtype': 'float64'}]]}, {'op': 'step', 'grads': [-3.9999999999999996, [{'enc': [{'a': None, 'enc': None, 'w': None}, {'weight': -0.0039062499999999996, 'bias': None, 'scale': None, 'act': None}], 'b': [None, None, None], 'dec': [{'weight': None, 'bias': None, 'scale': None, 'act': None}, [None, None, None]]}, -0.0008454373031675242, {'__array__': [[], []], 'dtype': 'float64'}]]}], 'rules': ['AdaGrad(eta=0.062180541715785055, epsilon=1e-06)'], 'path': 'flat_vector', 'dtype': 'float64', 'step': 4}


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
