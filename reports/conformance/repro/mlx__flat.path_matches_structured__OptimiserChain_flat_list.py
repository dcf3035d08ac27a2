#!/usr/bin/env python
"""optconf repro: mlx flat.path_matches_structured[OptimiserChain,flat_list] deviates from FLAT-6.

model.b=3.426415577581082, but should be 3.426415577814752 [adapter=mlx, path=flat_list, step=4, dtype=float64, observed=2.3366997226048625e-10, allowed=6.906947489361143e-15]

Case seed 24100594.  Inside optconf, replay with:
    optconf replay --adapter mlx --property flat.path_matches_structured --rule OptimiserChain --path flat_list --seed 24100594
"""

import sys

import numpy as np

ADAPTER = 'mlx'
CLAUSE = 'FLAT-6'
PATH = 'flat_list'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter mlx --property flat.path_matches_structured --rule OptimiserChain --path flat_list --seed 24100594'
RULE = {'name': 'OptimiserChain', 'rules': ({'__type__': 'Adam', 'eta': 0.00635382014222566, 'beta': (0.16775928294017725, 0.9243491930076551, ), 'epsilon': 0.001, 'variant': 'normative'}, )}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array(3.4361199164402176, dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array(0.0033315243914219927, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(0.0, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(0.0, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(0.0020235281479995884, dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array(3.426415577814752, dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array(3.426415577581082, dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 6.906947489361143e-15
PROGRAM_PICKLE = 'gASVXAMAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJSMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBUJsb2NrlJOUKYGUfZQojAF3lGgGjAVEZW5zZZSTlCmBlH2UKIwGd2VpZ2h0lEsDjARiaWFzlIiMBXNjYWxllIwWbnVtcHkuX2NvcmUubXVsdGlhcnJheZSMDF9yZWNvbnN0cnVjdJSTlIwFbnVtcHmUjAduZGFycmF5lJOUSwCFlEMBYpSHlFKUKEsBKWgWjAVkdHlwZZSTlIwCZjiUiYiHlFKUKEsDjAE8lE5OTkr/////Sv////9LAHSUYolDCJtjCgAAABC4lHSUYowDYWN0lGgWjAR0YW5olJOUdWKMAWKUaBVoGEsAhZRoGoeUUpQoSwEpaCGJQwi89VFwLH0LQJR0lGKMBG5vdGWUjAVibG9ja5R1YowEcnVsZZSMH29wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLmNvbXBvc2WUjA5PcHRpbWlzZXJDaGFpbpSTlCmBlH2UjAVydWxlc5SMHG9wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLmFkYW2UjARBZGFtlJOUKYGUfZQojANldGGURz96BnabcsqijARiZXRhlEc/xXki3OoLX0c/7ZREwkGo7IaUjAdlcHNpbG9ulEc/UGJN0vGp/IwHdmFyaWFudJSMCW5vcm1hdGl2ZZR1YoWUc2KMA29wc5QoaACMBFN0ZXCUk5QpgZR9lIwFZ3JhZHOUfZQoaAt9lChoEE5oEU5oEk5oJk51aCloE4wGc2NhbGFylJOUaCFDCJzP0om2Sms/lIaUUpRoL051c2JoRimBlH2UaEl9lChoC32UKGgQTmgRTmgSTmgmTnVoKWhNaCFDCAAAAAAAAAAAlIaUUpRoL051c2JoRimBlH2UaEl9lChoC32UKGgQTmgRTmgSTmgmTnVoKWhNaCFDCAAAAAAAAAAAlIaUUpRoL051c2JoRimBlH2UaEl9lChoC32UKGgQTmgRTmgSTmgmTnVoKWhNaCFDCFBx+2alk2A/lIaUUpRoL051c2J0lIwFZHR5cGWUjAdmbG9hdDY0lHViLg=='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: carried value', 'models: layer with a non-trainable array', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': {'__type__': 'Block', 'w': {'__type__': 'Dense', 'weight': 3, 'bias': True, 'scale': np.array(-1.175494351e-38, dtype=np.float64), 'act': "<ufunc 'tanh'>"}, 'b': np.array(3.4361199164402176, dtype=np.float64), 'note': 'block'}, 'rule': {'__type__': 'OptimiserChain', 'rules': ({'__type__': 'Adam', 'eta': 0.00635382014222566, 'beta': (0.16775928294017725, 0.9243491930076551, ), 'epsilon': 0.001, 'variant': 'normative'}, )}, 'ops': ({'__type__': 'Step', 'grads': {'w': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'b': 0.0033315243914219927, 'note': None}}, {'__type__': 'Step', 'grads': {'w': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'b': 0.0, 'note': None}}, {'__type__': 'Step', 'grads': {'w': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'b': 0.0, 'note': None}}, {'__type__': 'Step', 'grads': {'w': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'b': 0.0020235281479995884, 'note': None}}, ), 'dtype': 'float64'}, 'model': {'__type__': 'Block', 'w': {'__type__': 'Dense', 'weight': 3, 'bias': True, 'scale': {'__array__': -1.175494351e-38, 'dtype': 'float64'}, 'act': "<ufunc 'tanh'>"}, 'b': {'__array__': 3.4361199164402176, 'dtype': 'float64'}, 'note': 'block'}, 'rule': "OptimiserChain(Adam(eta=0.00635382014222566, beta=(0.16775928294017725, 0.9243491930076551), epsilon=0.001, variant='normative'))", 'ops': [{'op': 'step', 'grads': {'w': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'b': 0.0033315243914219927, 'note': None}}, {'op': 'step', 'grads': {'w': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'b': 0.0, 'note': None}}, {'op': 'step', 'grads': {'w': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'b': 0.0, 'note': None}}, {'op': 'step', 'grads': {'w': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'b': 0.0020235281479995884, 'note': None}}], 'rules': ["OptimiserChain(Adam(eta=0.00635382014222566, beta=(0.16775928294017725, 0.9243491930076551), epsilon=0.001, variant='normative'))"], 'path': 'flat_list', 'dtype': 'float64', 'step': 4}


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
