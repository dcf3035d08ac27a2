#!/usr/bin/env python
"""optconf repro: keras flat.path_matches_structured[RMSProp,flat_vector] deviates from FLAT-6.

model[0]=2.6177080515525066, but should be 2.617708055825952 [adapter=keras, path=flat_vector, step=4, dtype=float64, observed=4.273445153302191e-09, allowed=1.1852703123572982e-14]

Case seed 2970379748.  Inside optconf, replay with:
    optconf replay --adapter keras --property flat.path_matches_structured --rule RMSProp --path flat_vector --seed 2970379748
"""

import sys

import numpy as np

ADAPTER = 'keras'
CLAUSE = 'FLAT-6'
PATH = 'flat_vector'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter keras --property flat.path_matches_structured --rule RMSProp --path flat_vector --seed 2970379748'
RULE = {'name': 'RMSProp', 'eta': 0.008483434582533278, 'rho': 0.95, 'epsilon': 1e-06, 'centred': False}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array(2.688885102916739, dtype=np.float64), np.array([[[-2.5326669417017147]]], dtype=np.float64), np.array([[]], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array(1.9625593296662727, dtype=np.float64), np.array([[[0.0036133417074028385]]], dtype=np.float64), np.array([[]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(-0.0037643195209881367, dtype=np.float64), np.array([[[2.4253967225970907]]], dtype=np.float64), np.array([[]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(3.420914878871794, dtype=np.float64), np.array([[[-0.0012063284312760418]]], dtype=np.float64), np.array([[]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(3.6954569189154944e-302, dtype=np.float64), np.array([[[-1.1479437021484375e-41]]], dtype=np.float64), np.array([[]], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array(2.617708055825952, dtype=np.float64), np.array([[[-2.608478719215276]]], dtype=np.float64), np.array([[]], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array(2.6177080515525066, dtype=np.float64), np.array([[[-2.5944299964926136]]], dtype=np.float64), np.array([[]], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 1.1852703123572982e-14
PROGRAM_PICKLE = 'gASV4gQAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCiMFm51bXB5Ll9jb3JlLm11bHRpYXJyYXmUjAxfcmVjb25zdHJ1Y3SUk5SMBW51bXB5lIwHbmRhcnJheZSTlEsAhZRDAWKUh5RSlChLASloCowFZHR5cGWUk5SMAmY4lImIh5RSlChLA4wBPJROTk5K/////0r/////SwB0lGKJQwj41F0x1oIFQJR0lGJdlChdlH2UKIwDZGVjlF2UKIwAlGgJaAxLAIWUaA6HlFKUKEsBSwGFlGgSjAJpOJSJiIeUUpQoSwNoFk5OTkr/////Sv////9LAHSUYolDCP3/////////lHSUYmWMAXeUSwCMA2VuY5RdlChK/////4web3B0Y29uZi5jb25mb3JtYW5jZS5zdHJhdGVnaWVzlIwIaWRlbnRpdHmUk5RldWFoCWgMSwCFlGgOh5RSlChLAUsBSwFLAYeUaBWJQwhUJ7Li5kIEwJR0lGJoEGgJaAxLAIWUaA6HlFKUKEsBSwFLAEsAh5RoFYlDAJR0lGJlZYwEcnVsZZSMIG9wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLmFkYXB0aXZllIwHUk1TUHJvcJSTlCmBlH2UKIwDZXRhlEc/gV/DULfHbYwDcmhvlEc/7mZmZmZmZowHZXBzaWxvbpRHPrDG96C17Y2MB2NlbnRyZWSUiXVijANvcHOUKGgAjARTdGVwlJOUKYGUfZSMBWdyYWRzlF2UKGgHjAZzY2FsYXKUk5RoFUMIbAWWnKRm/z+UhpRSlF2UKF2UfZQoaB1dlChOTmVoKk5oK12UKE5OZXVhaAloDEsAhZRoDoeUUpQoSwFLAUsBSwGHlGgViUMIZFvNDrqZbT+UdJRiaE5oFUMIAAAAAAAAAACUhpRSlGgJaAxLAIWUaA6HlFKUKEsBSwFLAEsAh5RoFYloOnSUYmVlc2JoSCmBlH2UaEtdlChoTmgVQwgAAAAAAAAAAJSGlFKUXZQoXZR9lChoHV2UKE5OZWgqTmgrXZQoTk5ldWFoCWgMSwCFlGgOh5RSlChLAUsBSwFLAYeUaBWJQwhsCptlNmcDQJR0lGJoTmgVQwhQs3+nWdZuv5SGlFKUaAloDEsAhZRoDoeUUpQoSwFLAUsASwCHlGgViWg6dJRiZWVzYmhIKYGUfZRoS12UKGhOaBVDCAihkRBDlEo/lIaUUpRdlChdlH2UKGgdXZQoTk5laCpOaCtdlChOTmV1YWgJaAxLAIWUaA6HlFKUKEsBSwFLAUsBh5RoFYlDCN60Rkq1w1O/lHSUYmhOaBVDCJwyiFpfXAtAlIaUUpRoCWgMSwCFlGgOh5RSlChLAUsBSwBLAIeUaBWJaDp0lGJlZXNiaEgpgZR9lGhLXZQoaE5oFUMIAAAAAAAAAACUhpRSlF2UKF2UfZQoaB1dlChOTmVoKk5oK12UKE5OZXVhaAloDEsAhZRoDoeUUpQoSwFLAUsBSwGHlGgViUMIm2MKAAAAcLeUdJRiaE5oFUMIVdAhYphXWQGUhpRSlGgJaAxLAIWUaA6HlFKUKEsBSwFLAEsAh5RoFYloOnSUYmVlc2J0lIwFZHR5cGWUjAdmbG9hdDY0lHViLg=='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: carried value', 'models: dict keys out of sorted order', 'models: empty array', 'models: sizes that do not divide evenly', 'models: tie across containers'], 'program': {'__type__': 'Program', 'model': [np.array(2.688885102916739, dtype=np.float64), [[{'dec': ['', np.array([-3], dtype=np.int64)], 'w': 0, 'enc': [-1, '<function identity>']}], np.array([[[-2.5326669417017147]]], dtype=np.float64), np.array(2.688885102916739, dtype=np.float64), np.array([[]], dtype=np.float64)]], 'rule': {'__type__': 'RMSProp', 'eta': 0.008483434582533278, 'rho': 0.95, 'epsilon': 1e-06, 'centred': False}, 'ops': ({'__type__': 'Step', 'grads': [1.9625593296662727, [[{'dec': [None, None], 'w': None, 'enc': [None, None]}], np.array([[[0.0036133417074028385]]], dtype=np.float64), 0.0, np.array([[]], dtype=np.float64)]]}, {'__type__': 'Step', 'grads': [0.0, [[{'dec': [None, None], 'w': None, 'enc': [None, None]}], np.array([[[2.4253967225970907]]], dtype=np.float64), -0.0037643195209881367, np.array([[]], dtype=np.float64)]]}, {'__type__': 'Step', 'grads': [0.0008111312355483522, [[{'dec': [None, None], 'w': None, 'enc': [None, None]}], np.array([[[-0.0012063284312760418]]], dtype=np.float64), 3.4201037476362455, np.array([[]], dtype=np.float64)]]}, {'__type__': 'Step', 'grads': [0.0, [[{'dec': [None, None], 'w': None, 'enc': [None, None]}], np.array([[[-1.1479437021484375e-41]]], dtype=np.float64), 3.6954569189154944e-302, np.array([[]], dtype=np.float64)]]}, ), 'dtype': 'float64'}, 'model': [{'__array__': 2.688885102916739, 'dtype': 'float64'}, [[{'dec': ['', {'__array__': [-3], 'dtype': 'int64'}], 'w': 0, 'enc': [-1, '<function identity>']}], {'__array__': [[[-2.5326669417017147]]], 'dtype': 'float64'}, {'__array__': 2.688885102916739, 'dtype': 'float64'}, {'__array__': [[]], 'dtype': 'float64'}]], 'rule': 'RMSProp(eta=0.008483434582533278, rho=0.95, epsilon=1e-06, centred=False)', 'ops': [{'op': 'step', 'grads': [1.9625593296662727, [[{'dec': [None, None], 'w': None, 'enc': [None, None]}], {'__array__': [[[0.0036133417074028385]]], 'dtype': 'float64'}, 0.0, {'__array__': [[]], 'dtype': 'float64'}]]}, {'op': 'step', 'grads': [0.0, [[{'dec': [None, None], 'w': None, 'enc': [None, None]}], {'__array__': [[[2.4253967225970907]]], 'dtype': 'float64'}, -0.0037643195209881367, {'__array__': [[]], 'dtype': 'float64'}]]}, {'op': 'step', 'grads': [0.0008111312355483522, [[{'dec': [None, None], 'w': None, 'enc': [None, None]}], {'__array__': [[[-0.0012063284312760418]]], 'dtype': 'float64'}, 3.4201037476362455, {'__array__': [[]], 'dtype': 'float64'}]]}, {'op': 'step', 'grads': [0.0, [[{'dec': [None, None], 'w': None, 'enc': [None, None]}], {'__array__': [[[-1.1479437021484375e-41]]], 'dtype': 'float64'}, 3.6954569189154944e-302, {'__array__': [[]], 'dtype': 'float64'}]]}], 'rules': ['RMSProp(eta=0.008483434582533278, rho=0.95, epsilon=1e-06, centred=False)'], 'path': 'flat_vector', 'dtype': 'float64', 'step': 4}


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
