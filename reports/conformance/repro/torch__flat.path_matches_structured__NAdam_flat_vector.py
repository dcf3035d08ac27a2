#!/usr/bin/env python
"""optconf repro: torch flat.path_matches_structured[NAdam,flat_vector] deviates from FLAT-6.

model[2][0]=2.0328340039760997, but should be 2.032834003754427 [adapter=torch, path=flat_vector, step=4, dtype=float64, observed=2.216729022563868e-10, allowed=4.1383167728425194e-15]

Case seed 3254518615.  Inside optconf, replay with:
    optconf replay --adapter torch --property flat.path_matches_structured --rule NAdam --path flat_vector --seed 3254518615
"""

import sys

import numpy as np

ADAPTER = 'torch'
CLAUSE = 'FLAT-6'
PATH = 'flat_vector'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter torch --property flat.path_matches_structured --rule NAdam --path flat_vector --seed 3254518615'
RULE = {'name': 'NAdam', 'eta': 0.005694526873839274, 'beta': (0.5659908196595453, 0.5385982099688944, ), 'epsilon': 1e-06, 'variant': 'optax'}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([[[], []], [[], []]], dtype=np.float64), np.array([2.039463954479439], dtype=np.float64), np.array(-1.0, dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([[[], []], [[], []]], dtype=np.float64), np.array([0.0], dtype=np.float64), np.array(0.0, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[[], []], [[], []]], dtype=np.float64), np.array([2.3956919972519604], dtype=np.float64), np.array(2.808537837104696, dtype=np.float64)]}, {'op': 'step', 'grads': [None, None, None]}, {'op': 'step', 'grads': [None, None, None]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([[[], []], [[], []]], dtype=np.float64), np.array([2.032834003754427], dtype=np.float64), np.array(-1.0066299512296146, dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([[[], []], [[], []]], dtype=np.float64), np.array([2.0328340039760997], dtype=np.float64), np.array(-1.0066299510079417, dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 4.1383167728425194e-15
PROGRAM_PICKLE = 'gASVqAMAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCh9lCiMA2RlY5RdlCiMBW51bXB5lIwEdGFuaJSTlIweb3B0Y29uZi5jb25mb3JtYW5jZS5zdHJhdGVnaWVzlIwIaWRlbnRpdHmUk5RljAF3lGgNjAVEZW5zZZSTlCmBlH2UKIwGd2VpZ2h0lImMBGJpYXOUSv////+MBXNjYWxllIwWbnVtcHkuX2NvcmUubXVsdGlhcnJheZSMDF9yZWNvbnN0cnVjdJSTlGgKjAduZGFycmF5lJOUSwCFlEMBYpSHlFKUKEsBSwJLAUsAh5RoCowFZHR5cGWUk5SMAmY4lImIh5RSlChLA4wBPJROTk5K/////0r/////SwB0lGKJQwCUdJRijANhY3SUaA91YowBYpR9lHVoGmgcSwCFlGgeh5RSlChLAUsCSwJLAIeUaCaJaCl0lGJoGmgcSwCFlGgeh5RSlChLAUsBhZRoJolDCFThTnrSUABAlHSUYmgaaBxLAIWUaB6HlFKUKEsBKWgmiUMIAAAAAAAA8L+UdJRiZYwEcnVsZZSMHG9wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLmFkYW2UjAVOQWRhbZSTlCmBlH2UKIwDZXRhlEc/d1Mk6weB1IwEYmV0YZRHP+IcmMeIxHRHP+E8MlAwBHKGlIwHZXBzaWxvbpRHPrDG96C17Y2MB3ZhcmlhbnSUjAVvcHRheJR1YowDb3BzlChoAIwEU3RlcJSTlCmBlH2UjAVncmFkc5RdlCh9lChoCF2UKE5OZWgQfZQoaBVOaBZOaBdOaCtOdWgsfZR1aBpoHEsAhZRoHoeUUpQoSwFLAksCSwCHlGgmiWgpdJRiaBpoHEsAhZRoHoeUUpQoSwFLAYWUaCaJQwgAAAAAAAAAAJR0lGJoGIwGc2NhbGFylJOUaCZDCAAAAAAAAAAAlIaUUpRlc2JoTCmBlH2UaE9dlCh9lChoCF2UKE5OZWgQfZQoaBVOaBZOaBdOaCtOdWgsfZR1aBpoHEsAhZRoHoeUUpQoSwFLAksCSwCHlGgmiWgpdJRiaBpoHEsAhZRoHoeUUpQoSwFLAYWUaCaJQwiE49uQYCoDQJR0lGJoYWgmQwjEi3+v4ncGQJSGlFKUZXNiaEwpgZR9lGhPTnNiaEwpgZR9lGhPTnNidJSMBWR0eXBllIwHZmxvYXQ2NJR1Yi4='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'program': {'__type__': 'Program', 'model': [{'dec': ["<ufunc 'tanh'>", '<function identity at 0x7fb7b3169a80>'], 'w': {'__type__': 'Dense', 'weight': False, 'bias': -1, 'scale': np.array([[[]], [[]]], dtype=np.float64), 'act': '<function identity at 0x7fb7b3169a80>'}, 'b': {}}, np.array([[[], []], [[], []]], dtype=np.float64), np.array([2.039463954479439], dtype=np.float64), np.array(-1.0, dtype=np.float64)], 'rule': {'__type__': 'NAdam', 'eta': 0.005694526873839274, 'beta': (0.5659908196595453, 0.5385982099688944, ), 'epsilon': 1e-06, 'variant': 'optax'}, 'ops': ({'__type__': 'Step', 'grads': [{'dec': [None, None], 'w': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'b': {}}, np.array([[[], []], [[], []]], dtype=np.float64), np.array([0.0], dtype=np.float64), 0.0]}, {'__type__': 'Step', 'grads': [{'dec': [None, None], 'w': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'b': {}}, np.array([[[], []], [[], []]], dtype=np.float64), np.array([2.3956919972519604], dtype=np.float64), 2.808537837104696]}, {'__type__': 'Step', 'grads': None}, {'__type__': 'Step', 'grads': None}, ), 'dtype': 'float64'}, 'model': [{'dec': ["<ufunc 'tanh'>", '<function identity at 0x7fb7b3169a80>'], 'w': {'__type__': 'Dense', 'weight': False, 'bias': -1, 'scale': {'__array__': [[[]], [[]]], 'dtype': 'float64'}, 'act': '<function identity at 0x7fb7b3169a80>'}, 'b': {}}, {'__array__': [[[], []], [[], []]], 'dtype': 'float64'}, {'__array__': [2.039463954479439], 'dtype': 'float64'}, {'__array__': -1.0, 'dtype': 'float64'}], 'rule': "NAdam(eta=0.005694526873839274, beta=(0.5659908196595453, 0.5385982099688944), epsilon=1e-06, variant='optax')", 'ops': [{'op': 'step', 'grads': [{'dec': [None, None], 'w': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'b': {}}, {'__array__': [[[], []], [[], []]], 'dtype': 'float64'}, {'__array__': [0.0], 'dtype': 'float64'}, 0.0]}, {'op': 'step', 'grads': [{'dec': [None, None], 'w': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'b': {}}, {'__array__': [[[], []], [[], []]], 'dtype': 'float64'}, {'__array__': [2.3956919972519604], 'dtype': 'float64'}, 2.808537837104696]}, {'op': 'step', 'grads': None}, {'op': 'step', 'grads': None}], 'path': 'flat_vector', 'dtype': 'float64', 'step': 4}


def run_engine():
    import math

    import torch

    inf = math.inf
    dtype = getattr(torch, DTYPE)
    params = [torch.nn.Parameter(torch.tensor(p, dtype=dtype)) for p in PARAMS]
    opt = torch.optim.NAdam(params, **{'lr': 0.005694526873839274, 'betas': (0.5659908196595453, 0.5385982099688944), 'eps': 1e-06, 'weight_decay': 0.0, 'momentum_decay': inf})
    frozen = set()
    for op, extra in zip(OPS, [None, None, None, None]):
        if op["op"] == "freeze":
            frozen |= set(extra)
        elif op["op"] == "thaw":
            frozen -= set(extra)
        elif op["op"] == "adjust":
            opt.param_groups[0].update(extra)
        else:
            for i, (p, g) in enumerate(zip(params, op["grads"])):
                p.grad = None if g is None or i in frozen else torch.tensor(g, dtype=dtype)
            held = [p for p in params if p.grad is not None]
            for name, clip in []:
                if name == "ClipGrad":
                    torch.nn.utils.clip_grad_value_(held, clip["delta"])
                elif name == "ClipGlobalNorm":
                    torch.nn.utils.clip_grad_norm_(held, clip["omega"])
                else:
                    for p in held:
                        torch.nn.utils.clip_grad_norm_([p], clip["omega"], norm_type=clip["p"])
            opt.step()
    GOT = [p.detach().numpy().astype(np.float64) for p in params]
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
