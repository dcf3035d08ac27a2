#!/usr/bin/env python
"""optconf repro: torch sharded.checkpoint_resumes[fsdp] deviates from SHARD-4.

the fsdp path raised RuntimeError: Missing optimizer state for parameter '1.3' in checkpoint. The parameter requires gradients but has no saved optimizer state. To load anyway, use StateDictOptions(strict=False)., but should run as the structured path does [adapter=torch, path=fsdp, step=4, dtype=float64]

Case seed 2779969023.  Inside optconf, replay with:
    optconf replay --adapter torch --property sharded.checkpoint_resumes --path fsdp --seed 2779969023
"""

import sys

import numpy as np

ADAPTER = 'torch'
CLAUSE = 'SHARD-4'
PATH = 'fsdp'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter torch --property sharded.checkpoint_resumes --path fsdp --seed 2779969023'
RULE = {'name': 'Adam', 'eta': 0.008138438291059499, 'beta': (9.250363695455468e-156, 0.6018025330030476, ), 'epsilon': 1e-06, 'variant': 'torch'}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([[]], dtype=np.float64), np.array([[]], dtype=np.float64), np.array([[[-4.5372843486248236e-48]]], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'adjust', 'changes': {'epsilon': 1e-08}}, {'op': 'step', 'grads': [np.array([[]], dtype=np.float64), np.array([[]], dtype=np.float64), np.array([[[0.0]]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[]], dtype=np.float64), np.array([[]], dtype=np.float64), np.array([[[-2.4225034864483113]]], dtype=np.float64)]}, {'op': 'adjust', 'changes': {'epsilon': 1e-08}}, {'op': 'step', 'grads': [np.array([[]], dtype=np.float64), np.array([[]], dtype=np.float64), np.array([[[0.0]]], dtype=np.float64)]}, {'op': 'checkpoint', 'into': 'resharded'}, {'op': 'step', 'grads': [np.array([[]], dtype=np.float64), np.array([[]], dtype=np.float64), np.array([[[-5.596067666567472e-263]]], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([[]], dtype=np.float64), np.array([[]], dtype=np.float64), np.array([[[0.010300197701534375]]], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = None
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = None
PROGRAM_PICKLE = 'gASVtQQAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCiMFm51bXB5Ll9jb3JlLm11bHRpYXJyYXmUjAxfcmVjb25zdHJ1Y3SUk5SMBW51bXB5lIwHbmRhcnJheZSTlEsAhZRDAWKUh5RSlChLAUsBSwBLAYeUaAqMBWR0eXBllJOUjAJmOJSJiIeUUpQoSwOMATyUTk5OSv////9K/////0sAdJRiiUMAlHSUYl2UKCloCWgMSwCFlGgOh5RSlChLAUsBSwCGlGgWiWgZdJRiaAloDEsAhZRoDoeUUpQoSwFLAUsBSwGHlGgWiUMIZ8gKAmaGGraUdJRiaBBlZYwEcnVsZZSMHG9wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLmFkYW2UjARBZGFtlJOUKYGUfZQojANldGGURz+AquKyZ6irjARiZXRhlEcfv8A9cRNWRkc/40H3Yry81IaUjAdlcHNpbG9ulEc+sMb3oLXtjYwHdmFyaWFudJSMBXRvcmNolHVijANvcHOUKGgAjAZBZGp1c3SUk5QpgZR9lIwHY2hhbmdlc5R9lGgwRz5FeY7iMIw6c3NiaACMBFN0ZXCUk5QpgZR9lIwFZ3JhZHOUXZQoaAloDEsAhZRoDoeUUpQoSwFLAUsASwGHlGgWiWgZdJRiXZQoKWgJaAxLAIWUaA6HlFKUKEsBSwFLAIaUaBaJaBl0lGJoCWgMSwCFlGgOh5RSlChLAUsBSwFLAYeUaBaJQwgAAAAAAAAAAJR0lGJoCWgMSwCFlGgOh5RSlChLAUsBSwBLAYeUaBaJaBl0lGJlZXNiaDspgZR9lGg+XZQoaAloDEsAhZRoDoeUUpQoSwFLAUsASwGHlGgWiWgZdJRiXZQoKWgJaAxLAIWUaA6HlFKUKEsBSwFLAIaUaBaJaBl0lGJoCWgMSwCFlGgOh5RSlChLAUsBSwFLAYeUaBaJQwiL7gWCSWEDwJR0lGJoCWgMSwCFlGgOh5RSlChLAUsBSwBLAYeUaBaJaBl0lGJlZXNiaDUpgZR9lGg4fZRoMEc+RXmO4jCMOnNzYmg7KYGUfZRoPl2UKGgJaAxLAIWUaA6HlFKUKEsBSwFLAEsBh5RoFoloGXSUYl2UKCloCWgMSwCFlGgOh5RSlChLAUsBSwCGlGgWiWgZdJRiaAloDEsAhZRoDoeUUpQoSwFLAUsBSwGHlGgWiUMIAAAAAAAAAACUdJRiaAloDEsAhZRoDoeUUpQoSwFLAUsASwGHlGgWiWgZdJRiZWVzYmgAjApDaGVja3BvaW50lJOUKYGUfZSMBGludG+UjAlyZXNoYXJkZWSUc2JoOymBlH2UaD5dlChoCWgMSwCFlGgOh5RSlChLAUsBSwBLAYeUaBaJaBl0lGJdlCgpaAloDEsAhZRoDoeUUpQoSwFLAUsAhpRoFoloGXSUYmgJaAxLAIWUaA6HlFKUKEsBSwFLAUsBh5RoFolDCGLbDne0MXyJlHSUYmgJaAxLAIWUaA6HlFKUKEsBSwFLAEsBh5RoFoloGXSUYmVlc2J0lIwFZHR5cGWUjAdmbG9hdDY0lHViLg=='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: empty array', 'models: sizes that do not divide evenly', 'models: tie across containers', 'programs: adjust then step', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': [np.array([[]], dtype=np.float64), [(), np.array([[]], dtype=np.float64), np.array([[[-4.5372843486248236e-48]]], dtype=np.float64), np.array([[]], dtype=np.float64)]], 'rule': {'__type__': 'Adam', 'eta': 0.008138438291059499, 'beta': (9.250363695455468e-156, 0.6018025330030476, ), 'epsilon': 1e-06, 'variant': 'torch'}, 'ops': ({'__type__': 'Adjust', 'changes': {'epsilon': 1e-08}}, {'__type__': 'Step', 'grads': [np.array([[]], dtype=np.float64), [(), np.array([[]], dtype=np.float64), np.array([[[0.0]]], dtype=np.float64), np.array([[]], dtype=np.float64)]]}, {'__type__': 'Step', 'grads': [np.array([[]], dtype=np.float64), [(), np.array([[]], dtype=np.float64), np.array([[[-2.4225034864483113]]], dtype=np.float64), np.array([[]], dtype=np.float64)]]}, {'__type__': 'Adjust', 'changes': {'epsilon': 1e-08}}, {'__type__': 'Step', 'grads': [np.array([[]], dtype=np.float64), [(), np.array([[]], dtype=np.float64), np.array([[[0.0]]], dtype=np.float64), np.array([[]], dtype=np.float64)]]}, {'__type__': 'Checkpoint', 'into': 'resharded'}, {'__type__': 'Step', 'grads': [np.array([[]], dtype=np.float64), [(), np.array([[]], dtype=np.float64), np.array([[[-5.596067666567472e-263]]], dtype=np.float64), np.array([[]], dtype=np.float64)]]}, ), 'dtype': 'float64'}, 'model': [{'__array__': [[]], 'dtype': 'float64'}, [[], {'__array__': [[]], 'dtype': 'float64'}, {'__array__': [[[-4.5372843486248236e-48]]], 'dtype': 'float64'}, {'__array__': [[]], 'dtype': 'float64'}]], 'rule': "Adam(eta=0.008138438291059499, beta=(9.250363695455468e-156, 0.6018025330030476), epsilon=1e-06, variant='torch')", 'ops': [{'op': 'adjust', 'changes': {'epsilon': 1e-08}}, {'op': 'step', 'grads': [{'__array__': [[]], 'dtype': 'float64'}, [[], {'__array__': [[]], 'dtype': 'float64'}, {'__array__': [[[0.0]]], 'dtype': 'float64'}, {'__array__': [[]], 'dtype': 'float64'}]]}, {'op': 'step', 'grads': [{'__array__': [[]], 'dtype': 'float64'}, [[], {'__array__': [[]], 'dtype': 'float64'}, {'__array__': [[[-2.4225034864483113]]], 'dtype': 'float64'}, {'__array__': [[]], 'dtype': 'float64'}]]}, {'op': 'adjust', 'changes': {'epsilon': 1e-08}}, {'op': 'step', 'grads': [{'__array__': [[]], 'dtype': 'float64'}, [[], {'__array__': [[]], 'dtype': 'float64'}, {'__array__': [[[0.0]]], 'dtype': 'float64'}, {'__array__': [[]], 'dtype': 'float64'}]]}, {'op': 'checkpoint', 'into': 'resharded'}, {'op': 'step', 'grads': [{'__array__': [[]], 'dtype': 'float64'}, [[], {'__array__': [[]], 'dtype': 'float64'}, {'__array__': [[[-5.596067666567472e-263]]], 'dtype': 'float64'}, {'__array__': [[]], 'dtype': 'float64'}]]}], 'rules': ["Adam(eta=0.008138438291059499, beta=(9.250363695455468e-156, 0.6018025330030476), epsilon=1e-06, variant='torch')", "Adam(eta=0.008138438291059499, beta=(9.250363695455468e-156, 0.6018025330030476), epsilon=1e-08, variant='torch')", "Adam(eta=0.008138438291059499, beta=(9.250363695455468e-156, 0.6018025330030476), epsilon=1e-08, variant='torch')"], 'path': 'fsdp', 'dtype': 'float64', 'step': 4}


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
        print("recorded deviation (SHARD-4); no replayable program in this case:")
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
    print(f"max abs error {worst!r}, allowed {bound!r} (SHARD-4)")
    return 0 if worst <= bound and not wrong_kind else 1


if __name__ == "__main__":
    sys.exit(main())
