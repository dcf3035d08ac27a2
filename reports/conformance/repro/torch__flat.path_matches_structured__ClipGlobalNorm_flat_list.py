#!/usr/bin/env python
"""optconf repro: torch flat.path_matches_structured[ClipGlobalNorm,flat_list] deviates from FLAT-6.

model['dec'][1][1]=-0.35516579486458033, but should be -0.3551642400591484 [adapter=torch, path=flat_list, step=4, dtype=float64, observed=1.5548054319580729e-06, allowed=2.945049023508271e-14]

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
RULE = {'name': 'ClipGlobalNorm', 'omega': 2.783924022229687, 'throw': True}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([-3.0, -3.5434560172139484], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([7.307788562104821e-247, 1.9], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([-1e-05, -3.096169485459395], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([1.972081738322422, -2.909182134826916], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([0.0, 0.0], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([-4.562080062142398, -0.3551642400591484], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([-4.562079617688902, -0.35516579486458033], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 2.945049023508271e-14
PROGRAM_PICKLE = 'gASVwwQAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJR9lCiMA2RlY5RdlChdlCiMFm51bXB5Ll9jb3JlLm11bHRpYXJyYXmUjAxfcmVjb25zdHJ1Y3SUk5SMBW51bXB5lIwHbmRhcnJheZSTlEsAhZRDAWKUh5RSlChLAUsChZRoDYwFZHR5cGWUk5SMAmk4lImIh5RSlChLA4wBPJROTk5K/////0r/////SwB0lGKJQxADAAAAAAAAAPz/////////lHSUYollXZQojB5vcHRjb25mLmNvbmZvcm1hbmNlLnN0cmF0ZWdpZXOUjAhpZGVudGl0eZSTlIwAlGVoH4wFQmxvY2uUk5QpgZR9lCiMAXeUaCQpgZR9lChoJ4iMAWKUaA2MBHRhbmiUk5SMBG5vdGWUjARoZWFklHViaCpoH4wEUGFpcpSTlImJhpSBlGgtaC51YoeUaAxoD0sAhZRoEYeUUpQoSwFLAoWUaBaMAmY4lImIh5RSlChLA2gaTk5OSv////9K/////0sAdJRiiUMQAAAAAAAACMCQ/OV3/1gMwJR0lGJljAFhlGg2dYwEcnVsZZSMHG9wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLmNsaXCUjA5DbGlwR2xvYmFsTm9ybZSTlCmBlH2UKIwFb21lZ2GUR0AGRXn1MDPHjAV0aHJvd5SIdWKMA29wc5QoaACMBFN0ZXCUk5QpgZR9lIwFZ3JhZHOUfZQoaAddlChdlChOTmVdlChOTmV9lChoJ32UKGgnTmgqTmgtTnVoKk5OhpRoLU51h5RoDGgPSwCFlGgRh5RSlChLAUsChZRoOolDEAAAAAAAAAAAAAAAAAAAAACUdJRiZWg+aAxoD0sAhZRoEYeUUpQoSwFLAoWUaDqJQxBTKBImLXDUDGZmZmZmZv4/lHSUYnVzYmhJKYGUfZRoTH2UKGgHXZQoXZQoTk5lXZQoTk5lfZQoaCd9lChoJ05oKk5oLU51aCpOToaUaC1OdYeUaAxoD0sAhZRoEYeUUpQoSwFLAoWUaDqJQxDxaOOItfjkvrhe14H0xAjAlHSUYmVoPmgMaA9LAIWUaBGHlFKUKEsBSwKFlGg6iUMQAAAAAAAAAAAAAAAAAAAAAJR0lGJ1c2JoSSmBlH2UaEx9lChoB12UKF2UKE5OZV2UKE5OZX2UKGgnfZQoaCdOaCpOaC1OdWgqTk6GlGgtTnWHlGgMaA9LAIWUaBGHlFKUKEsBSwKFlGg6iUMQYZUC28mCXJH8IEwK/EUPwJR0lGJlaD5oDGgPSwCFlGgRh5RSlChLAUsChZRoOolDEFwjspSljf8/HXdKB+v/7z+UdJRidXNiaEkpgZR9lGhMfZQoaAddlChdlChOTmVdlChOTmV9lChoJ32UKGgnTmgqTmgtTnVoKk5OhpRoLU51h5RoDGgPSwCFlGgRh5RSlChLAUsChZRoOolDEAAAAAAAAAAAAAAAAAAAAACUdJRiZWg+aAxoD0sAhZRoEYeUUpQoSwFLAoWUaDqJQxAAAAAAAAAAAAAAAAAAAAAAlHSUYnVzYnSUjAVkdHlwZZSMB2Zsb2F0NjSUdWIu'
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: carried value', 'models: dict keys out of sorted order', 'models: tie across containers', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': {'dec': [([np.array([3, -4], dtype=np.int64), False], ['<function identity>', ''], {'__type__': 'Block', 'w': {'__type__': 'Block', 'w': True, 'b': "<ufunc 'tanh'>", 'note': 'head'}, 'b': (False, False, ), 'note': 'head'}, ), np.array([-3.0, -3.5434560172139484], dtype=np.float64)], 'a': np.array([-3.0, -3.5434560172139484], dtype=np.float64)}, 'rule': {'__type__': 'ClipGlobalNorm', 'omega': 2.783924022229687, 'throw': True}, 'ops': ({'__type__': 'Step', 'grads': {'dec': [([None, None], [None, None], {'w': {'w': None, 'b': None, 'note': None}, 'b': (None, None, ), 'note': None}, ), np.array([0.0, 0.0], dtype=np.float64)], 'a': np.array([7.307788562104821e-247, 1.9], dtype=np.float64)}}, {'__type__': 'Step', 'grads': {'dec': [([None, None], [None, None], {'w': {'w': None, 'b': None, 'note': None}, 'b': (None, None, ), 'note': None}, ), np.array([-1e-05, -3.096169485459395], dtype=np.float64)], 'a': np.array([0.0, 0.0], dtype=np.float64)}}, {'__type__': 'Step', 'grads': {'dec': [([None, None], [None, None], {'w': {'w': None, 'b': None, 'note': None}, 'b': (None, None, ), 'note': None}, ), np.array([-4.814088453524473e-225, -3.9091721348269157], dtype=np.float64)], 'a': np.array([1.972081738322422, 0.99999], dtype=np.float64)}}, {'__type__': 'Step', 'grads': {'dec': [([None, None], [None, None], {'w': {'w': None, 'b': None, 'note': None}, 'b': (None, None, ), 'note': None}, ), np.array([0.0, 0.0], dtype=np.float64)], 'a': np.array([0.0, 0.0], dtype=np.float64)}}, ), 'dtype': 'float64'}, 'model': {'dec': [[[{'__array__': [3, -4], 'dtype': 'int64'}, False], ['<function identity>', ''], {'__type__': 'Block', 'w': {'__type__': 'Block', 'w': True, 'b': "<ufunc 'tanh'>", 'note': 'head'}, 'b': [False, False], 'note': 'head'}], {'__array__': [-3.0, -3.5434560172139484], 'dtype': 'float64'}], 'a': {'__array__': [-3.0, -3.5434560172139484], 'dtype': 'float64'}}, 'rule': 'ClipGlobalNorm(omega=2.783924022229687, throw=True)', 'ops': [{'op': 'step', 'grads': {'dec': [[[None, None], [None, None], {'w': {'w': None, 'b': None, 'note': None}, 'b': [None, None], 'note': None}], {'__array__': [0.0, 0.0], 'dtype': 'float64'}], 'a': {'__array__': [7.307788562104821e-247, 1.9], 'dtype': 'float64'}}}, {'op': 'step', 'grads': {'dec': [[[None, None], [None, None], {'w': {'w': None, 'b': None, 'note': None}, 'b': [None, None], 'note': None}], {'__array__': [-1e-05, -3.096169485459395], 'dtype': 'float64'}], 'a': {'__array__': [0.0, 0.0], 'dtype': 'float64'}}}, {'op': 'step', 'grads': {'dec': [[[None, None], [None, None], {'w': {'w': None, 'b': None, 'note': None}, 'b': [None, None], 'note': None}], {'__array__': [-4.814088453524473e-225, -3.9091721348269157], 'dtype': 'float64'}], 'a': {'__array__': [1.972081738322422, 0.99999], 'dtype': 'float64'}}}, {'op': 'step', 'grads': {'dec': [[[None, None], [None, None], {'w': {'w': None, 'b': None, 'note': None}, 'b': [None, None], 'note': None}], {'__array__': [0.0, 0.0], 'dtype': 'float64'}], 'a': {'__array__': [0.0, 0.0], 'dtype': 'float64'}}}], 'rules': ['ClipGlobalNorm(omega=2.783924022229687, throw=True)'], 'path': 'flat_list', 'dtype': 'float64', 'step': 4}


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
            for clip in [lambda held: torch.nn.utils.clip_grad_norm_(held, 2.783924022229687)]:
                if held:  # nothing to clip; torch's clip_grad_value_([]) raises instead
                    clip(held)
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
