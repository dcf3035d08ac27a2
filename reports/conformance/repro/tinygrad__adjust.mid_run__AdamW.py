#!/usr/bin/env python
"""optconf repro: tinygrad adjust.mid_run[AdamW] deviates from ADJ-2.

adamw.beta_t[model[0].weight][1]=0.10982235329527149, but should be 0.07950069136546284 [adapter=tinygrad, path=structured, step=4, dtype=float32, observed=0.030321661929808646, allowed=9.713327226722271e-06]

Case seed 3247205675.  Inside optconf, replay with:
    optconf replay --adapter tinygrad --property adjust.mid_run --rule AdamW --seed 3247205675
"""

import sys

import numpy as np

ADAPTER = 'tinygrad'
CLAUSE = 'ADJ-2'
PATH = 'structured'
DTYPE = 'float32'
REPLAY = 'optconf replay --adapter tinygrad --property adjust.mid_run --rule AdamW --seed 3247205675'
RULE = {'name': 'AdamW', 'eta': 0.009190389723189262, 'beta': (0.5625921608836841, 0.5649502430588462, ), 'lambda_': 0.006237806388223858, 'epsilon': 1e-08, 'couple': True}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([], dtype=np.float64), np.array([], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([], dtype=np.float64), np.array([], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([], dtype=np.float64), np.array([], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([], dtype=np.float64), np.array([], dtype=np.float64)]}, {'op': 'adjust', 'changes': {'beta': (0.676667030716099, 0.780423082762403, )}}, {'op': 'step', 'grads': [np.array([], dtype=np.float64), np.array([], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([], dtype=np.float64), np.array([], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([], dtype=np.float32), np.array([], dtype=np.float32)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 9.713327226722271e-06
PROGRAM_PICKLE = 'gASVzQMAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCiMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBURlbnNllJOUKYGUfZQojAZ3ZWlnaHSUjBZudW1weS5fY29yZS5tdWx0aWFycmF5lIwMX3JlY29uc3RydWN0lJOUjAVudW1weZSMB25kYXJyYXmUk5RLAIWUQwFilIeUUpQoSwFLAIWUaBCMBWR0eXBllJOUjAJmOJSJiIeUUpQoSwOMATyUTk5OSv////9K/////0sAdJRiiUMAlHSUYowEYmlhc5SJjAVzY2FsZZRoD2gSSwCFlGgUh5RSlChLASloHIlDCAAAAAAAALC8lHSUYowDYWN0lGgHjAhpZGVudGl0eZSTlHViaA9oEksAhZRoFIeUUpQoSwFLAEsCSwGHlGgciWgfdJRiZYwEcnVsZZSMHG9wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLmFkYW2UjAVBZGFtV5STlCmBlH2UKIwDZXRhlEc/gtJpOmOEZowEYmV0YZRHP+IAwUZ/Z5RHP+IUEog5woaGlIwHbGFtYmRhX5RHP3mM0Gb6rkSMB2Vwc2lsb26URz5FeY7iMIw6jAZjb3VwbGWUiHVijANvcHOUKGgAjARTdGVwlJOUKYGUfZSMBWdyYWRzlF2UKH2UKGgMaA9oEksAhZRoFIeUUpQoSwFLAIWUaByJaB90lGJoIU5oIk5oKE51aA9oEksAhZRoFIeUUpQoSwFLAEsCSwGHlGgciWgfdJRiZXNiaD4pgZR9lGhBXZQofZQoaAxoD2gSSwCFlGgUh5RSlChLAUsAhZRoHIloH3SUYmghTmgiTmgoTnVoD2gSSwCFlGgUh5RSlChLAUsASwJLAYeUaByJaB90lGJlc2JoPimBlH2UaEFdlCh9lChoDGgPaBJLAIWUaBSHlFKUKEsBSwCFlGgciWgfdJRiaCFOaCJOaChOdWgPaBJLAIWUaBSHlFKUKEsBSwBLAksBh5RoHIloH3SUYmVzYmgAjAZBZGp1c3SUk5QpgZR9lIwHY2hhbmdlc5R9lGg3Rz/lp0Gd5qBXRz/o+TnUMEG4hpRzc2JoPimBlH2UaEFdlCh9lChoDGgPaBJLAIWUaBSHlFKUKEsBSwCFlGgciWgfdJRiaCFOaCJOaChOdWgPaBJLAIWUaBSHlFKUKEsBSwBLAksBh5RoHIloH3SUYmVzYnSUjAVkdHlwZZSMB2Zsb2F0MzKUdWIu'
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'program': {'__type__': 'Program', 'model': [{'__type__': 'Dense', 'weight': np.array([], dtype=np.float64), 'bias': False, 'scale': np.array(-2.220446049250313e-16, dtype=np.float64), 'act': '<function identity at 0x7feb7aa59a80>'}, np.array([], dtype=np.float64)], 'rule': {'__type__': 'AdamW', 'eta': 0.009190389723189262, 'beta': (0.5625921608836841, 0.5649502430588462, ), 'lambda_': 0.006237806388223858, 'epsilon': 1e-08, 'couple': True}, 'ops': ({'__type__': 'Step', 'grads': [{'weight': np.array([], dtype=np.float64), 'bias': None, 'scale': None, 'act': None}, np.array([], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [{'weight': np.array([], dtype=np.float64), 'bias': None, 'scale': None, 'act': None}, np.array([], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [{'weight': np.array([], dtype=np.float64), 'bias': None, 'scale': None, 'act': None}, np.array([], dtype=np.float64)]}, {'__type__': 'Adjust', 'changes': {'beta': (0.676667030716099, 0.780423082762403, )}}, {'__type__': 'Step', 'grads': [{'weight': np.array([], dtype=np.float64), 'bias': None, 'scale': None, 'act': None}, np.array([], dtype=np.float64)]}, ), 'dtype': 'float32'}, 'model': [{'__type__': 'Dense', 'weight': {'__array__': [], 'dtype': 'float64'}, 'bias': False, 'scale': {'__array__': -2.220446049250313e-16, 'dtype': 'float64'}, 'act': '<function identity at 0x7feb7aa59a80>'}, {'__array__': [], 'dtype': 'float64'}], 'rule': 'AdamW(eta=0.009190389723189262, beta=(0.5625921608836841, 0.5649502430588462), lambda_=0.006237806388223858, epsilon=1e-08, couple=True)', 'ops': [{'op': 'step', 'grads': [{'weight': {'__array__': [], 'dtype': 'float64'}, 'bias': None, 'scale': None, 'act': None}, {'__array__': [], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [{'weight': {'__array__': [], 'dtype': 'float64'}, 'bias': None, 'scale': None, 'act': None}, {'__array__': [], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [{'weight': {'__array__': [], 'dtype': 'float64'}, 'bias': None, 'scale': None, 'act': None}, {'__array__': [], 'dtype': 'float64'}]}, {'op': 'adjust', 'changes': {'beta': [0.676667030716099, 0.780423082762403]}}, {'op': 'step', 'grads': [{'weight': {'__array__': [], 'dtype': 'float64'}, 'bias': None, 'scale': None, 'act': None}, {'__array__': [], 'dtype': 'float64'}]}], 'path': 'structured', 'dtype': 'float32', 'step': 4}


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
