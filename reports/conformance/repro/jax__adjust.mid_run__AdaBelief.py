#!/usr/bin/env python
"""optconf repro: jax adjust.mid_run[AdaBelief] deviates from ADJ-2.

model[1]=-2.0543978214263916, but should be -2.0543297792034 [adapter=jax, path=structured, step=4, dtype=float32, observed=6.804222299150453e-05, allowed=2.7708529293767817e-06]

Case seed 571867355.  Inside optconf, replay with:
    optconf replay --adapter jax --property adjust.mid_run --rule AdaBelief --seed 571867355
"""

import sys

import numpy as np

ADAPTER = 'jax'
CLAUSE = 'ADJ-2'
PATH = 'structured'
DTYPE = 'float32'
REPLAY = 'optconf replay --adapter jax --property adjust.mid_run --rule AdaBelief --seed 571867355'
RULE = {'name': 'AdaBelief', 'eta': 0.009403743749254609, 'beta': (0.6918666148799995, 0.7103813103570383, ), 'epsilon': 1e-16}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array(-2.0548031330108643, dtype=np.float64), np.array(-2.1124656200408936, dtype=np.float64), np.array(3.7982208728790283, dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array(9.999999747378752e-06, dtype=np.float64), np.array(9.765625114122045e-11, dtype=np.float64), np.array(-0.0013609129237011075, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(-3.4350578784942627, dtype=np.float64), np.array(0.0, dtype=np.float64), np.array(-0.3333333432674408, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(1.1089977025985718, dtype=np.float64), np.array(0.0, dtype=np.float64), np.array(0.9990000128746033, dtype=np.float64)]}, {'op': 'adjust', 'changes': {'beta': (0.5, 0.769265253531495, ), 'eta': 0.0015880564694077748}}, {'op': 'step', 'grads': [np.array(0.0012486017076298594, dtype=np.float64), np.array(0.0, dtype=np.float64), np.array(-0.0024704227689653635, dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array(-2.0543297792034, dtype=np.float64), np.array(-2.1125469291613923, dtype=np.float64), np.array(3.815516236836526, dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array(-2.0543978214263916, dtype=np.float32), np.array(-2.112546920776367, dtype=np.float32), np.array(3.8156447410583496, dtype=np.float32)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 2.7708529293767817e-06
PROGRAM_PICKLE = 'gASVXQMAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCiMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMCGlkZW50aXR5lJOUhZSMFm51bXB5Ll9jb3JlLm11bHRpYXJyYXmUjAxfcmVjb25zdHJ1Y3SUk5SMBW51bXB5lIwHbmRhcnJheZSTlEsAhZRDAWKUh5RSlChLASloDowFZHR5cGWUk5SMAmY4lImIh5RSlChLA4wBPJROTk5K/////0r/////SwB0lGKJQwgAAACgPHAAwJR0lGJoDWgQSwCFlGgSh5RSlChLASloGYlDCAAAAGBU5gDAlHSUYmgNaBBLAIWUaBKHlFKUKEsBKWgZiUMIAAAAoMFiDkCUdJRiZYwEcnVsZZSMHG9wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLmFkYW2UjAlBZGFCZWxpZWaUk5QpgZR9lCiMA2V0YZRHP4NCRR7nc1iMBGJldGGURz/mI8V0g1KIRz/mu3GV9YoVhpSMB2Vwc2lsb26URzyc0rKX2Im8dWKMA29wc5QoaACMBFN0ZXCUk5QpgZR9lIwFZ3JhZHOUXZQoToWUaAuMBnNjYWxhcpSTlGgZQwgAAACAtfjkPpSGlFKUaDtoGUMIAAAAoPLX2j2UhpRSlGg7aBlDCAAAACAVTFa/lIaUUpRlc2JoNCmBlH2UaDddlChOhZRoO2gZQwgAAACg/3oLwJSGlFKUaDtoGUMIAAAAAAAAAACUhpRSlGg7aBlDCAAAAGBVVdW/lIaUUpRlc2JoNCmBlH2UaDddlChOhZRoO2gZQwgAAABgdL7xP5SGlFKUaDtoGUMIAAAAAAAAAACUhpRSlGg7aBlDCAAAAODO9+8/lIaUUpRlc2JoAIwGQWRqdXN0lJOUKYGUfZSMB2NoYW5nZXOUfZQoaC9HP+AAAAAAAABHP+id0io7vc6GlGguRz9aBMqma3CkdXNiaDQpgZR9lGg3XZQoToWUaDtoGUMIAAAA4AN1VD+UhpRSlGg7aBlDCAAAAAAAAAAAlIaUUpRoO2gZQwgAAAAg2jxkv5SGlFKUZXNidJSMBWR0eXBllIwHZmxvYXQzMpR1Yi4='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'program': {'__type__': 'Program', 'model': [('<function identity at 0x7fc285965a80>', ), np.array(-2.0548031330108643, dtype=np.float64), np.array(-2.1124656200408936, dtype=np.float64), np.array(3.7982208728790283, dtype=np.float64)], 'rule': {'__type__': 'AdaBelief', 'eta': 0.009403743749254609, 'beta': (0.6918666148799995, 0.7103813103570383, ), 'epsilon': 1e-16}, 'ops': ({'__type__': 'Step', 'grads': [(None, ), 9.999999747378752e-06, 9.765625114122045e-11, -0.0013609129237011075]}, {'__type__': 'Step', 'grads': [(None, ), -3.4350578784942627, 0.0, -0.3333333432674408]}, {'__type__': 'Step', 'grads': [(None, ), 1.1089977025985718, 0.0, 0.9990000128746033]}, {'__type__': 'Adjust', 'changes': {'beta': (0.5, 0.769265253531495, ), 'eta': 0.0015880564694077748}}, {'__type__': 'Step', 'grads': [(None, ), 0.0012486017076298594, 0.0, -0.0024704227689653635]}, ), 'dtype': 'float32'}, 'model': [['<function identity at 0x7fc285965a80>'], {'__array__': -2.0548031330108643, 'dtype': 'float64'}, {'__array__': -2.1124656200408936, 'dtype': 'float64'}, {'__array__': 3.7982208728790283, 'dtype': 'float64'}], 'rule': 'AdaBelief(eta=0.009403743749254609, beta=(0.6918666148799995, 0.7103813103570383), epsilon=1e-16)', 'ops': [{'op': 'step', 'grads': [[None], 9.999999747378752e-06, 9.765625114122045e-11, -0.0013609129237011075]}, {'op': 'step', 'grads': [[None], -3.4350578784942627, 0.0, -0.3333333432674408]}, {'op': 'step', 'grads': [[None], 1.1089977025985718, 0.0, 0.9990000128746033]}, {'op': 'adjust', 'changes': {'beta': [0.5, 0.769265253531495], 'eta': 0.0015880564694077748}}, {'op': 'step', 'grads': [[None], 0.0012486017076298594, 0.0, -0.0024704227689653635]}], 'path': 'structured', 'dtype': 'float32', 'step': 4}


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
