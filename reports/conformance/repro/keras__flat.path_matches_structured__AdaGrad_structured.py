#!/usr/bin/env python
"""optconf repro: keras flat.path_matches_structured[AdaGrad,structured] deviates from FLAT-6.

model['dec'][1]=-2.740244198544534, but should be -2.730166925097921 [adapter=keras, path=structured, step=4, dtype=float64, observed=0.0100772734466128, allowed=5.560306206358912e-15]

Case seed 1243445460.  Inside optconf, replay with:
    optconf replay --adapter keras --property flat.path_matches_structured --rule AdaGrad --path structured --seed 1243445460
"""

import sys

import numpy as np

ADAPTER = 'keras'
CLAUSE = 'FLAT-6'
PATH = 'structured'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter keras --property flat.path_matches_structured --rule AdaGrad --path structured --seed 1243445460'
RULE = {'name': 'AdaGrad', 'eta': 0.09106710562966061, 'epsilon': 1e-06}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array(-2.784953685053324, dtype=np.float64), np.array([], dtype=np.float64), np.array([], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array(0.0, dtype=np.float64), np.array([], dtype=np.float64), np.array([], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(-0.00033403224602519734, dtype=np.float64), np.array([], dtype=np.float64), np.array([], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(-0.0031402164145119763, dtype=np.float64), np.array([], dtype=np.float64), np.array([], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(0.0029318518717891644, dtype=np.float64), np.array([], dtype=np.float64), np.array([], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array(-2.730166925097921, dtype=np.float64), np.array([], dtype=np.float64), np.array([], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array(-2.740244198544534, dtype=np.float64), np.array([], dtype=np.float64), np.array([], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 5.560306206358912e-15
PROGRAM_PICKLE = 'gASVvQQAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJR9lCiMA2RlY5RdlCiMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBUJsb2NrlJOUKYGUfZQojAF3lGgJjARQYWlylJOUjBZudW1weS5fY29yZS5tdWx0aWFycmF5lIwMX3JlY29uc3RydWN0lJOUjAVudW1weZSMB25kYXJyYXmUk5RLAIWUQwFilIeUUpQoSwEpaBSMBWR0eXBllJOUjAJpOJSJiIeUUpQoSwOMATyUTk5OSv////9K/////0sAdJRiiUMI/f////////+UdJRijACUhpSBlIwBYpQpjARub3RllIwEaGVhZJR1YmgTaBZLAIWUaBiHlFKUKEsBKWgcjAJmOJSJiIeUUpQoSwNoIE5OTkr/////Sv////9LAHSUYolDCABuMcyVRwbAlHSUYmgTaBZLAIWUaBiHlFKUKEsBSwBLAEsAh5RoL4lDAJR0lGJoE2gWSwCFlGgYh5RSlChLAUsASwKGlGgviWg3dJRiZYwBYZRoNXWMBHJ1bGWUjCBvcHRjb25mLnJlZmVyZW5jZS5ydWxlcy5hZGFwdGl2ZZSMB0FkYUdyYWSUk5QpgZR9lCiMA2V0YZRHP7dQLIBrt5KMB2Vwc2lsb26URz6wxvegte2NdWKMA29wc5QoaACMBFN0ZXCUk5QpgZR9lIwFZ3JhZHOUfZQoaAddlCh9lChoDk5OhpRoJyloKE51aBGMBnNjYWxhcpSTlGgvQwgAAAAAAAAAAJSGlFKUaBNoFksAhZRoGIeUUpQoSwFLAEsASwCHlGgviWg3dJRiaBNoFksAhZRoGIeUUpQoSwFLAEsChpRoL4loN3SUYmVoPmgTaBZLAIWUaBiHlFKUKEsBSwBLAEsAh5RoL4loN3SUYnVzYmhJKYGUfZRoTH2UKGgHXZQofZQoaA5OToaUaCcpaChOdWhSaC9DCPCMjpIh5DW/lIaUUpRoE2gWSwCFlGgYh5RSlChLAUsASwBLAIeUaC+JaDd0lGJoE2gWSwCFlGgYh5RSlChLAUsASwKGlGgviWg3dJRiZWg+aBNoFksAhZRoGIeUUpQoSwFLAEsASwCHlGgviWg3dJRidXNiaEkpgZR9lGhMfZQoaAddlCh9lChoDk5OhpRoJyloKE51aFJoL0MItKWv2YK5ab+UhpRSlGgTaBZLAIWUaBiHlFKUKEsBSwBLAEsAh5RoL4loN3SUYmgTaBZLAIWUaBiHlFKUKEsBSwBLAoaUaC+JaDd0lGJlaD5oE2gWSwCFlGgYh5RSlChLAUsASwBLAIeUaC+JaDd0lGJ1c2JoSSmBlH2UaEx9lChoB12UKH2UKGgOTk6GlGgnKWgoTnVoUmgvQwhYXv78iQRoP5SGlFKUaBNoFksAhZRoGIeUUpQoSwFLAEsASwCHlGgviWg3dJRiaBNoFksAhZRoGIeUUpQoSwFLAEsChpRoL4loN3SUYmVoPmgTaBZLAIWUaBiHlFKUKEsBSwBLAEsAh5RoL4loN3SUYnVzYnSUjAVkdHlwZZSMB2Zsb2F0NjSUdWIu'
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: carried value', 'models: dict keys out of sorted order', 'models: empty array', 'models: sizes that do not divide evenly', 'models: tie across containers', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': {'dec': [{'__type__': 'Block', 'w': (np.array(-3, dtype=np.int64), '', ), 'b': (), 'note': 'head'}, np.array(-2.784953685053324, dtype=np.float64), np.array([], dtype=np.float64), np.array([], dtype=np.float64)], 'a': np.array([], dtype=np.float64)}, 'rule': {'__type__': 'AdaGrad', 'eta': 0.09106710562966061, 'epsilon': 1e-06}, 'ops': ({'__type__': 'Step', 'grads': {'dec': [{'w': (None, None, ), 'b': (), 'note': None}, 0.0, np.array([], dtype=np.float64), np.array([], dtype=np.float64)], 'a': np.array([], dtype=np.float64)}}, {'__type__': 'Step', 'grads': {'dec': [{'w': (None, None, ), 'b': (), 'note': None}, -0.00033403224602519734, np.array([], dtype=np.float64), np.array([], dtype=np.float64)], 'a': np.array([], dtype=np.float64)}}, {'__type__': 'Step', 'grads': {'dec': [{'w': (None, None, ), 'b': (), 'note': None}, -0.0031402164145119763, np.array([], dtype=np.float64), np.array([], dtype=np.float64)], 'a': np.array([], dtype=np.float64)}}, {'__type__': 'Step', 'grads': {'dec': [{'w': (None, None, ), 'b': (), 'note': None}, 0.0029318518717891644, np.array([], dtype=np.float64), np.array([], dtype=np.float64)], 'a': np.array([], dtype=np.float64)}}, ), 'dtype': 'float64'}, 'model': {'dec': [{'__type__': 'Block', 'w': [{'__array__': -3, 'dtype': 'int64'}, ''], 'b': [], 'note': 'head'}, {'__array__': -2.784953685053324, 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}], 'a': {'__array__': [], 'dtype': 'float64'}}, 'rule': 'AdaGrad(eta=0.09106710562966061, epsilon=1e-06)', 'ops': [{'op': 'step', 'grads': {'dec': [{'w': [None, None], 'b': [], 'note': None}, 0.0, {'__array__': [], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}], 'a': {'__array__': [], 'dtype': 'float64'}}}, {'op': 'step', 'grads': {'dec': [{'w': [None, None], 'b': [], 'note': None}, -0.00033403224602519734, {'__array__': [], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}], 'a': {'__array__': [], 'dtype': 'float64'}}}, {'op': 'step', 'grads': {'dec': [{'w': [None, None], 'b': [], 'note': None}, -0.0031402164145119763, {'__array__': [], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}], 'a': {'__array__': [], 'dtype': 'float64'}}}, {'op': 'step', 'grads': {'dec': [{'w': [None, None], 'b': [], 'note': None}, 0.0029318518717891644, {'__array__': [], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}], 'a': {'__array__': [], 'dtype': 'float64'}}}], 'rules': ['AdaGrad(eta=0.09106710562966061, epsilon=1e-06)'], 'path': 'structured', 'dtype': 'float64', 'step': 4}


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
