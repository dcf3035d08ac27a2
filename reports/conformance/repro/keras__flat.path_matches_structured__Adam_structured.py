#!/usr/bin/env python
"""optconf repro: keras flat.path_matches_structured[Adam,structured] deviates from FLAT-6.

model[1][0, 1]=-3.353874921798706, but should be -3.3538546498874564 [adapter=keras, path=structured, step=4, dtype=float32, observed=2.0271911249647445e-05, allowed=3.728950534371605e-06]

Case seed 703559358.  Inside optconf, replay with:
    optconf replay --adapter keras --property flat.path_matches_structured --rule Adam --path structured --seed 703559358
"""

import sys

import numpy as np

ADAPTER = 'keras'
CLAUSE = 'FLAT-6'
PATH = 'structured'
DTYPE = 'float32'
REPLAY = 'optconf replay --adapter keras --property flat.path_matches_structured --rule Adam --path structured --seed 703559358'
RULE = {'name': 'Adam', 'eta': 0.006266011393492403, 'beta': (0.44371044656614766, 0.9158602984024211, ), 'epsilon': 0.001, 'variant': 'normative'}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([[-0.5769778490066528, -3.3583343029022217]], dtype=np.float64), np.array(0.05781640484929085, dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([[2.163043975830078, -0.9569646716117859]], dtype=np.float64), np.array(5.820766091346741e-11, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[0.0, 0.0]], dtype=np.float64), np.array(-0.0027297493070364, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[0.003867770079523325, 0.0030451472848653793]], dtype=np.float64), np.array(0.003852112451568246, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[1.2371731996536255, 1.8234858512878418]], dtype=np.float64), np.array(0.0032469136640429497, dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([[-0.5916876571654556, -3.3538546498874564]], dtype=np.float64), np.array(0.055081075493448435, dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([[-0.5916736721992493, -3.353874921798706]], dtype=np.float32), np.array(0.05504811182618141, dtype=np.float32)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 3.728950534371605e-06
PROGRAM_PICKLE = 'gASVfgMAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlChdlCiMFm51bXB5Ll9jb3JlLm11bHRpYXJyYXmUjAxfcmVjb25zdHJ1Y3SUk5SMBW51bXB5lIwHbmRhcnJheZSTlEsAhZRDAWKUh5RSlChLAUsChZRoC4wFZHR5cGWUk5SMAmk4lImIh5RSlChLA4wBPJROTk5K/////0r/////SwB0lGKJQxAFAAAAAAAAAP//////////lHSUYksCaAuMBHRhbmiUk5RlaApoDUsAhZRoD4eUUpQoSwFLAUsChpRoFIwCZjiUiYiHlFKUKEsDaBhOTk5K/////0r/////SwB0lGKJQxAAAABAmnbivwAAAGDe3QrAlHSUYmgKaA1LAIWUaA+HlFKUKEsBKWgkiUMIAAAAoByarT+UdJRiZYwEcnVsZZSMHG9wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLmFkYW2UjARBZGFtlJOUKYGUfZQojANldGGURz95qmOgLr+rjARiZXRhlEc/3GXAgDlKTEc/7U66Qar7foaUjAdlcHNpbG9ulEc/UGJN0vGp/IwHdmFyaWFudJSMCW5vcm1hdGl2ZZR1YowDb3BzlChoAIwEU3RlcJSTlCmBlH2UjAVncmFkc5RdlChdlChOTk5laApoDUsAhZRoD4eUUpQoSwFLAUsChpRoJIlDEAAAAADqTQFAAAAAYHSf7r+UdJRiaAiMBnNjYWxhcpSTlGgkQwgAAAAAAADQPZSGlFKUZXNiaDspgZR9lGg+XZQoXZQoTk5OZWgKaA1LAIWUaA+HlFKUKEsBSwFLAoaUaCSJQxAAAAAAAAAAAAAAAAAAAAAAlHSUYmhIaCRDCAAAAACzXGa/lIaUUpRlc2JoOymBlH2UaD5dlChdlChOTk5laApoDUsAhZRoD4eUUpQoSwFLAUsChpRoJIlDEAAAAEBNr28/AAAAACPyaD+UdJRiaEhoJEMIAAAAIHeObz+UhpRSlGVzYmg7KYGUfZRoPl2UKF2UKE5OTmVoCmgNSwCFlGgPh5RSlChLAUsBSwKGlGgkiUMQAAAAIHbL8z8AAACA/yz9P5R0lGJoSGgkQwgAAACARZlqP5SGlFKUZXNidJSMBWR0eXBllIwHZmxvYXQzMpR1Yi4='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: carried value', 'models: sizes that do not divide evenly', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': [[np.array([5, -1], dtype=np.int64), 2, "<ufunc 'tanh'>"], np.array([[-0.5769778490066528, -3.3583343029022217]], dtype=np.float64), np.array(0.05781640484929085, dtype=np.float64)], 'rule': {'__type__': 'Adam', 'eta': 0.006266011393492403, 'beta': (0.44371044656614766, 0.9158602984024211, ), 'epsilon': 0.001, 'variant': 'normative'}, 'ops': ({'__type__': 'Step', 'grads': [[None, None, None], np.array([[2.163043975830078, -0.9569646716117859]], dtype=np.float64), 5.820766091346741e-11]}, {'__type__': 'Step', 'grads': [[None, None, None], np.array([[0.0, 0.0]], dtype=np.float64), -0.0027297493070364]}, {'__type__': 'Step', 'grads': [[None, None, None], np.array([[0.003867770079523325, 0.0030451472848653793]], dtype=np.float64), 0.003852112451568246]}, {'__type__': 'Step', 'grads': [[None, None, None], np.array([[1.2371731996536255, 1.8234858512878418]], dtype=np.float64), 0.0032469136640429497]}, ), 'dtype': 'float32'}, 'model': [[{'__array__': [5, -1], 'dtype': 'int64'}, 2, "<ufunc 'tanh'>"], {'__array__': [[-0.5769778490066528, -3.3583343029022217]], 'dtype': 'float64'}, {'__array__': 0.05781640484929085, 'dtype': 'float64'}], 'rule': "Adam(eta=0.006266011393492403, beta=(0.44371044656614766, 0.9158602984024211), epsilon=0.001, variant='normative')", 'ops': [{'op': 'step', 'grads': [[None, None, None], {'__array__': [[2.163043975830078, -0.9569646716117859]], 'dtype': 'float64'}, 5.820766091346741e-11]}, {'op': 'step', 'grads': [[None, None, None], {'__array__': [[0.0, 0.0]], 'dtype': 'float64'}, -0.0027297493070364]}, {'op': 'step', 'grads': [[None, None, None], {'__array__': [[0.003867770079523325, 0.0030451472848653793]], 'dtype': 'float64'}, 0.003852112451568246]}, {'op': 'step', 'grads': [[None, None, None], {'__array__': [[1.2371731996536255, 1.8234858512878418]], 'dtype': 'float64'}, 0.0032469136640429497]}], 'rules': ["Adam(eta=0.006266011393492403, beta=(0.44371044656614766, 0.9158602984024211), epsilon=0.001, variant='normative')"], 'path': 'structured', 'dtype': 'float32', 'step': 4}


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
