#!/usr/bin/env python
"""optconf repro: mlx flat.path_matches_structured[ClipGlobalNorm,flat_vector] deviates from FLAT-6.

model[0]['dec'][0][0][1, 0, 0]=-2.2860372741430917, but should be -2.286037166521601 [adapter=mlx, path=flat_vector, step=4, dtype=float64, observed=1.07621490830212e-07, allowed=1.05397141706149e-14]

Case seed 3420700471.  Inside optconf, replay with:
    optconf replay --adapter mlx --property flat.path_matches_structured --rule ClipGlobalNorm --path flat_vector --seed 3420700471
"""

import sys

import numpy as np

ADAPTER = 'mlx'
CLAUSE = 'FLAT-6'
PATH = 'flat_vector'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter mlx --property flat.path_matches_structured --rule ClipGlobalNorm --path flat_vector --seed 3420700471'
RULE = {'name': 'ClipGlobalNorm', 'omega': 1.1595784436328964, 'throw': True}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([[[-2.900956820339413], [1.9]], [[-2.900956820339413], [1.1754943508222875e-38]]], dtype=np.float64), np.array(1.1754943508222875e-38, dtype=np.float64), np.array(-1.1400791361512894e-175, dtype=np.float64), np.array([[2.3360174352795884, -6.494584830464046e-206], [0.0916809660668525, 0.0]], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([[[3.069936043914694e-189], [-0.0017941363118190545]], [[-0.003048140665105427], [-0.003135621404366757]]], dtype=np.float64), np.array(-0.23876005415758694, dtype=np.float64), np.array(0.0, dtype=np.float64), np.array([[0.003337154886866353, -0.0019752053763484006], [0.003337154886866353, -0.0016937834111459718]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[[2.867703672578335], [-2.826926227237948]], [[-3.0], [2.3904263647319347e-108]]], dtype=np.float64), np.array(-0.002801643191895426, dtype=np.float64), np.array(1.5, dtype=np.float64), np.array([[0.99999, 0.99999], [0.4202374144283807, 1.6376778436780954]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[[0.0], [0.0]], [[0.0], [0.0]]], dtype=np.float64), np.array(0.0, dtype=np.float64), np.array(0.0, dtype=np.float64), np.array([[-0.0037443628889268863, 1.177930767705573e-113], [-0.0037443628889268863, -0.0037443628889268863]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[[0.0], [0.0]], [[0.0], [0.0]]], dtype=np.float64), np.array(0.0, dtype=np.float64), np.array(-7.016288724623048e-11, dtype=np.float64), np.array([[2.7065498680916296, 2.7065498680916296], [2.7065498680916296, 2.7065498680916296]], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([[[-3.485845548810773], [2.478366012388871]], [[-2.286037166521601], [0.003135621404366757]]], dtype=np.float64), np.array(0.23933146937729996, dtype=np.float64), np.array(-0.3059357565613234, dtype=np.float64), np.array([[1.5526802899860095, -0.7817691479192916], [-0.5734114819640933, -0.9083672156057016]], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([[[-3.4858454459352584], [2.478365910976199]], [[-2.2860372741430917], [0.003135621404366757]]], dtype=np.float64), np.array(0.23933146927679427, dtype=np.float64), np.array(-0.3059357027505779, dtype=np.float64), np.array([[1.5526804329680033, -0.7817690049372976], [-0.5734113597800452, -0.908367049747402]], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 1.05397141706149e-14
PROGRAM_PICKLE = 'gASVQgcAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCh9lCiMAWKUjB5vcHRjb25mLmNvbmZvcm1hbmNlLnN0cmF0ZWdpZXOUjAVCbG9ja5STlCmBlH2UKIwBd5RoCYwIaWRlbnRpdHmUk5RoCIwFbnVtcHmUjAR0YW5olJOUjARub3RllIwFYmxvY2uUdWKMAWGUfZQojANkZWOUKYwDZW5jlGgQhZR1aBhdlChoCYwEUGFpcpSTlIwWbnVtcHkuX2NvcmUubXVsdGlhcnJheZSMDF9yZWNvbnN0cnVjdJSTlGgRjAduZGFycmF5lJOUSwCFlEMBYpSHlFKUKEsBSwJLAksBh5RoEYwFZHR5cGWUk5SMAmY4lImIh5RSlChLA4wBPJROTk5K/////0r/////SwB0lGKJQyA4unPZKDUHwGZmZmZmZv4/OLpz2Sg1B8AAAAAAAAAQOJR0lGJOhpSBlH2UKGgWKWgYXZR1aAmMBURlbnNllJOUKYGUfZQojAZ3ZWlnaHSUfZQoaBhOaBmMAJRoFowEcmVsdZR1jARiaWFzlF2UjAVzY2FsZZRoIGgiSwCFlGgkh5RSlChLAUsCSwGGlGgsiUMQu5eClsuCAsDQm91WnX4JQJR0lGKMA2FjdJRoEHViZXVoIGgiSwCFlGgkh5RSlChLASloLIlDCAAAAAAAABA4lHSUYmggaCJLAIWUaCSHlFKUKEsBKWgsiUMI4t04c9bfnJuUdJRiaCBoIksAhZRoJIeUUpQoSwFLAksChpRoLIlDIARLu+gpsAJAYyQL9N/ZVJXAPexeZ3i3PwAAAAAAAAAAlHSUYmWMBHJ1bGWUjBxvcHRjb25mLnJlZmVyZW5jZS5ydWxlcy5jbGlwlIwOQ2xpcEdsb2JhbE5vcm2Uk5QpgZR9lCiMBW9tZWdhlEc/8o2iIEjMRIwFdGhyb3eUiHVijANvcHOUKGgAjARTdGVwlJOUKYGUfZSMBWdyYWRzlF2UKH2UKGgIfZQoaA5OaAhOaBROdWgWfZQoaBgpaBlOhZR1aBhdlChoIGgiSwCFlGgkh5RSlChLAUsCSwJLAYeUaCyJQyA+HrNQM1vLGK5AKjInZV2/UCsMD2r4aL8o8kzs369pv5R0lGJOhpR9lChoFiloGF2UdX2UKGg5fZQoaBhOaBlOaBZOdWg9XZRoP05oRk51ZXVoHowGc2NhbGFylJOUaCxDCOBYGYCwj86/lIaUUpRoeGgsQwgAAAAAAAAAAJSGlFKUaCBoIksAhZRoJIeUUpQoSwFLAksChpRoLIlDIOCROWOFVms/t03RT04uYL/gkTljhVZrP05N3xY+wFu/lHSUYmVzYmhhKYGUfZRoZF2UKH2UKGgIfZQoaA5OaAhOaBROdWgWfZQoaBgpaBlOhZR1aBhdlChoIGgiSwCFlGgkh5RSlChLAUsCSwJLAYeUaCyJQyCMvoKfDvEGQICIcX+LnQbAAAAAAAAACMAVo70pwXSWKZR0lGJOhpR9lChoFiloGF2UdX2UKGg5fZQoaBhOaBlOaBZOdWg9XZRoP05oRk51ZXVoeGgsQwioyku8ePNmv5SGlFKUaHhoLEMIAAAAAAAA+D+UhpRSlGggaCJLAIWUaCSHlFKUKEsBSwJLAoaUaCyJQyAdd0oH6//vPx13Sgfr/+8/sKHhdyvl2j8Us7+u7TP6P5R0lGJlc2JoYSmBlH2UaGRdlCh9lChoCH2UKGgOTmgITmgUTnVoFn2UKGgYKWgZToWUdWgYXZQoaCBoIksAhZRoJIeUUpQoSwFLAksCSwGHlGgsiUMgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAACUdJRiToaUfZQoaBYpaBhdlHV9lChoOX2UKGgYTmgZTmgWTnVoPV2UaD9OaEZOdWV1aHhoLEMIAAAAAAAAAACUhpRSlGh4aCxDCAAAAAAAAAAAlIaUUpRoIGgiSwCFlGgkh5RSlChLAUsCSwKGlGgsiUMgFJ7fhH+sbr/dJgK9DQJ9KBSe34R/rG6/FJ7fhH+sbr+UdJRiZXNiaGEpgZR9lGhkXZQofZQoaAh9lChoDk5oCE5oFE51aBZ9lChoGCloGU6FlHVoGF2UKGggaCJLAIWUaCSHlFKUKEsBSwJLAksBh5RoLIlDIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAlHSUYk6GlH2UKGgWKWgYXZR1fZQoaDl9lChoGE5oGU5oFk51aD1dlGg/TmhGTnVldWh4aCxDCAAAAAAAAAAAlIaUUpRoeGgsQwiAPSA2RknTvZSGlFKUaCBoIksAhZRoJIeUUpQoSwFLAksChpRoLIlDIMSSA54DpwVAxJIDngOnBUDEkgOeA6cFQMSSA54DpwVAlHSUYmVzYnSUjAVkdHlwZZSMB2Zsb2F0NjSUdWIu'
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: carried value', 'models: dict keys out of sorted order', 'models: layer with a non-trainable array', 'models: parameter three levels deep', 'models: sizes that do not divide evenly', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': [{'b': {'__type__': 'Block', 'w': '<function identity>', 'b': "<ufunc 'tanh'>", 'note': 'block'}, 'a': {'dec': (), 'enc': ('<function identity>', )}, 'dec': [(np.array([[[-2.900956820339413], [1.9]], [[-2.900956820339413], [1.1754943508222875e-38]]], dtype=np.float64), None, ), {'a': (), 'dec': []}, {'__type__': 'Dense', 'weight': {'dec': None, 'enc': '', 'a': 'relu'}, 'bias': [], 'scale': np.array([[-2.313864875660298], [3.1868235384349433]], dtype=np.float64), 'act': '<function identity>'}]}, np.array(1.1754943508222875e-38, dtype=np.float64), np.array(-1.1400791361512894e-175, dtype=np.float64), np.array([[2.3360174352795884, -6.494584830464046e-206], [0.0916809660668525, 0.0]], dtype=np.float64)], 'rule': {'__type__': 'ClipGlobalNorm', 'omega': 1.1595784436328964, 'throw': True}, 'ops': ({'__type__': 'Step', 'grads': [{'b': {'w': None, 'b': None, 'note': None}, 'a': {'dec': (), 'enc': (None, )}, 'dec': [(np.array([[[3.069936043914694e-189], [-0.0017941363118190545]], [[-0.003048140665105427], [-0.003135621404366757]]], dtype=np.float64), None, ), {'a': (), 'dec': []}, {'weight': {'dec': None, 'enc': None, 'a': None}, 'bias': [], 'scale': None, 'act': None}]}, -0.23876005415758694, 0.0, np.array([[0.003337154886866353, -0.0019752053763484006], [0.003337154886866353, -0.0016937834111459718]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [{'b': {'w': None, 'b': None, 'note': None}, 'a': {'dec': (), 'enc': (None, )}, 'dec': [(np.array([[[2.867703672578335], [-2.826926227237948]], [[-3.0], [2.3904263647319347e-108]]], dtype=np.float64), None, ), {'a': (), 'dec': []}, {'weight': {'dec': None, 'enc': None, 'a': None}, 'bias': [], 'scale': None, 'act': None}]}, -0.002801643191895426, 1.5, np.array([[0.99999, 0.99999], [0.4202374144283807, 1.6376778436780954]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [{'b': {'w': None, 'b': None, 'note': None}, 'a': {'dec': (), 'enc': (None, )}, 'dec': [(np.array([[[0.0], [0.0]], [[0.0], [0.0]]], dtype=np.float64), None, ), {'a': (), 'dec': []}, {'weight': {'dec': None, 'enc': None, 'a': None}, 'bias': [], 'scale': None, 'act': None}]}, 0.0, 0.0, np.array([[-0.0037443628889268863, 1.177930767705573e-113], [-0.0037443628889268863, -0.0037443628889268863]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [{'b': {'w': None, 'b': None, 'note': None}, 'a': {'dec': (), 'enc': (None, )}, 'dec': [(np.array([[[0.0], [0.0]], [[0.0], [0.0]]], dtype=np.float64), None, ), {'a': (), 'dec': []}, {'weight': {'dec': None, 'enc': None, 'a': None}, 'bias': [], 'scale': None, 'act': None}]}, 0.0, -7.016288724623048e-11, np.array([[2.7065498680916296, 2.7065498680916296], [2.7065498680916296, 2.7065498680916296]], dtype=np.float64)]}, ), 'dtype': 'float64'}, 'model': [{'b': {'__type__': 'Block', 'w': '<function identity>', 'b': "<ufunc 'tanh'>", 'note': 'block'}, 'a': {'dec': [], 'enc': ['<function identity>']}, 'dec': [[{'__array__': [[[-2.900956820339413], [1.9]], [[-2.900956820339413], [1.1754943508222875e-38]]], 'dtype': 'float64'}, None], {'a': [], 'dec': []}, {'__type__': 'Dense', 'weight': {'dec': None, 'enc': '', 'a': 'relu'}, 'bias': [], 'scale': {'__array__': [[-2.313864875660298], [3.1868235384349433]], 'dtype': 'float64'}, 'act': '<function identity>'}]}, {'__array__': 1.1754943508222875e-38, 'dtype': 'float64'}, {'__array__': -1.1400791361512894e-175, 'dtype': 'float64'}, {'__array__': [[2.3360174352795884, -6.494584830464046e-206], [0.0916809660668525, 0.0]], 'dtype': 'float64'}], 'rule': 'ClipGlobalNorm(omega=1.1595784436328964, throw=True)', 'ops': [{'op': 'step', 'grads': [{'b': {'w': None, 'b': None, 'note': None}, 'a': {'dec': [], 'enc': [None]}, 'dec': [[{'__array__': [[[3.069936043914694e-189], [-0.0017941363118190545]], [[-0.003048140665105427], [-0.003135621404366757]]], 'dtype': 'float64'}, None], {'a': [], 'dec': []}, {'weight': {'dec': None, 'enc': None, 'a': None}, 'bias': [], 'scale': None, 'act': None}]}, -0.23876005415758694, 0.0, {'__array__': [[0.003337154886866353, -0.0019752053763484006], [0.003337154886866353, -0.0016937834111459718]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [{'b': {'w': None, 'b': None, 'note': None}, 'a': {'dec': [], 'enc': [None]}, 'dec': [[{'__array__': [[[2.867703672578335], [-2.826926227237948]], [[-3.0], [2.3904263647319347e-108]]], 'dtype': 'float64'}, None], {'a': [], 'dec': []}, {'weight': {'dec': None, 'enc': None, 'a': None}, 'bias': [], 'scale': None, 'act': None}]}, -0.002801643191895426, 1.5, {'__array__': [[0.99999, 0.99999], [0.4202374144283807, 1.6376778436780954]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [{'b': {'w': None, 'b': None, 'note': None}, 'a': {'dec': [], 'enc': [None]}, 'dec': [[{'__array__': [[[0.0], [0.0]], [[0.0], [0.0]]], 'dtype': 'float64'}, None], {'a': [], 'dec': []}, {'weight': {'dec': None, 'enc': None, 'a': None}, 'bias': [], 'scale': None, 'act': None}]}, 0.0, 0.0, {'__array__': [[-0.0037443628889268863, 1.177930767705573e-113], [-0.0037443628889268863, -0.0037443628889268863]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [{'b': {'w': None, 'b': None, 'note': None}, 'a': {'dec': [], 'enc': [None]}, 'dec': [[{'__array__': [[[0.0], [0.0]], [[0.0], [0.0]]], 'dtype': 'float64'}, None], {'a': [], 'dec': []}, {'weight': {'dec': None, 'enc': None, 'a': None}, 'bias': [], 'scale': None, 'act': None}]}, 0.0, -7.016288724623048e-11, {'__array__': [[2.7065498680916296, 2.7065498680916296], [2.7065498680916296, 2.7065498680916296]], 'dtype': 'float64'}]}], 'rules': ['ClipGlobalNorm(omega=1.1595784436328964, throw=True)'], 'path': 'flat_vector', 'dtype': 'float64', 'step': 4}


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
