#!/usr/bin/env python
"""optconf repro: jax adjust.mid_run[AdamW] deviates from ADJ-2.

model[1]=0.01622730679810047, but should be 0.01547714289733526 [adapter=jax, path=structured, step=4, dtype=float32, observed=0.0007501639007652123, allowed=5.637924693594088e-07]

Case seed 1757520015.  Inside optconf, replay with:
    optconf replay --adapter jax --property adjust.mid_run --rule AdamW --seed 1757520015
"""

import sys

import numpy as np

ADAPTER = 'jax'
CLAUSE = 'ADJ-2'
PATH = 'structured'
DTYPE = 'float32'
REPLAY = 'optconf replay --adapter jax --property adjust.mid_run --rule AdamW --seed 1757520015'
RULE = {'name': 'AdamW', 'eta': 0.01, 'beta': (0.3444639691289574, 0.7, ), 'lambda_': 0.004189402699028292, 'epsilon': 1e-06, 'couple': True}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array(-1.1920928955078125e-07, dtype=np.float64), np.array([[[2.78090500831604, -1.5904790163040161]]], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array(-1.1920928955078125e-07, dtype=np.float64), np.array([[[-2.4924988746643066, -3.1561954021453857]]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(5.820766091346741e-11, dtype=np.float64), np.array([[[-0.003687693504616618, 0.0032151273917406797]]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(0.0, dtype=np.float64), np.array([[[3.1572489738464355, 0.38181230425834656]]], dtype=np.float64)]}, {'op': 'adjust', 'changes': {'beta': (1.0819586905876776e-149, 0.603278158252566, )}}, {'op': 'step', 'grads': [np.array(-1.9443224668502808, dtype=np.float64), np.array([[[1.0000000168623835e-16, 3.368300676345825]]], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array(0.01547714289733526, dtype=np.float64), np.array([[[2.7864278134626668, -1.5890743122855104]]], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array(0.01622730679810047, dtype=np.float32), np.array([[[2.7864274978637695, -1.5897585153579712]]], dtype=np.float32)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 5.637924693594088e-07
PROGRAM_PICKLE = 'gASVVAMAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCh9lIwWbnVtcHkuX2NvcmUubXVsdGlhcnJheZSMDF9yZWNvbnN0cnVjdJSTlIwFbnVtcHmUjAduZGFycmF5lJOUSwCFlEMBYpSHlFKUKEsBKWgLjAVkdHlwZZSTlIwCZjiUiYiHlFKUKEsDjAE8lE5OTkr/////Sv////9LAHSUYolDCAAAAAAAAIC+lHSUYmgKaA1LAIWUaA+HlFKUKEsBSwFLAUsCh5RoFolDEAAAACBLPwZAAAAAIJpy+b+UdJRiZYwEcnVsZZSMHG9wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLmFkYW2UjAVBZGFtV5STlCmBlH2UKIwDZXRhlEc/hHrhR64Ue4wEYmV0YZRHP9YLspqDylpHP+ZmZmZmZmaGlIwHbGFtYmRhX5RHP3Eo6DlQSMSMB2Vwc2lsb26URz6wxvegte2NjAZjb3VwbGWUiHVijANvcHOUKGgAjARTdGVwlJOUKYGUfZSMBWdyYWRzlF2UKH2UaAiMBnNjYWxhcpSTlGgWQwgAAAAAAACAvpSGlFKUaApoDUsAhZRoD4eUUpQoSwFLAUsBSwKHlGgWiUMQAAAAQKPwA8AAAABg4z8JwJR0lGJlc2JoLymBlH2UaDJdlCh9lGg2aBZDCAAAAAAAANA9lIaUUpRoCmgNSwCFlGgPh5RSlChLAUsBSwFLAoeUaBaJQxAAAABgpzVuvwAAAGCcVmo/lHSUYmVzYmgvKYGUfZRoMl2UKH2UaDZoFkMIAAAAAAAAAACUhpRSlGgKaA1LAIWUaA+HlFKUKEsBSwFLAUsCh5RoFolDEAAAAMALQglAAAAA4Jxv2D+UdJRiZXNiaACMBkFkanVzdJSTlCmBlH2UjAdjaGFuZ2VzlH2UaChHIQG1V4uACzBHP+NODf8Cv4+GlHNzYmgvKYGUfZRoMl2UKH2UaDZoFkMIAAAA4PEb/7+UhpRSlGgKaA1LAIWUaA+HlFKUKEsBSwFLAUsCh5RoFolDEAAAAKCy0pw8AAAAoEfyCkCUdJRiZXNidJSMBWR0eXBllIwHZmxvYXQzMpR1Yi4='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'program': {'__type__': 'Program', 'model': [{}, np.array(-1.1920928955078125e-07, dtype=np.float64), np.array([[[2.78090500831604, -1.5904790163040161]]], dtype=np.float64)], 'rule': {'__type__': 'AdamW', 'eta': 0.01, 'beta': (0.3444639691289574, 0.7, ), 'lambda_': 0.004189402699028292, 'epsilon': 1e-06, 'couple': True}, 'ops': ({'__type__': 'Step', 'grads': [{}, -1.1920928955078125e-07, np.array([[[-2.4924988746643066, -3.1561954021453857]]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [{}, 5.820766091346741e-11, np.array([[[-0.003687693504616618, 0.0032151273917406797]]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [{}, 0.0, np.array([[[3.1572489738464355, 0.38181230425834656]]], dtype=np.float64)]}, {'__type__': 'Adjust', 'changes': {'beta': (1.0819586905876776e-149, 0.603278158252566, )}}, {'__type__': 'Step', 'grads': [{}, -1.9443224668502808, np.array([[[1.0000000168623835e-16, 3.368300676345825]]], dtype=np.float64)]}, ), 'dtype': 'float32'}, 'model': [{}, {'__array__': -1.1920928955078125e-07, 'dtype': 'float64'}, {'__array__': [[[2.78090500831604, -1.5904790163040161]]], 'dtype': 'float64'}], 'rule': 'AdamW(eta=0.01, beta=(0.3444639691289574, 0.7), lambda_=0.004189402699028292, epsilon=1e-06, couple=True)', 'ops': [{'op': 'step', 'grads': [{}, -1.1920928955078125e-07, {'__array__': [[[-2.4924988746643066, -3.1561954021453857]]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [{}, 5.820766091346741e-11, {'__array__': [[[-0.003687693504616618, 0.0032151273917406797]]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [{}, 0.0, {'__array__': [[[3.1572489738464355, 0.38181230425834656]]], 'dtype': 'float64'}]}, {'op': 'adjust', 'changes': {'beta': [1.0819586905876776e-149, 0.603278158252566]}}, {'op': 'step', 'grads': [{}, -1.9443224668502808, {'__array__': [[[1.0000000168623835e-16, 3.368300676345825]]], 'dtype': 'float64'}]}], 'path': 'structured', 'dtype': 'float32', 'step': 4}


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
        print("recorded deviation (ADJ-2); no replayable program in this case:")
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
    print(f"max abs error {worst!r}, allowed {bound!r} (ADJ-2)")
    return 0 if worst <= bound and not wrong_kind else 1


if __name__ == "__main__":
    sys.exit(main())
