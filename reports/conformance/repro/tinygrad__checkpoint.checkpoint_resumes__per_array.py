#!/usr/bin/env python
"""optconf repro: tinygrad checkpoint.checkpoint_resumes[per_array] deviates from STATE-8.

the run with a checkpoint raised AssertionError: must be BUFFER Ops.COPY, but should resume as the run without it does [adapter=tinygrad, path=per_array, step=4, dtype=float32]

Case seed 2193497328.  Inside optconf, replay with:
    optconf replay --adapter tinygrad --property checkpoint.checkpoint_resumes --path per_array --seed 2193497328
"""

import sys

import numpy as np

ADAPTER = 'tinygrad'
CLAUSE = 'STATE-8'
PATH = 'per_array'
DTYPE = 'float32'
REPLAY = 'optconf replay --adapter tinygrad --property checkpoint.checkpoint_resumes --path per_array --seed 2193497328'
RULE = {'name': 'Adam', 'eta': 0.00909036299455427, 'beta': (0.9466879013852991, 0.8064080084291428, ), 'epsilon': 0.001, 'variant': 'normative'}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array(-2.052455425262451, dtype=np.float64), np.array([], dtype=np.float64), np.array([[[2.0000100135803223], [3.4273641109466553]], [[-0.5256898999214172], [1.0774574279785156]]], dtype=np.float64), np.array(-0.35425493121147156, dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'freeze', 'keys': []}, {'op': 'step', 'grads': [np.array(0.0, dtype=np.float64), np.array([], dtype=np.float64), np.array([[[0.0], [0.0]], [[0.0], [0.0]]], dtype=np.float64), np.array(-1.100000023841858, dtype=np.float64)]}, {'op': 'adjust', 'changes': {'epsilon': 0.001, 'eta': 0.0001}}, {'op': 'step', 'grads': [np.array(0.0035852566361427307, dtype=np.float64), np.array([], dtype=np.float64), np.array([[[0.0], [0.0]], [[0.0], [0.0]]], dtype=np.float64), np.array(0.0, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(0.0, dtype=np.float64), np.array([], dtype=np.float64), np.array([[[-2.6224424839019775], [-1.1609340906143188]], [[-0.06236906722187996], [1.5338383913040161]]], dtype=np.float64), np.array(1.4010142087936401, dtype=np.float64)]}, {'op': 'freeze', 'keys': [4]}, {'op': 'step', 'grads': [None, None, None, None]}, {'op': 'checkpoint', 'into': 'unsharded'}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array(-2.052455425262451, dtype=np.float64), np.array([], dtype=np.float64), np.array([[[2.0000100135803223], [3.4273641109466553]], [[-0.5256898999214172], [1.0774574279785156]]], dtype=np.float64), np.array(-0.35425493121147156, dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = None
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = None
PROGRAM_PICKLE = 'gASVcQQAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlChdlIwWbnVtcHkuX2NvcmUubXVsdGlhcnJheZSMDF9yZWNvbnN0cnVjdJSTlIwFbnVtcHmUjAduZGFycmF5lJOUSwCFlEMBYpSHlFKUKEsBKWgLjAVkdHlwZZSTlIwCZjiUiYiHlFKUKEsDjAE8lE5OTkr/////Sv////9LAHSUYolDCAAAAMBtawDAlHSUYmgKaA1LAIWUaA+HlFKUKEsBSwBLAoaUaBaJQwCUdJRiaApoDUsAhZRoD4eUUpQoSwFLAksCSwGHlGgWiUMgAAAAQAUAAEAAAADgPWsLQAAAAKBz0uC/AAAAAEQ98T+UdJRiaApoDUsAhZRoD4eUUpQoSwEpaBaJQwgAAADgHKzWv5R0lGJljARydWxllIwcb3B0Y29uZi5yZWZlcmVuY2UucnVsZXMuYWRhbZSMBEFkYW2Uk5QpgZR9lCiMA2V0YZRHP4Kd994pvJSMBGJldGGURz/uS0Rs/v/cRz/pzhgq7fDvhpSMB2Vwc2lsb26URz9QYk3S8an8jAd2YXJpYW50lIwJbm9ybWF0aXZllHVijANvcHOUKGgAjAZGcmVlemWUk5QpgZR9lIwEa2V5c5Qpc2JoAIwEU3RlcJSTlCmBlH2UjAVncmFkc5RdlChdlGgIjAZzY2FsYXKUk5RoFkMIAAAAAAAAAACUhpRSlGgKaA1LAIWUaA+HlFKUKEsBSwBLAoaUaBaJaB90lGJoCmgNSwCFlGgPh5RSlChLAUsCSwJLAYeUaBaJQyAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAJR0lGJoRmgWQwgAAACgmZnxv5SGlFKUZXNiaACMBkFkanVzdJSTlCmBlH2UjAdjaGFuZ2VzlH2UKGg1Rz9QYk3S8an8aDJHPxo24uscQy11c2JoPymBlH2UaEJdlChOaEZoFkMIAAAAANRebT+UhpRSlGgKaA1LAIWUaA+HlFKUKEsBSwBLAoaUaBaJaB90lGJoCmgNSwCFlGgPh5RSlChLAUsCSwJLAYeUaBaJQyAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAJR0lGJoRmgWQwgAAAAAAAAAAJSGlFKUZXNiaD8pgZR9lGhCXZQoXZRoRmgWQwgAAAAAAAAAAJSGlFKUaApoDUsAhZRoD4eUUpQoSwFLAEsChpRoFoloH3SUYmgKaA1LAIWUaA+HlFKUKEsBSwJLAksBh5RoFolDIAAAACDD+gTAAAAAoC+T8r8AAACg1u6vvwAAACCaivg/lHSUYmhGaBZDCAAAAOCNavY/lIaUUpRlc2JoOimBlH2UaD1LBIWUc2JoPymBlH2UaEJOc2JoAIwKQ2hlY2twb2ludJSTlCmBlH2UjARpbnRvlIwJdW5zaGFyZGVklHNidJSMBWR0eXBllIwHZmxvYXQzMpR1Yi4='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: empty array', 'models: sizes that do not divide evenly', 'programs: adjust then step', 'programs: freeze then step', 'programs: frozen parts under a global-norm rule', 'programs: step without any gradient', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': [[], np.array(-2.052455425262451, dtype=np.float64), np.array([], dtype=np.float64), np.array([[[2.0000100135803223], [3.4273641109466553]], [[-0.5256898999214172], [1.0774574279785156]]], dtype=np.float64), np.array(-0.35425493121147156, dtype=np.float64)], 'rule': {'__type__': 'Adam', 'eta': 0.00909036299455427, 'beta': (0.9466879013852991, 0.8064080084291428, ), 'epsilon': 0.001, 'variant': 'normative'}, 'ops': ({'__type__': 'Freeze', 'keys': ()}, {'__type__': 'Step', 'grads': [[], 0.0, np.array([], dtype=np.float64), np.array([[[0.0], [0.0]], [[0.0], [0.0]]], dtype=np.float64), -1.100000023841858]}, {'__type__': 'Adjust', 'changes': {'epsilon': 0.001, 'eta': 0.0001}}, {'__type__': 'Step', 'grads': [None, 0.0035852566361427307, np.array([], dtype=np.float64), np.array([[[0.0], [0.0]], [[0.0], [0.0]]], dtype=np.float64), 0.0]}, {'__type__': 'Step', 'grads': [[], 0.0, np.array([], dtype=np.float64), np.array([[[-2.6224424839019775], [-1.1609340906143188]], [[-0.06236906722187996], [1.5338383913040161]]], dtype=np.float64), 1.4010142087936401]}, {'__type__': 'Freeze', 'keys': (4, )}, {'__type__': 'Step', 'grads': None}, {'__type__': 'Checkpoint', 'into': 'unsharded'}, ), 'dtype': 'float32'}, 'model': [[], {'__array__': -2.052455425262451, 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}, {'__array__': [[[2.0000100135803223], [3.4273641109466553]], [[-0.5256898999214172], [1.0774574279785156]]], 'dtype': 'float64'}, {'__array__': -0.35425493121147156, 'dtype': 'float64'}], 'rule': "Adam(eta=0.00909036299455427, beta=(0.9466879013852991, 0.8064080084291428), epsilon=0.001, variant='normative')", 'ops': [{'op': 'freeze', 'keys': []}, {'op': 'step', 'grads': [[], 0.0, {'__array__': [], 'dtype': 'float64'}, {'__array__': [[[0.0], [0.0]], [[0.0], [0.0]]], 'dtype': 'float64'}, -1.100000023841858]}, {'op': 'adjust', 'changes': {'epsilon': 0.001, 'eta': 0.0001}}, {'op': 'step', 'grads': [None, 0.0035852566361427307, {'__array__': [], 'dtype': 'float64'}, {'__array__': [[[0.0], [0.0]], [[0.0], [0.0]]], 'dtype': 'float64'}, 0.0]}, {'op': 'step', 'grads': [[], 0.0, {'__array__': [], 'dtype': 'float64'}, {'__array__': [[[-2.6224424839019775], [-1.1609340906143188]], [[-0.06236906722187996], [1.5338383913040161]]], 'dtype': 'float64'}, 1.4010142087936401]}, {'op': 'freeze', 'keys': [4]}, {'op': 'step', 'grads': None}, {'op': 'checkpoint', 'into': 'unsharded'}], 'rules': ["Adam(eta=0.00909036299455427, beta=(0.9466879013852991, 0.8064080084291428), epsilon=0.001, variant='normative')", "Adam(eta=0.0001, beta=(0.9466879013852991, 0.8064080084291428), epsilon=0.001, variant='normative')"], 'path': 'per_array', 'dtype': 'float32', 'step': 4}


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
        print("recorded deviation (STATE-8); no replayable program in this case:")
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
    print(f"max abs error {worst!r}, allowed {bound!r} (STATE-8)")
    return 0 if worst <= bound and not wrong_kind else 1


if __name__ == "__main__":
    sys.exit(main())
