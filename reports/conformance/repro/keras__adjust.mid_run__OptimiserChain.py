#!/usr/bin/env python
"""optconf repro: keras adjust.mid_run[OptimiserChain] deviates from CHAIN-1.

optimiserchain.0.beta_t[model[3]][0]=0.22918283219198396, but should be 0.3312352602293903 [adapter=keras, path=structured, step=3, dtype=float64, observed=0.10205242803740636, allowed=2.0247786091942934e-14]

Case seed 3603406370.  Inside optconf, replay with:
    optconf replay --adapter keras --property adjust.mid_run --rule OptimiserChain --seed 3603406370
"""

import sys

import numpy as np

ADAPTER = 'keras'
CLAUSE = 'CHAIN-1'
PATH = 'structured'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter keras --property adjust.mid_run --rule OptimiserChain --seed 3603406370'
RULE = {'name': 'OptimiserChain', 'rules': ({'__type__': 'Adam', 'eta': 0.006644404990475722, 'beta': (0.6919034888775669, 0.8564662242663227, ), 'epsilon': 1e-06, 'variant': 'normative'}, )}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array([[], []], dtype=np.float64), np.array([[]], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([], dtype=np.float64), np.array([], dtype=np.float64), None, None]}, {'op': 'step', 'grads': [np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array([[], []], dtype=np.float64), np.array([[]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array([[], []], dtype=np.float64), np.array([[]], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array([[], []], dtype=np.float64), np.array([[]], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array([[], []], dtype=np.float64), np.array([[]], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 2.0247786091942934e-14
PROGRAM_PICKLE = 'gASV5gQAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCiMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBFBhaXKUk5RoB4wFRGVuc2WUk5QpgZR9lCiMBndlaWdodJSMFm51bXB5Ll9jb3JlLm11bHRpYXJyYXmUjAxfcmVjb25zdHJ1Y3SUk5SMBW51bXB5lIwHbmRhcnJheZSTlEsAhZRDAWKUh5RSlChLASloEowFZHR5cGWUk5SMAmk4lImIh5RSlChLA4wBPJROTk5K/////0r/////SwB0lGKJQwgBAAAAAAAAAJR0lGKMBGJpYXOUTowFc2NhbGWUaBFoFEsAhZRoFoeUUpQoSwEpaBqMAmY4lImIh5RSlChLA2geTk5OSv////9K/////0sAdJRiiUMI2DdZqmrFFomUdJRijANhY3SUaAeMCGlkZW50aXR5lJOUdWJoCymBlH2UKGgOaBFoFEsAhZRoFoeUUpQoSwFLAIWUaB2JQwCUdJRiaCJLAGgjaBFoFEsAhZRoFoeUUpQoSwFLAoWUaCmJQxCccCyJb4UKwAAAAAAAABC/lHSUYmgtaC91YoaUgZRoEWgUSwCFlGgWh5RSlChLAUsASwJLAIeUaCmJaDZ0lGJoEWgUSwCFlGgWh5RSlChLAUsASwJLAIeUaCmJaDZ0lGJoEWgUSwCFlGgWh5RSlChLAUsCSwBLAYeUaCmJaDZ0lGJoEWgUSwCFlGgWh5RSlChLAUsBSwCGlGgpiWg2dJRiZYwEcnVsZZSMH29wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLmNvbXBvc2WUjA5PcHRpbWlzZXJDaGFpbpSTlCmBlH2UjAVydWxlc5SMHG9wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLmFkYW2UjARBZGFtlJOUKYGUfZQojANldGGURz97NyniKuUgjARiZXRhlEc/5iQSyRb1WUc/62gr2utHVYaUjAdlcHNpbG9ulEc+sMb3oLXtjYwHdmFyaWFudJSMCW5vcm1hdGl2ZZR1YoWUc2KMA29wc5RoAIwEU3RlcJSTlCmBlH2UjAVncmFkc5RdlChOaBFoFEsAhZRoFoeUUpQoSwFLAEsCSwCHlGgpiWg2dJRiaBFoFEsAhZRoFoeUUpQoSwFLAEsCSwCHlGgpiWg2dJRiTk5lc2JoaSmBlH2UaGxdlChOfZQoaA5OaCJOaCNOaC1OdYaUaBFoFEsAhZRoFoeUUpQoSwFLAEsCSwCHlGgpiWg2dJRiaBFoFEsAhZRoFoeUUpQoSwFLAEsCSwCHlGgpiWg2dJRiaBFoFEsAhZRoFoeUUpQoSwFLAksASwGHlGgpiWg2dJRiaBFoFEsAhZRoFoeUUpQoSwFLAUsAhpRoKYloNnSUYmVzYmhpKYGUfZRobF2UKE5oEWgUSwCFlGgWh5RSlChLAUsASwJLAIeUaCmJaDZ0lGJoEWgUSwCFlGgWh5RSlChLAUsASwJLAIeUaCmJaDZ0lGJoEWgUSwCFlGgWh5RSlChLAUsCSwBLAYeUaCmJaDZ0lGJoEWgUSwCFlGgWh5RSlChLAUsBSwCGlGgpiWg2dJRiZXNih5SMBWR0eXBllIwHZmxvYXQ2NJR1Yi4='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: carried value', 'models: empty array', 'models: layer with a non-trainable array', 'programs: None inside a gradient'], 'program': {'__type__': 'Program', 'model': [({'__type__': 'Dense', 'weight': np.array(1, dtype=np.int64), 'bias': None, 'scale': np.array(-7.062020224853664e-265, dtype=np.float64), 'act': '<function identity>'}, {'__type__': 'Dense', 'weight': np.array([], dtype=np.int64), 'bias': 0, 'scale': np.array([-3.3151541439711547, -6.103515625e-05], dtype=np.float64), 'act': '<function identity>'}, ), np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array([[], []], dtype=np.float64), np.array([[]], dtype=np.float64)], 'rule': {'__type__': 'OptimiserChain', 'rules': ({'__type__': 'Adam', 'eta': 0.006644404990475722, 'beta': (0.6919034888775669, 0.8564662242663227, ), 'epsilon': 1e-06, 'variant': 'normative'}, )}, 'ops': ({'__type__': 'Step', 'grads': [None, np.array([], dtype=np.float64), np.array([], dtype=np.float64), None, None]}, {'__type__': 'Step', 'grads': [(None, {'weight': None, 'bias': None, 'scale': None, 'act': None}, ), np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array([[], []], dtype=np.float64), np.array([[]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [None, np.array([], dtype=np.float64), np.array([], dtype=np.float64), np.array([[], []], dtype=np.float64), np.array([[]], dtype=np.float64)]}, ), 'dtype': 'float64'}, 'model': [[{'__type__': 'Dense', 'weight': {'__array__': 1, 'dtype': 'int64'}, 'bias': None, 'scale': {'__array__': -7.062020224853664e-265, 'dtype': 'float64'}, 'act': '<function identity>'}, {'__type__': 'Dense', 'weight': {'__array__': [], 'dtype': 'int64'}, 'bias': 0, 'scale': {'__array__': [-3.3151541439711547, -6.103515625e-05], 'dtype': 'float64'}, 'act': '<function identity>'}], {'__array__': [], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}, {'__array__': [[], []], 'dtype': 'float64'}, {'__array__': [[]], 'dtype': 'float64'}], 'rule': "OptimiserChain(Adam(eta=0.006644404990475722, beta=(0.6919034888775669, 0.8564662242663227), epsilon=1e-06, variant='normative'))", 'ops': [{'op': 'step', 'grads': [None, {'__array__': [], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}, None, None]}, {'op': 'step', 'grads': [[None, {'weight': None, 'bias': None, 'scale': None, 'act': None}], {'__array__': [], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}, {'__array__': [[], []], 'dtype': 'float64'}, {'__array__': [[]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [None, {'__array__': [], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}, {'__array__': [[], []], 'dtype': 'float64'}, {'__array__': [[]], 'dtype': 'float64'}]}], 'rules': ["OptimiserChain(Adam(eta=0.006644404990475722, beta=(0.6919034888775669, 0.8564662242663227), epsilon=1e-06, variant='normative'))"], 'path': 'structured', 'dtype': 'float64', 'step': 3}


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
        print("recorded deviation (CHAIN-1); no replayable program in this case:")
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
    print(f"max abs error {worst!r}, allowed {bound!r} (CHAIN-1)")
    return 0 if worst <= bound and not wrong_kind else 1


if __name__ == "__main__":
    sys.exit(main())
