#!/usr/bin/env python
"""optconf repro: jax stateful.interleaved_ops[per_array] deviates from ADJ-2.

optimiserchain.0.beta_t[model[1]][1]=0.3816704371562822, but should be 0.1829874687369532 [adapter=jax, path=per_array, step=5, dtype=float32, observed=0.19868296841932898, allowed=8.694583478042486e-06]

Case seed 2151039435.  Inside optconf, replay with:
    optconf replay --adapter jax --property stateful.interleaved_ops --path per_array --seed 2151039435
"""

import sys

import numpy as np

ADAPTER = 'jax'
CLAUSE = 'ADJ-2'
PATH = 'per_array'
DTYPE = 'float32'
REPLAY = 'optconf replay --adapter jax --property stateful.interleaved_ops --path per_array --seed 2151039435'
RULE = {'name': 'OptimiserChain', 'rules': ({'__type__': 'Adam', 'eta': 0.00772192346229591, 'beta': (8.506473893015796e-89, 0.6540415474490892, ), 'epsilon': 1e-08}, )}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([[]], dtype=np.float64), np.array([], dtype=np.float64), np.array(3.2091917991638184, dtype=np.float64), np.array([[[], []], [[], []]], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([[]], dtype=np.float64), np.array([], dtype=np.float64), np.array(0.0, dtype=np.float64), np.array([[[], []], [[], []]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[]], dtype=np.float64), np.array([], dtype=np.float64), np.array(1.4090880155563354, dtype=np.float64), np.array([[[], []], [[], []]], dtype=np.float64)]}, {'op': 'step', 'grads': [None, None, None, None]}, {'op': 'step', 'grads': [np.array([[]], dtype=np.float64), np.array([], dtype=np.float64), np.array(0.003482252825051546, dtype=np.float64), np.array([[[], []], [[], []]], dtype=np.float64)]}, {'op': 'adjust', 'changes': {'epsilon': 0.001}}, {'op': 'step', 'grads': [None, None, None, None]}, {'op': 'adjust', 'changes': {'beta': (0.11758194734817376, 0.785999248095686, ), 'epsilon': 1e-08}}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([[]], dtype=np.float64), np.array([], dtype=np.float64), np.array(3.199226622688275, dtype=np.float64), np.array([[[], []], [[], []]], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([[]], dtype=np.float32), np.array([], dtype=np.float32), np.array(3.1992266178131104, dtype=np.float32), np.array([[[], []], [[], []]], dtype=np.float32)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 8.694583478042486e-06
PROGRAM_PICKLE = 'gASVfQQAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCiMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBFBhaXKUk5SJhZR9lIwDZGVjlEsAc4aUgZSMFm51bXB5Ll9jb3JlLm11bHRpYXJyYXmUjAxfcmVjb25zdHJ1Y3SUk5SMBW51bXB5lIwHbmRhcnJheZSTlEsAhZRDAWKUh5RSlChLAUsBSwBLAYeUaBKMBWR0eXBllJOUjAJmOJSJiIeUUpQoSwOMATyUTk5OSv////9K/////0sAdJRiiUMAlHSUYmgRaBRLAIWUaBaHlFKUKEsBSwBLAUsAh5RoHoloIXSUYmgRaBRLAIWUaBaHlFKUKEsBKWgeiUMIAAAAwGysCUCUdJRiaBFoFEsAhZRoFoeUUpQoSwFLAksCSwCHlGgeiWghdJRiZYwEcnVsZZSMH29wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLmNvbXBvc2WUjA5PcHRpbWlzZXJDaGFpbpSTlCmBlH2UjAVydWxlc5SMHG9wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLmFkYW2UjARBZGFtlJOUKYGUfZQojANldGGURz9/oQYLuXNajARiZXRhlEctpaj1NyM7nEc/5O3oihCcOYaUjAdlcHNpbG9ulEc+RXmO4jCMOnVihZRzYowDb3BzlChoAIwEU3RlcJSTlCmBlH2UjAVncmFkc5RdlChOhZR9lGgMTnOGlGgRaBRLAIWUaBaHlFKUKEsBSwFLAEsBh5RoHoloIXSUYmgRaBRLAIWUaBaHlFKUKEsBSwBLAUsAh5RoHoloIXSUYmgPjAZzY2FsYXKUk5RoHkMIAAAAAAAAAACUhpRSlGgRaBRLAIWUaBaHlFKUKEsBSwJLAksAh5RoHoloIXSUYmVzYmhFKYGUfZRoSF2UKE6FlH2UaAxOc4aUaBFoFEsAhZRoFoeUUpQoSwFLAUsASwGHlGgeiWghdJRiaBFoFEsAhZRoFoeUUpQoSwFLAEsBSwCHlGgeiWghdJRiaFhoHkMIAAAA4J+L9j+UhpRSlGgRaBRLAIWUaBaHlFKUKEsBSwJLAksAh5RoHoloIXSUYmVzYmhFKYGUfZRoSE5zYmhFKYGUfZRoSF2UKE6FlH2UaAxOc4aUaBFoFEsAhZRoFoeUUpQoSwFLAUsASwGHlGgeiWghdJRiaBFoFEsAhZRoFoeUUpQoSwFLAEsBSwCHlGgeiWghdJRiaFhoHkMIAAAAQNCGbD+UhpRSlGgRaBRLAIWUaBaHlFKUKEsBSwJLAksAh5RoHoloIXSUYmVzYmgAjAZBZGp1c3SUk5QpgZR9lIwHY2hhbmdlc5R9lGhBRz9QYk3S8an8c3NiaEUpgZR9lGhITnNiaJQpgZR9lGiXfZQoaD9HP74Z2bp13MpHP+km5+UoDMuGlGhBRz5FeY7iMIw6dXNidJSMBWR0eXBllIwHZmxvYXQzMpR1Yi4='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'program': {'__type__': 'Program', 'model': [((False, ), {'dec': 0}, ), np.array([[]], dtype=np.float64), np.array([], dtype=np.float64), np.array(3.2091917991638184, dtype=np.float64), np.array([[[], []], [[], []]], dtype=np.float64)], 'rule': {'__type__': 'OptimiserChain', 'rules': ({'__type__': 'Adam', 'eta': 0.00772192346229591, 'beta': (8.506473893015796e-89, 0.6540415474490892, ), 'epsilon': 1e-08}, )}, 'ops': ({'__type__': 'Step', 'grads': [((None, ), {'dec': None}, ), np.array([[]], dtype=np.float64), np.array([], dtype=np.float64), 0.0, np.array([[[], []], [[], []]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [((None, ), {'dec': None}, ), np.array([[]], dtype=np.float64), np.array([], dtype=np.float64), 1.4090880155563354, np.array([[[], []], [[], []]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': None}, {'__type__': 'Step', 'grads': [((None, ), {'dec': None}, ), np.array([[]], dtype=np.float64), np.array([], dtype=np.float64), 0.003482252825051546, np.array([[[], []], [[], []]], dtype=np.float64)]}, {'__type__': 'Adjust', 'changes': {'epsilon': 0.001}}, {'__type__': 'Step', 'grads': None}, {'__type__': 'Adjust', 'changes': {'beta': (0.11758194734817376, 0.785999248095686, ), 'epsilon': 1e-08}}, ), 'dtype': 'float32'}, 'model': [[[False], {'dec': 0}], {'__array__': [[]], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}, {'__array__': 3.2091917991638184, 'dtype': 'float64'}, {'__array__': [[[], []], [[], []]], 'dtype': 'float64'}], 'rule': 'OptimiserChain(Adam(eta=0.00772192346229591, beta=(8.506473893015796e-89, 0.6540415474490892), epsilon=1e-08))', 'ops': [{'op': 'step', 'grads': [[[None], {'dec': None}], {'__array__': [[]], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}, 0.0, {'__array__': [[[], []], [[], []]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [[[None], {'dec': None}], {'__array__': [[]], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}, 1.4090880155563354, {'__array__': [[[], []], [[], []]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': None}, {'op': 'step', 'grads': [[[None], {'dec': None}], {'__array__': [[]], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}, 0.003482252825051546, {'__array__': [[[], []], [[], []]], 'dtype': 'float64'}]}, {'op': 'adjust', 'changes': {'epsilon': 0.001}}, {'op': 'step', 'grads': None}, {'op': 'adjust', 'changes': {'beta': [0.11758194734817376, 0.785999248095686], 'epsilon': 1e-08}}], 'path': 'per_array', 'dtype': 'float32', 'step': 5}


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
