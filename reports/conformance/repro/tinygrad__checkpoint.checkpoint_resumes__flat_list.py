#!/usr/bin/env python
"""optconf repro: tinygrad checkpoint.checkpoint_resumes[flat_list] deviates from STATE-8.

the run with a checkpoint raised AssertionError: must be BUFFER Ops.COPY, but should resume as the run without it does [adapter=tinygrad, path=flat_list, step=4, dtype=float32]

Case seed 2819888120.  Inside optconf, replay with:
    optconf replay --adapter tinygrad --property checkpoint.checkpoint_resumes --path flat_list --seed 2819888120
"""

import sys

import numpy as np

ADAPTER = 'tinygrad'
CLAUSE = 'STATE-8'
PATH = 'flat_list'
DTYPE = 'float32'
REPLAY = 'optconf replay --adapter tinygrad --property checkpoint.checkpoint_resumes --path flat_list --seed 2819888120'
RULE = {'name': 'Adam', 'eta': 0.0058488795952508325, 'beta': (0.07929005748148772, 0.5, ), 'epsilon': 0.001, 'variant': 'normative'}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([[0.27965831756591797, 3.3707785606384277]], dtype=np.float64), np.array([], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([[-3.5400733947753906, -2.357734441757202]], dtype=np.float64), np.array([], dtype=np.float64)]}, {'op': 'checkpoint', 'into': 'unsharded'}, {'op': 'adjust', 'changes': {'beta': (1.2598805232658343e-250, 0.6264253531333335, ), 'eta': 0.009156049072921483}}, {'op': 'step', 'grads': [np.array([[-0.9999899864196777, -3.5908167362213135]], dtype=np.float64), np.array([], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[0.002226254902780056, -0.0014187616761773825]], dtype=np.float64), np.array([], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[0.0, 0.0]], dtype=np.float64), np.array([], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([[0.2891526233742806, 3.3872669145946053]], dtype=np.float64), np.array([], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = None
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = None
PROGRAM_PICKLE = 'gASVQgUAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJR9lCiMA2RlY5RdlCh9lChoB4web3B0Y29uZi5jb25mb3JtYW5jZS5zdHJhdGVnaWVzlIwEUGFpcpSTlIwWbnVtcHkuX2NvcmUubXVsdGlhcnJheZSMDF9yZWNvbnN0cnVjdJSTlIwFbnVtcHmUjAduZGFycmF5lJOUSwCFlEMBYpSHlFKUKEsBSwFLAoaUaBCMBWR0eXBllJOUjAJmOJSJiIeUUpQoSwOMATyUTk5OSv////9K/////0sAdJRiiUMQAAAAAOzl0T8AAADAWvcKQJR0lGJoEIwEdGFuaJSTlIaUgZSMAWGUaAqMBURlbnNllJOUKYGUfZQojAZ3ZWlnaHSUSwGMBGJpYXOUXZSMBXNjYWxllGgPaBJLAIWUaBSHlFKUKEsBSwJLAEsCh5RoHIlDAJR0lGKMA2FjdJRoCowIaWRlbnRpdHmUk5R1YnVoD2gSSwCFlGgUh5RSlChLAUsAhZRoHIloMnSUYmVoJWg5dYwEcnVsZZSMHG9wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLmFkYW2UjARBZGFtlJOUKYGUfZQojANldGGURz939P6pRwqMjARiZXRhlEc/tExaa8fsVUc/4AAAAAAAAIaUjAdlcHNpbG9ulEc/UGJN0vGp/IwHdmFyaWFudJSMCW5vcm1hdGl2ZZR1YowDb3BzlChoAIwEU3RlcJSTlCmBlH2UjAVncmFkc5R9lChoB12UKH2UKGgHaA9oEksAhZRoFIeUUpQoSwFLAUsChpRoHIlDEAAAAAASUgzAAAAA4KPcAsCUdJRiToaUaCV9lChoKk5oK12UaC1OaDROdXVoD2gSSwCFlGgUh5RSlChLAUsAhZRoHIloMnSUYmVoJWgPaBJLAIWUaBSHlFKUKEsBSwCFlGgciWgydJRidXNiaACMCkNoZWNrcG9pbnSUk5QpgZR9lIwEaW50b5SMCXVuc2hhcmRlZJRzYmgAjAZBZGp1c3SUk5QpgZR9lIwHY2hhbmdlc5R9lChoQ0cMDN2C2JymqEc/5AutLqL5MIaUaEJHP4LAaBqhUZV1c2JoSimBlH2UaE19lChoB12UKH2UKGgHaA9oEksAhZRoFIeUUpQoSwFLAUsChpRoHIlDEAAAAADr/++/AAAAIP65DMCUdJRiToaUaCV9lChoKk5oK12UaC1OaDROdXVoD2gSSwCFlGgUh5RSlChLAUsAhZRoHIloMnSUYmVoJWgPaBJLAIWUaBSHlFKUKEsBSwCFlGgciWgydJRidXNiaEopgZR9lGhNfZQoaAddlCh9lChoB2gPaBJLAIWUaBSHlFKUKEsBSwFLAoaUaByJQxAAAACAyzxiPwAAAMC3Ple/lHSUYk6GlGglfZQoaCpOaCtdlGgtTmg0TnV1aA9oEksAhZRoFIeUUpQoSwFLAIWUaByJaDJ0lGJlaCVoD2gSSwCFlGgUh5RSlChLAUsAhZRoHIloMnSUYnVzYmhKKYGUfZRoTX2UKGgHXZQofZQoaAdoD2gSSwCFlGgUh5RSlChLAUsBSwKGlGgciUMQAAAAAAAAAAAAAAAAAAAAAJR0lGJOhpRoJX2UKGgqTmgrXZRoLU5oNE51dWgPaBJLAIWUaBSHlFKUKEsBSwCFlGgciWgydJRiZWglaA9oEksAhZRoFIeUUpQoSwFLAIWUaByJaDJ0lGJ1c2J0lIwFZHR5cGWUjAdmbG9hdDMylHViLg=='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: carried value', 'models: dict keys out of sorted order', 'models: empty array', 'models: layer with a non-trainable array', 'models: parameter three levels deep', 'models: tie across containers', 'programs: adjust then step', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': {'dec': [{'dec': (np.array([[0.27965831756591797, 3.3707785606384277]], dtype=np.float64), "<ufunc 'tanh'>", ), 'a': {'__type__': 'Dense', 'weight': 1, 'bias': [], 'scale': np.array([[], []], dtype=np.float64), 'act': '<function identity>'}}, np.array([], dtype=np.float64)], 'a': np.array([], dtype=np.float64)}, 'rule': {'__type__': 'Adam', 'eta': 0.0058488795952508325, 'beta': (0.07929005748148772, 0.5, ), 'epsilon': 0.001, 'variant': 'normative'}, 'ops': ({'__type__': 'Step', 'grads': {'dec': [{'dec': (np.array([[-3.5400733947753906, -2.357734441757202]], dtype=np.float64), None, ), 'a': {'weight': None, 'bias': [], 'scale': None, 'act': None}}, np.array([], dtype=np.float64)], 'a': np.array([], dtype=np.float64)}}, {'__type__': 'Checkpoint', 'into': 'unsharded'}, {'__type__': 'Adjust', 'changes': {'beta': (1.2598805232658343e-250, 0.6264253531333335, ), 'eta': 0.009156049072921483}}, {'__type__': 'Step', 'grads': {'dec': [{'dec': (np.array([[-0.9999899864196777, -3.5908167362213135]], dtype=np.float64), None, ), 'a': {'weight': None, 'bias': [], 'scale': None, 'act': None}}, np.array([], dtype=np.float64)], 'a': np.array([], dtype=np.float64)}}, {'__type__': 'Step', 'grads': {'dec': [{'dec': (np.array([[0.002226254902780056, -0.0014187616761773825]], dtype=np.float64), None, ), 'a': {'weight': None, 'bias': [], 'scale': None, 'act': None}}, np.array([], dtype=np.float64)], 'a': np.array([], dtype=np.float64)}}, {'__type__': 'Step', 'grads': {'dec': [{'dec': (np.array([[0.0, 0.0]], dtype=np.float64), None, ), 'a': {'weight': None, 'bias': [], 'scale': None, 'act': None}}, np.array([], dtype=np.float64)], 'a': np.array([], dtype=np.float64)}}, ), 'dtype': 'float32'}, 'model': {'dec': [{'dec': [{'__array__': [[0.27965831756591797, 3.3707785606384277]], 'dtype': 'float64'}, "<ufunc 'tanh'>"], 'a': {'__type__': 'Dense', 'weight': 1, 'bias': [], 'scale': {'__array__': [[], []], 'dtype': 'float64'}, 'act': '<function identity>'}}, {'__array__': [], 'dtype': 'float64'}], 'a': {'__array__': [], 'dtype': 'float64'}}, 'rule': "Adam(eta=0.0058488795952508325, beta=(0.07929005748148772, 0.5), epsilon=0.001, variant='normative')", 'ops': [{'op': 'step', 'grads': {'dec': [{'dec': [{'__array__': [[-3.5400733947753906, -2.357734441757202]], 'dtype': 'float64'}, None], 'a': {'weight': None, 'bias': [], 'scale': None, 'act': None}}, {'__array__': [], 'dtype': 'float64'}], 'a': {'__array__': [], 'dtype': 'float64'}}}, {'op': 'checkpoint', 'into': 'unsharded'}, {'op': 'adjust', 'changes': {'beta': [1.2598805232658343e-250, 0.6264253531333335], 'eta': 0.009156049072921483}}, {'op': 'step', 'grads': {'dec': [{'dec': [{'__array__': [[-0.9999899864196777, -3.5908167362213135]], 'dtype': 'float64'}, None], 'a': {'weight': None, 'bias': [], 'scale': None, 'act': None}}, {'__array__': [], 'dtype': 'float64'}], 'a': {'__array__': [], 'dtype': 'float64'}}}, {'op': 'step', 'grads': {'dec': [{'dec': [{'__array__': [[0.002226254902780056, -0.0014187616761773825]], 'dtype': 'float64'}, None], 'a': {'weight': None, 'bias': [], 'scale': None, 'act': None}}, {'__array__': [], 'dtype': 'float64'}], 'a': {'__array__': [], 'dtype': 'float64'}}}, {'op': 'step', 'grads': {'dec': [{'dec': [{'__array__': [[0.0, 0.0]], 'dtype': 'float64'}, None], 'a': {'weight': None, 'bias': [], 'scale': None, 'act': None}}, {'__array__': [], 'dtype': 'float64'}], 'a': {'__array__': [], 'dtype': 'float64'}}}], 'rules': ["Adam(eta=0.0058488795952508325, beta=(0.07929005748148772, 0.5), epsilon=0.001, variant='normative')", "Adam(eta=0.009156049072921483, beta=(1.2598805232658343e-250, 0.6264253531333335), epsilon=0.001, variant='normative')"], 'path': 'flat_list', 'dtype': 'float32', 'step': 4}


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
