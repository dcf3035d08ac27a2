#!/usr/bin/env python
"""optconf repro: jax stateful.interleaved_ops[structured] deviates from ADJ-2.

model[3]=0.9821977019309998, but should be 0.9684454576469833 [adapter=jax, path=structured, step=4, dtype=float32, observed=0.013752244284016446, allowed=1.5936112669074165e-05]

Case seed 2570010003.  Inside optconf, replay with:
    optconf replay --adapter jax --property stateful.interleaved_ops --path structured --seed 2570010003
"""

import sys

import numpy as np

ADAPTER = 'jax'
CLAUSE = 'ADJ-2'
PATH = 'structured'
DTYPE = 'float32'
REPLAY = 'optconf replay --adapter jax --property stateful.interleaved_ops --path structured --seed 2570010003'
RULE = {'name': 'OptimiserChain', 'rules': ({'__type__': 'AccumGrad', 'n': 1}, {'__type__': 'ClipGlobalNorm', 'omega': 1.5, 'throw': True}, {'__type__': 'Adam', 'eta': 0.0003991532343735822, 'beta': (1.401298464324817e-45, 0.673708194667662, ), 'epsilon': 1e-08}, )}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array(-6.103515625e-05, dtype=np.float64), np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array(0.9900000095367432, dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'adjust', 'changes': {'eta': 0.005568034758804095, 'omega': 1.5895169041343138}}, {'op': 'step', 'grads': [np.array(0.0, dtype=np.float64), np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array(0.0, dtype=np.float64)]}, {'op': 'step', 'grads': [None, None, None, None]}, {'op': 'step', 'grads': [None, None, None, None]}, {'op': 'adjust', 'changes': {'n': 1, 'beta': (4.179372937788894e-154, 0.9635579956289622, )}}, {'op': 'step', 'grads': [np.array(0.0, dtype=np.float64), np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array(0.0035275539848953485, dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array(-6.103515625e-05, dtype=np.float64), np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array(0.9684454576469833, dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array(-6.103515625e-05, dtype=np.float32), np.array([], dtype=np.float32), np.array([], dtype=np.float32), np.array(0.9821977019309998, dtype=np.float32)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 1.5936112669074165e-05
PROGRAM_PICKLE = 'gASVqQQAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCiMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBURlbnNllJOUKYGUfZQojAZ3ZWlnaHSUTowEYmlhc5RoCSmBlH2UKGgMjBZudW1weS5fY29yZS5tdWx0aWFycmF5lIwMX3JlY29uc3RydWN0lJOUjAVudW1weZSMB25kYXJyYXmUk5RLAIWUQwFilIeUUpQoSwEpaBOMBWR0eXBllJOUjAJmOJSJiIeUUpQoSwOMATyUTk5OSv////9K/////0sAdJRiiUMIAAAAAAAAEL+UdJRiaA1oB4wIaWRlbnRpdHmUk5SMBXNjYWxllE6MA2FjdJRoE4wEdGFuaJSTlHViaCVOaCZoKHViaBJoFUsAhZRoF4eUUpQoSwFLAEsBSwKHlGgeiUMAlHSUYmgSaBVLAIWUaBeHlFKUKEsBSwCFlGgeiWgtdJRiaBJoFUsAhZRoF4eUUpQoSwEpaB6JQwgAAACAFK7vP5R0lGJljARydWxllIwfb3B0Y29uZi5yZWZlcmVuY2UucnVsZXMuY29tcG9zZZSMDk9wdGltaXNlckNoYWlulJOUKYGUfZSMBXJ1bGVzlGg6jAlBY2N1bUdyYWSUk5QpgZR9lIwBbpRLAXNijBxvcHRjb25mLnJlZmVyZW5jZS5ydWxlcy5jbGlwlIwOQ2xpcEdsb2JhbE5vcm2Uk5QpgZR9lCiMBW9tZWdhlEc/+AAAAAAAAIwFdGhyb3eUiHVijBxvcHRjb25mLnJlZmVyZW5jZS5ydWxlcy5hZGFtlIwEQWRhbZSTlCmBlH2UKIwDZXRhlEc/OiiuFnVJfYwEYmV0YZRHNqAAAAAAAABHP+WPBHzkokiGlIwHZXBzaWxvbpRHPkV5juIwjDp1YoeUc2KMA29wc5QoaACMBkFkanVzdJSTlCmBlH2UjAdjaGFuZ2VzlH2UKGhRRz92zoHzEqgYaEpHP/luqUb7IwB1c2JoAIwEU3RlcJSTlCmBlH2UjAVncmFkc5RdlCh9lChoDE5oDX2UKGgMaBCMBnNjYWxhcpSTlGgeQwgAAAAAAAAAAJSGlFKUaA1OaCVOaCZOdWglTmgmTnVoEmgVSwCFlGgXh5RSlChLAUsASwFLAoeUaB6JaC10lGJoEmgVSwCFlGgXh5RSlChLAUsAhZRoHoloLXSUYmhmaB5DCAAAAAAAAAAAlIaUUpRlc2JoXimBlH2UaGFOc2JoXimBlH2UaGFOc2JoWCmBlH2UaFt9lChoREsBaFJHIBZqHCM/RylHP+7Vd5Pg0pCGlHVzYmheKYGUfZRoYV2UKH2UKGgMTmgNfZQoaAxoZmgeQwgAAAAAAAAAAJSGlFKUaA1OaCVOaCZOdWglTmgmTnVoEmgVSwCFlGgXh5RSlChLAUsASwFLAoeUaB6JaC10lGJoEmgVSwCFlGgXh5RSlChLAUsAhZRoHoloLXSUYmhmaB5DCAAAACDR5Ww/lIaUUpRlc2J0lIwFZHR5cGWUjAdmbG9hdDMylHViLg=='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'program': {'__type__': 'Program', 'model': [{'__type__': 'Dense', 'weight': None, 'bias': {'__type__': 'Dense', 'weight': np.array(-6.103515625e-05, dtype=np.float64), 'bias': '<function identity at 0x7f9354f5da80>', 'scale': None, 'act': "<ufunc 'tanh'>"}, 'scale': None, 'act': "<ufunc 'tanh'>"}, np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array(0.9900000095367432, dtype=np.float64)], 'rule': {'__type__': 'OptimiserChain', 'rules': ({'__type__': 'AccumGrad', 'n': 1}, {'__type__': 'ClipGlobalNorm', 'omega': 1.5, 'throw': True}, {'__type__': 'Adam', 'eta': 0.0003991532343735822, 'beta': (1.401298464324817e-45, 0.673708194667662, ), 'epsilon': 1e-08}, )}, 'ops': ({'__type__': 'Adjust', 'changes': {'eta': 0.005568034758804095, 'omega': 1.5895169041343138}}, {'__type__': 'Step', 'grads': [{'weight': None, 'bias': {'weight': 0.0, 'bias': None, 'scale': None, 'act': None}, 'scale': None, 'act': None}, np.array([], dtype=np.float64), np.array([], dtype=np.float64), 0.0]}, {'__type__': 'Step', 'grads': None}, {'__type__': 'Step', 'grads': None}, {'__type__': 'Adjust', 'changes': {'n': 1, 'beta': (4.179372937788894e-154, 0.9635579956289622, )}}, {'__type__': 'Step', 'grads': [{'weight': None, 'bias': {'weight': 0.0, 'bias': None, 'scale': None, 'act': None}, 'scale': None, 'act': None}, np.array([], dtype=np.float64), np.array([], dtype=np.float64), 0.0035275539848953485]}, ), 'dtype': 'float32'}, 'model': [{'__type__': 'Dense', 'weight': None, 'bias': {'__type__': 'Dense', 'weight': {'__array__': -6.103515625e-05, 'dtype': 'float64'}, 'bias': '<function identity at 0x7f9354f5da80>', 'scale': None, 'act': "<ufunc 'tanh'>"}, 'scale': None, 'act': "<ufunc 'tanh'>"}, {'__array__': [], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}, {'__array__': 0.9900000095367432, 'dtype': 'float64'}], 'rule': 'OptimiserChain(AccumGrad(n=1), ClipGlobalNorm(omega=1.5, throw=True), Adam(eta=0.0003991532343735822, beta=(1.401298464324817e-45, 0.673708194667662), epsilon=1e-08))', 'ops': [{'op': 'adjust', 'changes': {'eta': 0.005568034758804095, 'omega': 1.5895169041343138}}, {'op': 'step', 'grads': [{'weight': None, 'bias': {'weight': 0.0, 'bias': None, 'scale': None, 'act': None}, 'scale': None, 'act': None}, {'__array__': [], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}, 0.0]}, {'op': 'step', 'grads': None}, {'op': 'step', 'grads': None}, {'op': 'adjust', 'changes': {'n': 1, 'beta': [4.179372937788894e-154, 0.9635579956289622]}}, {'op': 'step', 'grads': [{'weight': None, 'bias': {'weight': 0.0, 'bias': None, 'scale': None, 'act': None}, 'scale': None, 'act': None}, {'__array__': [], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}, 0.0035275539848953485]}], 'path': 'structured', 'dtype': 'float32', 'step': 4}


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
