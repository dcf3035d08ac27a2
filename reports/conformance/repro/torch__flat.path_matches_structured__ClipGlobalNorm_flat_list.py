#!/usr/bin/env python
"""optconf repro: torch flat.path_matches_structured[ClipGlobalNorm,flat_list] deviates from FLAT-6.

model[4][0]=-0.5004347990550317, but should be -0.5004345134227247 [adapter=torch, path=flat_list, step=4, dtype=float64, observed=2.856323070288269e-07, allowed=6.5079939553354705e-15]

Case seed 114852462.  Inside optconf, replay with:
    optconf replay --adapter torch --property flat.path_matches_structured --rule ClipGlobalNorm --path flat_list --seed 114852462
"""

import sys

import numpy as np

ADAPTER = 'torch'
CLAUSE = 'FLAT-6'
PATH = 'flat_list'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter torch --property flat.path_matches_structured --rule ClipGlobalNorm --path flat_list --seed 114852462'
RULE = {'name': 'ClipGlobalNorm', 'omega': 0.6326480761199117, 'throw': True}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array(0.9534687982484664, dtype=np.float64), np.array([[[], []], [[], []]], dtype=np.float64), np.array([-4.036987084999801e-47], dtype=np.float64), np.array([-1.1330825895426364], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array(0.0, dtype=np.float64), np.array([[[], []], [[], []]], dtype=np.float64), np.array([0.0027080455467863966], dtype=np.float64), np.array([0.0], dtype=np.float64)]}, {'op': 'step', 'grads': [None, None, None, None]}, {'op': 'step', 'grads': [np.array(0.0, dtype=np.float64), np.array([[[], []], [[], []]], dtype=np.float64), np.array([0.0], dtype=np.float64), np.array([-2.214902778613133], dtype=np.float64)]}, {'op': 'step', 'grads': [None, None, None, None]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array(0.9534687982484664, dtype=np.float64), np.array([[[], []], [[], []]], dtype=np.float64), np.array([-0.0027080455467863966], dtype=np.float64), np.array([-0.5004345134227247], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array(0.9534687982484664, dtype=np.float64), np.array([[[], []], [[], []]], dtype=np.float64), np.array([-0.0027080455467863966], dtype=np.float64), np.array([-0.5004347990550317], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 6.5079939553354705e-15
PROGRAM_PICKLE = 'gASVAQMAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlChOjBZudW1weS5fY29yZS5tdWx0aWFycmF5lIwMX3JlY29uc3RydWN0lJOUjAVudW1weZSMB25kYXJyYXmUk5RLAIWUQwFilIeUUpQoSwEpaAqMBWR0eXBllJOUjAJmOJSJiIeUUpQoSwOMATyUTk5OSv////9K/////0sAdJRiiUMIiHlH/9CC7j+UdJRiaAloDEsAhZRoDoeUUpQoSwFLAksCSwCHlGgViUMAlHSUYmgJaAxLAIWUaA6HlFKUKEsBSwGFlGgViUMI6e2AuBSATbaUdJRiaAloDEsAhZRoDoeUUpQoSwFLAYWUaBWJQwi2Cpw1GyHyv5R0lGJljARydWxllIwcb3B0Y29uZi5yZWZlcmVuY2UucnVsZXMuY2xpcJSMDkNsaXBHbG9iYWxOb3JtlJOUKYGUfZQojAVvbWVnYZRHP+Q+py2Z/q+MBXRocm93lIh1YowDb3BzlChoAIwEU3RlcJSTlCmBlH2UjAVncmFkc5RdlChOaAeMBnNjYWxhcpSTlGgVQwgAAAAAAAAAAJSGlFKUaAloDEsAhZRoDoeUUpQoSwFLAksCSwCHlGgViWgedJRiaAloDEsAhZRoDoeUUpQoSwFLAYWUaBWJQwgYo+fhLi9mP5R0lGJoCWgMSwCFlGgOh5RSlChLAUsBhZRoFYlDCAAAAAAAAAAAlHSUYmVzYmg2KYGUfZRoOU5zYmg2KYGUfZRoOV2UKE5oPGgVQwgAAAAAAAAAAJSGlFKUaAloDEsAhZRoDoeUUpQoSwFLAksCSwCHlGgViWgedJRiaAloDEsAhZRoDoeUUpQoSwFLAYWUaBWJQwgAAAAAAAAAAJR0lGJoCWgMSwCFlGgOh5RSlChLAUsBhZRoFYlDCBe0r/IeuAHAlHSUYmVzYmg2KYGUfZRoOU5zYnSUjAVkdHlwZZSMB2Zsb2F0NjSUdWIu'
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'program': {'__type__': 'Program', 'model': [None, np.array(0.9534687982484664, dtype=np.float64), np.array([[[], []], [[], []]], dtype=np.float64), np.array([-4.036987084999801e-47], dtype=np.float64), np.array([-1.1330825895426364], dtype=np.float64)], 'rule': {'__type__': 'ClipGlobalNorm', 'omega': 0.6326480761199117, 'throw': True}, 'ops': ({'__type__': 'Step', 'grads': [None, 0.0, np.array([[[], []], [[], []]], dtype=np.float64), np.array([0.0027080455467863966], dtype=np.float64), np.array([0.0], dtype=np.float64)]}, {'__type__': 'Step', 'grads': None}, {'__type__': 'Step', 'grads': [None, 0.0, np.array([[[], []], [[], []]], dtype=np.float64), np.array([0.0], dtype=np.float64), np.array([-2.214902778613133], dtype=np.float64)]}, {'__type__': 'Step', 'grads': None}, ), 'dtype': 'float64'}, 'model': [None, {'__array__': 0.9534687982484664, 'dtype': 'float64'}, {'__array__': [[[], []], [[], []]], 'dtype': 'float64'}, {'__array__': [-4.036987084999801e-47], 'dtype': 'float64'}, {'__array__': [-1.1330825895426364], 'dtype': 'float64'}], 'rule': 'ClipGlobalNorm(omega=0.6326480761199117, throw=True)', 'ops': [{'op': 'step', 'grads': [None, 0.0, {'__array__': [[[], []], [[], []]], 'dtype': 'float64'}, {'__array__': [0.0027080455467863966], 'dtype': 'float64'}, {'__array__': [0.0], 'dtype': 'float64'}]}, {'op': 'step', 'grads': None}, {'op': 'step', 'grads': [None, 0.0, {'__array__': [[[], []], [[], []]], 'dtype': 'float64'}, {'__array__': [0.0], 'dtype': 'float64'}, {'__array__': [-2.214902778613133], 'dtype': 'float64'}]}, {'op': 'step', 'grads': None}], 'path': 'flat_list', 'dtype': 'float64', 'step': 4}


def run_engine():
    import math

    import torch

    inf = math.inf
    dtype = getattr(torch, DTYPE)
    params = [torch.nn.Parameter(torch.tensor(p, dtype=dtype)) for p in PARAMS]
    opt = torch.optim.SGD(params, **{'lr': 1.0, 'momentum': 0.0, 'weight_decay': 0.0})
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
            for name, clip in [('ClipGlobalNorm', {'omega': 0.6326480761199117, 'throw': True})]:
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
