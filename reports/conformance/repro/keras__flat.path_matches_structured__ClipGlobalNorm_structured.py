#!/usr/bin/env python
"""optconf repro: keras flat.path_matches_structured[ClipGlobalNorm,structured] deviates from FLAT-6.

model[1][0, 1, 0]=2.122000781608334, but should be 2.122000876825809 [adapter=keras, path=structured, step=4, dtype=float64, observed=9.521747523777435e-08, allowed=1.7087576206240667e-14]

Case seed 4229748318.  Inside optconf, replay with:
    optconf replay --adapter keras --property flat.path_matches_structured --rule ClipGlobalNorm --path structured --seed 4229748318
"""

import sys

import numpy as np

ADAPTER = 'keras'
CLAUSE = 'FLAT-6'
PATH = 'structured'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter keras --property flat.path_matches_structured --rule ClipGlobalNorm --path structured --seed 4229748318'
RULE = {'name': 'ClipGlobalNorm', 'omega': 2.0123887296512453, 'throw': True}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([[], []], dtype=np.float64), np.array([[[3.0159635141236834], [1e-05]]], dtype=np.float64), np.array([], dtype=np.float64), np.array([-3.078887130266695, -3.9488279985603114], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([[], []], dtype=np.float64), np.array([[[-0.30225097105843], [-0.7278876097340072]]], dtype=np.float64), np.array([], dtype=np.float64), np.array([2.6730767120657735, -1.175494351e-38], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[], []], dtype=np.float64), np.array([[[1.4584823160716835], [-1.9]]], dtype=np.float64), np.array([], dtype=np.float64), np.array([0.0, 0.0], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[], []], dtype=np.float64), np.array([[[2.1729236899484e-311], [-7.38550596737662e-05]]], dtype=np.float64), np.array([], dtype=np.float64), np.array([0.0017419168264668347, -0.0014994091200312503], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[], []], dtype=np.float64), np.array([[[0.0], [0.0]]], dtype=np.float64), np.array([], dtype=np.float64), np.array([0.0, 0.0], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([[], []], dtype=np.float64), np.array([[[2.008858363201462], [2.122000876825809]]], dtype=np.float64), np.array([], dtype=np.float64), np.array([-5.010864119102202, -3.9473285894402803], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([[], []], dtype=np.float64), np.array([[[2.008858451395633], [2.122000781608334]]], dtype=np.float64), np.array([], dtype=np.float64), np.array([-5.010864165991962, -3.9473285894402803], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 1.7087576206240667e-14
PROGRAM_PICKLE = 'gASVWQUAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCiMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBFBhaXKUk5RoCWgHjAVCbG9ja5STlCmBlH2UKIwBd5ROjAFilImMBG5vdGWUjAVibG9ja5R1YmgJaAeMCGlkZW50aXR5lJOUjBZudW1weS5fY29yZS5tdWx0aWFycmF5lIwMX3JlY29uc3RydWN0lJOUjAVudW1weZSMB25kYXJyYXmUk5RLAIWUQwFilIeUUpQoSwFLAksAhpRoF4wFZHR5cGWUk5SMAmY4lImIh5RSlChLA4wBPJROTk5K/////0r/////SwB0lGKJQwCUdJRihpSBlIaUgZRdlIaUgZRoFmgZSwCFlGgbh5RSlChLAUsBSwJLAYeUaCOJQxBAuZh6sSAIQPFo44i1+OQ+lHSUYmgWaBlLAIWUaBuHlFKUKEsBSwBLAUsCh5RoI4loJnSUYmgWaBlLAIWUaBuHlFKUKEsBSwKFlGgjiUMQ5JBkk4+hCMDwwzoiM5cPwJR0lGJljARydWxllIwcb3B0Y29uZi5yZWZlcmVuY2UucnVsZXMuY2xpcJSMDkNsaXBHbG9iYWxOb3JtlJOUKYGUfZQojAVvbWVnYZRHQAAZX0Mlh1eMBXRocm93lIh1YowDb3BzlChoAIwEU3RlcJSTlCmBlH2UjAVncmFkc5RdlCh9lChoDk5oD05oEE51TmgWaBlLAIWUaBuHlFKUKEsBSwJLAIaUaCOJaCZ0lGKGlIaUXZSGlGgWaBlLAIWUaBuHlFKUKEsBSwFLAksBh5RoI4lDEDBV+HQUWNO/2BPf9NpK57+UdJRiaBZoGUsAhZRoG4eUUpQoSwFLAEsBSwKHlGgjiWgmdJRiaBZoGUsAhZRoG4eUUpQoSwFLAoWUaCOJQxB0LBALdmIFQJtjCgAAABC4lHSUYmVzYmhKKYGUfZRoTV2UKH2UKGgOTmgPTmgQTnVOaBZoGUsAhZRoG4eUUpQoSwFLAksAhpRoI4loJnSUYoaUhpRdlIaUaBZoGUsAhZRoG4eUUpQoSwFLAUsCSwGHlGgjiUMQzCeVjfFV9z9mZmZmZmb+v5R0lGJoFmgZSwCFlGgbh5RSlChLAUsASwFLAoeUaCOJaCZ0lGJoFmgZSwCFlGgbh5RSlChLAUsChZRoI4lDEAAAAAAAAAAAAAAAAAAAAACUdJRiZXNiaEopgZR9lGhNXZQofZQoaA5OaA9OaBBOdU5oFmgZSwCFlGgbh5RSlChLAUsCSwCGlGgjiWgmdJRihpSGlF2UhpRoFmgZSwCFlGgbh5RSlChLAUsBSwJLAYeUaCOJQxAAAAAAAAQAAMCMhkNUXBO/lHSUYmgWaBlLAIWUaBuHlFKUKEsBSwBLAUsCh5RoI4loJnSUYmgWaBlLAIWUaBuHlFKUKEsBSwKFlGgjiUMQvGlU8yCKXD+mIpFI+pBYv5R0lGJlc2JoSimBlH2UaE1dlCh9lChoDk5oD05oEE51TmgWaBlLAIWUaBuHlFKUKEsBSwJLAIaUaCOJaCZ0lGKGlIaUXZSGlGgWaBlLAIWUaBuHlFKUKEsBSwFLAksBh5RoI4lDEAAAAAAAAAAAAAAAAAAAAACUdJRiaBZoGUsAhZRoG4eUUpQoSwFLAEsBSwKHlGgjiWgmdJRiaBZoGUsAhZRoG4eUUpQoSwFLAoWUaCOJQxAAAAAAAAAAAAAAAAAAAAAAlHSUYmVzYnSUjAVkdHlwZZSMB2Zsb2F0NjSUdWIu'
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: carried value', 'models: empty array', 'models: parameter three levels deep', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': [(({'__type__': 'Block', 'w': None, 'b': False, 'note': 'block'}, ('<function identity>', np.array([[], []], dtype=np.float64), ), ), [], ), np.array([[[3.0159635141236834], [1e-05]]], dtype=np.float64), np.array([], dtype=np.float64), np.array([-3.078887130266695, -3.9488279985603114], dtype=np.float64)], 'rule': {'__type__': 'ClipGlobalNorm', 'omega': 2.0123887296512453, 'throw': True}, 'ops': ({'__type__': 'Step', 'grads': [(({'w': None, 'b': None, 'note': None}, (None, np.array([[], []], dtype=np.float64), ), ), [], ), np.array([[[-0.30225097105843], [-0.7278876097340072]]], dtype=np.float64), np.array([], dtype=np.float64), np.array([2.6730767120657735, -1.175494351e-38], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [(({'w': None, 'b': None, 'note': None}, (None, np.array([[], []], dtype=np.float64), ), ), [], ), np.array([[[1.4584823160716835], [-1.9]]], dtype=np.float64), np.array([], dtype=np.float64), np.array([0.0, 0.0], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [(({'w': None, 'b': None, 'note': None}, (None, np.array([[], []], dtype=np.float64), ), ), [], ), np.array([[[2.1729236899484e-311], [-7.38550596737662e-05]]], dtype=np.float64), np.array([], dtype=np.float64), np.array([0.0017419168264668347, -0.0014994091200312503], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [(({'w': None, 'b': None, 'note': None}, (None, np.array([[], []], dtype=np.float64), ), ), [], ), np.array([[[0.0], [0.0]]], dtype=np.float64), np.array([], dtype=np.float64), np.array([0.0, 0.0], dtype=np.float64)]}, ), 'dtype': 'float64'}, 'model': [[[{'__type__': 'Block', 'w': None, 'b': False, 'note': 'block'}, ['<function identity>', {'__array__': [[], []], 'dtype': 'float64'}]], []], {'__array__': [[[3.0159635141236834], [1e-05]]], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}, {'__array__': [-3.078887130266695, -3.9488279985603114], 'dtype': 'float64'}], 'rule': 'ClipGlobalNorm(omega=2.0123887296512453, throw=True)', 'ops': [{'op': 'step', 'grads': [[[{'w': None, 'b': None, 'note': None}, [None, {'__array__': [[], []], 'dtype': 'float64'}]], []], {'__array__': [[[-0.30225097105843], [-0.7278876097340072]]], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}, {'__array__': [2.6730767120657735, -1.175494351e-38], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [[[{'w': None, 'b': None, 'note': None}, [None, {'__array__': [[], []], 'dtype': 'float64'}]], []], {'__array__': [[[1.4584823160716835], [-1.9]]], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}, {'__array__': [0.0, 0.0], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [[[{'w': None, 'b': None, 'note': None}, [None, {'__array__': [[], []], 'dtype': 'float64'}]], []], {'__array__': [[[2.1729236899484e-311], [-7.38550596737662e-05]]], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}, {'__array__': [0.0017419168264668347, -0.0014994091200312503], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [[[{'w': None, 'b': None, 'note': None}, [None, {'__array__': [[], []], 'dtype': 'float64'}]], []], {'__array__': [[[0.0], [0.0]]], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}, {'__array__': [0.0, 0.0], 'dtype': 'float64'}]}], 'rules': ['ClipGlobalNorm(omega=2.0123887296512453, throw=True)'], 'path': 'structured', 'dtype': 'float64', 'step': 4}


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
