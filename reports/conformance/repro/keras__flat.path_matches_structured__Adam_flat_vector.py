#!/usr/bin/env python
"""optconf repro: keras flat.path_matches_structured[Adam,flat_vector] deviates from FLAT-6.

model[1]=-1.3310799968972213, but should be -1.3310801383580797 [adapter=keras, path=flat_vector, step=4, dtype=float64, observed=1.4146085836053146e-07, allowed=5.3995258201539466e-15]

Case seed 753624244.  Inside optconf, replay with:
    optconf replay --adapter keras --property flat.path_matches_structured --rule Adam --path flat_vector --seed 753624244
"""

import sys

import numpy as np

ADAPTER = 'keras'
CLAUSE = 'FLAT-6'
PATH = 'flat_vector'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter keras --property flat.path_matches_structured --rule Adam --path flat_vector --seed 753624244'
RULE = {'name': 'Adam', 'eta': 0.00570831081330846, 'beta': (1.401298464324817e-45, 0.9701854747362464, ), 'epsilon': 1e-08, 'variant': 'normative'}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array(-1.3227937431148304, dtype=np.float64), np.array([], dtype=np.float64), np.array(0.8132834110676255, dtype=np.float64), np.array([-4.589217998697112e-60, -1.1231487280961665], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array(0.0, dtype=np.float64), np.array([], dtype=np.float64), np.array(0.0, dtype=np.float64), np.array([8.198313229558349e-147, 0.0020471013826520706], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(0.002561762473940873, dtype=np.float64), np.array([], dtype=np.float64), np.array(-2.440308997352538, dtype=np.float64), np.array([0.0, 0.0], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(1.1479437021484375e-41, dtype=np.float64), np.array([], dtype=np.float64), np.array(2.1340563286384153, dtype=np.float64), np.array([0.0, 0.0], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(6.103515625e-05, dtype=np.float64), np.array([], dtype=np.float64), np.array(0.0, dtype=np.float64), np.array([0.0, 0.0], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array(-1.3310801383580797, dtype=np.float64), np.array([], dtype=np.float64), np.array(0.8148291135348444, dtype=np.float64), np.array([-4.589217998697112e-60, -1.1288570110247644], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array(-1.3310799968972213, dtype=np.float64), np.array([], dtype=np.float64), np.array(0.8148291134729643, dtype=np.float64), np.array([-4.589217998697112e-60, -1.1288568774208172], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 5.3995258201539466e-15
PROGRAM_PICKLE = 'gASVygQAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCiMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBUJsb2NrlJOUKYGUfZQojAF3lIiMAWKUjBZudW1weS5fY29yZS5tdWx0aWFycmF5lIwMX3JlY29uc3RydWN0lJOUjAVudW1weZSMB25kYXJyYXmUk5RLAIWUQwFilIeUUpQoSwFLAIWUaBGMBWR0eXBllJOUjAJpOJSJiIeUUpQoSwOMATyUTk5OSv////9K/////0sAdJRiiUMAlHSUYowEbm90ZZSMBWJsb2NrlHVihZRoEGgTSwCFlGgVh5RSlChLASloGowCZjiUiYiHlFKUKEsDaB5OTk5K/////0r/////SwB0lGKJQwiGgaDFKSr1v5R0lGJoEGgTSwCFlGgVh5RSlChLAUsASwCGlGgqiWggdJRiaBBoE0sAhZRoFYeUUpQoSwEpaCqJQwjYRZ3uagbqP5R0lGJoEGgTSwCFlGgVh5RSlChLAUsChZRoKolDEH+I9EGUf52z9nj7zGr48b+UdJRiZYwEcnVsZZSMHG9wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLmFkYW2UjARBZGFtlJOUKYGUfZQojANldGGURz93YZkEIxL0jARiZXRhlEc2oAAAAAAAAEc/7wvCaKF8NoaUjAdlcHNpbG9ulEc+RXmO4jCMOowHdmFyaWFudJSMCW5vcm1hdGl2ZZR1YowDb3BzlChoAIwEU3RlcJSTlCmBlH2UjAVncmFkc5RdlCh9lChoDE5oDU5oIk51hZRoDowGc2NhbGFylJOUaCpDCAAAAAAAAAAAlIaUUpRoEGgTSwCFlGgVh5RSlChLAUsASwCGlGgqiWggdJRiaFRoKkMIAAAAAAAAAACUhpRSlGgQaBNLAIWUaBWHlFKUKEsBSwKFlGgqiUMQeJSGBBI1miH8yq4vFcVgP5R0lGJlc2JoTCmBlH2UaE9dlCh9lChoDE5oDU5oIk51hZRoVGgqQwisV3bBZ/xkP5SGlFKUaBBoE0sAhZRoFYeUUpQoSwFLAEsAhpRoKoloIHSUYmhUaCpDCA8cPrnAhQPAlIaUUpRoEGgTSwCFlGgVh5RSlChLAUsChZRoKolDEAAAAAAAAAAAAAAAAAAAAACUdJRiZXNiaEwpgZR9lGhPXZQofZQoaAxOaA1OaCJOdYWUaFRoKkMIm2MKAAAAcDeUhpRSlGgQaBNLAIWUaBWHlFKUKEsBSwBLAIaUaCqJaCB0lGJoVGgqQwgwl9ofjBIBQJSGlFKUaBBoE0sAhZRoFYeUUpQoSwFLAoWUaCqJQxAAAAAAAAAAAAAAAAAAAAAAlHSUYmVzYmhMKYGUfZRoT12UKH2UKGgMTmgNTmgiTnWFlGhUaCpDCAAAAAAAABA/lIaUUpRoEGgTSwCFlGgVh5RSlChLAUsASwCGlGgqiWggdJRiaFRoKkMIAAAAAAAAAACUhpRSlGgQaBNLAIWUaBWHlFKUKEsBSwKFlGgqiUMQAAAAAAAAAAAAAAAAAAAAAJR0lGJlc2J0lIwFZHR5cGWUjAdmbG9hdDY0lHViLg=='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: carried value', 'models: empty array', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': [({'__type__': 'Block', 'w': True, 'b': np.array([], dtype=np.int64), 'note': 'block'}, ), np.array(-1.3227937431148304, dtype=np.float64), np.array([], dtype=np.float64), np.array(0.8132834110676255, dtype=np.float64), np.array([-4.589217998697112e-60, -1.1231487280961665], dtype=np.float64)], 'rule': {'__type__': 'Adam', 'eta': 0.00570831081330846, 'beta': (1.401298464324817e-45, 0.9701854747362464, ), 'epsilon': 1e-08, 'variant': 'normative'}, 'ops': ({'__type__': 'Step', 'grads': [({'w': None, 'b': None, 'note': None}, ), 0.0, np.array([], dtype=np.float64), 0.0, np.array([8.198313229558349e-147, 0.0020471013826520706], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [({'w': None, 'b': None, 'note': None}, ), 0.002561762473940873, np.array([], dtype=np.float64), -2.440308997352538, np.array([0.0, 0.0], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [({'w': None, 'b': None, 'note': None}, ), 1.1479437021484375e-41, np.array([], dtype=np.float64), 2.1340563286384153, np.array([0.0, 0.0], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [({'w': None, 'b': None, 'note': None}, ), 6.103515625e-05, np.array([], dtype=np.float64), 0.0, np.array([0.0, 0.0], dtype=np.float64)]}, ), 'dtype': 'float64'}, 'model': [[{'__type__': 'Block', 'w': True, 'b': {'__array__': [], 'dtype': 'int64'}, 'note': 'block'}], {'__array__': -1.3227937431148304, 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}, {'__array__': 0.8132834110676255, 'dtype': 'float64'}, {'__array__': [-4.589217998697112e-60, -1.1231487280961665], 'dtype': 'float64'}], 'rule': "Adam(eta=0.00570831081330846, beta=(1.401298464324817e-45, 0.9701854747362464), epsilon=1e-08, variant='normative')", 'ops': [{'op': 'step', 'grads': [[{'w': None, 'b': None, 'note': None}], 0.0, {'__array__': [], 'dtype': 'float64'}, 0.0, {'__array__': [8.198313229558349e-147, 0.0020471013826520706], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [[{'w': None, 'b': None, 'note': None}], 0.002561762473940873, {'__array__': [], 'dtype': 'float64'}, -2.440308997352538, {'__array__': [0.0, 0.0], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [[{'w': None, 'b': None, 'note': None}], 1.1479437021484375e-41, {'__array__': [], 'dtype': 'float64'}, 2.1340563286384153, {'__array__': [0.0, 0.0], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [[{'w': None, 'b': None, 'note': None}], 6.103515625e-05, {'__array__': [], 'dtype': 'float64'}, 0.0, {'__array__': [0.0, 0.0], 'dtype': 'float64'}]}], 'rules': ["Adam(eta=0.00570831081330846, beta=(1.401298464324817e-45, 0.9701854747362464), epsilon=1e-08, variant='normative')"], 'path': 'flat_vector', 'dtype': 'float64', 'step': 4}


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
