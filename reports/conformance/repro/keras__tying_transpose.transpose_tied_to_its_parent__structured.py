#!/usr/bin/env python
"""optconf repro: keras tying_transpose.transpose_tied_to_its_parent[structured] deviates from TIE-5.

model['enc'][0, 0]=-0.9708749055862427, but should be -0.9707126624150317 [adapter=keras, path=structured, step=1, dtype=float32, observed=0.00016224317121094067, allowed=3.281738641932504e-07]

Case seed 1353897884.  Inside optconf, replay with:
    optconf replay --adapter keras --property tying_transpose.transpose_tied_to_its_parent --path structured --seed 1353897884
"""

import sys

import numpy as np

ADAPTER = 'keras'
CLAUSE = 'TIE-5'
PATH = 'structured'
DTYPE = 'float32'
REPLAY = 'optconf replay --adapter keras --property tying_transpose.transpose_tied_to_its_parent --path structured --seed 1353897884'
RULE = {'name': 'Adam', 'eta': 0.01, 'beta': (0.7174770769378209, 0.5163404601258059, ), 'epsilon': 0.001, 'variant': 'normative'}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([[-0.9803204476291434, 0.8554744403536283, 0.5453089636988784], [-0.4737424746678811, 0.1349027803784475, -0.021820977076254078]], dtype=np.float64), np.array([0.26671080878215125, 0.10019032629802616, 0.1351793006008426], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([[-0.024496234103849934, 1.1602368556340308, 0.639726785890838], [0.8952398641806647, -1.3858342578394565, -0.1587227320835891]], dtype=np.float64), np.array([0.6689406322729754, -0.14093851967173965, -0.20499432729008227], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([[-0.9707126624150317, 0.8454830518612216, 0.5353245709752092], [-0.483731316940581, 0.1448955697114601, -0.011883585572048945]], dtype=np.float64), np.array([0.25672573547791844, 0.11011987325946321, 0.1451307555747171], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([[-0.9708749055862427, 0.8454867601394653, 0.5353313684463501], [-0.483726441860199, 0.14489240944385529, -0.0119107561185956]], dtype=np.float32), np.array([0.2567322552204132, 0.11008933186531067, 0.1451096385717392], dtype=np.float32)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 3.281738641932504e-07
PROGRAM_PICKLE = 'gASVFwMAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJR9lCiMA2VuY5SMFm51bXB5Ll9jb3JlLm11bHRpYXJyYXmUjAxfcmVjb25zdHJ1Y3SUk5SMBW51bXB5lIwHbmRhcnJheZSTlEsAhZRDAWKUh5RSlChLAUsCSwOGlGgLjAVkdHlwZZSTlIwCZjiUiYiHlFKUKEsDjAE8lE5OTkr/////Sv////9LAHSUYolDMCBaxfzIXu+/YD/87gtg6z+4rKnIK3PhP5gt2/TLUd6/ILXuin5EwT+AGaP7PFiWv5R0lGKMBGJpYXOUaApoDUsAhZRoD4eUUpQoSwFLA4WUaBeJQxgQYU02yhHRP/BZ074Sprk/eKCWKY5NwT+UdJRijANkZWOUjBZvcHRjb25mLnJlZmVyZW5jZS50cmVllIwJVHJhbnNwb3NllJOUKYGUfZSMBnBhcmVudJRoEXNidYwEcnVsZZSMHG9wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLmFkYW2UjARBZGFtlJOUKYGUfZQojANldGGURz+EeuFHrhR7jARiZXRhlEc/5vWSfKJ71kc/4IXcbbrxFIaUjAdlcHNpbG9ulEc/UGJN0vGp/IwHdmFyaWFudJSMCW5vcm1hdGl2ZZR1YowDb3BzlGgAjARTdGVwlJOUKYGUfZSMBWdyYWRzlH2UKGgHaApoDUsAhZRoD4eUUpQoSwFLAksDhpRoF4lDMMCs9sHGWsy/qFaCltBS5D9wAAcIV/3vPzis2M9qiMw/ejurYvU14r9YVJ+zEl3lP5R0lGJoHGgKaA1LAIWUaA+HlFKUKEsBSwOFlGgXiUMY6H5SL/Zn5T+gTl7+RQrCv0DIyQ1BPcq/lHSUYmgjaApoDUsAhZRoD4eUUpQoSwFLA0sChpRoF4lDMMi4yXMVOMk/4DxhXrOD5T+KpU902M3gP07eN7PLIuq/RFEccmUJ179WHY1lVHHqv5R0lGJ1c2KFlIwFZHR5cGWUjAdmbG9hdDMylHViLg=='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: dict keys out of sorted order', 'models: sizes that do not divide evenly', 'models: tie across containers'], 'program': {'__type__': 'Program', 'model': {'enc': np.array([[-0.9803204476291434, 0.8554744403536283, 0.5453089636988784], [-0.4737424746678811, 0.1349027803784475, -0.021820977076254078]], dtype=np.float64), 'bias': np.array([0.26671080878215125, 0.10019032629802616, 0.1351793006008426], dtype=np.float64), 'dec': {'__type__': 'Transpose', 'parent': np.array([[-0.9803204476291434, 0.8554744403536283, 0.5453089636988784], [-0.4737424746678811, 0.1349027803784475, -0.021820977076254078]], dtype=np.float64)}}, 'rule': {'__type__': 'Adam', 'eta': 0.01, 'beta': (0.7174770769378209, 0.5163404601258059, ), 'epsilon': 0.001, 'variant': 'normative'}, 'ops': ({'__type__': 'Step', 'grads': {'enc': np.array([[-0.22152027579190836, 0.635109228099016, 0.999675288847369], [0.22291312359570425, -0.5690867354513636, 0.6676114567041038]], dtype=np.float64), 'bias': np.array([0.6689406322729754, -0.14093851967173965, -0.20499432729008227], dtype=np.float64), 'dec': np.array([[0.19702404168805843, 0.6723267405849604], [0.5251276275350147, -0.8167475223880929], [-0.359948502956531, -0.8263341887876929]], dtype=np.float64)}}, ), 'dtype': 'float32'}, 'model': {'enc': {'__array__': [[-0.9803204476291434, 0.8554744403536283, 0.5453089636988784], [-0.4737424746678811, 0.1349027803784475, -0.021820977076254078]], 'dtype': 'float64'}, 'bias': {'__array__': [0.26671080878215125, 0.10019032629802616, 0.1351793006008426], 'dtype': 'float64'}, 'dec': {'__type__': 'Transpose', 'parent': {'__array__': [[-0.9803204476291434, 0.8554744403536283, 0.5453089636988784], [-0.4737424746678811, 0.1349027803784475, -0.021820977076254078]], 'dtype': 'float64'}}}, 'rule': "Adam(eta=0.01, beta=(0.7174770769378209, 0.5163404601258059), epsilon=0.001, variant='normative')", 'ops': [{'op': 'step', 'grads': {'enc': {'__array__': [[-0.22152027579190836, 0.635109228099016, 0.999675288847369], [0.22291312359570425, -0.5690867354513636, 0.6676114567041038]], 'dtype': 'float64'}, 'bias': {'__array__': [0.6689406322729754, -0.14093851967173965, -0.20499432729008227], 'dtype': 'float64'}, 'dec': {'__array__': [[0.19702404168805843, 0.6723267405849604], [0.5251276275350147, -0.8167475223880929], [-0.359948502956531, -0.8263341887876929]], 'dtype': 'float64'}}}], 'rules': ["Adam(eta=0.01, beta=(0.7174770769378209, 0.5163404601258059), epsilon=0.001, variant='normative')"], 'path': 'structured', 'dtype': 'float32', 'step': 1}


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
        print("recorded deviation (TIE-5); no replayable program in this case:")
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
    print(f"max abs error {worst!r}, allowed {bound!r} (TIE-5)")
    return 0 if worst <= bound and not wrong_kind else 1


if __name__ == "__main__":
    sys.exit(main())
