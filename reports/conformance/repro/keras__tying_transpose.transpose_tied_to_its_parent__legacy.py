#!/usr/bin/env python
"""optconf repro: keras tying_transpose.transpose_tied_to_its_parent[legacy] deviates from TIE-5.

model['enc'][0, 0]=0.5455806967358822, but should be 0.5455806959279863 [adapter=keras, path=legacy, step=2, dtype=float64, observed=8.078958613211285e-10, allowed=5.317450210117957e-16]

Case seed 1421665276.  Inside optconf, replay with:
    optconf replay --adapter keras --property tying_transpose.transpose_tied_to_its_parent --path legacy --seed 1421665276
"""

import sys

import numpy as np

ADAPTER = 'keras'
CLAUSE = 'TIE-5'
PATH = 'legacy'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter keras --property tying_transpose.transpose_tied_to_its_parent --path legacy --seed 1421665276'
RULE = {'name': 'Adam', 'eta': 0.0019204075818206208, 'beta': (0.022500276604603735, 0.5785555963395412, ), 'epsilon': 1e-06, 'variant': 'normative'}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([[0.5480412169409736]], dtype=np.float64), np.array([-0.8853139207321759], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([[1.5290873430429883]], dtype=np.float64), np.array([0.2694556550080378], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[0.2372936055607462]], dtype=np.float64), np.array([-0.6439917280428811], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([[0.5455806959279863]], dtype=np.float64), np.array([-0.8850069089807886], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([[0.5455806967358822]], dtype=np.float64), np.array([-0.8850069060654546], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 5.317450210117957e-16
PROGRAM_PICKLE = 'gASVCgMAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJR9lCiMA2VuY5SMFm51bXB5Ll9jb3JlLm11bHRpYXJyYXmUjAxfcmVjb25zdHJ1Y3SUk5SMBW51bXB5lIwHbmRhcnJheZSTlEsAhZRDAWKUh5RSlChLAUsBSwGGlGgLjAVkdHlwZZSTlIwCZjiUiYiHlFKUKEsDjAE8lE5OTkr/////Sv////9LAHSUYolDCITj87uNieE/lHSUYowEYmlhc5RoCmgNSwCFlGgPh5RSlChLAUsBhZRoF4lDCJifB9x9VOy/lHSUYowDZGVjlIwWb3B0Y29uZi5yZWZlcmVuY2UudHJlZZSMCVRyYW5zcG9zZZSTlCmBlH2UjAZwYXJlbnSUaBFzYnWMBHJ1bGWUjBxvcHRjb25mLnJlZmVyZW5jZS5ydWxlcy5hZGFtlIwEQWRhbZSTlCmBlH2UKIwDZXRhlEc/X3bF8JH7S4wEYmV0YZRHP5cKUACrwJ5HP+KDhwamRoKGlIwHZXBzaWxvbpRHPrDG96C17Y2MB3ZhcmlhbnSUjAlub3JtYXRpdmWUdWKMA29wc5RoAIwEU3RlcJSTlCmBlH2UjAVncmFkc5R9lChoB2gKaA1LAIWUaA+HlFKUKEsBSwFLAYaUaBeJQwjiVUb9mcvkP5R0lGJoHGgKaA1LAIWUaA+HlFKUKEsBSwGFlGgXiUMIgNV+7sI+0T+UdJRiaCNoCmgNSwCFlGgPh5RSlChLAUsBSwGGlGgXiUMIHsYcl64i7D+UdJRidXNiaDgpgZR9lGg7fZQoaAdoCmgNSwCFlGgPh5RSlChLAUsBSwGGlGgXiUMIbqNM8tgn7z+UdJRiaBxoCmgNSwCFlGgPh5RSlChLAUsBhZRoF4lDCKLWWoqUm+S/lHSUYmgjaApoDUsAhZRoD4eUUpQoSwFLAUsBhpRoF4lDCJrF3i/wj+e/lHSUYnVzYoaUjAVkdHlwZZSMB2Zsb2F0NjSUdWIu'
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: dict keys out of sorted order', 'models: tie across containers'], 'program': {'__type__': 'Program', 'model': {'enc': np.array([[0.5480412169409736]], dtype=np.float64), 'bias': np.array([-0.8853139207321759], dtype=np.float64), 'dec': {'__type__': 'Transpose', 'parent': np.array([[0.5480412169409736]], dtype=np.float64)}}, 'rule': {'__type__': 'Adam', 'eta': 0.0019204075818206208, 'beta': (0.022500276604603735, 0.5785555963395412, ), 'epsilon': 1e-06, 'variant': 'normative'}, 'ops': ({'__type__': 'Step', 'grads': {'enc': np.array([[0.6498537012836858]], dtype=np.float64), 'bias': np.array([0.2694556550080378], dtype=np.float64), 'dec': np.array([[0.8792336417593025]], dtype=np.float64)}}, {'__type__': 'Step', 'grads': {'enc': np.array([[0.9736141903314157]], dtype=np.float64), 'bias': np.array([-0.6439917280428811], dtype=np.float64), 'dec': np.array([[-0.7363205847706695]], dtype=np.float64)}}, ), 'dtype': 'float64'}, 'model': {'enc': {'__array__': [[0.5480412169409736]], 'dtype': 'float64'}, 'bias': {'__array__': [-0.8853139207321759], 'dtype': 'float64'}, 'dec': {'__type__': 'Transpose', 'parent': {'__array__': [[0.5480412169409736]], 'dtype': 'float64'}}}, 'rule': "Adam(eta=0.0019204075818206208, beta=(0.022500276604603735, 0.5785555963395412), epsilon=1e-06, variant='normative')", 'ops': [{'op': 'step', 'grads': {'enc': {'__array__': [[0.6498537012836858]], 'dtype': 'float64'}, 'bias': {'__array__': [0.2694556550080378], 'dtype': 'float64'}, 'dec': {'__array__': [[0.8792336417593025]], 'dtype': 'float64'}}}, {'op': 'step', 'grads': {'enc': {'__array__': [[0.9736141903314157]], 'dtype': 'float64'}, 'bias': {'__array__': [-0.6439917280428811], 'dtype': 'float64'}, 'dec': {'__array__': [[-0.7363205847706695]], 'dtype': 'float64'}}}], 'rules': ["Adam(eta=0.0019204075818206208, beta=(0.022500276604603735, 0.5785555963395412), epsilon=1e-06, variant='normative')"], 'path': 'legacy', 'dtype': 'float64', 'step': 2}


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
        print("recorded deviation (TIE-5); no replayable program in this case:")
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
    print(f"max abs error {worst!r}, allowed {bound!r} (TIE-5)")
    return 0 if worst <= bound and not wrong_kind else 1


if __name__ == "__main__":
    sys.exit(main())
