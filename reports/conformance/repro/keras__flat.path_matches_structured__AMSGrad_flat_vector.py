#!/usr/bin/env python
"""optconf repro: keras flat.path_matches_structured[AMSGrad,flat_vector] deviates from FLAT-6.

model[1]=1.998508301735576, but should be 1.9985002966664267 [adapter=keras, path=flat_vector, step=4, dtype=float64, observed=8.005069149330524e-06, allowed=4.094049857175985e-15]

Case seed 590347479.  Inside optconf, replay with:
    optconf replay --adapter keras --property flat.path_matches_structured --rule AMSGrad --path flat_vector --seed 590347479
"""

import sys

import numpy as np

ADAPTER = 'keras'
CLAUSE = 'FLAT-6'
PATH = 'flat_vector'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter keras --property flat.path_matches_structured --rule AMSGrad --path flat_vector --seed 590347479'
RULE = {'name': 'AMSGrad', 'eta': 0.005210078426997948, 'beta': (0.8060428471424458, 0.8464397888238485, ), 'epsilon': 0.001, 'variant': 'torch'}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array(2.007165770931179, dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array(5.820766091346741e-11, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(1.1, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(-0.001618815016159196, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(0.0021099303989351673, dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array(1.9985002966664267, dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array(1.998508301735576, dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 4.094049857175985e-15
PROGRAM_PICKLE = 'gASVGgQAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCh9lCiMA2RlY5SMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBURlbnNllJOUKYGUfZQojAZ3ZWlnaHSUaAmMCGlkZW50aXR5lJOUjARiaWFzlIwWbnVtcHkuX2NvcmUubXVsdGlhcnJheZSMDF9yZWNvbnN0cnVjdJSTlIwFbnVtcHmUjAduZGFycmF5lJOUSwCFlEMBYpSHlFKUKEsBKWgVjAVkdHlwZZSTlIwCaTiUiYiHlFKUKEsDjAE8lE5OTkr/////Sv////9LAHSUYolDCAQAAAAAAAAAlHSUYowFc2NhbGWUaBRoF0sAhZRoGYeUUpQoSwEpaB2MAmY4lImIh5RSlChLA2ghTk5OSv////9K/////0sAdJRiiUMIaDKkyJ8FCcCUdJRijANhY3SUaBB1Yl2UaBRoF0sAhZRoGYeUUpQoSwEpaCCJQwj9/////////5R0lGJhXZQoTkr/////iGWHlIwDZW5jlH2UKIwBd5RLAowBYpRoFGgXSwCFlGgZh5RSlChLAUsAhZRoIIlDAJR0lGKMAWGUjACUdXVoFGgXSwCFlGgZh5RSlChLASloK4lDCHxmfu2sDgBAlHSUYmWMBHJ1bGWUjB5vcHRjb25mLnJlZmVyZW5jZS5ydWxlcy5tYXhpbWGUjAdBTVNHcmFklJOUKYGUfZQojANldGGURz91VynHQb8FjARiZXRhlEc/6csaXnTZWUc/6xYI5WECq4aUjAdlcHNpbG9ulEc/UGJN0vGp/IwHdmFyaWFudJSMBXRvcmNolHVijANvcHOUKGgAjARTdGVwlJOUKYGUfZSMBWdyYWRzlF2UKH2UKGgIfZQoaA5OaBFOaCVOaC9OdV2UTmFdlChOTk5lh5RoOH2UKGg6Tmg7TmhCTnV1aBKMBnNjYWxhcpSTlGgrQwgAAAAAAADQPZSGlFKUZXNiaFcpgZR9lGhaXZQofZQoaAh9lChoDk5oEU5oJU5oL051XZROYV2UKE5OTmWHlGg4fZQoaDpOaDtOaEJOdXVoY2grQwiamZmZmZnxP5SGlFKUZXNiaFcpgZR9lGhaXZQofZQoaAh9lChoDk5oEU5oJU5oL051XZROYV2UKE5OTmWHlGg4fZQoaDpOaDtOaEJOdXVoY2grQwhGEV9jzYVav5SGlFKUZXNiaFcpgZR9lGhaXZQofZQoaAh9lChoDk5oEU5oJU5oL051XZROYV2UKE5OTmWHlGg4fZQoaDpOaDtOaEJOdXVoY2grQwg0rO1B2EhhP5SGlFKUZXNidJSMBWR0eXBllIwHZmxvYXQ2NJR1Yi4='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: carried value', 'models: dict keys out of sorted order', 'models: layer with a non-trainable array'], 'program': {'__type__': 'Program', 'model': [{'dec': ({'__type__': 'Dense', 'weight': '<function identity>', 'bias': np.array(4, dtype=np.int64), 'scale': np.array(-3.1277461695774953, dtype=np.float64), 'act': '<function identity>'}, [np.array(-3, dtype=np.int64)], [None, -1, True], ), 'enc': {'w': 2, 'b': np.array([], dtype=np.int64), 'a': ''}}, np.array(2.007165770931179, dtype=np.float64)], 'rule': {'__type__': 'AMSGrad', 'eta': 0.005210078426997948, 'beta': (0.8060428471424458, 0.8464397888238485, ), 'epsilon': 0.001, 'variant': 'torch'}, 'ops': ({'__type__': 'Step', 'grads': [{'dec': ({'weight': None, 'bias': None, 'scale': None, 'act': None}, [None], [None, None, None], ), 'enc': {'w': None, 'b': None, 'a': None}}, 5.820766091346741e-11]}, {'__type__': 'Step', 'grads': [{'dec': ({'weight': None, 'bias': None, 'scale': None, 'act': None}, [None], [None, None, None], ), 'enc': {'w': None, 'b': None, 'a': None}}, 1.1]}, {'__type__': 'Step', 'grads': [{'dec': ({'weight': None, 'bias': None, 'scale': None, 'act': None}, [None], [None, None, None], ), 'enc': {'w': None, 'b': None, 'a': None}}, -0.001618815016159196]}, {'__type__': 'Step', 'grads': [{'dec': ({'weight': None, 'bias': None, 'scale': None, 'act': None}, [None], [None, None, None], ), 'enc': {'w': None, 'b': None, 'a': None}}, 0.0021099303989351673]}, ), 'dtype': 'float64'}, 'model': [{'dec': [{'__type__': 'Dense', 'weight': '<function identity>', 'bias': {'__array__': 4, 'dtype': 'int64'}, 'scale': {'__array__': -3.1277461695774953, 'dtype': 'float64'}, 'act': '<function identity>'}, [{'__array__': -3, 'dtype': 'int64'}], [None, -1, True]], 'enc': {'w': 2, 'b': {'__array__': [], 'dtype': 'int64'}, 'a': ''}}, {'__array__': 2.007165770931179, 'dtype': 'float64'}], 'rule': "AMSGrad(eta=0.005210078426997948, beta=(0.8060428471424458, 0.8464397888238485), epsilon=0.001, variant='torch')", 'ops': [{'op': 'step', 'grads': [{'dec': [{'weight': None, 'bias': None, 'scale': None, 'act': None}, [None], [None, None, None]], 'enc': {'w': None, 'b': None, 'a': None}}, 5.820766091346741e-11]}, {'op': 'step', 'grads': [{'dec': [{'weight': None, 'bias': None, 'scale': None, 'act': None}, [None], [None, None, None]], 'enc': {'w': None, 'b': None, 'a': None}}, 1.1]}, {'op': 'step', 'grads': [{'dec': [{'weight': None, 'bias': None, 'scale': None, 'act': None}, [None], [None, None, None]], 'enc': {'w': None, 'b': None, 'a': None}}, -0.001618815016159196]}, {'op': 'step', 'grads': [{'dec': [{'weight': None, 'bias': None, 'scale': None, 'act': None}, [None], [None, None, None]], 'enc': {'w': None, 'b': None, 'a': None}}, 0.0021099303989351673]}], 'rules': ["AMSGrad(eta=0.005210078426997948, beta=(0.8060428471424458, 0.8464397888238485), epsilon=0.001, variant='torch')"], 'path': 'flat_vector', 'dtype': 'float64', 'step': 4}


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
