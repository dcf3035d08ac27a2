#!/usr/bin/env python
"""optconf repro: keras flat.path_matches_structured[Adam,legacy] deviates from FLAT-6.

model[0][1, 0]=-2.9846925703763314, but should be -2.9868324835580706 [adapter=keras, path=legacy, step=4, dtype=float64, observed=0.002139913181739228, allowed=6.902960519685926e-15]

Case seed 3843121222.  Inside optconf, replay with:
    optconf replay --adapter keras --property flat.path_matches_structured --rule Adam --path legacy --seed 3843121222
"""

import sys

import numpy as np

ADAPTER = 'keras'
CLAUSE = 'FLAT-6'
PATH = 'legacy'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter keras --property flat.path_matches_structured --rule Adam --path legacy --seed 3843121222'
RULE = {'name': 'Adam', 'eta': 0.00837141123998472, 'beta': (0.023208202902727775, 0.8778509695964367, ), 'epsilon': 0.001, 'variant': 'normative'}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([[-2.698388403174576, -2.8080800813012274], [-3.0065539810527735, -0.9987549403116018]], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([[0.0007955889550702545, -0.0009567295456272525], [0.0016449307858483224, -0.0013004874892146487]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[-3.056461165880922, -2.377729428235402e-14], [-2.0268608527962697, -1.0430481278520136]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[1.6767737553156339, -1.4071187476909297], [0.10861458985475192, 0.0]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[-4.333452380816108, -4.0], [-5.413305979030978, -1.8176000235253693]], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([[-2.6853211557163164, -2.7763141095384842], [-2.9868324835580706, -0.969187754266847]], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([[-2.683438661873542, -2.7783682180176337], [-2.9846925703763314, -0.9713273870407844]], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 6.902960519685926e-15
PROGRAM_PICKLE = 'gASVYQQAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCiMFm51bXB5Ll9jb3JlLm11bHRpYXJyYXmUjAxfcmVjb25zdHJ1Y3SUk5SMBW51bXB5lIwHbmRhcnJheZSTlEsAhZRDAWKUh5RSlChLAUsCSwKGlGgKjAVkdHlwZZSTlIwCZjiUiYiHlFKUKEsDjAE8lE5OTkr/////Sv////9LAHSUYolDIOBSvKhMlgXAAOeNsPJ2BsD8PXIsbA0IwJhqq+vM9e+/lHSUYoweb3B0Y29uZi5jb25mb3JtYW5jZS5zdHJhdGVnaWVzlIwEUGFpcpSTlGgbjAhpZGVudGl0eZSTlGgfhpSBlH2UKIwBYZSMBHJlbHWUjANlbmOUaBB1ZYwEcnVsZZSMHG9wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLmFkYW2UjARBZGFtlJOUKYGUfZQojANldGGURz+BJQfL+hAvjARiZXRhlEc/l8PkId1V60c/7Bda6qW2+oaUjAdlcHNpbG9ulEc/UGJN0vGp/IwHdmFyaWFudJSMCW5vcm1hdGl2ZZR1YowDb3BzlChoAIwEU3RlcJSTlCmBlH2UjAVncmFkc5RdlChoCWgMSwCFlGgOh5RSlChLAUsCSwKGlGgWiUMg2NODReIRSj/o6QYOoVlPvwxTe/tW81o/VswKz6NOVb+UdJRiTk6GlH2UKGgjTmglaAloDEsAhZRoDoeUUpQoSwFLAksChpRoFolDIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAlHSUYnVlc2JoNCmBlH2UaDddlChoCWgMSwCFlGgOh5RSlChLAUsCSwKGlGgWiUMgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAACUdJRiTk6GlH2UKGgjTmglaAloDEsAhZRoDoeUUpQoSwFLAksChpRoFolDIOieZ+mhcwjAYg1KplbFGr3Ta6LSAjcAwG501DtTsPC/lHSUYnVlc2JoNCmBlH2UaDddlChoCWgMSwCFlGgOh5RSlChLAUsCSwKGlGgWiUMgtPKdtxDU+j9+vK7yjoP2v8BrS28qzrs/AAAAAAAAAICUdJRiTk6GlH2UKGgjTmglaAloDEsAhZRoDoeUUpQoSwFLAksChpRoFolDIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAlHSUYnVlc2JoNCmBlH2UaDddlChoCWgMSwCFlGgOh5RSlChLAUsCSwKGlGgWiUMgKE9Rc2EK5r8AAAAAAAAQwFa6F/t5B/+/EL9ckek63b+UdJRiTk6GlH2UKGgjTmglaAloDEsAhZRoDoeUUpQoSwFLAksChpRoFolDIGyzHrhQKA3AAAAAAAAAAIAQku1ftsoLwG7RzF4pxvW/lHSUYnVlc2J0lIwFZHR5cGWUjAdmbG9hdDY0lHViLg=='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: carried value', 'models: tie across containers'], 'program': {'__type__': 'Program', 'model': [np.array([[-2.698388403174576, -2.8080800813012274], [-3.0065539810527735, -0.9987549403116018]], dtype=np.float64), ('<function identity>', '<function identity>', ), {'a': 'relu', 'enc': np.array([[-2.698388403174576, -2.8080800813012274], [-3.0065539810527735, -0.9987549403116018]], dtype=np.float64)}], 'rule': {'__type__': 'Adam', 'eta': 0.00837141123998472, 'beta': (0.023208202902727775, 0.8778509695964367, ), 'epsilon': 0.001, 'variant': 'normative'}, 'ops': ({'__type__': 'Step', 'grads': [np.array([[0.0007955889550702545, -0.0009567295456272525], [0.0016449307858483224, -0.0013004874892146487]], dtype=np.float64), (None, None, ), {'a': None, 'enc': np.array([[0.0, 0.0], [0.0, 0.0]], dtype=np.float64)}]}, {'__type__': 'Step', 'grads': [np.array([[0.0, 0.0], [0.0, 0.0]], dtype=np.float64), (None, None, ), {'a': None, 'enc': np.array([[-3.056461165880922, -2.377729428235402e-14], [-2.0268608527962697, -1.0430481278520136]], dtype=np.float64)}]}, {'__type__': 'Step', 'grads': [np.array([[1.6767737553156339, -1.4071187476909297], [0.10861458985475192, -0.0]], dtype=np.float64), (None, None, ), {'a': None, 'enc': np.array([[0.0, 0.0], [0.0, 0.0]], dtype=np.float64)}]}, {'__type__': 'Step', 'grads': [np.array([[-0.6887671711251402, -4.0], [-1.939325314360436, -0.4567207259706132]], dtype=np.float64), (None, None, ), {'a': None, 'enc': np.array([[-3.6446852096909677, -0.0], [-3.473980664670542, -1.3608792975547561]], dtype=np.float64)}]}, ), 'dtype': 'float64'}, 'model': [{'__array__': [[-2.698388403174576, -2.8080800813012274], [-3.0065539810527735, -0.9987549403116018]], 'dtype': 'float64'}, ['<function identity>', '<function identity>'], {'a': 'relu', 'enc': {'__array__': [[-2.698388403174576, -2.8080800813012274], [-3.0065539810527735, -0.9987549403116018]], 'dtype': 'float64'}}], 'rule': "Adam(eta=0.00837141123998472, beta=(0.023208202902727775, 0.8778509695964367), epsilon=0.001, variant='normative')", 'ops': [{'op': 'step', 'grads': [{'__array__': [[0.0007955889550702545, -0.0009567295456272525], [0.0016449307858483224, -0.0013004874892146487]], 'dtype': 'float64'}, [None, None], {'a': None, 'enc': {'__array__': [[0.0, 0.0], [0.0, 0.0]], 'dtype': 'float64'}}]}, {'op': 'step', 'grads': [{'__array__': [[0.0, 0.0], [0.0, 0.0]], 'dtype': 'float64'}, [None, None], {'a': None, 'enc': {'__array__': [[-3.056461165880922, -2.377729428235402e-14], [-2.0268608527962697, -1.0430481278520136]], 'dtype': 'float64'}}]}, {'op': 'step', 'grads': [{'__array__': [[1.6767737553156339, -1.4071187476909297], [0.10861458985475192, -0.0]], 'dtype': 'float64'}, [None, None], {'a': None, 'enc': {'__array__': [[0.0, 0.0], [0.0, 0.0]], 'dtype': 'float64'}}]}, {'op': 'step', 'grads': [{'__array__': [[-0.6887671711251402, -4.0], [-1.939325314360436, -0.4567207259706132]], 'dtype': 'float64'}, [None, None], {'a': None, 'enc': {'__array__': [[-3.6446852096909677, -0.0], [-3.473980664670542, -1.3608792975547561]], 'dtype': 'float64'}}]}], 'rules': ["Adam(eta=0.00837141123998472, beta=(0.023208202902727775, 0.8778509695964367), epsilon=0.001, variant='normative')"], 'path': 'legacy', 'dtype': 'float64', 'step': 4}


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
