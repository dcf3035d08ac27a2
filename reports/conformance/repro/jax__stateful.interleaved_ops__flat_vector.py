#!/usr/bin/env python
"""optconf repro: jax stateful.interleaved_ops[flat_vector] deviates from ADJ-2.

adam.beta_t[model[1]][0]=0.3889019912184819, but should be 1.0000000000000002e-10 [adapter=jax, path=flat_vector, step=3, dtype=float64, observed=0.3889019911184819, allowed=9.919881686281251e-15]

Case seed 2131856246.  Inside optconf, replay with:
    optconf replay --adapter jax --property stateful.interleaved_ops --path flat_vector --seed 2131856246
"""

import sys

import numpy as np

ADAPTER = 'jax'
CLAUSE = 'ADJ-2'
PATH = 'flat_vector'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter jax --property stateful.interleaved_ops --path flat_vector --seed 2131856246'
RULE = {'name': 'Adam', 'eta': 0.0008685524608228061, 'beta': (1e-05, 0.7126186625778026, ), 'epsilon': 1e-06}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array(-1.6899414147120448, dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'adjust', 'changes': {'eta': 0.0076816733476795926}}, {'op': 'adjust', 'changes': {'epsilon': 0.001, 'eta': 0.001}}, {'op': 'step', 'grads': [None]}, {'op': 'step', 'grads': [np.array(0.0, dtype=np.float64)]}, {'op': 'step', 'grads': [None]}, {'op': 'adjust', 'changes': {'beta': (0.6236200696084772, 0.5, ), 'epsilon': 0.001}}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array(-1.6899414147120448, dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array(-1.6899414147120448, dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 9.919881686281251e-15
PROGRAM_PICKLE = 'gASVMAIAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCgpjBZudW1weS5fY29yZS5tdWx0aWFycmF5lIwMX3JlY29uc3RydWN0lJOUjAVudW1weZSMB25kYXJyYXmUk5RLAIWUQwFilIeUUpQoSwEpaAqMBWR0eXBllJOUjAJmOJSJiIeUUpQoSwOMATyUTk5OSv////9K/////0sAdJRiiUMI3oFFAgAK+7+UdJRiZYwEcnVsZZSMHG9wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLmFkYW2UjARBZGFtlJOUKYGUfZQojANldGGURz9MdfI1AQqJjARiZXRhlEc+5Pi1iONo8Uc/5s3Fp0lPOoaUjAdlcHNpbG9ulEc+sMb3oLXtjXVijANvcHOUKGgAjAZBZGp1c3SUk5QpgZR9lIwHY2hhbmdlc5R9lGggRz9/dtF86M+vc3NiaCYpgZR9lGgpfZQoaCNHP1BiTdLxqfxoIEc/UGJN0vGp/HVzYmgAjARTdGVwlJOUKYGUfZSMBWdyYWRzlE5zYmgvKYGUfZRoMl2UKCloB4wGc2NhbGFylJOUaBVDCAAAAAAAAAAAlIaUUpRlc2JoLymBlH2UaDJOc2JoJimBlH2UaCl9lChoIUc/4/SyE4Mf+Uc/4AAAAAAAAIaUaCNHP1BiTdLxqfx1c2J0lIwFZHR5cGWUjAdmbG9hdDY0lHViLg=='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'program': {'__type__': 'Program', 'model': [(), np.array(-1.6899414147120448, dtype=np.float64)], 'rule': {'__type__': 'Adam', 'eta': 0.0008685524608228061, 'beta': (1e-05, 0.7126186625778026, ), 'epsilon': 1e-06}, 'ops': ({'__type__': 'Adjust', 'changes': {'eta': 0.0076816733476795926}}, {'__type__': 'Adjust', 'changes': {'epsilon': 0.001, 'eta': 0.001}}, {'__type__': 'Step', 'grads': None}, {'__type__': 'Step', 'grads': [(), 0.0]}, {'__type__': 'Step', 'grads': None}, {'__type__': 'Adjust', 'changes': {'beta': (0.6236200696084772, 0.5, ), 'epsilon': 0.001}}, ), 'dtype': 'float64'}, 'model': [[], {'__array__': -1.6899414147120448, 'dtype': 'float64'}], 'rule': 'Adam(eta=0.0008685524608228061, beta=(1e-05, 0.7126186625778026), epsilon=1e-06)', 'ops': [{'op': 'adjust', 'changes': {'eta': 0.0076816733476795926}}, {'op': 'adjust', 'changes': {'epsilon': 0.001, 'eta': 0.001}}, {'op': 'step', 'grads': None}, {'op': 'step', 'grads': [[], 0.0]}, {'op': 'step', 'grads': None}, {'op': 'adjust', 'changes': {'beta': [0.6236200696084772, 0.5], 'epsilon': 0.001}}], 'path': 'flat_vector', 'dtype': 'float64', 'step': 3}


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
