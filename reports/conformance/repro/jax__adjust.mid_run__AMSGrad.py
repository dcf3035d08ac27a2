#!/usr/bin/env python
"""optconf repro: jax adjust.mid_run[AMSGrad] deviates from ADJ-2.

model[1][1]=-0.8014379143714905, but should be -0.8009462245834198 [adapter=jax, path=structured, step=4, dtype=float32, observed=0.0004916897880706816, allowed=2.564800306973449e-06]

Case seed 1346695338.  Inside optconf, replay with:
    optconf replay --adapter jax --property adjust.mid_run --rule AMSGrad --seed 1346695338
"""

import sys

import numpy as np

ADAPTER = 'jax'
CLAUSE = 'ADJ-2'
PATH = 'structured'
DTYPE = 'float32'
REPLAY = 'optconf replay --adapter jax --property adjust.mid_run --rule AMSGrad --seed 1346695338'
RULE = {'name': 'AMSGrad', 'eta': 0.001331342487177689, 'beta': (6.103515625e-05, 0.9284383574296939, ), 'epsilon': 0.001, 'variant': 'optax'}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([-2.5381481647491455, -0.8003314137458801], dtype=np.float64), np.array(1.7526240348815918, dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([0.0, 0.0], dtype=np.float64), np.array(0.0, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([0.003817523131147027, -0.00146484375], dtype=np.float64), np.array(3.144746780395508, dtype=np.float64)]}, {'op': 'adjust', 'changes': {'epsilon': 1e-08, 'beta': (1e-06, 0.695579461810594, )}}, {'op': 'step', 'grads': [np.array([0.0, 0.0], dtype=np.float64), np.array(-0.00032552084303461015, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([-8.955452707517436e-24, 0.002098009455949068], dtype=np.float64), np.array(1.7249345779418945, dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([-2.5395037509516896, -0.8009462245834198], dtype=np.float64), np.array(1.749762245317132, dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([-2.539503812789917, -0.8014379143714905], dtype=np.float32), np.array(1.7497622966766357, dtype=np.float32)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 2.564800306973449e-06
PROGRAM_PICKLE = 'gASVNgQAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCiMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBFBhaXKUk5ROTowWbnVtcHkuX2NvcmUubXVsdGlhcnJheZSMDF9yZWNvbnN0cnVjdJSTlIwFbnVtcHmUjAduZGFycmF5lJOUSwCFlEMBYpSHlFKUKEsBKWgNjAVkdHlwZZSTlIwCaTiUiYiHlFKUKEsDjAE8lE5OTkr/////Sv////9LAHSUYolDCAUAAAAAAAAAlHSUYmgMaA9LAIWUaBGHlFKUKEsBSwGFlGgYiUMIBAAAAAAAAACUdJRih5SGlGgMaA9LAIWUaBGHlFKUKEsBSwGFlGgYiUMI/f////////+UdJRihZSGlIGUaAxoD0sAhZRoEYeUUpQoSwFLAoWUaBWMAmY4lImIh5RSlChLA2gZTk5OSv////9K/////0sAdJRiiUMQAAAAoCBOBMAAAACgUJzpv5R0lGJoDGgPSwCFlGgRh5RSlChLASloNIlDCAAAAIC/Cvw/lHSUYmWMBHJ1bGWUjB5vcHRjb25mLnJlZmVyZW5jZS5ydWxlcy5tYXhpbWGUjAdBTVNHcmFklJOUKYGUfZQojANldGGURz9V0A4cTQ/MjARiZXRhlEc/EAAAAAAAAEc/7bXEW7BmWoaUjAdlcHNpbG9ulEc/UGJN0vGp/IwHdmFyaWFudJSMBW9wdGF4lHVijANvcHOUKGgAjARTdGVwlJOUKYGUfZSMBWdyYWRzlF2UKE5OTk6HlIaUToWUhpRoDGgPSwCFlGgRh5RSlChLAUsChZRoNIlDEAAAAAAAAAAAAAAAAAAAAACUdJRiaAqMBnNjYWxhcpSTlGg0QwgAAAAAAAAAAJSGlFKUZXNiaEspgZR9lGhOXZQoTk5OToeUhpROhZSGlGgMaA9LAIWUaBGHlFKUKEsBSwKFlGg0iUMQAAAAIO1Fbz8AAAAAAABYv5R0lGJoW2g0QwgAAAAAcSgJQJSGlFKUZXNiaACMBkFkanVzdJSTlCmBlH2UjAdjaGFuZ2VzlH2UKGhGRz5FeY7iMIw6aERHPrDG96C17Y1HP+ZCL9wH3XOGlHVzYmhLKYGUfZRoTl2UKE5OTk6HlIaUToWUhpRoDGgPSwCFlGgRh5RSlChLAUsChZRoNIlDEAAAAAAAAAAAAAAAAAAAAACUdJRiaFtoNEMIAAAAYFVVNb+UhpRSlGVzYmhLKYGUfZRoTl2UKE5OTk6HlIaUToWUhpRoDGgPSwCFlGgRh5RSlChLAUsChZRoNIlDEAAAACAopyW7AAAAQNgvYT+UdJRiaFtoNEMIAAAAAFWZ+z+UhpRSlGVzYnSUjAVkdHlwZZSMB2Zsb2F0MzKUdWIu'
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'program': {'__type__': 'Program', 'model': [((None, (None, np.array(5, dtype=np.int64), np.array([4], dtype=np.int64), ), ), (np.array([-3], dtype=np.int64), ), ), np.array([-2.5381481647491455, -0.8003314137458801], dtype=np.float64), np.array(1.7526240348815918, dtype=np.float64)], 'rule': {'__type__': 'AMSGrad', 'eta': 0.001331342487177689, 'beta': (6.103515625e-05, 0.9284383574296939, ), 'epsilon': 0.001, 'variant': 'optax'}, 'ops': ({'__type__': 'Step', 'grads': [((None, (None, None, None, ), ), (None, ), ), np.array([0.0, 0.0], dtype=np.float64), 0.0]}, {'__type__': 'Step', 'grads': [((None, (None, None, None, ), ), (None, ), ), np.array([0.003817523131147027, -0.00146484375], dtype=np.float64), 3.144746780395508]}, {'__type__': 'Adjust', 'changes': {'epsilon': 1e-08, 'beta': (1e-06, 0.695579461810594, )}}, {'__type__': 'Step', 'grads': [((None, (None, None, None, ), ), (None, ), ), np.array([0.0, 0.0], dtype=np.float64), -0.00032552084303461015]}, {'__type__': 'Step', 'grads': [((None, (None, None, None, ), ), (None, ), ), np.array([-8.955452707517436e-24, 0.002098009455949068], dtype=np.float64), 1.7249345779418945]}, ), 'dtype': 'float32'}, 'model': [[[None, [None, {'__array__': 5, 'dtype': 'int64'}, {'__array__': [4], 'dtype': 'int64'}]], [{'__array__': [-3], 'dtype': 'int64'}]], {'__array__': [-2.5381481647491455, -0.8003314137458801], 'dtype': 'float64'}, {'__array__': 1.7526240348815918, 'dtype': 'float64'}], 'rule': "AMSGrad(eta=0.001331342487177689, beta=(6.103515625e-05, 0.9284383574296939), epsilon=0.001, variant='optax')", 'ops': [{'op': 'step', 'grads': [[[None, [None, None, None]], [None]], {'__array__': [0.0, 0.0], 'dtype': 'float64'}, 0.0]}, {'op': 'step', 'grads': [[[None, [None, None, None]], [None]], {'__array__': [0.003817523131147027, -0.00146484375], 'dtype': 'float64'}, 3.144746780395508]}, {'op': 'adjust', 'changes': {'epsilon': 1e-08, 'beta': [1e-06, 0.695579461810594]}}, {'op': 'step', 'grads': [[[None, [None, None, None]], [None]], {'__array__': [0.0, 0.0], 'dtype': 'float64'}, -0.00032552084303461015]}, {'op': 'step', 'grads': [[[None, [None, None, None]], [None]], {'__array__': [-8.955452707517436e-24, 0.002098009455949068], 'dtype': 'float64'}, 1.7249345779418945]}], 'path': 'structured', 'dtype': 'float32', 'step': 4}


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
