#!/usr/bin/env python
"""optconf repro: mlx flat.path_matches_structured[Adam,per_array] deviates from FLAT-6.

model[0][0][0][2].bias=-0.01383663865660573, but should be -0.013836638985615496 [adapter=mlx, path=per_array, step=4, dtype=float64, observed=3.290097656122315e-10, allowed=2.991645383101162e-16]

Case seed 714684271.  Inside optconf, replay with:
    optconf replay --adapter mlx --property flat.path_matches_structured --rule Adam --path per_array --seed 714684271
"""

import sys

import numpy as np

ADAPTER = 'mlx'
CLAUSE = 'FLAT-6'
PATH = 'per_array'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter mlx --property flat.path_matches_structured --rule Adam --path per_array --seed 714684271'
RULE = {'name': 'Adam', 'eta': 0.005151867275190834, 'beta': (0.5001907040230541, 0.5, ), 'epsilon': 1e-08, 'variant': 'normative'}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array(-1.7905130548705726e-262, dtype=np.float64), np.array(-1.7905130548705726e-262, dtype=np.float64), np.array(-0.8068200263333152, dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array(0.000976552734375, dtype=np.float64), np.array(2.1398854914323113, dtype=np.float64), np.array(-3.454617043610753, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(2.2250738585072014e-308, dtype=np.float64), np.array(-2.2250738585072014e-308, dtype=np.float64), np.array(-2.2305743516849033e-196, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(0.0, dtype=np.float64), np.array(0.0, dtype=np.float64), np.array(0.0022009363740348956, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(3.8820409360896164, dtype=np.float64), np.array(-1.5470829641240544, dtype=np.float64), np.array(0.0, dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array(-0.013836638985615496, dtype=np.float64), np.array(-0.007281270910155484, dtype=np.float64), np.array(-0.7954216846663149, dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array(-0.01383663865660573, dtype=np.float64), np.array(-0.007281270787941066, dtype=np.float64), np.array(-0.7954216849184742, dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 2.991645383101162e-16
PROGRAM_PICKLE = 'gASViAQAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCiMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBFBhaXKUk5RdlF2UaAeMBURlbnNllJOUKYGUfZQojAZ3ZWlnaHSUjBZudW1weS5fY29yZS5tdWx0aWFycmF5lIwMX3JlY29uc3RydWN0lJOUjAVudW1weZSMB25kYXJyYXmUk5RLAIWUQwFilIeUUpQoSwEpaBSMBWR0eXBllJOUjAJpOJSJiIeUUpQoSwOMATyUTk5OSv////9K/////0sAdJRiiUMI+/////////+UdJRijARiaWFzlGgTaBZLAIWUaBiHlFKUKEsBKWgcjAJmOJSJiIeUUpQoSwNoIE5OTkr/////Sv////9LAHSUYolDCOwR7UVtjZaJlHSUYowFc2NhbGWUaBNoFksAhZRoGIeUUpQoSwEpaCqJQwgQ6QqU9QMDQJR0lGKMA2FjdJRoB4wIaWRlbnRpdHmUk5R1YoeUhZR9lCiMA2VuY5RdlCiITmgTaBZLAIWUaBiHlFKUKEsBKWgqiUMI7BHtRW2NlomUdJRiZYwBYZRdlHWGlIGUaBNoFksAhZRoGIeUUpQoSwEpaCqJQwiYgFs7eNHpv5R0lGJljARydWxllIwcb3B0Y29uZi5yZWZlcmVuY2UucnVsZXMuYWRhbZSMBEFkYW2Uk5QpgZR9lCiMA2V0YZRHP3UaH9ddS7GMBGJldGGURz/gAY/vcVn5Rz/gAAAAAAAAhpSMB2Vwc2lsb26URz5FeY7iMIw6jAd2YXJpYW50lIwJbm9ybWF0aXZllHVijANvcHOUKGgAjARTdGVwlJOUKYGUfZSMBWdyYWRzlF2UKF2UXZR9lChoEE5oJGgRjAZzY2FsYXKUk5RoKkMIHXdKB+v/Tz+UhpRSlGguTmg0TnWHlIWUfZQoaDpdlChOTmhhaCpDCOQX10h8HgFAlIaUUpRlaEFdlHWGlGhhaCpDCGAZtEIOowvAlIaUUpRlc2JoWCmBlH2UaFtdlChdlF2UfZQoaBBOaCRoYWgqQwgAAAAAAAAQAJSGlFKUaC5OaDROdYeUhZR9lChoOl2UKE5OaGFoKkMIAAAAAAAAEICUhpRSlGVoQV2UdYaUaGFoKkMIS+2xWHysUJeUhpRSlGVzYmhYKYGUfZRoW12UKF2UXZR9lChoEE5oJGhhaCpDCAAAAAAAAAAAlIaUUpRoLk5oNE51h5SFlH2UKGg6XZQoTk5oYWgqQwgAAAAAAAAAAJSGlFKUZWhBXZR1hpRoYWgqQwh04+e3sgdiP5SGlFKUZXNiaFgpgZR9lGhbXZQoXZRdlH2UKGgQTmgkaGFoKkMIsOdxemsOD0CUhpRSlGguTmg0TnWHlIWUfZQoaDpdlChOTmhhaCpDCO7I8RDawPi/lIaUUpRlaEFdlHWGlGhhaCpDCAAAAAAAAAAAlIaUUpRlc2J0lIwFZHR5cGWUjAdmbG9hdDY0lHViLg=='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: carried value', 'models: dict keys out of sorted order', 'models: layer with a non-trainable array', 'models: parameter three levels deep', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': [((([], [], {'__type__': 'Dense', 'weight': np.array(-5, dtype=np.int64), 'bias': np.array(-1.7905130548705726e-262, dtype=np.float64), 'scale': np.array(2.376933247168502, dtype=np.float64), 'act': '<function identity>'}, ), ), {'enc': [True, None, np.array(-1.7905130548705726e-262, dtype=np.float64)], 'a': []}, ), np.array(-0.8068200263333152, dtype=np.float64)], 'rule': {'__type__': 'Adam', 'eta': 0.005151867275190834, 'beta': (0.5001907040230541, 0.5, ), 'epsilon': 1e-08, 'variant': 'normative'}, 'ops': ({'__type__': 'Step', 'grads': [((([], [], {'weight': None, 'bias': 0.000976552734375, 'scale': None, 'act': None}, ), ), {'enc': [None, None, 2.1398854914323113], 'a': []}, ), -3.454617043610753]}, {'__type__': 'Step', 'grads': [((([], [], {'weight': None, 'bias': 2.2250738585072014e-308, 'scale': None, 'act': None}, ), ), {'enc': [None, None, -2.2250738585072014e-308], 'a': []}, ), -2.2305743516849033e-196]}, {'__type__': 'Step', 'grads': [((([], [], {'weight': None, 'bias': 0.0, 'scale': None, 'act': None}, ), ), {'enc': [None, None, 0.0], 'a': []}, ), 0.0022009363740348956]}, {'__type__': 'Step', 'grads': [((([], [], {'weight': None, 'bias': 3.8820409360896164, 'scale': None, 'act': None}, ), ), {'enc': [None, None, -1.5470829641240544], 'a': []}, ), 0.0]}, ), 'dtype': 'float64'}, 'model': [[[[[], [], {'__type__': 'Dense', 'weight': {'__array__': -5, 'dtype': 'int64'}, 'bias': {'__array__': -1.7905130548705726e-262, 'dtype': 'float64'}, 'scale': {'__array__': 2.376933247168502, 'dtype': 'float64'}, 'act': '<function identity>'}]], {'enc': [True, None, {'__array__': -1.7905130548705726e-262, 'dtype': 'float64'}], 'a': []}], {'__array__': -0.8068200263333152, 'dtype': 'float64'}], 'rule': "Adam(eta=0.005151867275190834, beta=(0.5001907040230541, 0.5), epsilon=1e-08, variant='normative')", 'ops': [{'op': 'step', 'grads': [[[[[], [], {'weight': None, 'bias': 0.000976552734375, 'scale': None, 'act': None}]], {'enc': [None, None, 2.1398854914323113], 'a': []}], -3.454617043610753]}, {'op': 'step', 'grads': [[[[[], [], {'weight': None, 'bias': 2.2250738585072014e-308, 'scale': None, 'act': None}]], {'enc': [None, None, -2.2250738585072014e-308], 'a': []}], -2.2305743516849033e-196]}, {'op': 'step', 'grads': [[[[[], [], {'weight': None, 'bias': 0.0, 'scale': None, 'act': None}]], {'enc': [None, None, 0.0], 'a': []}], 0.0022009363740348956]}, {'op': 'step', 'grads': [[[[[], [], {'weight': None, 'bias': 3.8820409360896164, 'scale': None, 'act': None}]], {'enc': [None, None, -1.5470829641240544], 'a': []}], 0.0]}], 'rules': ["Adam(eta=0.005151867275190834, beta=(0.5001907040230541, 0.5), epsilon=1e-08, variant='normative')"], 'path': 'per_array', 'dtype': 'float64', 'step': 4}


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
