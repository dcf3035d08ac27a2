#!/usr/bin/env python
"""optconf repro: mlx variant_forms.other_forms_match[Adam] deviates from ADAM-1.

model[1]=-1.9895224798682434, but should be -1.9895224798017284 [adapter=mlx, path=structured, step=4, dtype=float64, observed=6.65150157175276e-11, allowed=3.6232524575824705e-15]

Case seed 3529356349.  Inside optconf, replay with:
    optconf replay --adapter mlx --property variant_forms.other_forms_match --rule Adam --seed 3529356349
"""

import sys

import numpy as np

ADAPTER = 'mlx'
CLAUSE = 'ADAM-1'
PATH = 'structured'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter mlx --property variant_forms.other_forms_match --rule Adam --seed 3529356349'
RULE = {'name': 'Adam', 'eta': 0.0012443527417980763, 'beta': (0.541504989539527, 0.7618570818698909, ), 'epsilon': 1e-06, 'variant': 'optimisers'}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([[]], dtype=np.float64), np.array([[]], dtype=np.float64), np.array(-1.9922794794964473, dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([[]], dtype=np.float64), np.array([[]], dtype=np.float64), np.array(-1.6380097969975597e-158, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[]], dtype=np.float64), np.array([[]], dtype=np.float64), np.array(-0.003902788364508549, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[]], dtype=np.float64), np.array([[]], dtype=np.float64), np.array(-2.0856846924615318, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[]], dtype=np.float64), np.array([[]], dtype=np.float64), np.array(-1e-05, dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([[]], dtype=np.float64), np.array([[]], dtype=np.float64), np.array(-1.9895224798017284, dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([[]], dtype=np.float64), np.array([[]], dtype=np.float64), np.array(-1.9895224798682434, dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 3.6232524575824705e-15
PROGRAM_PICKLE = 'gASVYgQAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCiMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBFBhaXKUk5RdlChOjBZudW1weS5fY29yZS5tdWx0aWFycmF5lIwMX3JlY29uc3RydWN0lJOUjAVudW1weZSMB25kYXJyYXmUk5RLAIWUQwFilIeUUpQoSwFLAUsASwKHlGgOjAVkdHlwZZSTlIwCZjiUiYiHlFKUKEsDjAE8lE5OTkr/////Sv////9LAHSUYolDAJR0lGJlXZSGlIGUaAeMBUJsb2NrlJOUKYGUfZQojAF3lGgHjAhpZGVudGl0eZSTlIwBYpRoKIwEbm90ZZSMBWJsb2NrlHVifZQojANkZWOUaChoKWgNaBBLAIWUaBKHlFKUKEsBSwFLAEsCh5RoGoloHXSUYnWHlGgNaBBLAIWUaBKHlFKUKEsBKWgaiUMIxt2OcmDg/7+UdJRiZYwEcnVsZZSMHG9wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLmFkYW2UjARBZGFtlJOUKYGUfZQojANldGGURz9UYzGVKl0WjARiZXRhlEc/4VQCRZYtzEc/6GEiGltt/IaUjAdlcHNpbG9ulEc+sMb3oLXtjYwHdmFyaWFudJSMCm9wdGltaXNlcnOUdWKMA29wc5QoaACMBFN0ZXCUk5QpgZR9lIwFZ3JhZHOUXZQoXZQoTmgNaBBLAIWUaBKHlFKUKEsBSwFLAEsCh5RoGoloHXSUYmVdlIaUfZQoaCZOaClOaCpOdX2UKGgtTmgpaA1oEEsAhZRoEoeUUpQoSwFLAUsASwKHlGgaiWgddJRidYeUaAuMBnNjYWxhcpSTlGgaQwjCKpvOQ8ksn5SGlFKUZXNiaEcpgZR9lGhKXZQoXZQoTmgNaBBLAIWUaBKHlFKUKEsBSwFLAEsCh5RoGoloHXSUYmVdlIaUfZQoaCZOaClOaCpOdX2UKGgtTmgpaA1oEEsAhZRoEoeUUpQoSwFLAUsASwKHlGgaiWgddJRidYeUaF1oGkMIONVwjL34b7+UhpRSlGVzYmhHKYGUfZRoSl2UKF2UKE5oDWgQSwCFlGgSh5RSlChLAUsBSwBLAoeUaBqJaB10lGJlXZSGlH2UKGgmTmgpTmgqTnV9lChoLU5oKWgNaBBLAIWUaBKHlFKUKEsBSwFLAEsCh5RoGoloHXSUYnWHlGhdaBpDCOsev3R7rwDAlIaUUpRlc2JoRymBlH2UaEpdlChdlChOaA1oEEsAhZRoEoeUUpQoSwFLAUsASwKHlGgaiWgddJRiZV2UhpR9lChoJk5oKU5oKk51fZQoaC1OaCloDWgQSwCFlGgSh5RSlChLAUsBSwBLAoeUaBqJaB10lGJ1h5RoXWgaQwjxaOOItfjkvpSGlFKUZXNidJSMBWR0eXBllIwHZmxvYXQ2NJR1Yi4='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: carried value', 'models: dict keys out of sorted order', 'models: empty array', 'models: parameter three levels deep', 'models: sizes that do not divide evenly'], 'program': {'__type__': 'Program', 'model': [(([None, np.array([[]], dtype=np.float64)], [], ), {'__type__': 'Block', 'w': '<function identity>', 'b': '<function identity>', 'note': 'block'}, {'dec': '<function identity>', 'b': np.array([[]], dtype=np.float64)}, ), np.array(-1.9922794794964473, dtype=np.float64)], 'rule': {'__type__': 'Adam', 'eta': 0.0012443527417980763, 'beta': (0.541504989539527, 0.7618570818698909, ), 'epsilon': 1e-06, 'variant': 'optimisers'}, 'ops': ({'__type__': 'Step', 'grads': [(([None, np.array([[]], dtype=np.float64)], [], ), {'w': None, 'b': None, 'note': None}, {'dec': None, 'b': np.array([[]], dtype=np.float64)}, ), -1.6380097969975597e-158]}, {'__type__': 'Step', 'grads': [(([None, np.array([[]], dtype=np.float64)], [], ), {'w': None, 'b': None, 'note': None}, {'dec': None, 'b': np.array([[]], dtype=np.float64)}, ), -0.003902788364508549]}, {'__type__': 'Step', 'grads': [(([None, np.array([[]], dtype=np.float64)], [], ), {'w': None, 'b': None, 'note': None}, {'dec': None, 'b': np.array([[]], dtype=np.float64)}, ), -2.0856846924615318]}, {'__type__': 'Step', 'grads': [(([None, np.array([[]], dtype=np.float64)], [], ), {'w': None, 'b': None, 'note': None}, {'dec': None, 'b': np.array([[]], dtype=np.float64)}, ), -1e-05]}, ), 'dtype': 'float64'}, 'model': [[[[None, {'__array__': [[]], 'dtype': 'float64'}], []], {'__type__': 'Block', 'w': '<function identity>', 'b': '<function identity>', 'note': 'block'}, {'dec': '<function identity>', 'b': {'__array__': [[]], 'dtype': 'float64'}}], {'__array__': -1.9922794794964473, 'dtype': 'float64'}], 'rule': "Adam(eta=0.0012443527417980763, beta=(0.541504989539527, 0.7618570818698909), epsilon=1e-06, variant='optimisers')", 'ops': [{'op': 'step', 'grads': [[[[None, {'__array__': [[]], 'dtype': 'float64'}], []], {'w': None, 'b': None, 'note': None}, {'dec': None, 'b': {'__array__': [[]], 'dtype': 'float64'}}], -1.6380097969975597e-158]}, {'op': 'step', 'grads': [[[[None, {'__array__': [[]], 'dtype': 'float64'}], []], {'w': None, 'b': None, 'note': None}, {'dec': None, 'b': {'__array__': [[]], 'dtype': 'float64'}}], -0.003902788364508549]}, {'op': 'step', 'grads': [[[[None, {'__array__': [[]], 'dtype': 'float64'}], []], {'w': None, 'b': None, 'note': None}, {'dec': None, 'b': {'__array__': [[]], 'dtype': 'float64'}}], -2.0856846924615318]}, {'op': 'step', 'grads': [[[[None, {'__array__': [[]], 'dtype': 'float64'}], []], {'w': None, 'b': None, 'note': None}, {'dec': None, 'b': {'__array__': [[]], 'dtype': 'float64'}}], -1e-05]}], 'rules': ["Adam(eta=0.0012443527417980763, beta=(0.541504989539527, 0.7618570818698909), epsilon=1e-06, variant='optimisers')"], 'variant': 'optimisers', 'path': 'structured', 'dtype': 'float64', 'step': 4}


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
        print("recorded deviation (ADAM-1); no replayable program in this case:")
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
    print(f"max abs error {worst!r}, allowed {bound!r} (ADAM-1)")
    return 0 if worst <= bound and not wrong_kind else 1


if __name__ == "__main__":
    sys.exit(main())
