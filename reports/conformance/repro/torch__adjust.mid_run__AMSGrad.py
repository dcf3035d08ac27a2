#!/usr/bin/env python
"""optconf repro: torch adjust.mid_run[AMSGrad] deviates from ADJ-2.

amsgrad.beta_t[model[1]][1]=0.15783832337893142, but should be 0.1354349054301684 [adapter=torch, path=structured, step=4, dtype=float64, observed=0.02240341794876302, allowed=7.526183865101787e-14]

Case seed 321383870.  Inside optconf, replay with:
    optconf replay --adapter torch --property adjust.mid_run --rule AMSGrad --seed 321383870
"""

import sys

import numpy as np

ADAPTER = 'torch'
CLAUSE = 'ADJ-2'
PATH = 'structured'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter torch --property adjust.mid_run --rule AMSGrad --seed 321383870'
RULE = {'name': 'AMSGrad', 'eta': 0.0026001844717036876, 'beta': (0.8472563798031479, 0.5838646606289667, ), 'epsilon': 1e-06, 'variant': 'torch'}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([], dtype=np.float64)]}, {'op': 'step', 'grads': [None]}, {'op': 'adjust', 'changes': {'eta': 0.003559150821242752, 'beta': (0.031123018983773957, 0.6303084287818081, )}}, {'op': 'step', 'grads': [np.array([], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 7.526183865101787e-14
PROGRAM_PICKLE = 'gASVkAIAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlChdlCiMBHJlbHWUjACUjAVudW1weZSMBHRhbmiUk5RljBZudW1weS5fY29yZS5tdWx0aWFycmF5lIwMX3JlY29uc3RydWN0lJOUaAqMB25kYXJyYXmUk5RLAIWUQwFilIeUUpQoSwFLAEsCSwGHlGgKjAVkdHlwZZSTlIwCZjiUiYiHlFKUKEsDjAE8lE5OTkr/////Sv////9LAHSUYolDAJR0lGJljARydWxllIweb3B0Y29uZi5yZWZlcmVuY2UucnVsZXMubWF4aW1hlIwHQU1TR3JhZJSTlCmBlH2UKIwDZXRhlEc/ZUz7aKAGjowEYmV0YZRHP+scuWlSnrlHP+KvBPDWIS+GlIwHZXBzaWxvbpRHPrDG96C17Y2MB3ZhcmlhbnSUjAV0b3JjaJR1YowDb3BzlChoAIwEU3RlcJSTlCmBlH2UjAVncmFkc5RdlChdlChOTk5laA9oEUsAhZRoE4eUUpQoSwFLAEsCSwGHlGgbiWgedJRiZXNiaC4pgZR9lGgxXZQoXZQoTk5OZU5lc2JoAIwGQWRqdXN0lJOUKYGUfZSMB2NoYW5nZXOUfZQoaCZHP20oFIwe4IFoJ0c/n962csCcUUc/5Ct8lQBaNIaUdXNiaC4pgZR9lGgxXZQoXZQoTk5OZWgPaBFLAIWUaBOHlFKUKEsBSwBLAksBh5RoG4loHnSUYmVzYmguKYGUfZRoMV2UKE5oD2gRSwCFlGgTh5RSlChLAUsASwJLAYeUaBuJaB50lGJlc2J0lIwFZHR5cGWUjAdmbG9hdDY0lHViLg=='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'program': {'__type__': 'Program', 'model': [['relu', '', "<ufunc 'tanh'>"], np.array([], dtype=np.float64)], 'rule': {'__type__': 'AMSGrad', 'eta': 0.0026001844717036876, 'beta': (0.8472563798031479, 0.5838646606289667, ), 'epsilon': 1e-06, 'variant': 'torch'}, 'ops': ({'__type__': 'Step', 'grads': [[None, None, None], np.array([], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [[None, None, None], None]}, {'__type__': 'Adjust', 'changes': {'eta': 0.003559150821242752, 'beta': (0.031123018983773957, 0.6303084287818081, )}}, {'__type__': 'Step', 'grads': [[None, None, None], np.array([], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [None, np.array([], dtype=np.float64)]}, ), 'dtype': 'float64'}, 'model': [['relu', '', "<ufunc 'tanh'>"], {'__array__': [], 'dtype': 'float64'}], 'rule': "AMSGrad(eta=0.0026001844717036876, beta=(0.8472563798031479, 0.5838646606289667), epsilon=1e-06, variant='torch')", 'ops': [{'op': 'step', 'grads': [[None, None, None], {'__array__': [], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [[None, None, None], None]}, {'op': 'adjust', 'changes': {'eta': 0.003559150821242752, 'beta': [0.031123018983773957, 0.6303084287818081]}}, {'op': 'step', 'grads': [[None, None, None], {'__array__': [], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [None, {'__array__': [], 'dtype': 'float64'}]}], 'path': 'structured', 'dtype': 'float64', 'step': 4}


def run_engine():
    import math

    import torch

    inf = math.inf
    dtype = getattr(torch, DTYPE)
    params = [torch.nn.Parameter(torch.tensor(p, dtype=dtype)) for p in PARAMS]
    opt = torch.optim.Adam(params, **{'lr': 0.0026001844717036876, 'betas': (0.8472563798031479, 0.5838646606289667), 'eps': 1e-06, 'weight_decay': 0.0, 'amsgrad': True})
    frozen = set()
    for op, extra in zip(OPS, [None, None, {'lr': 0.003559150821242752, 'betas': (0.031123018983773957, 0.6303084287818081), 'eps': 1e-06, 'weight_decay': 0.0, 'amsgrad': True}, None, None]):
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
