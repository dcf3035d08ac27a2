#!/usr/bin/env python
"""optconf repro: tinygrad adjust.mid_run[LAMB] deviates from ADJ-2.

lamb.beta_t[model[1]][1]=0.08491036478762196, but should be 0.07081434175245464 [adapter=tinygrad, path=structured, step=4, dtype=float32, observed=0.014096023035167313, allowed=1.1272321505112245e-05]

Case seed 1720726056.  Inside optconf, replay with:
    optconf replay --adapter tinygrad --property adjust.mid_run --rule LAMB --seed 1720726056
"""

import sys

import numpy as np

ADAPTER = 'tinygrad'
CLAUSE = 'ADJ-2'
PATH = 'structured'
DTYPE = 'float32'
REPLAY = 'optconf replay --adapter tinygrad --property adjust.mid_run --rule LAMB --seed 1720726056'
RULE = {'name': 'LAMB', 'eta': 0.001859514052036833, 'beta': (4.056804970842066e-223, 0.5281053156161697, ), 'epsilon': 1e-06, 'lambda_': 1.192092896e-07}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array(-1.899999976158142, dtype=np.float64), np.array([[], []], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array(-1.229594111442566, dtype=np.float64), np.array([[], []], dtype=np.float64)]}, {'op': 'adjust', 'changes': {'beta': (6.857261511409792e-41, 0.6332279097065526, )}}, {'op': 'step', 'grads': [np.array(-0.25834304094314575, dtype=np.float64), np.array([[], []], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(-0.4221368134021759, dtype=np.float64), np.array([[], []], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(-1.5253942012786865, dtype=np.float64), np.array([[], []], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array(-1.8859070395302484, dtype=np.float64), np.array([[], []], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array(-1.8859070539474487, dtype=np.float32), np.array([[], []], dtype=np.float32)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 1.1272321505112245e-05
PROGRAM_PICKLE = 'gASVEAQAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlChdlCiMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBFBhaXKUk5RK/v///4wFbnVtcHmUjAR0YW5olJOUhpSBlIWUaAiMBURlbnNllJOUKYGUfZQojAZ3ZWlnaHSUaAiMCGlkZW50aXR5lJOUjARiaWFzlEr9////jAVzY2FsZZSMFm51bXB5Ll9jb3JlLm11bHRpYXJyYXmUjAxfcmVjb25zdHJ1Y3SUk5RoC4wHbmRhcnJheZSTlEsAhZRDAWKUh5RSlChLASloC4wFZHR5cGWUk5SMAmY4lImIh5RSlChLA4wBPJROTk5K/////0r/////SwB0lGKJQwgAAACAnHgAwJR0lGKMA2FjdJRoDXViaAqJiYaUgZRlaBxoHksAhZRoIIeUUpQoSwEpaCeJQwgAAABgZmb+v5R0lGJoHGgeSwCFlGggh5RSlChLAUsCSwCGlGgniUMAlHSUYmWMBHJ1bGWUjBxvcHRjb25mLnJlZmVyZW5jZS5ydWxlcy5sYW1ilIwETEFNQpSTlCmBlH2UKIwDZXRhlEc/XndeAo6NIYwEYmV0YZRHEcLFMYO1WOhHP+DmPR5tSWCGlIwHZXBzaWxvbpRHPrDG96C17Y2MB2xhbWJkYV+URz6AAAAAHF9odWKMA29wc5QoaACMBFN0ZXCUk5QpgZR9lIwFZ3JhZHOUXZQoXZQoTk6GlIWUfZQoaBVOaBhOaBlOaCxOdU5OhpRlaBqMBnNjYWxhcpSTlGgnQwgAAADgaqzzv5SGlFKUaBxoHksAhZRoIIeUUpQoSwFLAksAhpRoJ4loOHSUYmVzYmgAjAZBZGp1c3SUk5QpgZR9lIwHY2hhbmdlc5R9lGhBRzeX5OG1D677Rz/kQ2ctY1SphpRzc2JoRymBlH2UaEpdlChdlChOToaUhZR9lChoFU5oGE5oGU5oLE51Tk6GlGVoUmgnQwgAAABAsYjQv5SGlFKUaBxoHksAhZRoIIeUUpQoSwFLAksAhpRoJ4loOHSUYmVzYmhHKYGUfZRoSl2UKF2UKE5OhpSFlH2UKGgVTmgYTmgZTmgsTnVOToaUZWhSaCdDCAAAACBKBNu/lIaUUpRoHGgeSwCFlGggh5RSlChLAUsCSwCGlGgniWg4dJRiZXNiaEcpgZR9lGhKXZQoXZQoTk6GlIWUfZQoaBVOaBhOaBlOaCxOdU5OhpRlaFJoJ0MIAAAAwANo+L+UhpRSlGgcaB5LAIWUaCCHlFKUKEsBSwJLAIaUaCeJaDh0lGJlc2J0lIwFZHR5cGWUjAdmbG9hdDMylHViLg=='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: carried value', 'models: empty array', 'models: layer with a non-trainable array', 'models: sizes that do not divide evenly', 'programs: adjust then step'], 'program': {'__type__': 'Program', 'model': [[((-2, "<ufunc 'tanh'>", ), ), {'__type__': 'Dense', 'weight': '<function identity at 0x7f024bf4be20>', 'bias': -3, 'scale': np.array(-2.058892250061035, dtype=np.float64), 'act': "<ufunc 'tanh'>"}, (False, False, )], np.array(-1.899999976158142, dtype=np.float64), np.array([[], []], dtype=np.float64)], 'rule': {'__type__': 'LAMB', 'eta': 0.001859514052036833, 'beta': (4.056804970842066e-223, 0.5281053156161697, ), 'epsilon': 1e-06, 'lambda_': 1.192092896e-07}, 'ops': ({'__type__': 'Step', 'grads': [[((None, None, ), ), {'weight': None, 'bias': None, 'scale': None, 'act': None}, (None, None, )], -1.229594111442566, np.array([[], []], dtype=np.float64)]}, {'__type__': 'Adjust', 'changes': {'beta': (6.857261511409792e-41, 0.6332279097065526, )}}, {'__type__': 'Step', 'grads': [[((None, None, ), ), {'weight': None, 'bias': None, 'scale': None, 'act': None}, (None, None, )], -0.25834304094314575, np.array([[], []], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [[((None, None, ), ), {'weight': None, 'bias': None, 'scale': None, 'act': None}, (None, None, )], -0.4221368134021759, np.array([[], []], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [[((None, None, ), ), {'weight': None, 'bias': None, 'scale': None, 'act': None}, (None, None, )], -1.5253942012786865, np.array([[], []], dtype=np.float64)]}, ), 'dtype': 'float32'}, 'model': [[[[-2, "<ufunc 'tanh'>"]], {'__type__': 'Dense', 'weight': '<function identity at 0x7f024bf4be20>', 'bias': -3, 'scale': {'__array__': -2.058892250061035, 'dtype': 'float64'}, 'act': "<ufunc 'tanh'>"}, [False, False]], {'__array__': -1.899999976158142, 'dtype': 'float64'}, {'__array__': [[], []], 'dtype': 'float64'}], 'rule': 'LAMB(eta=0.001859514052036833, beta=(4.056804970842066e-223, 0.5281053156161697), epsilon=1e-06, lambda_=1.192092896e-07)', 'ops': [{'op': 'step', 'grads': [[[[None, None]], {'weight': None, 'bias': None, 'scale': None, 'act': None}, [None, None]], -1.229594111442566, {'__array__': [[], []], 'dtype': 'float64'}]}, {'op': 'adjust', 'changes': {'beta': [6.857261511409792e-41, 0.6332279097065526]}}, {'op': 'step', 'grads': [[[[None, None]], {'weight': None, 'bias': None, 'scale': None, 'act': None}, [None, None]], -0.25834304094314575, {'__array__': [[], []], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [[[[None, None]], {'weight': None, 'bias': None, 'scale': None, 'act': None}, [None, None]], -0.4221368134021759, {'__array__': [[], []], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [[[[None, None]], {'weight': None, 'bias': None, 'scale': None, 'act': None}, [None, None]], -1.5253942012786865, {'__array__': [[], []], 'dtype': 'float64'}]}], 'path': 'structured', 'dtype': 'float32', 'step': 4}


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
