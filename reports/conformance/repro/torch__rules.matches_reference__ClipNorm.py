#!/usr/bin/env python
"""optconf repro: torch rules.matches_reference[ClipNorm] deviates from CLIPNORM-1.

model[0][1]=2.115074704590889, but should be 2.115074491440262 [adapter=torch, path=structured, step=4, dtype=float64, observed=2.13150626926506e-07, allowed=1.131651674155468e-14]

Case seed 1554805039.  Inside optconf, replay with:
    optconf replay --adapter torch --property rules.matches_reference --rule ClipNorm --seed 1554805039
"""

import sys

import numpy as np

ADAPTER = 'torch'
CLAUSE = 'CLIPNORM-1'
PATH = 'structured'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter torch --property rules.matches_reference --rule ClipNorm --seed 1554805039'
RULE = {'name': 'ClipNorm', 'omega': 0.9619107904241115, 'p': 1.0, 'throw': True}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([-2.201015118716828, 2.439671851600645], dtype=np.float64), np.array([[[], []], [[], []]], dtype=np.float64), np.array([[]], dtype=np.float64), np.array(1.2989216472763045, dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([0.0006565350825678455, 0.003279603106520061], dtype=np.float64), np.array([[[], []], [[], []]], dtype=np.float64), np.array([[]], dtype=np.float64), np.array(-0.17731205217932366, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([0.0, 0.0], dtype=np.float64), np.array([[[], []], [[], []]], dtype=np.float64), np.array([[]], dtype=np.float64), np.array(0.0, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([2.3009872011528407e-209, 2.115755401831297], dtype=np.float64), np.array([[[], []], [[], []]], dtype=np.float64), np.array([[]], dtype=np.float64), np.array(0.0, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([0.8860967604121806, -1.766560979438299], dtype=np.float64), np.array([[[], []], [[], []]], dtype=np.float64), np.array([[]], dtype=np.float64), np.array(0.0, dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([-2.5229894108532585, 2.115074491440262], dtype=np.float64), np.array([[[], []], [[], []]], dtype=np.float64), np.array([[]], dtype=np.float64), np.array(1.4762336994556282, dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([-2.522989289722805, 2.115074704590889], dtype=np.float64), np.array([[[], []], [[], []]], dtype=np.float64), np.array([[]], dtype=np.float64), np.array(1.4762336994556282, dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 1.131651674155468e-14
PROGRAM_PICKLE = 'gASVBgcAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCiMFm51bXB5Ll9jb3JlLm11bHRpYXJyYXmUjAxfcmVjb25zdHJ1Y3SUk5SMBW51bXB5lIwHbmRhcnJheZSTlEsAhZRDAWKUh5RSlChLAUsChZRoCowFZHR5cGWUk5SMAmY4lImIh5RSlChLA4wBPJROTk5K/////0r/////SwB0lGKJQxBnH4fQrZsBwLTF/KxyhANAlHSUYl2UKF2UKIweb3B0Y29uZi5jb25mb3JtYW5jZS5zdHJhdGVnaWVzlIwFRGVuc2WUk5QpgZR9lCiMBndlaWdodJRK/f///4wEYmlhc5RoHYwIaWRlbnRpdHmUk5SMBXNjYWxllGgJaAxLAIWUaA6HlFKUKEsBSwFLAksAh5RoFolDAJR0lGKMA2FjdJRoCowEdGFuaJSTlHViaB2MBUJsb2NrlJOUKYGUfZQojAF3lGgJaAxLAIWUaA6HlFKUKEsBSwCFlGgTjAJpOJSJiIeUUpQoSwNoF05OTkr/////Sv////9LAHSUYoloK3SUYowBYpRK/v///4wEbm90ZZSMBGhlYWSUdWJoHymBlH2UKGgiaAloDEsAhZRoDoeUUpQoSwFLAIWUaDuJaCt0lGJoI4wAlGgmaAloDEsAhZRoDoeUUpQoSwEpaBaJQwhwHleR5d7Tv5R0lGJoLWgldWJlaBBoCWgMSwCFlGgOh5RSlChLAUsCSwJLAIeUaBaJaCt0lGJoCWgMSwCFlGgOh5RSlChLAUsBSwBLAIeUaBaJaCt0lGJoCWgMSwCFlGgOh5RSlChLASloFolDCAzksRBiyPQ/lHSUYmVljARydWxllIwcb3B0Y29uZi5yZWZlcmVuY2UucnVsZXMuY2xpcJSMCENsaXBOb3JtlJOUKYGUfZQojAVvbWVnYZRHP+7H+SNRUHCMAXCURz/wAAAAAAAAjAV0aHJvd5SIdWKMA29wc5QoaACMBFN0ZXCUk5QpgZR9lIwFZ3JhZHOUXZQoaAloDEsAhZRoDoeUUpQoSwFLAoWUaBaJQxCowalaaoNFP7x9w4LT3Wo/lHSUYl2UKF2UKH2UKGgiTmgjTmgmTmgtTnV9lChoNE5oPk5oP051fZQoaCJOaCNOaCZOaC1OdWVoCWgMSwCFlGgOh5RSlChLAUsChZRoFolDEAAAAAAAAAAAAAAAAAAAAACUdJRiaAloDEsAhZRoDoeUUpQoSwFLAksCSwCHlGgWiWgrdJRiaAloDEsAhZRoDoeUUpQoSwFLAUsASwCHlGgWiWgrdJRiaAeMBnNjYWxhcpSTlGgWQwjg/qVMKbLGv5SGlFKUZWVzYmhoKYGUfZRoa12UKGgJaAxLAIWUaA6HlFKUKEsBSwKFlGgWiUMQAAAAAAAAAAAAAAAAAAAAAJR0lGJdlChdlCh9lChoIk5oI05oJk5oLU51fZQoaDROaD5OaD9OdX2UKGgiTmgjTmgmTmgtTnVlaAloDEsAhZRoDoeUUpQoSwFLAoWUaBaJQxAAAAAAAAAAAAAAAAAAAAAAlHSUYmgJaAxLAIWUaA6HlFKUKEsBSwJLAksAh5RoFoloK3SUYmgJaAxLAIWUaA6HlFKUKEsBSwFLAEsAh5RoFoloK3SUYmiJaBZDCAAAAAAAAAAAlIaUUpRlZXNiaGgpgZR9lGhrXZQoaAloDEsAhZRoDoeUUpQoSwFLAoWUaBaJQxCgSolSPkKeFCibCSsR7QBAlHSUYl2UKF2UKH2UKGgiTmgjTmgmTmgtTnV9lChoNE5oPk5oP051fZQoaCJOaCNOaCZOaC1OdWVoCWgMSwCFlGgOh5RSlChLAUsChZRoFolDEAAAAAAAAAAAAAAAAAAAAACUdJRiaAloDEsAhZRoDoeUUpQoSwFLAksCSwCHlGgWiWgrdJRiaAloDEsAhZRoDoeUUpQoSwFLAUsASwCHlGgWiWgrdJRiaIloFkMIAAAAAAAAAACUhpRSlGVlc2JoaCmBlH2UaGtdlChoCWgMSwCFlGgOh5RSlChLAUsChZRoFolDEAAAAAAAAAAAAAAAAAAAAACUdJRiXZQoXZQofZQoaCJOaCNOaCZOaC1OdX2UKGg0Tmg+Tmg/TnV9lChoIk5oI05oJk5oLU51ZWgJaAxLAIWUaA6HlFKUKEsBSwKFlGgWiUMQyPrhl+da7D9OPBFy1UP8v5R0lGJoCWgMSwCFlGgOh5RSlChLAUsCSwJLAIeUaBaJaCt0lGJoCWgMSwCFlGgOh5RSlChLAUsBSwBLAIeUaBaJaCt0lGJoiWgWQwgAAAAAAAAAAJSGlFKUZWVzYnSUjAVkdHlwZZSMB2Zsb2F0NjSUdWIu'
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: carried value', 'models: empty array', 'models: layer with a non-trainable array', 'models: sizes that do not divide evenly', 'models: tie across containers', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': [np.array([-2.201015118716828, 2.439671851600645], dtype=np.float64), [[{'__type__': 'Dense', 'weight': -3, 'bias': '<function identity>', 'scale': np.array([[[], []]], dtype=np.float64), 'act': "<ufunc 'tanh'>"}, {'__type__': 'Block', 'w': np.array([], dtype=np.int64), 'b': -2, 'note': 'head'}, {'__type__': 'Dense', 'weight': np.array([], dtype=np.int64), 'bias': '', 'scale': np.array(-0.3104795379008243, dtype=np.float64), 'act': '<function identity>'}], np.array([-2.201015118716828, 2.439671851600645], dtype=np.float64), np.array([[[], []], [[], []]], dtype=np.float64), np.array([[]], dtype=np.float64), np.array(1.2989216472763045, dtype=np.float64)]], 'rule': {'__type__': 'ClipNorm', 'omega': 0.9619107904241115, 'p': 1.0, 'throw': True}, 'ops': ({'__type__': 'Step', 'grads': [np.array([0.0006565350825678455, 0.003279603106520061], dtype=np.float64), [[{'weight': None, 'bias': None, 'scale': None, 'act': None}, {'w': None, 'b': None, 'note': None}, {'weight': None, 'bias': None, 'scale': None, 'act': None}], np.array([0.0, 0.0], dtype=np.float64), np.array([[[], []], [[], []]], dtype=np.float64), np.array([[]], dtype=np.float64), -0.17731205217932366]]}, {'__type__': 'Step', 'grads': [np.array([0.0, 0.0], dtype=np.float64), [[{'weight': None, 'bias': None, 'scale': None, 'act': None}, {'w': None, 'b': None, 'note': None}, {'weight': None, 'bias': None, 'scale': None, 'act': None}], np.array([0.0, 0.0], dtype=np.float64), np.array([[[], []], [[], []]], dtype=np.float64), np.array([[]], dtype=np.float64), 0.0]]}, {'__type__': 'Step', 'grads': [np.array([2.3009872011528407e-209, 2.115755401831297], dtype=np.float64), [[{'weight': None, 'bias': None, 'scale': None, 'act': None}, {'w': None, 'b': None, 'note': None}, {'weight': None, 'bias': None, 'scale': None, 'act': None}], np.array([0.0, 0.0], dtype=np.float64), np.array([[[], []], [[], []]], dtype=np.float64), np.array([[]], dtype=np.float64), 0.0]]}, {'__type__': 'Step', 'grads': [np.array([0.0, 0.0], dtype=np.float64), [[{'weight': None, 'bias': None, 'scale': None, 'act': None}, {'w': None, 'b': None, 'note': None}, {'weight': None, 'bias': None, 'scale': None, 'act': None}], np.array([0.8860967604121806, -1.766560979438299], dtype=np.float64), np.array([[[], []], [[], []]], dtype=np.float64), np.array([[]], dtype=np.float64), 0.0]]}, ), 'dtype': 'float64'}, 'model': [{'__array__': [-2.201015118716828, 2.439671851600645], 'dtype': 'float64'}, [[{'__type__': 'Dense', 'weight': -3, 'bias': '<function identity>', 'scale': {'__array__': [[[], []]], 'dtype': 'float64'}, 'act': "<ufunc 'tanh'>"}, {'__type__': 'Block', 'w': {'__array__': [], 'dtype': 'int64'}, 'b': -2, 'note': 'head'}, {'__type__': 'Dense', 'weight': {'__array__': [], 'dtype': 'int64'}, 'bias': '', 'scale': {'__array__': -0.3104795379008243, 'dtype': 'float64'}, 'act': '<function identity>'}], {'__array__': [-2.201015118716828, 2.439671851600645], 'dtype': 'float64'}, {'__array__': [[[], []], [[], []]], 'dtype': 'float64'}, {'__array__': [[]], 'dtype': 'float64'}, {'__array__': 1.2989216472763045, 'dtype': 'float64'}]], 'rule': 'ClipNorm(omega=0.9619107904241115, p=1.0, throw=True)', 'ops': [{'op': 'step', 'grads': [{'__array__': [0.0006565350825678455, 0.003279603106520061], 'dtype': 'float64'}, [[{'weight': None, 'bias': None, 'scale': None, 'act': None}, {'w': None, 'b': None, 'note': None}, {'weight': None, 'bias': None, 'scale': None, 'act': None}], {'__array__': [0.0, 0.0], 'dtype': 'float64'}, {'__array__': [[[], []], [[], []]], 'dtype': 'float64'}, {'__array__': [[]], 'dtype': 'float64'}, -0.17731205217932366]]}, {'op': 'step', 'grads': [{'__array__': [0.0, 0.0], 'dtype': 'float64'}, [[{'weight': None, 'bias': None, 'scale': None, 'act': None}, {'w': None, 'b': None, 'note': None}, {'weight': None, 'bias': None, 'scale': None, 'act': None}], {'__array__': [0.0, 0.0], 'dtype': 'float64'}, {'__array__': [[[], []], [[], []]], 'dtype': 'float64'}, {'__array__': [[]], 'dtype': 'float64'}, 0.0]]}, {'op': 'step', 'grads': [{'__array__': [2.3009872011528407e-209, 2.115755401831297], 'dtype': 'float64'}, [[{'weight': None, 'bias': None, 'scale': None, 'act': None}, {'w': None, 'b': None, 'note': None}, {'weight': None, 'bias': None, 'scale': None, 'act': None}], {'__array__': [0.0, 0.0], 'dtype': 'float64'}, {'__array__': [[[], []], [[], []]], 'dtype': 'float64'}, {'__array__': [[]], 'dtype': 'float64'}, 0.0]]}, {'op': 'step', 'grads': [{'__array__': [0.0, 0.0], 'dtype': 'float64'}, [[{'weight': None, 'bias': None, 'scale': None, 'act': None}, {'w': None, 'b': None, 'note': None}, {'weight': None, 'bias': None, 'scale': None, 'act': None}], {'__array__': [0.8860967604121806, -1.766560979438299], 'dtype': 'float64'}, {'__array__': [[[], []], [[], []]], 'dtype': 'float64'}, {'__array__': [[]], 'dtype': 'float64'}, 0.0]]}], 'rules': ['ClipNorm(omega=0.9619107904241115, p=1.0, throw=True)'], 'variant': None, 'path': 'structured', 'dtype': 'float64', 'step': 4}


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
            for clip in [lambda held: [torch.nn.utils.clip_grad_norm_([p], 0.9619107904241115, norm_type=1.0) for p in held]]:
                if held:  # nothing to clip; torch's clip_grad_value_([]) raises instead
                    clip(held)
            opt.step()
    GOT = [p.detach().numpy().astype(np.float64) for p in params]
    return GOT


def main():
    if EXPECTED is None:
        print("recorded deviation (CLIPNORM-1); no replayable program in this case:")
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
    print(f"max abs error {worst!r}, allowed {bound!r} (CLIPNORM-1)")
    return 0 if worst <= bound and not wrong_kind else 1


if __name__ == "__main__":
    sys.exit(main())
