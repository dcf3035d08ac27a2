#!/usr/bin/env python
"""optconf repro: keras rules.matches_reference[ClipNorm] deviates from CLIPNORM-1.

model[1]=-3.515662888014123, but should be -3.5156628705426307 [adapter=keras, path=structured, step=4, dtype=float64, observed=1.7471492252951748e-08, allowed=1.3017850109457757e-14]

Case seed 3273914409.  Inside optconf, replay with:
    optconf replay --adapter keras --property rules.matches_reference --rule ClipNorm --seed 3273914409
"""

import sys

import numpy as np

ADAPTER = 'keras'
CLAUSE = 'CLIPNORM-1'
PATH = 'structured'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter keras --property rules.matches_reference --rule ClipNorm --seed 3273914409'
RULE = {'name': 'ClipNorm', 'omega': 0.99999, 'p': 2.0, 'throw': True}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array(-2.2291457266537384, dtype=np.float64), np.array([2.2250738585072014e-308], dtype=np.float64), np.array([[[-3.745567677032461e-192]]], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array(0.3333333333333333, dtype=np.float64), np.array([6.43472194863182e-05], dtype=np.float64), np.array([[[-0.0002852284236636261]]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(0.0, dtype=np.float64), np.array([-5.542812733638091e-196], dtype=np.float64), np.array([[[0.0]]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(0.9531838105555588, dtype=np.float64), np.array([0.0], dtype=np.float64), np.array([[[1.5257493903911374e-199]]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(4.641474146120902e-213, dtype=np.float64), np.array([0.0010167300127885146], dtype=np.float64), np.array([[[-0.0037502719520946266]]], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array(-3.5156628705426307, dtype=np.float64), np.array([-0.0010810772322748328], dtype=np.float64), np.array([[[0.004035500375758253]]], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array(-3.515662888014123, dtype=np.float64), np.array([-0.001081077246956357], dtype=np.float64), np.array([[[0.004035500430562198]]], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 1.3017850109457757e-14
PROGRAM_PICKLE = 'gASVPgUAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCiMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBFBhaXKUk5RoB4wFRGVuc2WUk5QpgZR9lCiMBndlaWdodJRK/v///4wEYmlhc5RdlIwFc2NhbGWUjBZudW1weS5fY29yZS5tdWx0aWFycmF5lIwMX3JlY29uc3RydWN0lJOUjAVudW1weZSMB25kYXJyYXmUk5RLAIWUQwFilIeUUpQoSwFLAIWUaBWMBWR0eXBllJOUjAJmOJSJiIeUUpQoSwOMATyUTk5OSv////9K/////0sAdJRiiUMAlHSUYowDYWN0lGgVjAR0YW5olJOUdWJdlChoCYwAlGgqhpSBlGgLKYGUfZQoaA5K/f///2gPTmgRaBRoF0sAhZRoGYeUUpQoSwEpaCGJQwge4ZFJg4vSoJR0lGJoJmgodWJ9lCiMAWKUjARyZWx1lIwBYZRoNnVlhpSBlGgUaBdLAIWUaBmHlFKUKEsBKWghiUMIu/fPWkrVAcCUdJRiaBRoF0sAhZRoGYeUUpQoSwFLAYWUaCGJQwgAAAAAAAAQAJR0lGJoFGgXSwCFlGgZh5RSlChLAUsBSwFLAYeUaCGJQwjDzpcfxBYxmJR0lGJljARydWxllIwcb3B0Y29uZi5yZWZlcmVuY2UucnVsZXMuY2xpcJSMCENsaXBOb3JtlJOUKYGUfZQojAVvbWVnYZRHP+//6wdKdx2MAXCUR0AAAAAAAAAAjAV0aHJvd5SIdWKMA29wc5QoaACMBFN0ZXCUk5QpgZR9lIwFZ3JhZHOUXZQofZQoaA5OaA9dlGgRTmgmTnVdlChOToaUfZQoaA5OaA9OaBFOaCZOdX2UKGg1Tmg3TnVlhpRoEowGc2NhbGFylJOUaCFDCFVVVVVVVdU/lIaUUpRoFGgXSwCFlGgZh5RSlChLAUsBhZRoIYlDCEA6KdBE3hA/lHSUYmgUaBdLAIWUaBmHlFKUKEsBSwFLAUsBh5RoIYlDCLDvY8BWsTK/lHSUYmVzYmhWKYGUfZRoWV2UKH2UKGgOTmgPXZRoEU5oJk51XZQoTk6GlH2UKGgOTmgPTmgRTmgmTnV9lChoNU5oN051ZYaUaGNoIUMIAAAAAAAAAACUhpRSlGgUaBdLAIWUaBmHlFKUKEsBSwGFlGghiUMIsWPGo2+3ZJeUdJRiaBRoF0sAhZRoGYeUUpQoSwFLAUsBSwGHlGghiUMIAAAAAAAAAACUdJRiZXNiaFYpgZR9lGhZXZQofZQoaA5OaA9dlGgRTmgmTnVdlChOToaUfZQoaA5OaA9OaBFOaCZOdX2UKGg1Tmg3TnVlhpRoY2ghQwiINa1Ve4DuP5SGlFKUaBRoF0sAhZRoGYeUUpQoSwFLAYWUaCGJQwgAAAAAAAAAAJR0lGJoFGgXSwCFlGgZh5RSlChLAUsBSwFLAYeUaCGJQwhLhqoXk1unFpR0lGJlc2JoVimBlH2UaFldlCh9lChoDk5oD12UaBFOaCZOdV2UKE5OhpR9lChoDk5oD05oEU5oJk51fZQoaDVOaDdOdWWGlGhjaCFDCKdV4ngwANkTlIaUUpRoFGgXSwCFlGgZh5RSlChLAUsBhZRoIYlDCASr14l5qFA/lHSUYmgUaBdLAIWUaBmHlFKUKEsBSwFLAUsBh5RoIYlDCMTOVOzjuG6/lHSUYmVzYnSUjAVkdHlwZZSMB2Zsb2F0NjSUdWIu'
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: carried value', 'models: dict keys out of sorted order', 'models: layer with a non-trainable array', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': [({'__type__': 'Dense', 'weight': -2, 'bias': [], 'scale': np.array([], dtype=np.float64), 'act': "<ufunc 'tanh'>"}, [('', '', ), {'__type__': 'Dense', 'weight': -3, 'bias': None, 'scale': np.array(-1.4163427358574982e-150, dtype=np.float64), 'act': "<ufunc 'tanh'>"}, {'b': 'relu', 'a': 'relu'}], ), np.array(-2.2291457266537384, dtype=np.float64), np.array([2.2250738585072014e-308], dtype=np.float64), np.array([[[-3.745567677032461e-192]]], dtype=np.float64)], 'rule': {'__type__': 'ClipNorm', 'omega': 0.99999, 'p': 2.0, 'throw': True}, 'ops': ({'__type__': 'Step', 'grads': [({'weight': None, 'bias': [], 'scale': None, 'act': None}, [(None, None, ), {'weight': None, 'bias': None, 'scale': None, 'act': None}, {'b': None, 'a': None}], ), 0.3333333333333333, np.array([6.43472194863182e-05], dtype=np.float64), np.array([[[-0.0002852284236636261]]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [({'weight': None, 'bias': [], 'scale': None, 'act': None}, [(None, None, ), {'weight': None, 'bias': None, 'scale': None, 'act': None}, {'b': None, 'a': None}], ), 0.0, np.array([-5.542812733638091e-196], dtype=np.float64), np.array([[[0.0]]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [({'weight': None, 'bias': [], 'scale': None, 'act': None}, [(None, None, ), {'weight': None, 'bias': None, 'scale': None, 'act': None}, {'b': None, 'a': None}], ), 0.9531838105555588, np.array([0.0], dtype=np.float64), np.array([[[1.5257493903911374e-199]]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [({'weight': None, 'bias': [], 'scale': None, 'act': None}, [(None, None, ), {'weight': None, 'bias': None, 'scale': None, 'act': None}, {'b': None, 'a': None}], ), 4.641474146120902e-213, np.array([0.0010167300127885146], dtype=np.float64), np.array([[[-0.0037502719520946266]]], dtype=np.float64)]}, ), 'dtype': 'float64'}, 'model': [[{'__type__': 'Dense', 'weight': -2, 'bias': [], 'scale': {'__array__': [], 'dtype': 'float64'}, 'act': "<ufunc 'tanh'>"}, [['', ''], {'__type__': 'Dense', 'weight': -3, 'bias': None, 'scale': {'__array__': -1.4163427358574982e-150, 'dtype': 'float64'}, 'act': "<ufunc 'tanh'>"}, {'b': 'relu', 'a': 'relu'}]], {'__array__': -2.2291457266537384, 'dtype': 'float64'}, {'__array__': [2.2250738585072014e-308], 'dtype': 'float64'}, {'__array__': [[[-3.745567677032461e-192]]], 'dtype': 'float64'}], 'rule': 'ClipNorm(omega=0.99999, p=2.0, throw=True)', 'ops': [{'op': 'step', 'grads': [[{'weight': None, 'bias': [], 'scale': None, 'act': None}, [[None, None], {'weight': None, 'bias': None, 'scale': None, 'act': None}, {'b': None, 'a': None}]], 0.3333333333333333, {'__array__': [6.43472194863182e-05], 'dtype': 'float64'}, {'__array__': [[[-0.0002852284236636261]]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [[{'weight': None, 'bias': [], 'scale': None, 'act': None}, [[None, None], {'weight': None, 'bias': None, 'scale': None, 'act': None}, {'b': None, 'a': None}]], 0.0, {'__array__': [-5.542812733638091e-196], 'dtype': 'float64'}, {'__array__': [[[0.0]]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [[{'weight': None, 'bias': [], 'scale': None, 'act': None}, [[None, None], {'weight': None, 'bias': None, 'scale': None, 'act': None}, {'b': None, 'a': None}]], 0.9531838105555588, {'__array__': [0.0], 'dtype': 'float64'}, {'__array__': [[[1.5257493903911374e-199]]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [[{'weight': None, 'bias': [], 'scale': None, 'act': None}, [[None, None], {'weight': None, 'bias': None, 'scale': None, 'act': None}, {'b': None, 'a': None}]], 4.641474146120902e-213, {'__array__': [0.0010167300127885146], 'dtype': 'float64'}, {'__array__': [[[-0.0037502719520946266]]], 'dtype': 'float64'}]}], 'rules': ['ClipNorm(omega=0.99999, p=2.0, throw=True)'], 'variant': None, 'path': 'structured', 'dtype': 'float64', 'step': 4}


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
        print("recorded deviation (CLIPNORM-1); no replayable program in this case:")
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
    print(f"max abs error {worst!r}, allowed {bound!r} (CLIPNORM-1)")
    return 0 if worst <= bound and not wrong_kind else 1


if __name__ == "__main__":
    sys.exit(main())
