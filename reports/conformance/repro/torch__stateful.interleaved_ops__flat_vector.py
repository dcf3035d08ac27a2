#!/usr/bin/env python
"""optconf repro: torch stateful.interleaved_ops[flat_vector] deviates from ADJ-2.

adam.beta_t[model[0]['a'][0]][0]=0.0007260829968283965, but should be 0.5458778790820289 [adapter=torch, path=flat_vector, step=1, dtype=float32, observed=0.5451517960852005, allowed=2.692405667047468e-06]

Case seed 2909016510.  Inside optconf, replay with:
    optconf replay --adapter torch --property stateful.interleaved_ops --path flat_vector --seed 2909016510
"""

import sys

import numpy as np

ADAPTER = 'torch'
CLAUSE = 'ADJ-2'
PATH = 'flat_vector'
DTYPE = 'float32'
REPLAY = 'optconf replay --adapter torch --property stateful.interleaved_ops --path flat_vector --seed 2909016510'
RULE = {'name': 'Adam', 'eta': 0.001, 'beta': (0.7388354885101479, 0.6009340576567915, ), 'epsilon': 1e-08}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([[[0.44909319281578064], [-0.7324305176734924]], [[1.5468412637710571], [0.10000000149011612]]], dtype=np.float64), np.array([[-3.0, 2.6277358531951904]], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([[[0.9500009646416174], [0.9496908576693386]], [[0.948535144329071], [1.1003062140080146]]], dtype=np.float64), np.array([[2.9060263633728027, -1.9581962823867798]], dtype=np.float64)]}, {'op': 'adjust', 'changes': {'eta': 0.001, 'beta': (0.026945927277204556, 0.5531218821530706, )}}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([[[0.44809319282630694], [-0.7334305176629627]], [[1.5458412637815997], [0.0990000014992045]]], dtype=np.float64), np.array([[-3.000999999996559, 2.6287358531900837]], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([[[0.4480932056903839], [-0.7334305047988892]], [[1.5458412170410156], [0.0989999994635582]]], dtype=np.float32), np.array([[-3.000999927520752, 2.6287357807159424]], dtype=np.float32)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 2.692405667047468e-06
PROGRAM_PICKLE = 'gASV+gIAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCh9lIwBYZSMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBFBhaXKUk5SMFm51bXB5Ll9jb3JlLm11bHRpYXJyYXmUjAxfcmVjb25zdHJ1Y3SUk5SMBW51bXB5lIwHbmRhcnJheZSTlEsAhZRDAWKUh5RSlChLAUsCSwJLAYeUaA+MBWR0eXBllJOUjAJmOJSJiIeUUpQoSwOMATyUTk5OSv////9K/////0sAdJRiiUMgAAAAYPG93D8AAAAgEnDnvwAAAKDcv/g/AAAAoJmZuT+UdJRiaBWGlIGUc2gOaBFLAIWUaBOHlFKUKEsBSwFLAoaUaBuJQxAAAAAAAAAIwAAAAGCaBQVAlHSUYmWMBHJ1bGWUjBxvcHRjb25mLnJlZmVyZW5jZS5ydWxlcy5hZGFtlIwEQWRhbZSTlCmBlH2UKIwDZXRhlEc/UGJN0vGp/IwEYmV0YZRHP+ekilKIzwFHP+M62g+WCC2GlIwHZXBzaWxvbpRHPkV5juIwjDp1YowDb3BzlGgAjARTdGVwlJOUKYGUfZSMBWdyYWRzlF2UKH2UaAhoDmgRSwCFlGgTh5RSlChLAUsCSwJLAYeUaBuJQyAAAABgZmbuPwAAAGBmZu4/AAAAYGZm7j8AAACgmZnxP5R0lGJoDmgRSwCFlGgTh5RSlChLAUsCSwJLAYeUaBuJQyAAAADgTWKwPgAAAABZQjS/AAAAAAAAWL8AAADABBE0P5R0lGKGlHNoDmgRSwCFlGgTh5RSlChLAUsBSwKGlGgbiUMQAAAAwIo/B0AAAACgxVT/v5R0lGJlc2JoAIwGQWRqdXN0lJOUKYGUfZSMB2NoYW5nZXOUfZQoaC5HP1BiTdLxqfxoL0c/m5e2kan4u0c/4bMsqVGUuIaUdXNihpSMBWR0eXBllIwHZmxvYXQzMpR1Yi4='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'program': {'__type__': 'Program', 'model': [{'a': (np.array([[[0.44909319281578064], [-0.7324305176734924]], [[1.5468412637710571], [0.10000000149011612]]], dtype=np.float64), np.array([[[0.44909319281578064], [-0.7324305176734924]], [[1.5468412637710571], [0.10000000149011612]]], dtype=np.float64), )}, np.array([[-3.0, 2.6277358531951904]], dtype=np.float64)], 'rule': {'__type__': 'Adam', 'eta': 0.001, 'beta': (0.7388354885101479, 0.6009340576567915, ), 'epsilon': 1e-08}, 'ops': ({'__type__': 'Step', 'grads': [{'a': (np.array([[[0.949999988079071], [0.949999988079071]], [[0.949999988079071], [1.100000023841858]]], dtype=np.float64), np.array([[[9.765625463842298e-07], [-0.000309130409732461]], [[-0.00146484375], [0.000306190166156739]]], dtype=np.float64), )}, np.array([[2.9060263633728027, -1.9581962823867798]], dtype=np.float64)]}, {'__type__': 'Adjust', 'changes': {'eta': 0.001, 'beta': (0.026945927277204556, 0.5531218821530706, )}}, ), 'dtype': 'float32'}, 'model': [{'a': [{'__array__': [[[0.44909319281578064], [-0.7324305176734924]], [[1.5468412637710571], [0.10000000149011612]]], 'dtype': 'float64'}, {'__array__': [[[0.44909319281578064], [-0.7324305176734924]], [[1.5468412637710571], [0.10000000149011612]]], 'dtype': 'float64'}]}, {'__array__': [[-3.0, 2.6277358531951904]], 'dtype': 'float64'}], 'rule': 'Adam(eta=0.001, beta=(0.7388354885101479, 0.6009340576567915), epsilon=1e-08)', 'ops': [{'op': 'step', 'grads': [{'a': [{'__array__': [[[0.949999988079071], [0.949999988079071]], [[0.949999988079071], [1.100000023841858]]], 'dtype': 'float64'}, {'__array__': [[[9.765625463842298e-07], [-0.000309130409732461]], [[-0.00146484375], [0.000306190166156739]]], 'dtype': 'float64'}]}, {'__array__': [[2.9060263633728027, -1.9581962823867798]], 'dtype': 'float64'}]}, {'op': 'adjust', 'changes': {'eta': 0.001, 'beta': [0.026945927277204556, 0.5531218821530706]}}], 'path': 'flat_vector', 'dtype': 'float32', 'step': 1}


def run_engine():
    import math

    import torch

    inf = math.inf
    dtype = getattr(torch, DTYPE)
    params = [torch.nn.Parameter(torch.tensor(p, dtype=dtype)) for p in PARAMS]
    opt = torch.optim.Adam(params, **{'lr': 0.001, 'betas': (0.7388354885101479, 0.6009340576567915), 'eps': 1e-08, 'weight_decay': 0.0})
    frozen = set()
    for op, extra in zip(OPS, [None, {'lr': 0.001, 'betas': (0.026945927277204556, 0.5531218821530706), 'eps': 1e-08, 'weight_decay': 0.0}]):
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
