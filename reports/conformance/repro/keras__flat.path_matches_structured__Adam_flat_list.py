#!/usr/bin/env python
"""optconf repro: keras flat.path_matches_structured[Adam,flat_list] deviates from FLAT-6.

model[0]=1.621966885909336, but should be 1.6219719369247294 [adapter=keras, path=flat_list, step=4, dtype=float64, observed=5.0510153934979485e-06, allowed=3.290028188271737e-15]

Case seed 2018054940.  Inside optconf, replay with:
    optconf replay --adapter keras --property flat.path_matches_structured --rule Adam --path flat_list --seed 2018054940
"""

import sys

import numpy as np

ADAPTER = 'keras'
CLAUSE = 'FLAT-6'
PATH = 'flat_list'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter keras --property flat.path_matches_structured --rule Adam --path flat_list --seed 2018054940'
RULE = {'name': 'Adam', 'eta': 0.007575902269514502, 'beta': (0.43824563113603227, 0.5985346384854527, ), 'epsilon': 0.001, 'variant': 'normative'}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array(1.6039225529902028, dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array(0.0, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(-0.5486558455441477, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(-1.4154771572050122, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(1.1754943508222875e-38, dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array(1.6219719369247294, dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array(1.621966885909336, dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 3.290028188271737e-15
PROGRAM_PICKLE = 'gASVuAMAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCiMFm51bXB5Ll9jb3JlLm11bHRpYXJyYXmUjAxfcmVjb25zdHJ1Y3SUk5SMBW51bXB5lIwHbmRhcnJheZSTlEsAhZRDAWKUh5RSlChLASloCowFZHR5cGWUk5SMAmY4lImIh5RSlChLA4wBPJROTk5K/////0r/////SwB0lGKJQwhUjuaxqqn5P5R0lGJdlCiMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBFBhaXKUk5RoG4wFQmxvY2uUk5QpgZR9lCiMAXeUaAloDEsAhZRoDoeUUpQoSwEpaBKMAmk4lImIh5RSlChLA2gWTk5OSv////9K/////0sAdJRiiUMI//////////+UdJRijAFilGgKjAR0YW5olJOUjARub3RllIwEaGVhZJR1Yl2UaBBhhpSBlF2UjACUhZRhaB1oLmgdjARyZWx1lE6GlIGUhpSBlGVljARydWxllIwcb3B0Y29uZi5yZWZlcmVuY2UucnVsZXMuYWRhbZSMBEFkYW2Uk5QpgZR9lCiMA2V0YZRHP38H6MfDnM6MBGJldGGURz/cDDdnVgZbRz/jJzIdOi63hpSMB2Vwc2lsb26URz9QYk3S8an8jAd2YXJpYW50lIwJbm9ybWF0aXZllHVijANvcHOUKGgAjARTdGVwlJOUKYGUfZSMBWdyYWRzlF2UKGgHjAZzY2FsYXKUk5RoFUMIAAAAAAAAAACUhpRSlF2UKH2UKGgiTmgsTmgvTnVdlGhQaBVDCAAAAAAAAAAAlIaUUpRhhpRdlE6FlGFOTk6GlIaUZWVzYmhKKYGUfZRoTV2UKGhQaBVDCM1kiBv8LN80lIaUUpRdlCh9lChoIk5oLE5oL051XZRoUGgVQwgI4iu0lo7hv5SGlFKUYYaUXZROhZRhTk5OhpSGlGVlc2JoSimBlH2UaE1dlChoUGgVQwim4yZgy6X2v5SGlFKUXZQofZQoaCJOaCxOaC9OdV2UaFBoFUMIAAAAAAAAAACUhpRSlGGGlF2UToWUYU5OToaUhpRlZXNiaEopgZR9lGhNXZQoaFBoFUMIAAAAAAAAAACUhpRSlF2UKH2UKGgiTmgsTmgvTnVdlGhQaBVDCAAAAAAAABA4lIaUUpRhhpRdlE6FlGFOTk6GlIaUZWVzYnSUjAVkdHlwZZSMB2Zsb2F0NjSUdWIu'
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: carried value', 'models: parameter three levels deep', 'models: tie across containers', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': [np.array(1.6039225529902028, dtype=np.float64), [({'__type__': 'Block', 'w': np.array(-1, dtype=np.int64), 'b': "<ufunc 'tanh'>", 'note': 'head'}, [np.array(1.6039225529902028, dtype=np.float64)], ), [('', )], ("<ufunc 'tanh'>", ('relu', None, ), )]], 'rule': {'__type__': 'Adam', 'eta': 0.007575902269514502, 'beta': (0.43824563113603227, 0.5985346384854527, ), 'epsilon': 0.001, 'variant': 'normative'}, 'ops': ({'__type__': 'Step', 'grads': [0.0, [({'w': None, 'b': None, 'note': None}, [0.0], ), [(None, )], (None, (None, None, ), )]]}, {'__type__': 'Step', 'grads': [5.0857769279887976e-54, [({'w': None, 'b': None, 'note': None}, [-0.5486558455441477], ), [(None, )], (None, (None, None, ), )]]}, {'__type__': 'Step', 'grads': [-1.4154771572050122, [({'w': None, 'b': None, 'note': None}, [0.0], ), [(None, )], (None, (None, None, ), )]]}, {'__type__': 'Step', 'grads': [0.0, [({'w': None, 'b': None, 'note': None}, [1.1754943508222875e-38], ), [(None, )], (None, (None, None, ), )]]}, ), 'dtype': 'float64'}, 'model': [{'__array__': 1.6039225529902028, 'dtype': 'float64'}, [[{'__type__': 'Block', 'w': {'__array__': -1, 'dtype': 'int64'}, 'b': "<ufunc 'tanh'>", 'note': 'head'}, [{'__array__': 1.6039225529902028, 'dtype': 'float64'}]], [['']], ["<ufunc 'tanh'>", ['relu', None]]]], 'rule': "Adam(eta=0.007575902269514502, beta=(0.43824563113603227, 0.5985346384854527), epsilon=0.001, variant='normative')", 'ops': [{'op': 'step', 'grads': [0.0, [[{'w': None, 'b': None, 'note': None}, [0.0]], [[None]], [None, [None, None]]]]}, {'op': 'step', 'grads': [5.0857769279887976e-54, [[{'w': None, 'b': None, 'note': None}, [-0.5486558455441477]], [[None]], [None, [None, None]]]]}, {'op': 'step', 'grads': [-1.4154771572050122, [[{'w': None, 'b': None, 'note': None}, [0.0]], [[None]], [None, [None, None]]]]}, {'op': 'step', 'grads': [0.0, [[{'w': None, 'b': None, 'note': None}, [1.1754943508222875e-38]], [[None]], [None, [None, None]]]]}], 'rules': ["Adam(eta=0.007575902269514502, beta=(0.43824563113603227, 0.5985346384854527), epsilon=0.001, variant='normative')"], 'path': 'flat_list', 'dtype': 'float64', 'step': 4}


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
