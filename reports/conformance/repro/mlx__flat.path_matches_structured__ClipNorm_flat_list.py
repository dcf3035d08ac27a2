#!/usr/bin/env python
"""optconf repro: mlx flat.path_matches_structured[ClipNorm,flat_list] deviates from FLAT-6.

model[0][1][0][1][0]=-1.3165100809196733, but should be -1.316510554120462 [adapter=mlx, path=flat_list, step=4, dtype=float64, observed=4.732007887753298e-07, allowed=7.004832190122306e-15]

Case seed 3648007015.  Inside optconf, replay with:
    optconf replay --adapter mlx --property flat.path_matches_structured --rule ClipNorm --path flat_list --seed 3648007015
"""

import sys

import numpy as np

ADAPTER = 'mlx'
CLAUSE = 'FLAT-6'
PATH = 'flat_list'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter mlx --property flat.path_matches_structured --rule ClipNorm --path flat_list --seed 3648007015'
RULE = {'name': 'ClipNorm', 'omega': 0.5253718802065993, 'p': 2.0, 'throw': True}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([-1.316510554120462], dtype=np.float64), np.array([], dtype=np.float64), np.array([[[]]], dtype=np.float64), np.array([[[]], [[]]], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([0.7392567563446084], dtype=np.float64), np.array([], dtype=np.float64), np.array([[[]]], dtype=np.float64), np.array([[[]], [[]]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([0.0], dtype=np.float64), np.array([], dtype=np.float64), np.array([[[]]], dtype=np.float64), np.array([[[]], [[]]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([-2.2123329353474843], dtype=np.float64), np.array([], dtype=np.float64), np.array([[[]]], dtype=np.float64), np.array([[[]], [[]]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([0.0], dtype=np.float64), np.array([], dtype=np.float64), np.array([[[]]], dtype=np.float64), np.array([[[]], [[]]], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([-1.316510554120462], dtype=np.float64), np.array([], dtype=np.float64), np.array([[[]]], dtype=np.float64), np.array([[[]], [[]]], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([-1.3165100809196733], dtype=np.float64), np.array([], dtype=np.float64), np.array([[[]]], dtype=np.float64), np.array([[[]], [[]]], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 7.004832190122306e-15
PROGRAM_PICKLE = 'gASVLAUAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlChdlChdlIweb3B0Y29uZi5jb25mb3JtYW5jZS5zdHJhdGVnaWVzlIwEUGFpcpSTlGgLSwGMFm51bXB5Ll9jb3JlLm11bHRpYXJyYXmUjAxfcmVjb25zdHJ1Y3SUk5SMBW51bXB5lIwHbmRhcnJheZSTlEsAhZRDAWKUh5RSlChLAUsBhZRoD4wFZHR5cGWUk5SMAmY4lImIh5RSlChLA4wBPJROTk5K/////0r/////SwB0lGKJQwhelOxebRD1v5R0lGKGlIGUaAtLA4iGlIGUhpSBlGgJjAVEZW5zZZSTlCmBlH2UKIwGd2VpZ2h0lGgOaBFLAIWUaBOHlFKUKEsBSwCFlGgbiUMAlHSUYowEYmlhc5RLA4wFc2NhbGWUaA5oEUsAhZRoE4eUUpQoSwEpaBuJQwiQBYl1IfMPwJR0lGKMA2FjdJRoCYwIaWRlbnRpdHmUk5R1YmVoDmgRSwCFlGgTh5RSlChLAUsBSwFLAIeUaBuJaC90lGJoDmgRSwCFlGgTh5RSlChLAUsCSwFLAIeUaBuJaC90lGJljARydWxllIwcb3B0Y29uZi5yZWZlcmVuY2UucnVsZXMuY2xpcJSMCENsaXBOb3JtlJOUKYGUfZQojAVvbWVnYZRHP+DP2LB3NkOMAXCUR0AAAAAAAAAAjAV0aHJvd5SIdWKMA29wc5QoaACMBFN0ZXCUk5QpgZR9lIwFZ3JhZHOUXZQoXZQoXZROaA5oEUsAhZRoE4eUUpQoSwFLAYWUaBuJQwi4G/vI/afnP5R0lGKGlE5OhpSGlH2UKGgqaA5oEUsAhZRoE4eUUpQoSwFLAIWUaBuJaC90lGJoMU5oMk5oOE51ZWgOaBFLAIWUaBOHlFKUKEsBSwFLAUsAh5RoG4loL3SUYmgOaBFLAIWUaBOHlFKUKEsBSwJLAUsAh5RoG4loL3SUYmVzYmhQKYGUfZRoU12UKF2UKF2UTmgOaBFLAIWUaBOHlFKUKEsBSwGFlGgbiUMIAAAAAAAAAACUdJRihpROToaUhpR9lChoKmgOaBFLAIWUaBOHlFKUKEsBSwCFlGgbiWgvdJRiaDFOaDJOaDhOdWVoDmgRSwCFlGgTh5RSlChLAUsBSwFLAIeUaBuJaC90lGJoDmgRSwCFlGgTh5RSlChLAUsCSwFLAIeUaBuJaC90lGJlc2JoUCmBlH2UaFNdlChdlChdlE5oDmgRSwCFlGgTh5RSlChLAUsBhZRoG4lDCPNyKZzbsgHAlHSUYoaUTk6GlIaUfZQoaCpoDmgRSwCFlGgTh5RSlChLAUsAhZRoG4loL3SUYmgxTmgyTmg4TnVlaA5oEUsAhZRoE4eUUpQoSwFLAUsBSwCHlGgbiWgvdJRiaA5oEUsAhZRoE4eUUpQoSwFLAksBSwCHlGgbiWgvdJRiZXNiaFApgZR9lGhTXZQoXZQoXZROaA5oEUsAhZRoE4eUUpQoSwFLAYWUaBuJQwgAAAAAAAAAAJR0lGKGlE5OhpSGlH2UKGgqaA5oEUsAhZRoE4eUUpQoSwFLAIWUaBuJaC90lGJoMU5oMk5oOE51ZWgOaBFLAIWUaBOHlFKUKEsBSwFLAUsAh5RoG4loL3SUYmgOaBFLAIWUaBOHlFKUKEsBSwJLAUsAh5RoG4loL3SUYmVzYnSUjAVkdHlwZZSMB2Zsb2F0NjSUdWIu'
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: carried value', 'models: empty array', 'models: layer with a non-trainable array', 'models: parameter three levels deep', 'models: sizes that do not divide evenly', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': [[[], ((1, np.array([-1.316510554120462], dtype=np.float64), ), (3, True, ), ), {'__type__': 'Dense', 'weight': np.array([], dtype=np.float64), 'bias': 3, 'scale': np.array(-3.99371616196067, dtype=np.float64), 'act': '<function identity>'}], np.array([[[]]], dtype=np.float64), np.array([[[]], [[]]], dtype=np.float64)], 'rule': {'__type__': 'ClipNorm', 'omega': 0.5253718802065993, 'p': 2.0, 'throw': True}, 'ops': ({'__type__': 'Step', 'grads': [[[], ((None, np.array([0.7392567563446084], dtype=np.float64), ), (None, None, ), ), {'weight': np.array([], dtype=np.float64), 'bias': None, 'scale': None, 'act': None}], np.array([[[]]], dtype=np.float64), np.array([[[]], [[]]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [[[], ((None, np.array([0.0], dtype=np.float64), ), (None, None, ), ), {'weight': np.array([], dtype=np.float64), 'bias': None, 'scale': None, 'act': None}], np.array([[[]]], dtype=np.float64), np.array([[[]], [[]]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [[[], ((None, np.array([-2.2123329353474843], dtype=np.float64), ), (None, None, ), ), {'weight': np.array([], dtype=np.float64), 'bias': None, 'scale': None, 'act': None}], np.array([[[]]], dtype=np.float64), np.array([[[]], [[]]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [[[], ((None, np.array([0.0], dtype=np.float64), ), (None, None, ), ), {'weight': np.array([], dtype=np.float64), 'bias': None, 'scale': None, 'act': None}], np.array([[[]]], dtype=np.float64), np.array([[[]], [[]]], dtype=np.float64)]}, ), 'dtype': 'float64'}, 'model': [[[], [[1, {'__array__': [-1.316510554120462], 'dtype': 'float64'}], [3, True]], {'__type__': 'Dense', 'weight': {'__array__': [], 'dtype': 'float64'}, 'bias': 3, 'scale': {'__array__': -3.99371616196067, 'dtype': 'float64'}, 'act': '<function identity>'}], {'__array__': [[[]]], 'dtype': 'float64'}, {'__array__': [[[]], [[]]], 'dtype': 'float64'}], 'rule': 'ClipNorm(omega=0.5253718802065993, p=2.0, throw=True)', 'ops': [{'op': 'step', 'grads': [[[], [[None, {'__array__': [0.7392567563446084], 'dtype': 'float64'}], [None, None]], {'weight': {'__array__': [], 'dtype': 'float64'}, 'bias': None, 'scale': None, 'act': None}], {'__array__': [[[]]], 'dtype': 'float64'}, {'__array__': [[[]], [[]]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [[[], [[None, {'__array__': [0.0], 'dtype': 'float64'}], [None, None]], {'weight': {'__array__': [], 'dtype': 'float64'}, 'bias': None, 'scale': None, 'act': None}], {'__array__': [[[]]], 'dtype': 'float64'}, {'__array__': [[[]], [[]]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [[[], [[None, {'__array__': [-2.2123329353474843], 'dtype': 'float64'}], [None, None]], {'weight': {'__array__': [], 'dtype': 'float64'}, 'bias': None, 'scale': None, 'act': None}], {'__array__': [[[]]], 'dtype': 'float64'}, {'__array__': [[[]], [[]]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [[[], [[None, {'__array__': [0.0], 'dtype': 'float64'}], [None, None]], {'weight': {'__array__': [], 'dtype': 'float64'}, 'bias': None, 'scale': None, 'act': None}], {'__array__': [[[]]], 'dtype': 'float64'}, {'__array__': [[[]], [[]]], 'dtype': 'float64'}]}], 'rules': ['ClipNorm(omega=0.5253718802065993, p=2.0, throw=True)'], 'path': 'flat_list', 'dtype': 'float64', 'step': 4}


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
