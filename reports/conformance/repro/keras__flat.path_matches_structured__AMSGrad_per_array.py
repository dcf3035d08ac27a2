#!/usr/bin/env python
"""optconf repro: keras flat.path_matches_structured[AMSGrad,per_array] deviates from FLAT-6.

model[0]=-3.2676351359635376, but should be -3.2676351359550004 [adapter=keras, path=per_array, step=4, dtype=float64, observed=8.537170970157604e-12, allowed=5.911720496515279e-15]

Case seed 3548537166.  Inside optconf, replay with:
    optconf replay --adapter keras --property flat.path_matches_structured --rule AMSGrad --path per_array --seed 3548537166
"""

import sys

import numpy as np

ADAPTER = 'keras'
CLAUSE = 'FLAT-6'
PATH = 'per_array'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter keras --property flat.path_matches_structured --rule AMSGrad --path per_array --seed 3548537166'
RULE = {'name': 'AMSGrad', 'eta': 0.0020787925606226983, 'beta': (1.7458869051534238e-239, 0.5, ), 'epsilon': 1e-08, 'variant': 'torch'}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array(-3.2662664683035985, dtype=np.float64), np.array(2.2105861678748475, dtype=np.float64), np.array(2.5000411807853506, dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array(-0.8757150027280067, dtype=np.float64), np.array(0.0031596770475559657, dtype=np.float64), np.array(0.0, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(3.9530983832590043, dtype=np.float64), np.array(-8.098787152390652e-83, dtype=np.float64), np.array(3.1414610015898175e-08, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(0.0, dtype=np.float64), np.array(2.6467121569690715, dtype=np.float64), np.array(0.0, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(1.310302624849002, dtype=np.float64), np.array(0.0, dtype=np.float64), np.array(-6.666170761713276e-15, dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array(-3.2676351359550004, dtype=np.float64), np.array(2.2057573983256344, dtype=np.float64), np.array(2.4982093550886426, dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array(-3.2676351359635376, dtype=np.float64), np.array(2.2057574010517276, dtype=np.float64), np.array(2.4982855400032586, dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 5.911720496515279e-15
PROGRAM_PICKLE = 'gASVHAUAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCiMFm51bXB5Ll9jb3JlLm11bHRpYXJyYXmUjAxfcmVjb25zdHJ1Y3SUk5SMBW51bXB5lIwHbmRhcnJheZSTlEsAhZRDAWKUh5RSlChLASloCowFZHR5cGWUk5SMAmY4lImIh5RSlChLA4wBPJROTk5K/////0r/////SwB0lGKJQwhAFWtQUCEKwJR0lGJdlCiMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBUJsb2NrlJOUKYGUfZQojAF3lH2UKIwBYpRdlIwDZW5jlGgdKYGUfZQoaCCMAJRoImgbjARQYWlylJOUaAqMBHRhbmiUk5ROhpSBlIwEbm90ZZSMBGhlYWSUdWJoIGgbjAVEZW5zZZSTlCmBlH2UKIwGd2VpZ2h0lGgrjARiaWFzlImMBXNjYWxllGgJaAxLAIWUaA6HlFKUKEsBKWgViUMIlN1XdHLlFwyUdJRijANhY3SUaCt1YnVoIiloLowFYmxvY2uUdWJoCWgMSwCFlGgOh5RSlChLASloFYlDCHgZAM1HrwFAlHSUYmgQaAloDEsAhZRoDoeUUpQoSwEpaBWJQwisAjGXFQAEQJR0lGJlZYwEcnVsZZSMHm9wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLm1heGltYZSMB0FNU0dyYWSUk5QpgZR9lCiMA2V0YZRHP2EHi0IEceOMBGJldGGURw5dGp+X8wgCRz/gAAAAAAAAhpSMB2Vwc2lsb26URz5FeY7iMIw6jAd2YXJpYW50lIwFdG9yY2iUdWKMA29wc5QoaACMBFN0ZXCUk5QpgZR9lIwFZ3JhZHOUXZQoaAeMBnNjYWxhcpSTlGgVQwi4qip42wXsv5SGlFKUXZQofZQoaCB9lChoIl2UaCR9lChoIE5oIk5OhpRoLk51aCB9lChoNE5oNU5oNk5oPE51dWgiKWguTnVoXGgVQwhQwLmyUuJpP5SGlFKUaFxoFUMIAAAAAAAAAACUhpRSlGhcaBVDCAAAAAAAAAAAlIaUUpRlZXNiaFYpgZR9lGhZXZQoaFxoFUMIOWItPgUAYD+UhpRSlF2UKH2UKGggfZQoaCJdlGgkfZQoaCBOaCJOToaUaC5OdWggfZQoaDROaDVOaDZOaDxOdXVoIiloLk51aFxoFUMIksThz6Sq466UhpRSlGhcaBVDCOgyQArymw9AlIaUUpRoXGgVQwhTVexTl91gPpSGlFKUZWVzYmhWKYGUfZRoWV2UKGhcaBVDCAAAAAAAAAAAlIaUUpRdlCh9lChoIH2UKGgiXZRoJH2UKGggTmgiTk6GlGguTnVoIH2UKGg0Tmg1Tmg2Tmg8TnV1aCIpaC5OdWhcaBVDCLzcYGx3LAVAlIaUUpRoXGgVQwgAAAAAAAAAAJSGlFKUaFxoFUMIAAAAAAAAAACUhpRSlGVlc2JoVimBlH2UaFldlChoXGgVQwgAAAAAAAAAAJSGlFKUXZQofZQoaCB9lChoIl2UaCR9lChoIE5oIk5OhpRoLk51aCB9lChoNE5oNU5oNk5oPE51dWgiKWguTnVoXGgVQwgAAAAAAAAAAJSGlFKUaFxoFUMIRG6Z4v/29D+UhpRSlGhcaBVDCIy5/FWSBf68lIaUUpRlZXNidJSMBWR0eXBllIwHZmxvYXQ2NJR1Yi4='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: carried value', 'models: layer with a non-trainable array', 'models: tie across containers', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': [np.array(-3.2662664683035985, dtype=np.float64), [{'__type__': 'Block', 'w': {'b': [], 'enc': {'__type__': 'Block', 'w': '', 'b': ("<ufunc 'tanh'>", None, ), 'note': 'head'}, 'w': {'__type__': 'Dense', 'weight': "<ufunc 'tanh'>", 'bias': False, 'scale': np.array(2.085997927380019e-250, dtype=np.float64), 'act': "<ufunc 'tanh'>"}}, 'b': (), 'note': 'block'}, np.array(2.2105861678748475, dtype=np.float64), np.array(-3.2662664683035985, dtype=np.float64), np.array(2.5000411807853506, dtype=np.float64)]], 'rule': {'__type__': 'AMSGrad', 'eta': 0.0020787925606226983, 'beta': (1.7458869051534238e-239, 0.5, ), 'epsilon': 1e-08, 'variant': 'torch'}, 'ops': ({'__type__': 'Step', 'grads': [-0.8757150027280067, [{'w': {'b': [], 'enc': {'w': None, 'b': (None, None, ), 'note': None}, 'w': {'weight': None, 'bias': None, 'scale': None, 'act': None}}, 'b': (), 'note': None}, 0.0031596770475559657, 0.0, 0.0]]}, {'__type__': 'Step', 'grads': [0.001953134765625, [{'w': {'b': [], 'enc': {'w': None, 'b': (None, None, ), 'note': None}, 'w': {'weight': None, 'bias': None, 'scale': None, 'act': None}}, 'b': (), 'note': None}, -8.098787152390652e-83, 3.951145248493379, 3.1414610015898175e-08]]}, {'__type__': 'Step', 'grads': [0.0, [{'w': {'b': [], 'enc': {'w': None, 'b': (None, None, ), 'note': None}, 'w': {'weight': None, 'bias': None, 'scale': None, 'act': None}}, 'b': (), 'note': None}, 2.6467121569690715, 0.0, 0.0]]}, {'__type__': 'Step', 'grads': [0.0, [{'w': {'b': [], 'enc': {'w': None, 'b': (None, None, ), 'note': None}, 'w': {'weight': None, 'bias': None, 'scale': None, 'act': None}}, 'b': (), 'note': None}, 0.0, 1.310302624849002, -6.666170761713276e-15]]}, ), 'dtype': 'float64'}, 'model': [{'__array__': -3.2662664683035985, 'dtype': 'float64'}, [{'__type__': 'Block', 'w': {'b': [], 'enc': {'__type__': 'Block', 'w': '', 'b': ["<ufunc 'tanh'>", None], 'note': 'head'}, 'w': {'__type__': 'Dense', 'weight': "<ufunc 'tanh'>", 'bias': False, 'scale': {'__array__': 2.085997927380019e-250, 'dtype': 'float64'}, 'act': "<ufunc 'tanh'>"}}, 'b': [], 'note': 'block'}, {'__array__': 2.2105861678748475, 'dtype': 'float64'}, {'__array__': -3.2662664683035985, 'dtype': 'float64'}, {'__array__': 2.5000411807853506, 'dtype': 'float64'}]], 'rule': "AMSGrad(eta=0.0020787925606226983, beta=(1.7458869051534238e-239, 0.5), epsilon=1e-08, variant='torch')", 'ops': [{'op': 'step', 'grads': [-0.8757150027280067, [{'w': {'b': [], 'enc': {'w': None, 'b': [None, None], 'note': None}, 'w': {'weight': None, 'bias': None, 'scale': None, 'act': None}}, 'b': [], 'note': None}, 0.0031596770475559657, 0.0, 0.0]]}, {'op': 'step', 'grads': [0.001953134765625, [{'w': {'b': [], 'enc': {'w': None, 'b': [None, None], 'note': None}, 'w': {'weight': None, 'bias': None, 'scale': None, 'act': None}}, 'b': [], 'note': None}, -8.098787152390652e-83, 3.951145248493379, 3.1414610015898175e-08]]}, {'op': 'step', 'grads': [0.0, [{'w': {'b': [], 'enc': {'w': None, 'b': [None, None], 'note': None}, 'w': {'weight': None, 'bias': None, 'scale': None, 'act': None}}, 'b': [], 'note': None}, 2.6467121569690715, 0.0, 0.0]]}, {'op': 'step', 'grads': [0.0, [{'w': {'b': [], 'enc': {'w': None, 'b': [None, None], 'note': None}, 'w': {'weight': None, 'bias': None, 'scale': None, 'act': None}}, 'b': [], 'note': None}, 0.0, 1.310302624849002, -6.666170761713276e-15]]}], 'rules': ["AMSGrad(eta=0.0020787925606226983, beta=(1.7458869051534238e-239, 0.5), epsilon=1e-08, variant='torch')"], 'path': 'per_array', 'dtype': 'float64', 'step': 4}


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
