#!/usr/bin/env python
"""optconf repro: keras rules.matches_reference[AdaGrad] deviates from ADAGRAD-1.

model[1]=-0.03941506126575954, but should be -0.03941887269534142 [adapter=keras, path=structured, step=4, dtype=float64, observed=3.8114295818764132e-06, allowed=2.2520627469383e-16]

Case seed 2502107381.  Inside optconf, replay with:
    optconf replay --adapter keras --property rules.matches_reference --rule AdaGrad --seed 2502107381
"""

import sys

import numpy as np

ADAPTER = 'keras'
CLAUSE = 'ADAGRAD-1'
PATH = 'structured'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter keras --property rules.matches_reference --rule AdaGrad --seed 2502107381'
RULE = {'name': 'AdaGrad', 'eta': 0.021840247374833848, 'epsilon': 1e-08}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array(1.2948057961932532e-78, dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array(5.960464477539063e-08, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(2.955472064964839, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(3.9285511720493177e-106, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(3.9999999999999996, dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array(-0.03941887269534142, dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array(-0.03941506126575954, dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 2.2520627469383e-16
PROGRAM_PICKLE = 'gASVhwIAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCiMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBFBhaXKUk5RoB4wFQmxvY2uUk5QpgZR9lCiMAXeUiYwBYpSIjARub3RllIwEaGVhZJR1Yl2UhpSBlIwWbnVtcHkuX2NvcmUubXVsdGlhcnJheZSMDF9yZWNvbnN0cnVjdJSTlIwFbnVtcHmUjAduZGFycmF5lJOUSwCFlEMBYpSHlFKUKEsBKWgYjAVkdHlwZZSTlIwCZjiUiYiHlFKUKEsDjAE8lE5OTkr/////Sv////9LAHSUYolDCJrginjZMMMvlHSUYmWMBHJ1bGWUjCBvcHRjb25mLnJlZmVyZW5jZS5ydWxlcy5hZGFwdGl2ZZSMB0FkYUdyYWSUk5QpgZR9lCiMA2V0YZRHP5ZdSjDYiUuMB2Vwc2lsb26URz5FeY7iMIw6dWKMA29wc5QoaACMBFN0ZXCUk5QpgZR9lIwFZ3JhZHOUXZQofZQoaA5OaA9OaBBOdV2UhpRoFYwGc2NhbGFylJOUaCNDCAAAAAAAAHA+lIaUUpRlc2JoMimBlH2UaDVdlCh9lChoDk5oD05oEE51XZSGlGg7aCNDCOQfuonOpAdAlIaUUpRlc2JoMimBlH2UaDVdlCh9lChoDk5oD05oEE51XZSGlGg7aCNDCOomk4QY1QwqlIaUUpRlc2JoMimBlH2UaDVdlCh9lChoDk5oD05oEE51XZSGlGg7aCNDCP///////w9AlIaUUpRlc2J0lIwFZHR5cGWUjAdmbG9hdDY0lHViLg=='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: carried value'], 'program': {'__type__': 'Program', 'model': [({'__type__': 'Block', 'w': False, 'b': True, 'note': 'head'}, [], ), np.array(1.2948057961932532e-78, dtype=np.float64)], 'rule': {'__type__': 'AdaGrad', 'eta': 0.021840247374833848, 'epsilon': 1e-08}, 'ops': ({'__type__': 'Step', 'grads': [({'w': None, 'b': None, 'note': None}, [], ), 5.960464477539063e-08]}, {'__type__': 'Step', 'grads': [({'w': None, 'b': None, 'note': None}, [], ), 2.955472064964839]}, {'__type__': 'Step', 'grads': [({'w': None, 'b': None, 'note': None}, [], ), 3.9285511720493177e-106]}, {'__type__': 'Step', 'grads': [({'w': None, 'b': None, 'note': None}, [], ), 3.9999999999999996]}, ), 'dtype': 'float64'}, 'model': [[{'__type__': 'Block', 'w': False, 'b': True, 'note': 'head'}, []], {'__array__': 1.2948057961932532e-78, 'dtype': 'float64'}], 'rule': 'AdaGrad(eta=0.021840247374833848, epsilon=1e-08)', 'ops': [{'op': 'step', 'grads': [[{'w': None, 'b': None, 'note': None}, []], 5.960464477539063e-08]}, {'op': 'step', 'grads': [[{'w': None, 'b': None, 'note': None}, []], 2.955472064964839]}, {'op': 'step', 'grads': [[{'w': None, 'b': None, 'note': None}, []], 3.9285511720493177e-106]}, {'op': 'step', 'grads': [[{'w': None, 'b': None, 'note': None}, []], 3.9999999999999996]}], 'rules': ['AdaGrad(eta=0.021840247374833848, epsilon=1e-08)'], 'variant': None, 'path': 'structured', 'dtype': 'float64', 'step': 4}


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
        print("recorded deviation (ADAGRAD-1); no replayable program in this case:")
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
    print(f"max abs error {worst!r}, allowed {bound!r} (ADAGRAD-1)")
    return 0 if worst <= bound and not wrong_kind else 1


if __name__ == "__main__":
    sys.exit(main())
