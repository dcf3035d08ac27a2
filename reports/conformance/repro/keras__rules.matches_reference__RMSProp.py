#!/usr/bin/env python
"""optconf repro: keras rules.matches_reference[RMSProp] deviates from RMSPROP-1.

model[0][0]=-1.418622117561897, but should be -1.4186221160597614 [adapter=keras, path=structured, step=4, dtype=float64, observed=1.5021355270761205e-09, allowed=2.6693705582549526e-15]

Case seed 2887175611.  Inside optconf, replay with:
    optconf replay --adapter keras --property rules.matches_reference --rule RMSProp --seed 2887175611
"""

import sys

import numpy as np

ADAPTER = 'keras'
CLAUSE = 'RMSPROP-1'
PATH = 'structured'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter keras --property rules.matches_reference --rule RMSProp --seed 2887175611'
RULE = {'name': 'RMSProp', 'eta': 0.006541874947461173, 'rho': 0.16104022554039754, 'epsilon': 1e-06, 'centred': False}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([-1.4102664088227423], dtype=np.float64), np.array(-3.131783214987369, dtype=np.float64), np.array([], dtype=np.float64), np.array([0.5301510412575867], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([4.0], dtype=np.float64), np.array(-0.001669693859345334, dtype=np.float64), np.array([], dtype=np.float64), np.array([0.0], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([0.0004964107536187907], dtype=np.float64), np.array(0.0, dtype=np.float64), np.array([], dtype=np.float64), np.array([-2.2250738585072014e-308], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([3.667251308820056], dtype=np.float64), np.array(1.1, dtype=np.float64), np.array([], dtype=np.float64), np.array([0.003563217784187108], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([-2.1040312345706105], dtype=np.float64), np.array(-3.696721079483595, dtype=np.float64), np.array([], dtype=np.float64), np.array([0.00048828125], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([-1.4186221160597614], dtype=np.float64), np.array(-3.124696064164654, dtype=np.float64), np.array([], dtype=np.float64), np.array([0.520704667100702], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([-1.418622117561897], dtype=np.float64), np.array(-3.125855863758386, dtype=np.float64), np.array([], dtype=np.float64), np.array([0.5214514225895754], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 2.6693705582549526e-15
PROGRAM_PICKLE = 'gASVrQUAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCiMFm51bXB5Ll9jb3JlLm11bHRpYXJyYXmUjAxfcmVjb25zdHJ1Y3SUk5SMBW51bXB5lIwHbmRhcnJheZSTlEsAhZRDAWKUh5RSlChLAUsBhZRoCowFZHR5cGWUk5SMAmY4lImIh5RSlChLA4wBPJROTk5K/////0r/////SwB0lGKJQwgeqIiCc5D2v5R0lGJdlCiMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBUJsb2NrlJOUKYGUfZQojAF3lIwAlGgJaAxLAIWUaA6HlFKUKEsBSwKFlGgTjAJpOJSJiIeUUpQoSwNoF05OTkr/////Sv////9LAHSUYolDEP7/////////BAAAAAAAAACUdJRiaCKHlIwBYpQpjARub3RllIwFYmxvY2uUdWJoCWgMSwCFlGgOh5RSlChLASloFolDCIhCtFvkDQnAlHSUYmgJaAxLAIWUaA6HlFKUKEsBSwBLAIaUaBaJQwCUdJRiaAloDEsAhZRoDoeUUpQoSwFLAYWUaBaJQwioiARR//bgP5R0lGJoEGVljARydWxllIwgb3B0Y29uZi5yZWZlcmVuY2UucnVsZXMuYWRhcHRpdmWUjAdSTVNQcm9wlJOUKYGUfZQojANldGGURz96y6cvQwqGjANyaG+URz/EnPdTBKsYjAdlcHNpbG9ulEc+sMb3oLXtjYwHY2VudHJlZJSJdWKMA29wc5QoaACMBFN0ZXCUk5QpgZR9lIwFZ3JhZHOUXZQoaAloDEsAhZRoDoeUUpQoSwFLAYWUaBaJQwgAAAAAAAAAAJR0lGJdlCh9lChoIU5OToeUaC4paC9OdWgHjAZzY2FsYXKUk5RoFkMIzklLITRbW7+UhpRSlGgJaAxLAIWUaA6HlFKUKEsBSwBLAIaUaBaJaDp0lGJoCWgMSwCFlGgOh5RSlChLAUsBhZRoFolDCAAAAAAAAAAAlHSUYmgJaAxLAIWUaA6HlFKUKEsBSwGFlGgWiUMIAAAAAAAAEECUdJRiZWVzYmhOKYGUfZRoUV2UKGgJaAxLAIWUaA6HlFKUKEsBSwGFlGgWiUMI7nG+Mk/wcbmUdJRiXZQofZQoaCFOTk6HlGguKWgvTnVoXWgWQwgAAAAAAAAAAJSGlFKUaAloDEsAhZRoDoeUUpQoSwFLAEsAhpRoFoloOnSUYmgJaAxLAIWUaA6HlFKUKEsBSwGFlGgWiUMIAAAAAAAAEICUdJRiaAloDEsAhZRoDoeUUpQoSwFLAYWUaBaJQwhY4uD5MURAP5R0lGJlZXNiaE4pgZR9lGhRXZQoaAloDEsAhZRoDoeUUpQoSwFLAYWUaBaJQwgAAAAAAAAAAJR0lGJdlCh9lChoIU5OToeUaC4paC9OdWhdaBZDCJqZmZmZmfE/lIaUUpRoCWgMSwCFlGgOh5RSlChLAUsASwCGlGgWiWg6dJRiaAloDEsAhZRoDoeUUpQoSwFLAYWUaBaJQwj4YUD7mzBtP5R0lGJoCWgMSwCFlGgOh5RSlChLAUsBhZRoFolDCEDDrNqHVg1AlHSUYmVlc2JoTimBlH2UaFFdlChoCWgMSwCFlGgOh5RSlChLAUsBhZRoFolDCDvy8VMO1QDAlHSUYl2UKH2UKGghTk5Oh5RoLiloL051aF1oFkMI4IZWgOKSDcCUhpRSlGgJaAxLAIWUaA6HlFKUKEsBSwBLAIaUaBaJaDp0lGJoCWgMSwCFlGgOh5RSlChLAUsBhZRoFolDCAAAAAAAAEA/lHSUYmgJaAxLAIWUaA6HlFKUKEsBSwGFlGgWiUMI9nNEUs+zaDqUdJRiZWVzYnSUjAVkdHlwZZSMB2Zsb2F0NjSUdWIu'
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: carried value', 'models: empty array', 'models: sizes that do not divide evenly', 'models: tie across containers', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': [np.array([-1.4102664088227423], dtype=np.float64), [{'__type__': 'Block', 'w': ('', np.array([-2, 4], dtype=np.int64), '', ), 'b': (), 'note': 'block'}, np.array(-3.131783214987369, dtype=np.float64), np.array([], dtype=np.float64), np.array([0.5301510412575867], dtype=np.float64), np.array([-1.4102664088227423], dtype=np.float64)]], 'rule': {'__type__': 'RMSProp', 'eta': 0.006541874947461173, 'rho': 0.16104022554039754, 'epsilon': 1e-06, 'centred': False}, 'ops': ({'__type__': 'Step', 'grads': [np.array([0.0], dtype=np.float64), [{'w': (None, None, None, ), 'b': (), 'note': None}, -0.001669693859345334, np.array([], dtype=np.float64), np.array([0.0], dtype=np.float64), np.array([4.0], dtype=np.float64)]]}, {'__type__': 'Step', 'grads': [np.array([-5.52779132862495e-32], dtype=np.float64), [{'w': (None, None, None, ), 'b': (), 'note': None}, 0.0, np.array([], dtype=np.float64), np.array([-2.2250738585072014e-308], dtype=np.float64), np.array([0.0004964107536187907], dtype=np.float64)]]}, {'__type__': 'Step', 'grads': [np.array([0.0], dtype=np.float64), [{'w': (None, None, None, ), 'b': (), 'note': None}, 1.1, np.array([], dtype=np.float64), np.array([0.003563217784187108], dtype=np.float64), np.array([3.667251308820056], dtype=np.float64)]]}, {'__type__': 'Step', 'grads': [np.array([-2.1040312345706105], dtype=np.float64), [{'w': (None, None, None, ), 'b': (), 'note': None}, -3.696721079483595, np.array([], dtype=np.float64), np.array([0.00048828125], dtype=np.float64), np.array([2.4943031809838892e-27], dtype=np.float64)]]}, ), 'dtype': 'float64'}, 'model': [{'__array__': [-1.4102664088227423], 'dtype': 'float64'}, [{'__type__': 'Block', 'w': ['', {'__array__': [-2, 4], 'dtype': 'int64'}, ''], 'b': [], 'note': 'block'}, {'__array__': -3.131783214987369, 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}, {'__array__': [0.5301510412575867], 'dtype': 'float64'}, {'__array__': [-1.4102664088227423], 'dtype': 'float64'}]], 'rule': 'RMSProp(eta=0.006541874947461173, rho=0.16104022554039754, epsilon=1e-06, centred=False)', 'ops': [{'op': 'step', 'grads': [{'__array__': [0.0], 'dtype': 'float64'}, [{'w': [None, None, None], 'b': [], 'note': None}, -0.001669693859345334, {'__array__': [], 'dtype': 'float64'}, {'__array__': [0.0], 'dtype': 'float64'}, {'__array__': [4.0], 'dtype': 'float64'}]]}, {'op': 'step', 'grads': [{'__array__': [-5.52779132862495e-32], 'dtype': 'float64'}, [{'w': [None, None, None], 'b': [], 'note': None}, 0.0, {'__array__': [], 'dtype': 'float64'}, {'__array__': [-2.2250738585072014e-308], 'dtype': 'float64'}, {'__array__': [0.0004964107536187907], 'dtype': 'float64'}]]}, {'op': 'step', 'grads': [{'__array__': [0.0], 'dtype': 'float64'}, [{'w': [None, None, None], 'b': [], 'note': None}, 1.1, {'__array__': [], 'dtype': 'float64'}, {'__array__': [0.003563217784187108], 'dtype': 'float64'}, {'__array__': [3.667251308820056], 'dtype': 'float64'}]]}, {'op': 'step', 'grads': [{'__array__': [-2.1040312345706105], 'dtype': 'float64'}, [{'w': [None, None, None], 'b': [], 'note': None}, -3.696721079483595, {'__array__': [], 'dtype': 'float64'}, {'__array__': [0.00048828125], 'dtype': 'float64'}, {'__array__': [2.4943031809838892e-27], 'dtype': 'float64'}]]}], 'rules': ['RMSProp(eta=0.006541874947461173, rho=0.16104022554039754, epsilon=1e-06, centred=False)'], 'variant': None, 'path': 'structured', 'dtype': 'float64', 'step': 4}


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
        print("recorded deviation (RMSPROP-1); no replayable program in this case:")
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
    print(f"max abs error {worst!r}, allowed {bound!r} (RMSPROP-1)")
    return 0 if worst <= bound and not wrong_kind else 1


if __name__ == "__main__":
    sys.exit(main())
