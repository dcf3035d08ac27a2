#!/usr/bin/env python
"""optconf repro: torch adjust.mid_run[Nesterov] deviates from NESTEROV-2.

model[0][0]['dec']=0.38006987918584795, but should be 0.38008343209662193 [adapter=torch, path=structured, step=4, dtype=float64, observed=1.3552910773984017e-05, allowed=6.756577074557553e-16]

Case seed 47646134.  Inside optconf, replay with:
    optconf replay --adapter torch --property adjust.mid_run --rule Nesterov --seed 47646134
"""

import sys

import numpy as np

ADAPTER = 'torch'
CLAUSE = 'NESTEROV-2'
PATH = 'structured'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter torch --property adjust.mid_run --rule Nesterov --seed 47646134'
RULE = {'name': 'Nesterov', 'eta': 0.031293212272129334, 'rho': 0.0, 'variant': 'torch'}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array(0.3800235387117903, dtype=np.float64), np.array([], dtype=np.float64), np.array(-2.665149375486898, dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array(-0.0014808474647696602, dtype=np.float64), np.array([], dtype=np.float64), np.array(-6.525860458683545e-165, dtype=np.float64)]}, {'op': 'step', 'grads': [None, np.array([], dtype=np.float64), np.array(-2.7137135119167716e-139, dtype=np.float64)]}, {'op': 'step', 'grads': [None, np.array([], dtype=np.float64), None]}, {'op': 'adjust', 'changes': {'eta': 0.07058732955532561, 'rho': 0.36007896404277523}}, {'op': 'step', 'grads': [np.array(-1.1479437021484375e-41, dtype=np.float64), None, np.array(1.1884922592652165, dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array(0.38008343209662193, dtype=np.float64), np.array([], dtype=np.float64), np.array(-2.7792497928764863, dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array(0.38006987918584795, dtype=np.float64), np.array([], dtype=np.float64), np.array(-2.7792497928764863, dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 6.756577074557553e-16
PROGRAM_PICKLE = 'gASV1AQAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJSMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBFBhaXKUk5R9lCiMAXeUTowDZGVjlIwWbnVtcHkuX2NvcmUubXVsdGlhcnJheZSMDF9yZWNvbnN0cnVjdJSTlIwFbnVtcHmUjAduZGFycmF5lJOUSwCFlEMBYpSHlFKUKEsBKWgPjAVkdHlwZZSTlIwCZjiUiYiHlFKUKEsDjAE8lE5OTkr/////Sv////9LAHSUYolDCJCMnj9OUtg/lHSUYowBYZSJdWgGjAVCbG9ja5STlCmBlH2UKGgKaA5oEUsAhZRoE4eUUpQoSwEpaBeMAmk4lImIh5RSlChLA2gbTk5OSv////9K/////0sAdJRiiUMI/P////////+UdJRijAFilEsDjARub3RllIwEaGVhZJR1YoaUgZRdlChoDmgRSwCFlGgTh5RSlChLAUsASwGGlGgaiUMAlHSUYolOh5R9lChoC2gOaBFLAIWUaBOHlFKUKEsBKWgaiUMIUF711TlSBcCUdJRiaC2MAJR1ZV2UKGghKYGUfZQoaApoBowIaWRlbnRpdHmUk5RoLU5oLowFYmxvY2uUdWJ9lChoLU6MA2VuY5ROdWghKYGUfZQoaApK/f///2gtaEVoLmgvdWJlh5SMBHJ1bGWUjB9vcHRjb25mLnJlZmVyZW5jZS5ydWxlcy5kZXNjZW50lIwITmVzdGVyb3aUk5QpgZR9lCiMA2V0YZRHP6AFqfaXVnCMA3Job5RHAAAAAAAAAACMB3ZhcmlhbnSUjAV0b3JjaJR1YowDb3BzlChoAIwEU3RlcJSTlCmBlH2UjAVncmFkc5R9lChoCk5oC2gMjAZzY2FsYXKUk5RoGkMIvoSe2x9DWL+UhpRSlGgfTnV9lChoCk5oLU5oLk51hpRdlChoDmgRSwCFlGgTh5RSlChLAUsASwGGlGgaiWg3dJRiTk6HlH2UKGgLaF5oGkMIwQjNiRYN2J2UhpRSlGgtTnVlToeUc2JoWCmBlH2UaFt9lChoCk5oC05oH051fZQoaApOaC1OaC5OdYaUXZQoaA5oEUsAhZRoE4eUUpQoSwFLAEsBhpRoGoloN3SUYk5Oh5R9lChoC2heaBpDCH1djj5i2imjlIaUUpRoLU51ZV2UKE59lChoLU5oSE51TmWHlHNiaFgpgZR9lGhbTn2UKGgKTmgtTmguTnWGlF2UKGgOaBFLAIWUaBOHlFKUKEsBSwBLAYaUaBqJaDd0lGJOToeUTmVdlCh9lChoCk5oLU5oLk51fZQoaC1OaEhOdX2UKGgKTmgtTmguTnVlh5RzYmgAjAZBZGp1c3SUk5QpgZR9lIwHY2hhbmdlc5R9lChoUkc/shIC3/O8rWhTRz/XC4ijoqRTdXNiaFgpgZR9lGhbfZQoaApOaAtoXmgaQwibYwoAAABwt5SGlFKUaB9OdX2UKGgKTmgtTmguTnWGlF2UKE59lChoC2heaBpDCPx9kXUQBPM/lIaUUpRoLU51ZV2UKH2UKGgKTmgtTmguTnVOTmWHlHNidJSMBWR0eXBllIwHZmxvYXQ2NJR1Yi4='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: carried value', 'models: dict keys out of sorted order', 'models: empty array', 'models: parameter three levels deep', 'models: sizes that do not divide evenly', 'programs: None inside a gradient', 'programs: adjust then step'], 'program': {'__type__': 'Program', 'model': (({'w': None, 'dec': np.array(0.3800235387117903, dtype=np.float64), 'a': False}, {'__type__': 'Block', 'w': np.array(-4, dtype=np.int64), 'b': 3, 'note': 'head'}, ), [(np.array([], dtype=np.float64), False, None, ), {'dec': np.array(-2.665149375486898, dtype=np.float64), 'b': ''}], [{'__type__': 'Block', 'w': '<function identity>', 'b': None, 'note': 'block'}, {'b': None, 'enc': None}, {'__type__': 'Block', 'w': -3, 'b': '<function identity>', 'note': 'head'}], ), 'rule': {'__type__': 'Nesterov', 'eta': 0.031293212272129334, 'rho': 0.0, 'variant': 'torch'}, 'ops': ({'__type__': 'Step', 'grads': (({'w': None, 'dec': -0.0014808474647696602, 'a': None}, {'w': None, 'b': None, 'note': None}, ), [(np.array([], dtype=np.float64), None, None, ), {'dec': -6.525860458683545e-165, 'b': None}], None, )}, {'__type__': 'Step', 'grads': (({'w': None, 'dec': None, 'a': None}, {'w': None, 'b': None, 'note': None}, ), [(np.array([], dtype=np.float64), None, None, ), {'dec': -2.7137135119167716e-139, 'b': None}], [None, {'b': None, 'enc': None}, None], )}, {'__type__': 'Step', 'grads': ((None, {'w': None, 'b': None, 'note': None}, ), [(np.array([], dtype=np.float64), None, None, ), None], [{'w': None, 'b': None, 'note': None}, {'b': None, 'enc': None}, {'w': None, 'b': None, 'note': None}], )}, {'__type__': 'Adjust', 'changes': {'eta': 0.07058732955532561, 'rho': 0.36007896404277523}}, {'__type__': 'Step', 'grads': (({'w': None, 'dec': -1.1479437021484375e-41, 'a': None}, {'w': None, 'b': None, 'note': None}, ), [None, {'dec': 1.1884922592652165, 'b': None}], [{'w': None, 'b': None, 'note': None}, None, None], )}, ), 'dtype': 'float64'}, 'model': [[{'w': None, 'dec': {'__array__': 0.3800235387117903, 'dtype': 'float64'}, 'a': False}, {'__type__': 'Block', 'w': {'__array__': -4, 'dtype': 'int64'}, 'b': 3, 'note': 'head'}], [[{'__array__': [], 'dtype': 'float64'}, False, None], {'dec': {'__array__': -2.665149375486898, 'dtype': 'float64'}, 'b': ''}], [{'__type__': 'Block', 'w': '<function identity>', 'b': None, 'note': 'block'}, {'b': None, 'enc': None}, {'__type__': 'Block', 'w': -3, 'b': '<function identity>', 'note': 'head'}]], 'rule': "Nesterov(eta=0.031293212272129334, rho=0.0, variant='torch')", 'ops': [{'op': 'step', 'grads': [[{'w': None, 'dec': -0.0014808474647696602, 'a': None}, {'w': None, 'b': None, 'note': None}], [[{'__array__': [], 'dtype': 'float64'}, None, None], {'dec': -6.525860458683545e-165, 'b': None}], None]}, {'op': 'step', 'grads': [[{'w': None, 'dec': None, 'a': None}, {'w': None, 'b': None, 'note': None}], [[{'__array__': [], 'dtype': 'float64'}, None, None], {'dec': -2.7137135119167716e-139, 'b': None}], [None, {'b': None, 'enc': None}, None]]}, {'op': 'step', 'grads': [[None, {'w': None, 'b': None, 'note': None}], [[{'__array__': [], 'dtype': 'float64'}, None, None], None], [{'w': None, 'b': None, 'note': None}, {'b': None, 'enc': None}, {'w': None, 'b': None, 'note': None}]]}, {'op': 'adjust', 'changes': {'eta': 0.07058732955532561, 'rho': 0.36007896404277523}}, {'op': 'step', 'grads': [[{'w': None, 'dec': -1.1479437021484375e-41, 'a': None}, {'w': None, 'b': None, 'note': None}], [None, {'dec': 1.1884922592652165, 'b': None}], [{'w': None, 'b': None, 'note': None}, None, None]]}], 'rules': ["Nesterov(eta=0.031293212272129334, rho=0.0, variant='torch')", "Nesterov(eta=0.07058732955532561, rho=0.36007896404277523, variant='torch')"], 'path': 'structured', 'dtype': 'float64', 'step': 4}


def run_engine():
    import math

    import torch

    inf = math.inf
    dtype = getattr(torch, DTYPE)
    params = [torch.nn.Parameter(torch.tensor(p, dtype=dtype)) for p in PARAMS]
    opt = torch.optim.SGD(params, **{'lr': 0.031293212272129334, 'momentum': 0.0, 'nesterov': False, 'weight_decay': 0.0})
    frozen = set()
    for op, extra in zip(OPS, [None, None, None, {'lr': 0.07058732955532561, 'momentum': 0.36007896404277523, 'nesterov': True, 'weight_decay': 0.0}, None]):
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
            for clip in []:
                if held:  # nothing to clip; torch's clip_grad_value_([]) raises instead
                    clip(held)
            opt.step()
    GOT = [p.detach().numpy().astype(np.float64) for p in params]
    return GOT


def main():
    if EXPECTED is None:
        print("recorded deviation (NESTEROV-2); no replayable program in this case:")
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
    print(f"max abs error {worst!r}, allowed {bound!r} (NESTEROV-2)")
    return 0 if worst <= bound and not wrong_kind else 1


if __name__ == "__main__":
    sys.exit(main())
