#!/usr/bin/env python
"""optconf repro: tinygrad checkpoint.checkpoint_resumes[flat_vector] deviates from STATE-8.

the run with a checkpoint raised AssertionError: must be BUFFER Ops.COPY, but should resume as the run without it does [adapter=tinygrad, path=flat_vector, step=4, dtype=float32]

Case seed 3221123089.  Inside optconf, replay with:
    optconf replay --adapter tinygrad --property checkpoint.checkpoint_resumes --path flat_vector --seed 3221123089
"""

import sys

import numpy as np

ADAPTER = 'tinygrad'
CLAUSE = 'STATE-8'
PATH = 'flat_vector'
DTYPE = 'float32'
REPLAY = 'optconf replay --adapter tinygrad --property checkpoint.checkpoint_resumes --path flat_vector --seed 3221123089'
RULE = {'name': 'Momentum', 'eta': 0.06853576366567488, 'rho': 0.7197875125813937, 'variant': 'normative'}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([], dtype=np.float64), np.array([[[], []]], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([], dtype=np.float64), np.array([[[], []]], dtype=np.float64)]}, {'op': 'checkpoint', 'into': 'unsharded'}, {'op': 'step', 'grads': [np.array([], dtype=np.float64), np.array([[[], []]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([], dtype=np.float64), np.array([[[], []]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([], dtype=np.float64), np.array([[[], []]], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([], dtype=np.float64), np.array([[[], []]], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = None
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = None
PROGRAM_PICKLE = 'gASVagUAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCiMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBURlbnNllJOUKYGUfZQojAZ3ZWlnaHSUaAeMBUJsb2NrlJOUKYGUfZQojAF3lH2UKIwBYZSJjANkZWOUjAVudW1weZSMBHRhbmiUk5RoEYwWbnVtcHkuX2NvcmUubXVsdGlhcnJheZSMDF9yZWNvbnN0cnVjdJSTlGgVjAduZGFycmF5lJOUSwCFlEMBYpSHlFKUKEsBKWgVjAVkdHlwZZSTlIwCaTiUiYiHlFKUKEsDjAE8lE5OTkr/////Sv////9LAHSUYolDCP//////////lHSUYnWMAWKUaAeMCGlkZW50aXR5lJOUjARub3RllIwFYmxvY2uUdWKMBGJpYXOUaA4pgZR9lChoEV2UTmFoKmgJKYGUfZQoaAxLA2gvaBpoHEsAhZRoHoeUUpQoSwFLAEsCSwGHlGgijAJmOJSJiIeUUpQoSwNoJk5OTkr/////Sv////9LAHSUYolDAJR0lGKMBXNjYWxllGgaaBxLAIWUaB6HlFKUKEsBSwBLAEsCh5RoO4loPXSUYowDYWN0lGgXdWJoLWgudWJoP2gaaBxLAIWUaB6HlFKUKEsBSwGFlGg7iUMIAAAAIBZ49r+UdJRiaEVoLHViaBpoHEsAhZRoHoeUUpQoSwFLAUsCSwCHlGg7iWg9dJRiZYwEcnVsZZSMH29wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLmRlc2NlbnSUjAhNb21lbnR1bZSTlCmBlH2UKIwDZXRhlEc/sYuPT4zq3IwDcmhvlEc/5wh/0lNmmowHdmFyaWFudJSMCW5vcm1hdGl2ZZR1YowDb3BzlChoAIwEU3RlcJSTlCmBlH2UjAVncmFkc5RdlCh9lChoDH2UKGgRfZQoaBNOaBROaBFOdWgqTmgtTnVoL32UKGgRXZROYWgqfZQoaAxOaC9oGmgcSwCFlGgeh5RSlChLAUsASwJLAYeUaDuJaD10lGJoP05oRU51aC1OdWg/TmhFTnVoGmgcSwCFlGgeh5RSlChLAUsBSwJLAIeUaDuJaD10lGJlc2JoAIwKQ2hlY2twb2ludJSTlCmBlH2UjARpbnRvlIwJdW5zaGFyZGVklHNiaF0pgZR9lGhgXZQofZQoaAx9lChoEX2UKGgTTmgUTmgRTnVoKk5oLU51aC99lChoEV2UTmFoKn2UKGgMTmgvaBpoHEsAhZRoHoeUUpQoSwFLAEsCSwGHlGg7iWg9dJRiaD9OaEVOdWgtTnVoP05oRU51aBpoHEsAhZRoHoeUUpQoSwFLAUsCSwCHlGg7iWg9dJRiZXNiaF0pgZR9lGhgXZQofZQoaAx9lChoEX2UKGgTTmgUTmgRTnVoKk5oLU51aC99lChoEV2UTmFoKn2UKGgMTmgvaBpoHEsAhZRoHoeUUpQoSwFLAEsCSwGHlGg7iWg9dJRiaD9OaEVOdWgtTnVoP05oRU51aBpoHEsAhZRoHoeUUpQoSwFLAUsCSwCHlGg7iWg9dJRiZXNiaF0pgZR9lGhgXZQofZQoaAx9lChoEX2UKGgTTmgUTmgRTnVoKk5oLU51aC99lChoEV2UTmFoKn2UKGgMTmgvaBpoHEsAhZRoHoeUUpQoSwFLAEsCSwGHlGg7iWg9dJRiaD9OaEVOdWgtTnVoP05oRU51aBpoHEsAhZRoHoeUUpQoSwFLAUsCSwCHlGg7iWg9dJRiZXNidJSMBWR0eXBllIwHZmxvYXQzMpR1Yi4='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: carried value', 'models: empty array', 'models: layer with a non-trainable array', 'models: parameter three levels deep'], 'program': {'__type__': 'Program', 'model': [{'__type__': 'Dense', 'weight': {'__type__': 'Block', 'w': {'a': False, 'dec': "<ufunc 'tanh'>", 'w': np.array(-1, dtype=np.int64)}, 'b': '<function identity>', 'note': 'block'}, 'bias': {'__type__': 'Block', 'w': [None], 'b': {'__type__': 'Dense', 'weight': 3, 'bias': np.array([], dtype=np.float64), 'scale': np.array([], dtype=np.float64), 'act': "<ufunc 'tanh'>"}, 'note': 'block'}, 'scale': np.array([-1.4043179750442505], dtype=np.float64), 'act': '<function identity>'}, np.array([[[], []]], dtype=np.float64)], 'rule': {'__type__': 'Momentum', 'eta': 0.06853576366567488, 'rho': 0.7197875125813937, 'variant': 'normative'}, 'ops': ({'__type__': 'Step', 'grads': [{'weight': {'w': {'a': None, 'dec': None, 'w': None}, 'b': None, 'note': None}, 'bias': {'w': [None], 'b': {'weight': None, 'bias': np.array([], dtype=np.float64), 'scale': None, 'act': None}, 'note': None}, 'scale': None, 'act': None}, np.array([[[], []]], dtype=np.float64)]}, {'__type__': 'Checkpoint', 'into': 'unsharded'}, {'__type__': 'Step', 'grads': [{'weight': {'w': {'a': None, 'dec': None, 'w': None}, 'b': None, 'note': None}, 'bias': {'w': [None], 'b': {'weight': None, 'bias': np.array([], dtype=np.float64), 'scale': None, 'act': None}, 'note': None}, 'scale': None, 'act': None}, np.array([[[], []]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [{'weight': {'w': {'a': None, 'dec': None, 'w': None}, 'b': None, 'note': None}, 'bias': {'w': [None], 'b': {'weight': None, 'bias': np.array([], dtype=np.float64), 'scale': None, 'act': None}, 'note': None}, 'scale': None, 'act': None}, np.array([[[], []]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [{'weight': {'w': {'a': None, 'dec': None, 'w': None}, 'b': None, 'note': None}, 'bias': {'w': [None], 'b': {'weight': None, 'bias': np.array([], dtype=np.float64), 'scale': None, 'act': None}, 'note': None}, 'scale': None, 'act': None}, np.array([[[], []]], dtype=np.float64)]}, ), 'dtype': 'float32'}, 'model': [{'__type__': 'Dense', 'weight': {'__type__': 'Block', 'w': {'a': False, 'dec': "<ufunc 'tanh'>", 'w': {'__array__': -1, 'dtype': 'int64'}}, 'b': '<function identity>', 'note': 'block'}, 'bias': {'__type__': 'Block', 'w': [None], 'b': {'__type__': 'Dense', 'weight': 3, 'bias': {'__array__': [], 'dtype': 'float64'}, 'scale': {'__array__': [], 'dtype': 'float64'}, 'act': "<ufunc 'tanh'>"}, 'note': 'block'}, 'scale': {'__array__': [-1.4043179750442505], 'dtype': 'float64'}, 'act': '<function identity>'}, {'__array__': [[[], []]], 'dtype': 'float64'}], 'rule': "Momentum(eta=0.06853576366567488, rho=0.7197875125813937, variant='normative')", 'ops': [{'op': 'step', 'grads': [{'weight': {'w': {'a': None, 'dec': None, 'w': None}, 'b': None, 'note': None}, 'bias': {'w': [None], 'b': {'weight': None, 'bias': {'__array__': [], 'dtype': 'float64'}, 'scale': None, 'act': None}, 'note': None}, 'scale': None, 'act': None}, {'__array__': [[[], []]], 'dtype': 'float64'}]}, {'op': 'checkpoint', 'into': 'unsharded'}, {'op': 'step', 'grads': [{'weight': {'w': {'a': None, 'dec': None, 'w': None}, 'b': None, 'note': None}, 'bias': {'w': [None], 'b': {'weight': None, 'bias': {'__array__': [], 'dtype': 'float64'}, 'scale': None, 'act': None}, 'note': None}, 'scale': None, 'act': None}, {'__array__': [[[], []]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [{'weight': {'w': {'a': None, 'dec': None, 'w': None}, 'b': None, 'note': None}, 'bias': {'w': [None], 'b': {'weight': None, 'bias': {'__array__': [], 'dtype': 'float64'}, 'scale': None, 'act': None}, 'note': None}, 'scale': None, 'act': None}, {'__array__': [[[], []]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [{'weight': {'w': {'a': None, 'dec': None, 'w': None}, 'b': None, 'note': None}, 'bias': {'w': [None], 'b': {'weight': None, 'bias': {'__array__': [], 'dtype': 'float64'}, 'scale': None, 'act': None}, 'note': None}, 'scale': None, 'act': None}, {'__array__': [[[], []]], 'dtype': 'float64'}]}], 'rules': ["Momentum(eta=0.06853576366567488, rho=0.7197875125813937, variant='normative')"], 'path': 'flat_vector', 'dtype': 'float32', 'step': 4}


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
        print("recorded deviation (STATE-8); no replayable program in this case:")
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
    print(f"max abs error {worst!r}, allowed {bound!r} (STATE-8)")
    return 0 if worst <= bound and not wrong_kind else 1


if __name__ == "__main__":
    sys.exit(main())
