#!/usr/bin/env python
"""optconf repro: keras tying_transpose.transpose_tied_to_its_parent[per_array] deviates from TIE-5.

model['enc'][1, 1]=0.5735610281968513, but should be 0.5735610700553102 [adapter=keras, path=per_array, step=2, dtype=float64, observed=4.185845892124007e-08, allowed=8.694963462601749e-16]

Case seed 501225170.  Inside optconf, replay with:
    optconf replay --adapter keras --property tying_transpose.transpose_tied_to_its_parent --path per_array --seed 501225170
"""

import sys

import numpy as np

ADAPTER = 'keras'
CLAUSE = 'TIE-5'
PATH = 'per_array'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter keras --property tying_transpose.transpose_tied_to_its_parent --path per_array --seed 501225170'
RULE = {'name': 'Adam', 'eta': 0.0024821314317864263, 'beta': (0.20534699008390575, 0.7738275218856641, ), 'epsilon': 1e-06, 'variant': 'normative'}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([[-0.8703506114833148, -0.310477362977595], [-0.6631521416289741, 0.5737890142641184], [-0.2192002279234393, -0.4791597519031534]], dtype=np.float64), np.array([0.017399837091222725, 0.11568926879350871], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([[-1.132502150489721, 0.7252707457088057], [0.5747544932206818, -0.06275784003260765], [-0.26944949194518464, 1.2503610964927332]], dtype=np.float64), np.array([-0.15955503424816442, 0.4032390972816391], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[0.26341820579945563, 0.11028428634504284], [-0.1942887705510996, 1.1906028208867534], [0.47819993364694025, -0.27006591526133805]], dtype=np.float64), np.array([0.44532576390239353, 0.5036313406732194], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([[-0.8679506233127758, -0.3140575216237258], [-0.6652480991450401, 0.5735610700553102], [-0.21889110553946642, -0.4816096549134917]], dtype=np.float64), np.array([0.017458621694335826, 0.1105961928830065], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([[-0.8679506256681653, -0.3140575165425712], [-0.6652480949324856, 0.5735610281968513], [-0.21889111255890187, -0.48160965274639955]], dtype=np.float64), np.array([0.01745860854099057, 0.11059620293796033], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 8.694963462601749e-16
PROGRAM_PICKLE = 'gASV6gMAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJR9lCiMA2VuY5SMFm51bXB5Ll9jb3JlLm11bHRpYXJyYXmUjAxfcmVjb25zdHJ1Y3SUk5SMBW51bXB5lIwHbmRhcnJheZSTlEsAhZRDAWKUh5RSlChLAUsDSwKGlGgLjAVkdHlwZZSTlIwCZjiUiYiHlFKUKEsDjAE8lE5OTkr/////Sv////9LAHSUYolDMGj7i4bp2eu/HMYIctze07+kMxLXijjlv+AwYsd6XOI/SHwaycAOzL/08f6pjarev5R0lGKMBGJpYXOUaApoDUsAhZRoD4eUUpQoSwFLAoWUaBeJQxCA1AxNQ9GRP7Bd99nPnb0/lHSUYowDZGVjlIwWb3B0Y29uZi5yZWZlcmVuY2UudHJlZZSMCVRyYW5zcG9zZZSTlCmBlH2UjAZwYXJlbnSUaBFzYnWMBHJ1bGWUjBxvcHRjb25mLnJlZmVyZW5jZS5ydWxlcy5hZGFtlIwEQWRhbZSTlCmBlH2UKIwDZXRhlEc/ZFVoKl1b5IwEYmV0YZRHP8pIz2dfB1dHP+jDMe9ny/6GlIwHZXBzaWxvbpRHPrDG96C17Y2MB3ZhcmlhbnSUjAlub3JtYXRpdmWUdWKMA29wc5RoAIwEU3RlcJSTlCmBlH2UjAVncmFkc5R9lChoB2gKaA1LAIWUaA+HlFKUKEsBSwNLAoaUaBeJQzBk6Fo9airRv4QjVcoJ+NM/HImEefM12b9c8sS2Ny3ZP/igI5B1UeM/uDBczK3Q2D+UdJRiaBxoCmgNSwCFlGgPh5RSlChLAUsChZRoF4lDEAAHAaNMbMS/1MPSW6vO2T+UdJRiaCNoCmgNSwCFlGgPh5RSlChLAUsCSwOGlGgXiUMwkKSyB0Co678Y2bVFXf/uPxYjnhrK8Ou/CAMPM8xy2j+wb2UscTHdv/D3BWCemus/lHSUYnVzYmg4KYGUfZRoO32UKGgHaApoDUsAhZRoD4eUUpQoSwFLA0sChpRoF4lDMNDgLOIdHsC/sJEYrMfnwb9we9JenfTcv8DPS0dDGtk/COSwboF24z8ogCk686nfP5R0lGJoHGgKaA1LAIWUaA+HlFKUKEsBSwKFlGgXiUMQVLoBojeA3D/c0y15vx3gP5R0lGJoI2gKaA1LAIWUaA+HlFKUKEsBSwJLA4aUaBeJQzCMidv55urYP0Cs8jNjhdA/QE3I8F2kwL9on9OoyQLQP6iUoXJJjOk/+LlO41p56L+UdJRidXNihpSMBWR0eXBllIwHZmxvYXQ2NJR1Yi4='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: dict keys out of sorted order', 'models: tie across containers'], 'program': {'__type__': 'Program', 'model': {'enc': np.array([[-0.8703506114833148, -0.310477362977595], [-0.6631521416289741, 0.5737890142641184], [-0.2192002279234393, -0.4791597519031534]], dtype=np.float64), 'bias': np.array([0.017399837091222725, 0.11568926879350871], dtype=np.float64), 'dec': {'__type__': 'Transpose', 'parent': np.array([[-0.8703506114833148, -0.310477362977595], [-0.6631521416289741, 0.5737890142641184], [-0.2192002279234393, -0.4791597519031534]], dtype=np.float64)}}, 'rule': {'__type__': 'Adam', 'eta': 0.0024821314317864263, 'beta': (0.20534699008390575, 0.7738275218856641, ), 'epsilon': 1e-06, 'variant': 'normative'}, 'ops': ({'__type__': 'Step', 'grads': {'enc': np.array([[-0.2682138060732824, 0.3120140529541049], [-0.39391791216816485, 0.39338486527029715], [0.6036937537401448, 0.3877367492393762]], dtype=np.float64), 'bias': np.array([-0.15955503424816442, 0.4032390972816391], dtype=np.float64), 'dec': np.array([[-0.8642883444164386, 0.9686724053888467, -0.8731432456853294], [0.4132566927547008, -0.4561427053029048, 0.862624347253357]], dtype=np.float64)}}, {'__type__': 'Step', 'grads': {'enc': np.array([[-0.12591908973423083, -0.13988586333392794], [-0.45243009815197066, 0.3922279545070033], [0.6082160150464242, 0.49474793128865935]], dtype=np.float64), 'bias': np.array([0.44532576390239353, 0.5036313406732194], dtype=np.float64), 'dec': np.array([[0.38933729553368646, 0.25814132760087105, -0.13001608139948395], [0.2501701496789708, 0.7983748663797501, -0.7648138465499974]], dtype=np.float64)}}, ), 'dtype': 'float64'}, 'model': {'enc': {'__array__': [[-0.8703506114833148, -0.310477362977595], [-0.6631521416289741, 0.5737890142641184], [-0.2192002279234393, -0.4791597519031534]], 'dtype': 'float64'}, 'bias': {'__array__': [0.017399837091222725, 0.11568926879350871], 'dtype': 'float64'}, 'dec': {'__type__': 'Transpose', 'parent': {'__array__': [[-0.8703506114833148, -0.310477362977595], [-0.6631521416289741, 0.5737890142641184], [-0.2192002279234393, -0.4791597519031534]], 'dtype': 'float64'}}}, 'rule': "Adam(eta=0.0024821314317864263, beta=(0.20534699008390575, 0.7738275218856641), epsilon=1e-06, variant='normative')", 'ops': [{'op': 'step', 'grads': {'enc': {'__array__': [[-0.2682138060732824, 0.3120140529541049], [-0.39391791216816485, 0.39338486527029715], [0.6036937537401448, 0.3877367492393762]], 'dtype': 'float64'}, 'bias': {'__array__': [-0.15955503424816442, 0.4032390972816391], 'dtype': 'float64'}, 'dec': {'__array__': [[-0.8642883444164386, 0.9686724053888467, -0.8731432456853294], [0.4132566927547008, -0.4561427053029048, 0.862624347253357]], 'dtype': 'float64'}}}, {'op': 'step', 'grads': {'enc': {'__array__': [[-0.12591908973423083, -0.13988586333392794], [-0.45243009815197066, 0.3922279545070033], [0.6082160150464242, 0.49474793128865935]], 'dtype': 'float64'}, 'bias': {'__array__': [0.44532576390239353, 0.5036313406732194], 'dtype': 'float64'}, 'dec': {'__array__': [[0.38933729553368646, 0.25814132760087105, -0.13001608139948395], [0.2501701496789708, 0.7983748663797501, -0.7648138465499974]], 'dtype': 'float64'}}}], 'rules': ["Adam(eta=0.0024821314317864263, beta=(0.20534699008390575, 0.7738275218856641), epsilon=1e-06, variant='normative')"], 'path': 'per_array', 'dtype': 'float64', 'step': 2}


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
