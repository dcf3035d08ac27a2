#!/usr/bin/env python
"""optconf repro: keras tying_transpose.transpose_tied_to_its_parent[flat_list] deviates from TIE-5.

model['enc'][0, 0]=-0.004658084974508387, but should be -0.004658088369165651 [adapter=keras, path=flat_list, step=2, dtype=float64, observed=3.3946572636223138e-09, allowed=1.062378127671114e-15]

Case seed 2451586573.  Inside optconf, replay with:
    optconf replay --adapter keras --property tying_transpose.transpose_tied_to_its_parent --path flat_list --seed 2451586573
"""

import sys

import numpy as np

ADAPTER = 'keras'
CLAUSE = 'TIE-5'
PATH = 'flat_list'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter keras --property tying_transpose.transpose_tied_to_its_parent --path flat_list --seed 2451586573'
RULE = {'name': 'Adam', 'eta': 0.006811272117761092, 'beta': (0.4777662459394813, 0.5575729392146476, ), 'epsilon': 1e-06, 'variant': 'normative'}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([[0.0030707716242657224], [-0.9846370929643342]], dtype=np.float64), np.array([-0.4124160202349314], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([[1.093948101624973], [-1.114601769711037]], dtype=np.float64), np.array([-0.2510013226302903], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[-0.37900670604930786], [0.8718405288409472]], dtype=np.float64), np.array([0.9519743651583765], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([[-0.004658088369165651], [-0.979445229004396]], dtype=np.float64), np.array([-0.41053781512721793], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([[-0.004658084974508387], [-0.9794452317376123]], dtype=np.float64), np.array([-0.41053782748950873], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 1.062378127671114e-15
PROGRAM_PICKLE = 'gASVMgMAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJR9lCiMA2VuY5SMFm51bXB5Ll9jb3JlLm11bHRpYXJyYXmUjAxfcmVjb25zdHJ1Y3SUk5SMBW51bXB5lIwHbmRhcnJheZSTlEsAhZRDAWKUh5RSlChLAUsCSwGGlGgLjAVkdHlwZZSTlIwCZjiUiYiHlFKUKEsDjAE8lE5OTkr/////Sv////9LAHSUYolDEAD+Y/bfJ2k/ALsWpiWC77+UdJRijARiaWFzlGgKaA1LAIWUaA+HlFKUKEsBSwGFlGgXiUMIMFrQKQZl2r+UdJRijANkZWOUjBZvcHRjb25mLnJlZmVyZW5jZS50cmVllIwJVHJhbnNwb3NllJOUKYGUfZSMBnBhcmVudJRoEXNidYwEcnVsZZSMHG9wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLmFkYW2UjARBZGFtlJOUKYGUfZQojANldGGURz975iLv1svnjARiZXRhlEc/3pO44FxWQ0c/4dejNGH33oaUjAdlcHNpbG9ulEc+sMb3oLXtjYwHdmFyaWFudJSMCW5vcm1hdGl2ZZR1YowDb3BzlGgAjARTdGVwlJOUKYGUfZSMBWdyYWRzlH2UKGgHaApoDUsAhZRoD4eUUpQoSwFLAksBhpRoF4lDENiFIfYPW98/nqziIv827L+UdJRiaBxoCmgNSwCFlGgPh5RSlChLAUsBhZRoF4lDCDTK/NlnENC/lHSUYmgjaApoDUsAhZRoD4eUUpQoSwFLAUsChpRoF4lDEIhB73cXVOM/mMzxxkjPzb+UdJRidXNiaDgpgZR9lGg7fZQoaAdoCmgNSwCFlGgPh5RSlChLAUsCSwGGlGgXiUMQICJm8yJd679gsp34eEasP5R0lGJoHGgKaA1LAIWUaA+HlFKUKEsBSwGFlGgXiUMI8omf8ZJ27j+UdJRiaCNoCmgNSwCFlGgPh5RSlChLAUsBSwKGlGgXiUMQaLHvjqB43j/OhEyMtiHqP5R0lGJ1c2KGlIwFZHR5cGWUjAdmbG9hdDY0lHViLg=='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: dict keys out of sorted order', 'models: sizes that do not divide evenly', 'models: tie across containers'], 'program': {'__type__': 'Program', 'model': {'enc': np.array([[0.0030707716242657224], [-0.9846370929643342]], dtype=np.float64), 'bias': np.array([-0.4124160202349314], dtype=np.float64), 'dec': {'__type__': 'Transpose', 'parent': np.array([[0.0030707716242657224], [-0.9846370929643342]], dtype=np.float64)}}, 'rule': {'__type__': 'Adam', 'eta': 0.006811272117761092, 'beta': (0.4777662459394813, 0.5575729392146476, ), 'epsilon': 1e-06, 'variant': 'normative'}, 'ops': ({'__type__': 'Step', 'grads': {'enc': np.array([[0.4899330047247452], [-0.8817134553295494]], dtype=np.float64), 'bias': np.array([-0.2510013226302903], dtype=np.float64), 'dec': np.array([[0.6040150969002278, -0.23288831438148772]], dtype=np.float64)}}, {'__type__': 'Step', 'grads': {'enc': np.array([[-0.8551192048917677], [0.05522516283858603]], dtype=np.float64), 'bias': np.array([0.9519743651583765], dtype=np.float64), 'dec': np.array([[0.4761124988424599, 0.8166153660023612]], dtype=np.float64)}}, ), 'dtype': 'float64'}, 'model': {'enc': {'__array__': [[0.0030707716242657224], [-0.9846370929643342]], 'dtype': 'float64'}, 'bias': {'__array__': [-0.4124160202349314], 'dtype': 'float64'}, 'dec': {'__type__': 'Transpose', 'parent': {'__array__': [[0.0030707716242657224], [-0.9846370929643342]], 'dtype': 'float64'}}}, 'rule': "Adam(eta=0.006811272117761092, beta=(0.4777662459394813, 0.5575729392146476), epsilon=1e-06, variant='normative')", 'ops': [{'op': 'step', 'grads': {'enc': {'__array__': [[0.4899330047247452], [-0.8817134553295494]], 'dtype': 'float64'}, 'bias': {'__array__': [-0.2510013226302903], 'dtype': 'float64'}, 'dec': {'__array__': [[0.6040150969002278, -0.23288831438148772]], 'dtype': 'float64'}}}, {'op': 'step', 'grads': {'enc': {'__array__': [[-0.8551192048917677], [0.05522516283858603]], 'dtype': 'float64'}, 'bias': {'__array__': [0.9519743651583765], 'dtype': 'float64'}, 'dec': {'__array__': [[0.4761124988424599, 0.8166153660023612]], 'dtype': 'float64'}}}], 'rules': ["Adam(eta=0.006811272117761092, beta=(0.4777662459394813, 0.5575729392146476), epsilon=1e-06, variant='normative')"], 'path': 'flat_list', 'dtype': 'float64', 'step': 2}


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
