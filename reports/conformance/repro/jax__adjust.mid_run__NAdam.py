#!/usr/bin/env python
"""optconf repro: jax adjust.mid_run[NAdam] deviates from ADJ-2.

model[2][1]=-3.4051208244568762, but should be -3.406029018171192 [adapter=jax, path=structured, step=4, dtype=float64, observed=0.0009081937143156082, allowed=6.631300441632266e-15]

Case seed 40889686.  Inside optconf, replay with:
    optconf replay --adapter jax --property adjust.mid_run --rule NAdam --seed 40889686
"""

import sys

import numpy as np

ADAPTER = 'jax'
CLAUSE = 'ADJ-2'
PATH = 'structured'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter jax --property adjust.mid_run --rule NAdam --seed 40889686'
RULE = {'name': 'NAdam', 'eta': 0.007430602945292824, 'beta': (2.225073858507e-311, 0.5794561215018819, ), 'epsilon': 1e-08, 'variant': 'optax'}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([-2.831223529449556, 4.457570376249214e-244], dtype=np.float64), np.array([0.9, -3.39391617758395], dtype=np.float64), np.array([[-1.880233782116663, -0.0210472902065435], [2.9494444242532296, -1.4772478234358029]], dtype=np.float64), np.array([[-3.61952253960645], [-3.9999999999999996]], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([1.335013690303667e-238, -3.9999999999999996], dtype=np.float64), np.array([-0.0029700317697926495, 0.0], dtype=np.float64), np.array([[-2.2161332467665886e-07, 1.216482884012123e-204], [-2.9628680468383397, 3.9235194056208935e-162]], dtype=np.float64), np.array([[1.0410840258447545], [-3.0131755782847414]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([0.0, 0.0], dtype=np.float64), np.array([-5.161020485001e-311, 0.0028750904539390047], dtype=np.float64), np.array([[-7.588563762600947e-155, 0.5954455194693962], [-1.6483888342705373, -3.421645137095645]], dtype=np.float64), np.array([[-2.00001], [-0.5417772462033552]], dtype=np.float64)]}, {'op': 'adjust', 'changes': {'beta': (0.3323677093221797, 0.8855800933858453, ), 'eta': 0.004163786678776613}}, {'op': 'step', 'grads': [np.array([0.0, 0.0], dtype=np.float64), np.array([-0.0008443904322306258, 1.1479437021484375e-41], dtype=np.float64), np.array([[0.0, 0.0], [0.0, 0.0]], dtype=np.float64), np.array([[1.192092896e-07], [1.192092896e-07]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([8.407577108946446e-132, -1.0917522011151548e-226], dtype=np.float64), np.array([0.000927734375, 0.000927734375], dtype=np.float64), np.array([[0.0009158771531370706, -0.0029296875], [9.765625e-10, 0.001815243174860555]], dtype=np.float64), np.array([[0.0], [0.0]], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([-2.831223529449556, 0.007430602926716315], dtype=np.float64), np.array([0.9073014546164975, -3.406029018171192], dtype=np.float64), np.array([[-1.8830854441833724, -0.03127554950140969], [2.9629274198291276, -1.4669938068857868]], dtype=np.float64), np.array([[-3.6174173403930654], [-3.9902115119991772]], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([-2.831223529449556, 0.007430602926716315], dtype=np.float64), np.array([0.9072340707451985, -3.4051208244568762], dtype=np.float64), np.array([[-1.8799873625140748, -0.030953477371850474], [2.962732077543505, -1.4673238898326098]], dtype=np.float64), np.array([[-3.6177251103661527], [-3.990287613153159]], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 6.631300441632266e-15
PROGRAM_PICKLE = 'gASV4gUAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlChOhZSMFm51bXB5Ll9jb3JlLm11bHRpYXJyYXmUjAxfcmVjb25zdHJ1Y3SUk5SMBW51bXB5lIwHbmRhcnJheZSTlEsAhZRDAWKUh5RSlChLAUsChZRoC4wFZHR5cGWUk5SMAmY4lImIh5RSlChLA4wBPJROTk5K/////0r/////SwB0lGKJQxBYNpWFWKYGwNK5Fh9lWWgNlHSUYmgKaA1LAIWUaA+HlFKUKEsBSwKFlGgXiUMQzczMzMzM7D8ItWCGvSYLwJR0lGJoCmgNSwCFlGgPh5RSlChLAUsCSwKGlGgXiUMgRmiwBHAV/r8AFW28a42VvyBMfFF2mAdAPucbnc6i97+UdJRiaApoDUsAhZRoD4eUUpQoSwFLAksBhpRoF4lDEOD0tTvI9AzA////////D8CUdJRiZYwEcnVsZZSMHG9wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLmFkYW2UjAVOQWRhbZSTlCmBlH2UKIwDZXRhlEc/fm+NSjvG34wEYmV0YZRHAAAEGJN0vGpHP+KK55BqKaiGlIwHZXBzaWxvbpRHPkV5juIwjDqMB3ZhcmlhbnSUjAVvcHRheJR1YowDb3BzlChoAIwEU3RlcJSTlCmBlH2UjAVncmFkc5RdlChOhZRoCmgNSwCFlGgPh5RSlChLAUsChZRoF4lDEFMsiC+D0YsO////////D8CUdJRiaApoDUsAhZRoD4eUUpQoSwFLAoWUaBeJQxBsCTiqm1RovwAAAAAAAAAAlHSUYmgKaA1LAIWUaA+HlFKUKEsBSwJLAoaUaBeJQyDSkTdrk76NvjIJrVLkaJgVxEWcKfSzB8Btd+rZFT5sHpR0lGJoCmgNSwCFlGgPh5RSlChLAUsCSwGGlGgXiUMQhEI2uUeo8D/4tS7M+xoIwJR0lGJlc2JoPCmBlH2UaD9dlChOhZRoCmgNSwCFlGgPh5RSlChLAUsChZRoF4lDEAAAAAAAAAAAAAAAAAAAAACUdJRiaApoDUsAhZRoD4eUUpQoSwFLAoWUaBeJQxCegWongAkAgFhwIG+AjWc/lHSUYmgKaA1LAIWUaA+HlFKUKEsBSwJLAoaUaBeJQyB454kxhEfwnxh3FcPjDeM/Tolk+Mxf+r/wvlJ8h18LwJR0lGJoCmgNSwCFlGgPh5RSlChLAUsCSwGGlGgXiUMQOWItPgUAAMCYIUU8PVbhv5R0lGJlc2JoAIwGQWRqdXN0lJOUKYGUfZSMB2NoYW5nZXOUfZQoaDVHP9VFgzZyQKdHP+xWrBBiliyGlGg0Rz9xDgv5zkyXdXNiaDwpgZR9lGg/XZQoToWUaApoDUsAhZRoD4eUUpQoSwFLAoWUaBeJQxAAAAAAAAAAAAAAAAAAAAAAlHSUYmgKaA1LAIWUaA+HlFKUKEsBSwKFlGgXiUMQeGhPpUKrS7+bYwoAAABwN5R0lGJoCmgNSwCFlGgPh5RSlChLAUsCSwKGlGgXiUMgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAACUdJRiaApoDUsAhZRoD4eUUpQoSwFLAksBhpRoF4lDEGhfHAAAAIA+aF8cAAAAgD6UdJRiZXNiaDwpgZR9lGg/XZQoToWUaApoDUsAhZRoD4eUUpQoSwFLAoWUaBeJQxB9Q+ze8963JCEzHwnEsASRlHSUYmgKaA1LAIWUaA+HlFKUKEsBSwKFlGgXiUMQZmZmZmZmTj9mZmZmZmZOP5R0lGJoCmgNSwCFlGgPh5RSlChLAUsCSwKGlGgXiUMgGIq+Ne8CTj8AAAAAAABov43ttaD3xhA+VAOAhK69XT+UdJRiaApoDUsAhZRoD4eUUpQoSwFLAksBhpRoF4lDEAAAAAAAAAAAAAAAAAAAAACUdJRiZXNidJSMBWR0eXBllIwHZmxvYXQ2NJR1Yi4='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'program': {'__type__': 'Program', 'model': [(None, ), np.array([-2.831223529449556, 4.457570376249214e-244], dtype=np.float64), np.array([0.9, -3.39391617758395], dtype=np.float64), np.array([[-1.880233782116663, -0.0210472902065435], [2.9494444242532296, -1.4772478234358029]], dtype=np.float64), np.array([[-3.61952253960645], [-3.9999999999999996]], dtype=np.float64)], 'rule': {'__type__': 'NAdam', 'eta': 0.007430602945292824, 'beta': (2.225073858507e-311, 0.5794561215018819, ), 'epsilon': 1e-08, 'variant': 'optax'}, 'ops': ({'__type__': 'Step', 'grads': [(None, ), np.array([1.335013690303667e-238, -3.9999999999999996], dtype=np.float64), np.array([-0.0029700317697926495, 0.0], dtype=np.float64), np.array([[-2.2161332467665886e-07, 1.216482884012123e-204], [-2.9628680468383397, 3.9235194056208935e-162]], dtype=np.float64), np.array([[1.0410840258447545], [-3.0131755782847414]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [(None, ), np.array([0.0, 0.0], dtype=np.float64), np.array([-5.161020485001e-311, 0.0028750904539390047], dtype=np.float64), np.array([[-7.588563762600947e-155, 0.5954455194693962], [-1.6483888342705373, -3.421645137095645]], dtype=np.float64), np.array([[-2.00001], [-0.5417772462033552]], dtype=np.float64)]}, {'__type__': 'Adjust', 'changes': {'beta': (0.3323677093221797, 0.8855800933858453, ), 'eta': 0.004163786678776613}}, {'__type__': 'Step', 'grads': [(None, ), np.array([0.0, 0.0], dtype=np.float64), np.array([-0.0008443904322306258, 1.1479437021484375e-41], dtype=np.float64), np.array([[0.0, 0.0], [0.0, 0.0]], dtype=np.float64), np.array([[1.192092896e-07], [1.192092896e-07]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [(None, ), np.array([8.407577108946446e-132, -1.0917522011151548e-226], dtype=np.float64), np.array([0.000927734375, 0.000927734375], dtype=np.float64), np.array([[0.0009158771531370706, -0.0029296875], [9.765625e-10, 0.001815243174860555]], dtype=np.float64), np.array([[0.0], [0.0]], dtype=np.float64)]}, ), 'dtype': 'float64'}, 'model': [[None], {'__array__': [-2.831223529449556, 4.457570376249214e-244], 'dtype': 'float64'}, {'__array__': [0.9, -3.39391617758395], 'dtype': 'float64'}, {'__array__': [[-1.880233782116663, -0.0210472902065435], [2.9494444242532296, -1.4772478234358029]], 'dtype': 'float64'}, {'__array__': [[-3.61952253960645], [-3.9999999999999996]], 'dtype': 'float64'}], 'rule': "NAdam(eta=0.007430602945292824, beta=(2.225073858507e-311, 0.5794561215018819), epsilon=1e-08, variant='optax')", 'ops': [{'op': 'step', 'grads': [[None], {'__array__': [1.335013690303667e-238, -3.9999999999999996], 'dtype': 'float64'}, {'__array__': [-0.0029700317697926495, 0.0], 'dtype': 'float64'}, {'__array__': [[-2.2161332467665886e-07, 1.216482884012123e-204], [-2.9628680468383397, 3.9235194056208935e-162]], 'dtype': 'float64'}, {'__array__': [[1.0410840258447545], [-3.0131755782847414]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [[None], {'__array__': [0.0, 0.0], 'dtype': 'float64'}, {'__array__': [-5.161020485001e-311, 0.0028750904539390047], 'dtype': 'float64'}, {'__array__': [[-7.588563762600947e-155, 0.5954455194693962], [-1.6483888342705373, -3.421645137095645]], 'dtype': 'float64'}, {'__array__': [[-2.00001], [-0.5417772462033552]], 'dtype': 'float64'}]}, {'op': 'adjust', 'changes': {'beta': [0.3323677093221797, 0.8855800933858453], 'eta': 0.004163786678776613}}, {'op': 'step', 'grads': [[None], {'__array__': [0.0, 0.0], 'dtype': 'float64'}, {'__array__': [-0.0008443904322306258, 1.1479437021484375e-41], 'dtype': 'float64'}, {'__array__': [[0.0, 0.0], [0.0, 0.0]], 'dtype': 'float64'}, {'__array__': [[1.192092896e-07], [1.192092896e-07]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [[None], {'__array__': [8.407577108946446e-132, -1.0917522011151548e-226], 'dtype': 'float64'}, {'__array__': [0.000927734375, 0.000927734375], 'dtype': 'float64'}, {'__array__': [[0.0009158771531370706, -0.0029296875], [9.765625e-10, 0.001815243174860555]], 'dtype': 'float64'}, {'__array__': [[0.0], [0.0]], 'dtype': 'float64'}]}], 'path': 'structured', 'dtype': 'float64', 'step': 4}


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
