#!/usr/bin/env python
"""optconf repro: torch flat.path_matches_structured[NAdam,structured] deviates from FLAT-6.

model[2]=0.9071434074955824, but should be 0.9071434074953328 [adapter=torch, path=structured, step=4, dtype=float64, observed=2.495781359357352e-13, allowed=1.611564206755839e-15]

Case seed 4268718501.  Inside optconf, replay with:
    optconf replay --adapter torch --property flat.path_matches_structured --rule NAdam --path structured --seed 4268718501
"""

import sys

import numpy as np

ADAPTER = 'torch'
CLAUSE = 'FLAT-6'
PATH = 'structured'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter torch --property flat.path_matches_structured --rule NAdam --path structured --seed 4268718501'
RULE = {'name': 'NAdam', 'eta': 0.0001, 'beta': (0.8951140915114666, 0.5, ), 'epsilon': 0.001, 'variant': 'optax'}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([[[]], [[]]], dtype=np.float64), np.array([[], []], dtype=np.float64), np.array(0.9071444936525497, dtype=np.float64), np.array([[], []], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([[[]], [[]]], dtype=np.float64), np.array([[], []], dtype=np.float64), np.array(0.0, dtype=np.float64), np.array([[], []], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[[]], [[]]], dtype=np.float64), np.array([[], []], dtype=np.float64), np.array(1e-05, dtype=np.float64), np.array([[], []], dtype=np.float64)]}, {'op': 'step', 'grads': [None, None, None, None]}, {'op': 'step', 'grads': [np.array([[[]], [[]]], dtype=np.float64), np.array([[], []], dtype=np.float64), np.array(-2.7159469491564937e-98, dtype=np.float64), np.array([[], []], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([[[]], [[]]], dtype=np.float64), np.array([[], []], dtype=np.float64), np.array(0.9071434074953328, dtype=np.float64), np.array([[], []], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([[[]], [[]]], dtype=np.float64), np.array([[], []], dtype=np.float64), np.array(0.9071434074955824, dtype=np.float64), np.array([[], []], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 1.611564206755839e-15
PROGRAM_PICKLE = 'gASVOwQAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCiMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBURlbnNllJOUKYGUfZQojAZ3ZWlnaHSUXZQoaAeMCGlkZW50aXR5lJOUjBZudW1weS5fY29yZS5tdWx0aWFycmF5lIwMX3JlY29uc3RydWN0lJOUjAVudW1weZSMB25kYXJyYXmUk5RLAIWUQwFilIeUUpQoSwFLAksBSwCHlGgTjAVkdHlwZZSTlIwCZjiUiYiHlFKUKEsDjAE8lE5OTkr/////Sv////9LAHSUYolDAJR0lGJljARiaWFzlF2UjAVzY2FsZZRoEmgVSwCFlGgXh5RSlChLAUsASwKGlGgfiWgidJRijANhY3SUaA91YmgSaBVLAIWUaBeHlFKUKEsBSwJLAIaUaB+JaCJ0lGJoEmgVSwCFlGgXh5RSlChLASloH4lDCGh+n+NTB+0/lHSUYmgSaBVLAIWUaBeHlFKUKEsBSwJLAIaUaB+JaCJ0lGJljARydWxllIwcb3B0Y29uZi5yZWZlcmVuY2UucnVsZXMuYWRhbZSMBU5BZGFtlJOUKYGUfZQojANldGGURz8aNuLrHEMtjARiZXRhlEc/7KTGTqdgQkc/4AAAAAAAAIaUjAdlcHNpbG9ulEc/UGJN0vGp/IwHdmFyaWFudJSMBW9wdGF4lHVijANvcHOUKGgAjARTdGVwlJOUKYGUfZSMBWdyYWRzlF2UKH2UKGgMXZQoTmgSaBVLAIWUaBeHlFKUKEsBSwJLAUsAh5RoH4loInSUYmVoJF2UaCZOaCxOdWgSaBVLAIWUaBeHlFKUKEsBSwJLAIaUaB+JaCJ0lGJoEIwGc2NhbGFylJOUaB9DCAAAAAAAAAAAlIaUUpRoEmgVSwCFlGgXh5RSlChLAUsCSwCGlGgfiWgidJRiZXNiaEopgZR9lGhNXZQofZQoaAxdlChOaBJoFUsAhZRoF4eUUpQoSwFLAksBSwCHlGgfiWgidJRiZWgkXZRoJk5oLE51aBJoFUsAhZRoF4eUUpQoSwFLAksAhpRoH4loInSUYmhdaB9DCPFo44i1+OQ+lIaUUpRoEmgVSwCFlGgXh5RSlChLAUsCSwCGlGgfiWgidJRiZXNiaEopgZR9lGhNTnNiaEopgZR9lGhNXZQofZQoaAxdlChOaBJoFUsAhZRoF4eUUpQoSwFLAksBSwCHlGgfiWgidJRiZWgkXZRoJk5oLE51aBJoFUsAhZRoF4eUUpQoSwFLAksAhpRoH4loInSUYmhdaB9DCF75hO3Is62rlIaUUpRoEmgVSwCFlGgXh5RSlChLAUsCSwCGlGgfiWgidJRiZXNidJSMBWR0eXBllIwHZmxvYXQ2NJR1Yi4='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'program': {'__type__': 'Program', 'model': [{'__type__': 'Dense', 'weight': ['<function identity at 0x7fb7b3169a80>', np.array([[[]], [[]]], dtype=np.float64)], 'bias': [], 'scale': np.array([], dtype=np.float64), 'act': '<function identity at 0x7fb7b3169a80>'}, np.array([[], []], dtype=np.float64), np.array(0.9071444936525497, dtype=np.float64), np.array([[], []], dtype=np.float64)], 'rule': {'__type__': 'NAdam', 'eta': 0.0001, 'beta': (0.8951140915114666, 0.5, ), 'epsilon': 0.001, 'variant': 'optax'}, 'ops': ({'__type__': 'Step', 'grads': [{'weight': [None, np.array([[[]], [[]]], dtype=np.float64)], 'bias': [], 'scale': None, 'act': None}, np.array([[], []], dtype=np.float64), 0.0, np.array([[], []], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [{'weight': [None, np.array([[[]], [[]]], dtype=np.float64)], 'bias': [], 'scale': None, 'act': None}, np.array([[], []], dtype=np.float64), 1e-05, np.array([[], []], dtype=np.float64)]}, {'__type__': 'Step', 'grads': None}, {'__type__': 'Step', 'grads': [{'weight': [None, np.array([[[]], [[]]], dtype=np.float64)], 'bias': [], 'scale': None, 'act': None}, np.array([[], []], dtype=np.float64), -2.7159469491564937e-98, np.array([[], []], dtype=np.float64)]}, ), 'dtype': 'float64'}, 'model': [{'__type__': 'Dense', 'weight': ['<function identity at 0x7fb7b3169a80>', {'__array__': [[[]], [[]]], 'dtype': 'float64'}], 'bias': [], 'scale': {'__array__': [], 'dtype': 'float64'}, 'act': '<function identity at 0x7fb7b3169a80>'}, {'__array__': [[], []], 'dtype': 'float64'}, {'__array__': 0.9071444936525497, 'dtype': 'float64'}, {'__array__': [[], []], 'dtype': 'float64'}], 'rule': "NAdam(eta=0.0001, beta=(0.8951140915114666, 0.5), epsilon=0.001, variant='optax')", 'ops': [{'op': 'step', 'grads': [{'weight': [None, {'__array__': [[[]], [[]]], 'dtype': 'float64'}], 'bias': [], 'scale': None, 'act': None}, {'__array__': [[], []], 'dtype': 'float64'}, 0.0, {'__array__': [[], []], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [{'weight': [None, {'__array__': [[[]], [[]]], 'dtype': 'float64'}], 'bias': [], 'scale': None, 'act': None}, {'__array__': [[], []], 'dtype': 'float64'}, 1e-05, {'__array__': [[], []], 'dtype': 'float64'}]}, {'op': 'step', 'grads': None}, {'op': 'step', 'grads': [{'weight': [None, {'__array__': [[[]], [[]]], 'dtype': 'float64'}], 'bias': [], 'scale': None, 'act': None}, {'__array__': [[], []], 'dtype': 'float64'}, -2.7159469491564937e-98, {'__array__': [[], []], 'dtype': 'float64'}]}], 'path': 'structured', 'dtype': 'float64', 'step': 4}


def run_engine():
    import math

    import torch

    inf = math.inf
    dtype = getattr(torch, DTYPE)
    params = [torch.nn.Parameter(torch.tensor(p, dtype=dtype)) for p in PARAMS]
    opt = torch.optim.NAdam(params, **{'lr': 0.0001, 'betas': (0.8951140915114666, 0.5), 'eps': 0.001, 'weight_decay': 0.0, 'momentum_decay': inf})
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
