#!/usr/bin/env python
"""optconf repro: torch adjust.mid_run[Adam] deviates from ADJ-2.

adam.beta_t[model[1]][1]=0.5742624835653801, but should be 0.659672977983252 [adapter=torch, path=structured, step=4, dtype=float64, observed=0.08541049441787185, allowed=1.7521966393844787e-14]

Case seed 3598536078.  Inside optconf, replay with:
    optconf replay --adapter torch --property adjust.mid_run --rule Adam --seed 3598536078
"""

import sys

import numpy as np

ADAPTER = 'torch'
CLAUSE = 'ADJ-2'
PATH = 'structured'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter torch --property adjust.mid_run --rule Adam --seed 3598536078'
RULE = {'name': 'Adam', 'eta': 0.005624571307438262, 'beta': (1e-05, 0.89086645561797, ), 'epsilon': 1e-08}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([[-2.4666299704346186], [2.0449847582531273]], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([[-0.003714742554742353], [9.765625e-06]], dtype=np.float64)]}, {'op': 'step', 'grads': [None]}, {'op': 'adjust', 'changes': {'beta': (3.0880972112170507e-285, 0.831196070884141, ), 'epsilon': 1e-06}}, {'op': 'step', 'grads': [np.array([[0.0], [0.0]], dtype=np.float64)]}, {'op': 'step', 'grads': [None]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([[-2.461005414268354], [2.0393659406149505]], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([[-2.461005414268354], [2.0393659406149505]], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 1.7521966393844787e-14
PROGRAM_PICKLE = 'gASVWwIAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlChOjBZudW1weS5fY29yZS5tdWx0aWFycmF5lIwMX3JlY29uc3RydWN0lJOUjAVudW1weZSMB25kYXJyYXmUk5RLAIWUQwFilIeUUpQoSwFLAksBhpRoCowFZHR5cGWUk5SMAmY4lImIh5RSlChLA4wBPJROTk5K/////0r/////SwB0lGKJQxATzXJ+qLsDwAwgDPggXABAlHSUYmWMBHJ1bGWUjBxvcHRjb25mLnJlZmVyZW5jZS5ydWxlcy5hZGFtlIwEQWRhbZSTlCmBlH2UKIwDZXRhlEc/dwnKXRyJvowEYmV0YZRHPuT4tYjjaPFHP+yB+l5/cZiGlIwHZXBzaWxvbpRHPkV5juIwjDp1YowDb3BzlChoAIwEU3RlcJSTlCmBlH2UjAVncmFkc5RdlChOaAloDEsAhZRoDoeUUpQoSwFLAksBhpRoFolDEPhFJDlhbm6/exSuR+F65D6UdJRiZXNiaCcpgZR9lGgqXZQoTk5lc2JoAIwGQWRqdXN0lJOUKYGUfZSMB2NoYW5nZXOUfZQoaCJHBN1jnoeDQEZHP+qZKICgWsyGlGgkRz6wxvegte2NdXNiaCcpgZR9lGgqXZQoTmgJaAxLAIWUaA6HlFKUKEsBSwJLAYaUaBaJQxAAAAAAAAAAAAAAAAAAAAAAlHSUYmVzYmgnKYGUfZRoKl2UKE5OZXNidJSMBWR0eXBllIwHZmxvYXQ2NJR1Yi4='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'program': {'__type__': 'Program', 'model': [None, np.array([[-2.4666299704346186], [2.0449847582531273]], dtype=np.float64)], 'rule': {'__type__': 'Adam', 'eta': 0.005624571307438262, 'beta': (1e-05, 0.89086645561797, ), 'epsilon': 1e-08}, 'ops': ({'__type__': 'Step', 'grads': [None, np.array([[-0.003714742554742353], [9.765625e-06]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [None, None]}, {'__type__': 'Adjust', 'changes': {'beta': (3.0880972112170507e-285, 0.831196070884141, ), 'epsilon': 1e-06}}, {'__type__': 'Step', 'grads': [None, np.array([[0.0], [0.0]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [None, None]}, ), 'dtype': 'float64'}, 'model': [None, {'__array__': [[-2.4666299704346186], [2.0449847582531273]], 'dtype': 'float64'}], 'rule': 'Adam(eta=0.005624571307438262, beta=(1e-05, 0.89086645561797), epsilon=1e-08)', 'ops': [{'op': 'step', 'grads': [None, {'__array__': [[-0.003714742554742353], [9.765625e-06]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [None, None]}, {'op': 'adjust', 'changes': {'beta': [3.0880972112170507e-285, 0.831196070884141], 'epsilon': 1e-06}}, {'op': 'step', 'grads': [None, {'__array__': [[0.0], [0.0]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [None, None]}], 'path': 'structured', 'dtype': 'float64', 'step': 4}


def run_engine():
    import math

    import torch

    inf = math.inf
    dtype = getattr(torch, DTYPE)
    params = [torch.nn.Parameter(torch.tensor(p, dtype=dtype)) for p in PARAMS]
    opt = torch.optim.Adam(params, **{'lr': 0.005624571307438262, 'betas': (1e-05, 0.89086645561797), 'eps': 1e-08, 'weight_decay': 0.0})
    frozen = set()
    for op, extra in zip(OPS, [None, None, {'lr': 0.005624571307438262, 'betas': (3.0880972112170507e-285, 0.831196070884141), 'eps': 1e-06, 'weight_decay': 0.0}, None, None]):
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
