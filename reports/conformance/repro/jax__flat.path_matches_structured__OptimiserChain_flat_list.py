#!/usr/bin/env python
"""optconf repro: jax flat.path_matches_structured[OptimiserChain,flat_list] deviates from FLAT-6.

model.b.b[0][1]=0.037578106085660985, but should be 0.03757810537318243 [adapter=jax, path=flat_list, step=4, dtype=float64, observed=7.124785553203061e-10, allowed=4.190384626076344e-15]

Case seed 1314655855.  Inside optconf, replay with:
    optconf replay --adapter jax --property flat.path_matches_structured --rule OptimiserChain --path flat_list --seed 1314655855
"""

import sys

import numpy as np

ADAPTER = 'jax'
CLAUSE = 'FLAT-6'
PATH = 'flat_list'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter jax --property flat.path_matches_structured --rule OptimiserChain --path flat_list --seed 1314655855'
RULE = {'name': 'OptimiserChain', 'rules': ({'__type__': 'AccumGrad', 'n': 3}, {'__type__': 'Momentum', 'eta': 0.04005380710337391, 'rho': 0.1397416471550587, 'variant': 'normative'}, )}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([-1.8714141054039248, 3.4462919970240605e-220], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([-1.1754943508222875e-38, -2.8178136917533987], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([0.0003255208333333333, 0.0032418876651130694], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([-1.4313693773054719, 2.7313144701443296e-258], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([0.0, 0.0], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([-1.8523078538760571, 0.03757810537318243], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([-1.8523078538761866, 0.037578106085660985], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 4.190384626076344e-15
PROGRAM_PICKLE = 'gASVEwUAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJSMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBUJsb2NrlJOUKYGUfZQojAF3lH2UKIwDZW5jlIwAlE5LAoeUaAtdlIwWbnVtcHkuX2NvcmUubXVsdGlhcnJheZSMDF9yZWNvbnN0cnVjdJSTlIwFbnVtcHmUjAduZGFycmF5lJOUSwCFlEMBYpSHlFKUKEsBSwGFlGgUjAVkdHlwZZSTlIwCaTiUiYiHlFKUKEsDjAE8lE5OTkr/////Sv////9LAHSUYolDCAUAAAAAAAAAlHSUYmF1jAFilGgIKYGUfZQoaAtoBowFRGVuc2WUk5QpgZR9lCiMBndlaWdodJSIjARiaWFzlGgTaBZLAIWUaBiHlFKUKEsBKWggiUMI+/////////+UdJRijAVzY2FsZZRoE2gWSwCFlGgYh5RSlChLAUsASwFLAoeUaB2MAmY4lImIh5RSlChLA2ghTk5OSv////9K/////0sAdJRiiUMAlHSUYowDYWN0lGgUjAR0YW5olJOUdWJoJV2UKGgTaBZLAIWUaBiHlFKUKEsBSwKFlGg6iUMQLrq/6k/x/b9eRsZTwyRfEpR0lGJOaBNoFksAhZRoGIeUUpQoSwEpaCCJQwgDAAAAAAAAAJR0lGJljARub3RllIwFYmxvY2uUdWJoTYwEaGVhZJR1YowEcnVsZZSMH29wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLmNvbXBvc2WUjA5PcHRpbWlzZXJDaGFpbpSTlCmBlH2UjAVydWxlc5RoUYwJQWNjdW1HcmFklJOUKYGUfZSMAW6USwNzYowfb3B0Y29uZi5yZWZlcmVuY2UucnVsZXMuZGVzY2VudJSMCE1vbWVudHVtlJOUKYGUfZQojANldGGURz+kge6/LbaPjANyaG+URz/B4w3mNcdujAd2YXJpYW50lIwJbm9ybWF0aXZllHVihpRzYowDb3BzlChoAIwEU3RlcJSTlCmBlH2UjAVncmFkc5R9lChoC32UKGgNTk5Oh5RoC12UTmF1aCV9lChoC32UKGgsTmgtTmgzTmg+TnVoJV2UKGgTaBZLAIWUaBiHlFKUKEsBSwKFlGg6iUMQAAAAAAAAELg8aqLn4YoGwJR0lGJOTmVoTU51aE1OdXNiaGgpgZR9lGhrfZQoaAt9lChoDU5OToeUaAtdlE5hdWglfZQoaAt9lChoLE5oLU5oM05oPk51aCVdlChoE2gWSwCFlGgYh5RSlChLAUsChZRoOolDEFVVVVVVVTU/dIj3L7uOaj+UdJRiTk5laE1OdWhNTnVzYmhoKYGUfZRoa32UKGgLfZQoaA1OTk6HlGgLXZROYXVoJX2UKGgLfZQoaCxOaC1OaDNOaD5OdWglXZQoaBNoFksAhZRoGIeUUpQoSwFLAoWUaDqJQxC+XYCT4+b2v07PlmJd/3QKlHSUYk5OZWhNTnVoTU51c2JoaCmBlH2UaGt9lChoC32UKGgNTk5Oh5RoC12UTmF1aCV9lChoC32UKGgsTmgtTmgzTmg+TnVoJV2UKGgTaBZLAIWUaBiHlFKUKEsBSwKFlGg6iUMQAAAAAAAAAAAAAAAAAAAAAJR0lGJOTmVoTU51aE1OdXNidJSMBWR0eXBllIwHZmxvYXQ2NJR1Yi4='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: carried value', 'models: layer with a non-trainable array', 'models: parameter three levels deep', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': {'__type__': 'Block', 'w': {'enc': ('', None, 2, ), 'w': [np.array([5], dtype=np.int64)]}, 'b': {'__type__': 'Block', 'w': {'__type__': 'Dense', 'weight': True, 'bias': np.array(-5, dtype=np.int64), 'scale': np.array([], dtype=np.float64), 'act': "<ufunc 'tanh'>"}, 'b': [np.array([-1.8714141054039248, 3.4462919970240605e-220], dtype=np.float64), None, np.array(3, dtype=np.int64)], 'note': 'block'}, 'note': 'head'}, 'rule': {'__type__': 'OptimiserChain', 'rules': ({'__type__': 'AccumGrad', 'n': 3}, {'__type__': 'Momentum', 'eta': 0.04005380710337391, 'rho': 0.1397416471550587, 'variant': 'normative'}, )}, 'ops': ({'__type__': 'Step', 'grads': {'w': {'enc': (None, None, None, ), 'w': [None]}, 'b': {'w': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'b': [np.array([-1.1754943508222875e-38, -2.8178136917533987], dtype=np.float64), None, None], 'note': None}, 'note': None}}, {'__type__': 'Step', 'grads': {'w': {'enc': (None, None, None, ), 'w': [None]}, 'b': {'w': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'b': [np.array([0.0003255208333333333, 0.0032418876651130694], dtype=np.float64), None, None], 'note': None}, 'note': None}}, {'__type__': 'Step', 'grads': {'w': {'enc': (None, None, None, ), 'w': [None]}, 'b': {'w': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'b': [np.array([-1.4313693773054719, 2.7313144701443296e-258], dtype=np.float64), None, None], 'note': None}, 'note': None}}, {'__type__': 'Step', 'grads': {'w': {'enc': (None, None, None, ), 'w': [None]}, 'b': {'w': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'b': [np.array([0.0, 0.0], dtype=np.float64), None, None], 'note': None}, 'note': None}}, ), 'dtype': 'float64'}, 'model': {'__type__': 'Block', 'w': {'enc': ['', None, 2], 'w': [{'__array__': [5], 'dtype': 'int64'}]}, 'b': {'__type__': 'Block', 'w': {'__type__': 'Dense', 'weight': True, 'bias': {'__array__': -5, 'dtype': 'int64'}, 'scale': {'__array__': [], 'dtype': 'float64'}, 'act': "<ufunc 'tanh'>"}, 'b': [{'__array__': [-1.8714141054039248, 3.4462919970240605e-220], 'dtype': 'float64'}, None, {'__array__': 3, 'dtype': 'int64'}], 'note': 'block'}, 'note': 'head'}, 'rule': "OptimiserChain(AccumGrad(n=3), Momentum(eta=0.04005380710337391, rho=0.1397416471550587, variant='normative'))", 'ops': [{'op': 'step', 'grads': {'w': {'enc': [None, None, None], 'w': [None]}, 'b': {'w': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'b': [{'__array__': [-1.1754943508222875e-38, -2.8178136917533987], 'dtype': 'float64'}, None, None], 'note': None}, 'note': None}}, {'op': 'step', 'grads': {'w': {'enc': [None, None, None], 'w': [None]}, 'b': {'w': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'b': [{'__array__': [0.0003255208333333333, 0.0032418876651130694], 'dtype': 'float64'}, None, None], 'note': None}, 'note': None}}, {'op': 'step', 'grads': {'w': {'enc': [None, None, None], 'w': [None]}, 'b': {'w': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'b': [{'__array__': [-1.4313693773054719, 2.7313144701443296e-258], 'dtype': 'float64'}, None, None], 'note': None}, 'note': None}}, {'op': 'step', 'grads': {'w': {'enc': [None, None, None], 'w': [None]}, 'b': {'w': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'b': [{'__array__': [0.0, 0.0], 'dtype': 'float64'}, None, None], 'note': None}, 'note': None}}], 'rules': ["OptimiserChain(AccumGrad(n=3), Momentum(eta=0.04005380710337391, rho=0.1397416471550587, variant='normative'))"], 'path': 'flat_list', 'dtype': 'float64', 'step': 4}


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
