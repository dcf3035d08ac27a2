#!/usr/bin/env python
"""optconf repro: keras variant_forms.other_forms_match[AdamW] deviates from ADAMW-1.

model[1][1]=-3.568581288407476, but should be -3.5683745036766417 [adapter=keras, path=structured, step=4, dtype=float64, observed=0.00020678473083446391, allowed=6.667531773225371e-15]

Case seed 443498766.  Inside optconf, replay with:
    optconf replay --adapter keras --property variant_forms.other_forms_match --rule AdamW --seed 443498766
"""

import sys

import numpy as np

ADAPTER = 'keras'
CLAUSE = 'ADAMW-1'
PATH = 'structured'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter keras --property variant_forms.other_forms_match --rule AdamW --seed 443498766'
RULE = {'name': 'AdamW', 'eta': 0.004483257832442129, 'beta': (0.6624368668677186, 0.5, ), 'lambda_': 0.004176128358284296, 'epsilon': 1e-06, 'couple': True, 'variant': 'optax'}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([], dtype=np.float64), np.array(-3.5805822789062614, dtype=np.float64), np.array(-1.9942130445094448, dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([], dtype=np.float64), np.array(-1e-05, dtype=np.float64), np.array(-1.192092896e-07, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([], dtype=np.float64), np.array(0.0, dtype=np.float64), np.array(-1.3914749152648478e-32, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([], dtype=np.float64), np.array(-2.5174417231432233, dtype=np.float64), np.array(-0.0019400758791469001, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([], dtype=np.float64), np.array(-2.0005035610760023e-05, dtype=np.float64), np.array(0.0, dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([], dtype=np.float64), np.array(-3.5683745036766417, dtype=np.float64), np.array(-1.9881643328425773, dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([], dtype=np.float64), np.array(-3.568581288407476, dtype=np.float64), np.array(-1.9883187182711095, dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 6.667531773225371e-15
PROGRAM_PICKLE = 'gASVYwYAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCiMFm51bXB5Ll9jb3JlLm11bHRpYXJyYXmUjAxfcmVjb25zdHJ1Y3SUk5SMBW51bXB5lIwHbmRhcnJheZSTlEsAhZRDAWKUh5RSlChLAUsASwBLAoeUaAqMBWR0eXBllJOUjAJmOJSJiIeUUpQoSwOMATyUTk5OSv////9K/////0sAdJRiiUMAlHSUYl2UKIweb3B0Y29uZi5jb25mb3JtYW5jZS5zdHJhdGVnaWVzlIwFRGVuc2WUk5QpgZR9lCiMBndlaWdodJRoHIwEUGFpcpSTlGgQSv3///+GlIGUjARiaWFzlGgcjAVCbG9ja5STlCmBlH2UKIwBd5RoHimBlH2UKGghaAloDEsAhZRoDoeUUpQoSwEpaBOMAmk4lImIh5RSlChLA2gXTk5OSv////9K/////0sAdJRiiUMI+/////////+UdJRiaCZLAowFc2NhbGWUaAloDEsAhZRoDoeUUpQoSwFLAUsCSwCHlGgWiWgZdJRijANhY3SUaAqMBHRhbmiUk5R1YowBYpR9lCiMA2RlY5R9lCiMA2VuY5SMAJRoQmgJaAxLAIWUaA6HlFKUKEsBKWgziUMIBQAAAAAAAACUdJRidYwBYZRdlHWMBG5vdGWUjAVibG9ja5R1Ymg3aAloDEsAhZRoDoeUUpQoSwEpaBaJQwjJR3tHOSiaA5R0lGJoPWgcjAhpZGVudGl0eZSTlHViaAloDEsAhZRoDoeUUpQoSwEpaBaJQwj8UGRSCKUMwJR0lGJoCWgMSwCFlGgOh5RSlChLASloFolDCGbL9u9L6P+/lHSUYmVljARydWxllIwcb3B0Y29uZi5yZWZlcmVuY2UucnVsZXMuYWRhbZSMBUFkYW1XlJOUKYGUfZQojANldGGURz9yXQlcUWg7jARiZXRhlEc/5TKuzNuR4Uc/4AAAAAAAAIaUjAdsYW1iZGFflEc/cRr865BMhIwHZXBzaWxvbpRHPrDG96C17Y2MBmNvdXBsZZSIjAd2YXJpYW50lIwFb3B0YXiUdWKMA29wc5QoaACMBFN0ZXCUk5QpgZR9lIwFZ3JhZHOUXZQoaAloDEsAhZRoDoeUUpQoSwFLAEsASwKHlGgWiWgZdJRiXZQofZQoaCFoCWgMSwCFlGgOh5RSlChLAUsASwBLAoeUaBaJaBl0lGJOhpRoJn2UKGgrfZQoaCFOaCZOaDdOaD1OdWhAfZQoaEJ9lChoRE5oQk51aEtdlHVoTU51aDdOaD1OdWgHjAZzY2FsYXKUk5RoFkMI8WjjiLX45L6UhpRSlGiIaBZDCGhfHAAAAIC+lIaUUpRlZXNiaHApgZR9lGhzXZQoaAloDEsAhZRoDoeUUpQoSwFLAEsASwKHlGgWiWgZdJRiXZQofZQoaCFoCWgMSwCFlGgOh5RSlChLAUsASwBLAoeUaBaJaBl0lGJOhpRoJn2UKGgrfZQoaCFOaCZOaDdOaD1OdWhAfZQoaEJ9lChoRE5oQk51aEtdlHVoTU51aDdOaD1OdWiIaBZDCAAAAAAAAAAAlIaUUpRoiGgWQwjAq7bx9w9SuZSGlFKUZWVzYmhwKYGUfZRoc12UKGgJaAxLAIWUaA6HlFKUKEsBSwBLAEsCh5RoFoloGXSUYl2UKH2UKGghaAloDEsAhZRoDoeUUpQoSwFLAEsASwKHlGgWiWgZdJRiToaUaCZ9lChoK32UKGghTmgmTmg3Tmg9TnVoQH2UKGhCfZQoaEROaEJOdWhLXZR1aE1OdWg3Tmg9TnVoiGgWQwhk43N8uCMEwJSGlFKUaIhoFkMI3vH4nETJX7+UhpRSlGVlc2JocCmBlH2UaHNdlChoCWgMSwCFlGgOh5RSlChLAUsASwBLAoeUaBaJaBl0lGJdlCh9lChoIWgJaAxLAIWUaA6HlFKUKEsBSwBLAEsCh5RoFoloGXSUYk6GlGgmfZQoaCt9lChoIU5oJk5oN05oPU51aEB9lChoQn2UKGhETmhCTnVoS12UdWhNTnVoN05oPU51aIhoFkMIACdKlA/69L6UhpRSlGiIaBZDCAAAAAAAAAAAlIaUUpRlZXNidJSMBWR0eXBllIwHZmxvYXQ2NJR1Yi4='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: carried value', 'models: dict keys out of sorted order', 'models: empty array', 'models: layer with a non-trainable array', 'models: parameter three levels deep', 'models: sizes that do not divide evenly', 'models: tie across containers', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': [np.array([], dtype=np.float64), [{'__type__': 'Dense', 'weight': (np.array([], dtype=np.float64), -3, ), 'bias': {'__type__': 'Block', 'w': {'__type__': 'Dense', 'weight': np.array(-5, dtype=np.int64), 'bias': 2, 'scale': np.array([[[], []]], dtype=np.float64), 'act': "<ufunc 'tanh'>"}, 'b': {'dec': {'enc': '', 'dec': np.array(5, dtype=np.int64)}, 'a': []}, 'note': 'block'}, 'scale': np.array(2.6211640166449667e-291, dtype=np.float64), 'act': '<function identity>'}, np.array(-3.5805822789062614, dtype=np.float64), np.array(-1.9942130445094448, dtype=np.float64)]], 'rule': {'__type__': 'AdamW', 'eta': 0.004483257832442129, 'beta': (0.6624368668677186, 0.5, ), 'lambda_': 0.004176128358284296, 'epsilon': 1e-06, 'couple': True, 'variant': 'optax'}, 'ops': ({'__type__': 'Step', 'grads': [np.array([], dtype=np.float64), [{'weight': (np.array([], dtype=np.float64), None, ), 'bias': {'w': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'b': {'dec': {'enc': None, 'dec': None}, 'a': []}, 'note': None}, 'scale': None, 'act': None}, -1e-05, -1.192092896e-07]]}, {'__type__': 'Step', 'grads': [np.array([], dtype=np.float64), [{'weight': (np.array([], dtype=np.float64), None, ), 'bias': {'w': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'b': {'dec': {'enc': None, 'dec': None}, 'a': []}, 'note': None}, 'scale': None, 'act': None}, 0.0, -1.3914749152648478e-32]]}, {'__type__': 'Step', 'grads': [np.array([], dtype=np.float64), [{'weight': (np.array([], dtype=np.float64), None, ), 'bias': {'w': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'b': {'dec': {'enc': None, 'dec': None}, 'a': []}, 'note': None}, 'scale': None, 'act': None}, -2.5174417231432233, -0.0019400758791469001]]}, {'__type__': 'Step', 'grads': [np.array([], dtype=np.float64), [{'weight': (np.array([], dtype=np.float64), None, ), 'bias': {'w': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'b': {'dec': {'enc': None, 'dec': None}, 'a': []}, 'note': None}, 'scale': None, 'act': None}, -2.0005035610760023e-05, 0.0]]}, ), 'dtype': 'float64'}, 'model': [{'__array__': [], 'dtype': 'float64'}, [{'__type__': 'Dense', 'weight': [{'__array__': [], 'dtype': 'float64'}, -3], 'bias': {'__type__': 'Block', 'w': {'__type__': 'Dense', 'weight': {'__array__': -5, 'dtype': 'int64'}, 'bias': 2, 'scale': {'__array__': [[[], []]], 'dtype': 'float64'}, 'act': "<ufunc 'tanh'>"}, 'b': {'dec': {'enc': '', 'dec': {'__array__': 5, 'dtype': 'int64'}}, 'a': []}, 'note': 'block'}, 'scale': {'__array__': 2.6211640166449667e-291, 'dtype': 'float64'}, 'act': '<function identity>'}, {'__array__': -3.5805822789062614, 'dtype': 'float64'}, {'__array__': -1.9942130445094448, 'dtype': 'float64'}]], 'rule': "AdamW(eta=0.004483257832442129, beta=(0.6624368668677186, 0.5), lambda_=0.004176128358284296, epsilon=1e-06, couple=True, variant='optax')", 'ops': [{'op': 'step', 'grads': [{'__array__': [], 'dtype': 'float64'}, [{'weight': [{'__array__': [], 'dtype': 'float64'}, None], 'bias': {'w': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'b': {'dec': {'enc': None, 'dec': None}, 'a': []}, 'note': None}, 'scale': None, 'act': None}, -1e-05, -1.192092896e-07]]}, {'op': 'step', 'grads': [{'__array__': [], 'dtype': 'float64'}, [{'weight': [{'__array__': [], 'dtype': 'float64'}, None], 'bias': {'w': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'b': {'dec': {'enc': None, 'dec': None}, 'a': []}, 'note': None}, 'scale': None, 'act': None}, 0.0, -1.3914749152648478e-32]]}, {'op': 'step', 'grads': [{'__array__': [], 'dtype': 'float64'}, [{'weight': [{'__array__': [], 'dtype': 'float64'}, None], 'bias': {'w': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'b': {'dec': {'enc': None, 'dec': None}, 'a': []}, 'note': None}, 'scale': None, 'act': None}, -2.5174417231432233, -0.0019400758791469001]]}, {'op': 'step', 'grads': [{'__array__': [], 'dtype': 'float64'}, [{'weight': [{'__array__': [], 'dtype': 'float64'}, None], 'bias': {'w': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'b': {'dec': {'enc': None, 'dec': None}, 'a': []}, 'note': None}, 'scale': None, 'act': None}, -2.0005035610760023e-05, 0.0]]}], 'rules': ["AdamW(eta=0.004483257832442129, beta=(0.6624368668677186, 0.5), lambda_=0.004176128358284296, epsilon=1e-06, couple=True, variant='optax')"], 'variant': 'optax', 'path': 'structured', 'dtype': 'float64', 'step': 4}


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
        print("recorded deviation (ADAMW-1); no replayable program in this case:")
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
    print(f"max abs error {worst!r}, allowed {bound!r} (ADAMW-1)")
    return 0 if worst <= bound and not wrong_kind else 1


if __name__ == "__main__":
    sys.exit(main())
