#!/usr/bin/env python
"""optconf repro: keras flat.path_matches_structured[Adam,per_array] deviates from FLAT-6.

model[3][0]=2.5192824791305415, but should be 2.5193097828705464 [adapter=keras, path=per_array, step=4, dtype=float64, observed=2.7303740004924748e-05, allowed=4.5184024883683325e-15]

Case seed 3964705895.  Inside optconf, replay with:
    optconf replay --adapter keras --property flat.path_matches_structured --rule Adam --path per_array --seed 3964705895
"""

import sys

import numpy as np

ADAPTER = 'keras'
CLAUSE = 'FLAT-6'
PATH = 'per_array'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter keras --property flat.path_matches_structured --rule Adam --path per_array --seed 3964705895'
RULE = {'name': 'Adam', 'eta': 0.009423586846191585, 'beta': (0.22157049935835654, 0.5, ), 'epsilon': 0.001, 'variant': 'normative'}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([[[]]], dtype=np.float64), np.array([], dtype=np.float64), np.array([2.5183635851463624], dtype=np.float64), np.array([[[-3.2901184905815857]]], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([[[]]], dtype=np.float64), np.array([], dtype=np.float64), np.array([-2.1446622560972867e-40], dtype=np.float64), np.array([[[-0.0032260570407451807]]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[[]]], dtype=np.float64), np.array([], dtype=np.float64), np.array([0.0], dtype=np.float64), np.array([[[-1.7813556492676406e-228]]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[[]]], dtype=np.float64), np.array([], dtype=np.float64), np.array([0.0], dtype=np.float64), np.array([[[0.0]]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[[]]], dtype=np.float64), np.array([], dtype=np.float64), np.array([-0.0001420223500326152], dtype=np.float64), np.array([[[-1.9]]], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([[[]]], dtype=np.float64), np.array([], dtype=np.float64), np.array([2.5193097828705464], dtype=np.float64), np.array([[[-3.2704073408772705]]], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([[[]]], dtype=np.float64), np.array([], dtype=np.float64), np.array([2.5192824791305415], dtype=np.float64), np.array([[[-3.2711644585364774]]], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 4.5184024883683325e-15
PROGRAM_PICKLE = 'gASV9gUAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCiMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBURlbnNllJOUKYGUfZQojAZ3ZWlnaHSUaAeMBUJsb2NrlJOUKYGUfZQojAF3lGgHjAhpZGVudGl0eZSTlIwBYpROjARub3RllIwFYmxvY2uUdWKMBGJpYXOUaAkpgZR9lChoDGgTaBeJjAVzY2FsZZSMFm51bXB5Ll9jb3JlLm11bHRpYXJyYXmUjAxfcmVjb25zdHJ1Y3SUk5SMBW51bXB5lIwHbmRhcnJheZSTlEsAhZRDAWKUh5RSlChLAUsAhZRoHowFZHR5cGWUk5SMAmY4lImIh5RSlChLA4wBPJROTk5K/////0r/////SwB0lGKJQwCUdJRijANhY3SUaB6MBHRhbmiUk5R1YmgaaB1oIEsAhZRoIoeUUpQoSwFLAUsBSwCHlGgqiWgtdJRiaC9oE3ViaB1oIEsAhZRoIoeUUpQoSwFLAUsBSwCHlGgqiWgtdJRiaB1oIEsAhZRoIoeUUpQoSwFLAIWUaCqJaC10lGJoHWggSwCFlGgih5RSlChLAUsBhZRoKolDCKQgrc6bJQRAlHSUYmgdaCBLAIWUaCKHlFKUKEsBSwFLAUsBh5RoKolDCDQaqKQpUgrAlHSUYmWMBHJ1bGWUjBxvcHRjb25mLnJlZmVyZW5jZS5ydWxlcy5hZGFtlIwEQWRhbZSTlCmBlH2UKIwDZXRhlEc/g0ysaoX094wEYmV0YZRHP8xcbBBAUupHP+AAAAAAAACGlIwHZXBzaWxvbpRHP1BiTdLxqfyMB3ZhcmlhbnSUjAlub3JtYXRpdmWUdWKMA29wc5QoaACMBFN0ZXCUk5QpgZR9lIwFZ3JhZHOUXZQofZQoaAx9lChoEU5oFE5oFU51aBd9lChoDE5oF05oGk5oL051aBpOaC9OdWgdaCBLAIWUaCKHlFKUKEsBSwFLAUsAh5RoKoloLXSUYmgdaCBLAIWUaCKHlFKUKEsBSwCFlGgqiWgtdJRiaB1oIEsAhZRoIoeUUpQoSwFLAYWUaCqJQwjue+Gzwa6yt5R0lGJoHWggSwCFlGgih5RSlChLAUsBSwFLAYeUaCqJQwjsX4UviG1qv5R0lGJlc2JoWymBlH2UaF5dlCh9lChoDH2UKGgRTmgUTmgVTnVoF32UKGgMTmgXTmgaTmgvTnVoGk5oL051aB1oIEsAhZRoIoeUUpQoSwFLAUsBSwCHlGgqiWgtdJRiaB1oIEsAhZRoIoeUUpQoSwFLAIWUaCqJaC10lGJoHWggSwCFlGgih5RSlChLAUsBhZRoKolDCAAAAAAAAAAAlHSUYmgdaCBLAIWUaCKHlFKUKEsBSwFLAUsBh5RoKolDCGIhynosm6WQlHSUYmVzYmhbKYGUfZRoXl2UKH2UKGgMfZQoaBFOaBROaBVOdWgXfZQoaAxOaBdOaBpOaC9OdWgaTmgvTnVoHWggSwCFlGgih5RSlChLAUsBSwFLAIeUaCqJaC10lGJoHWggSwCFlGgih5RSlChLAUsAhZRoKoloLXSUYmgdaCBLAIWUaCKHlFKUKEsBSwGFlGgqiUMIAAAAAAAAAACUdJRiaB1oIEsAhZRoIoeUUpQoSwFLAUsBSwGHlGgqiUMIAAAAAAAAAACUdJRiZXNiaFspgZR9lGheXZQofZQoaAx9lChoEU5oFE5oFU51aBd9lChoDE5oF05oGk5oL051aBpOaC9OdWgdaCBLAIWUaCKHlFKUKEsBSwFLAUsAh5RoKoloLXSUYmgdaCBLAIWUaCKHlFKUKEsBSwCFlGgqiWgtdJRiaB1oIEsAhZRoIoeUUpQoSwFLAYWUaCqJQwhgpYeyep0iv5R0lGJoHWggSwCFlGgih5RSlChLAUsBSwFLAYeUaCqJQwhmZmZmZmb+v5R0lGJlc2J0lIwFZHR5cGWUjAdmbG9hdDY0lHViLg=='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: carried value', 'models: empty array', 'models: layer with a non-trainable array', 'models: sizes that do not divide evenly', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': [{'__type__': 'Dense', 'weight': {'__type__': 'Block', 'w': '<function identity>', 'b': None, 'note': 'block'}, 'bias': {'__type__': 'Dense', 'weight': '<function identity>', 'bias': False, 'scale': np.array([], dtype=np.float64), 'act': "<ufunc 'tanh'>"}, 'scale': np.array([[[]]], dtype=np.float64), 'act': '<function identity>'}, np.array([[[]]], dtype=np.float64), np.array([], dtype=np.float64), np.array([2.5183635851463624], dtype=np.float64), np.array([[[-3.2901184905815857]]], dtype=np.float64)], 'rule': {'__type__': 'Adam', 'eta': 0.009423586846191585, 'beta': (0.22157049935835654, 0.5, ), 'epsilon': 0.001, 'variant': 'normative'}, 'ops': ({'__type__': 'Step', 'grads': [{'weight': {'w': None, 'b': None, 'note': None}, 'bias': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'scale': None, 'act': None}, np.array([[[]]], dtype=np.float64), np.array([], dtype=np.float64), np.array([-2.1446622560972867e-40], dtype=np.float64), np.array([[[-0.0032260570407451807]]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [{'weight': {'w': None, 'b': None, 'note': None}, 'bias': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'scale': None, 'act': None}, np.array([[[]]], dtype=np.float64), np.array([], dtype=np.float64), np.array([0.0], dtype=np.float64), np.array([[[-1.7813556492676406e-228]]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [{'weight': {'w': None, 'b': None, 'note': None}, 'bias': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'scale': None, 'act': None}, np.array([[[]]], dtype=np.float64), np.array([], dtype=np.float64), np.array([0.0], dtype=np.float64), np.array([[[0.0]]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [{'weight': {'w': None, 'b': None, 'note': None}, 'bias': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'scale': None, 'act': None}, np.array([[[]]], dtype=np.float64), np.array([], dtype=np.float64), np.array([-0.0001420223500326152], dtype=np.float64), np.array([[[-1.9]]], dtype=np.float64)]}, ), 'dtype': 'float64'}, 'model': [{'__type__': 'Dense', 'weight': {'__type__': 'Block', 'w': '<function identity>', 'b': None, 'note': 'block'}, 'bias': {'__type__': 'Dense', 'weight': '<function identity>', 'bias': False, 'scale': {'__array__': [], 'dtype': 'float64'}, 'act': "<ufunc 'tanh'>"}, 'scale': {'__array__': [[[]]], 'dtype': 'float64'}, 'act': '<function identity>'}, {'__array__': [[[]]], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}, {'__array__': [2.5183635851463624], 'dtype': 'float64'}, {'__array__': [[[-3.2901184905815857]]], 'dtype': 'float64'}], 'rule': "Adam(eta=0.009423586846191585, beta=(0.22157049935835654, 0.5), epsilon=0.001, variant='normative')", 'ops': [{'op': 'step', 'grads': [{'weight': {'w': None, 'b': None, 'note': None}, 'bias': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'scale': None, 'act': None}, {'__array__': [[[]]], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}, {'__array__': [-2.1446622560972867e-40], 'dtype': 'float64'}, {'__array__': [[[-0.0032260570407451807]]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [{'weight': {'w': None, 'b': None, 'note': None}, 'bias': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'scale': None, 'act': None}, {'__array__': [[[]]], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}, {'__array__': [0.0], 'dtype': 'float64'}, {'__array__': [[[-1.7813556492676406e-228]]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [{'weight': {'w': None, 'b': None, 'note': None}, 'bias': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'scale': None, 'act': None}, {'__array__': [[[]]], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}, {'__array__': [0.0], 'dtype': 'float64'}, {'__array__': [[[0.0]]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [{'weight': {'w': None, 'b': None, 'note': None}, 'bias': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'scale': None, 'act': None}, {'__array__': [[[]]], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}, {'__array__': [-0.0001420223500326152], 'dtype': 'float64'}, {'__array__': [[[-1.9]]], 'dtype': 'float64'}]}], 'rules': ["Adam(eta=0.009423586846191585, beta=(0.22157049935835654, 0.5), epsilon=0.001, variant='normative')"], 'path': 'per_array', 'dtype': 'float64', 'step': 4}


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
