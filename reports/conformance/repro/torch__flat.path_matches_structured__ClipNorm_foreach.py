#!/usr/bin/env python
"""optconf repro: torch flat.path_matches_structured[ClipNorm,foreach] deviates from FLAT-6.

model['dec'][1][1]=0.4874826398680242, but should be 0.48748309146908253 [adapter=torch, path=foreach, step=4, dtype=float64, observed=4.51601058326645e-07, allowed=9.502269784819198e-15]

Case seed 687305321.  Inside optconf, replay with:
    optconf replay --adapter torch --property flat.path_matches_structured --rule ClipNorm --path foreach --seed 687305321
"""

import sys

import numpy as np

ADAPTER = 'torch'
CLAUSE = 'FLAT-6'
PATH = 'foreach'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter torch --property flat.path_matches_structured --rule ClipNorm --path foreach --seed 687305321'
RULE = {'name': 'ClipNorm', 'omega': 1.1111573585272265, 'p': 2.0, 'throw': True}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([-2.2671914294436823, 3.3417128799427314], dtype=np.float64), np.array([], dtype=np.float64), np.array([-3.0058778561353536e-294, 7.378642751787813e-59], dtype=np.float64), np.array([[4.4224700315456446e-209]], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([0.0, 0.0], dtype=np.float64), np.array([], dtype=np.float64), np.array([-0.003287447260037664, 0.00046219349604182183], dtype=np.float64), np.array([[3.7272895721416166]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([0.0005924089823399212, -6.99938637086605e-94], dtype=np.float64), np.array([], dtype=np.float64), np.array([2.758833645028295, 0.7673619726990379], dtype=np.float64), np.array([[0.0]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([0.4423046059160809, 1.499415333482594e-50], dtype=np.float64), np.array([], dtype=np.float64), np.array([0.0, 0.0], dtype=np.float64), np.array([[-3.4248220985966427]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([0.0, 0.0], dtype=np.float64), np.array([], dtype=np.float64), np.array([-0.99999, -0.99999], dtype=np.float64), np.array([[0.0]], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([-2.7100884443421034, 3.3417128799427314], dtype=np.float64), np.array([], dtype=np.float64), np.array([-0.28152360556417777, 0.48748309146908253], dtype=np.float64), np.array([[0.0]], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([-2.7100884443421034, 3.3417128799427314], dtype=np.float64), np.array([], dtype=np.float64), np.array([-0.2815237873072347, 0.4874826398680242], dtype=np.float64), np.array([[-2.6328301760969453e-08]], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 9.502269784819198e-15
PROGRAM_PICKLE = 'gASVeQcAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJR9lCiMA2RlY5RdlCiMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBFBhaXKUk5RoCYwFRGVuc2WUk5QpgZR9lCiMBndlaWdodJRoCYwFQmxvY2uUk5QpgZR9lCiMAXeUjBZudW1weS5fY29yZS5tdWx0aWFycmF5lIwMX3JlY29uc3RydWN0lJOUjAVudW1weZSMB25kYXJyYXmUk5RLAIWUQwFilIeUUpQoSwFLAoWUaBmMBWR0eXBllJOUjAJmOJSJiIeUUpQoSwOMATyUTk5OSv////9K/////0sAdJRiiUMQW9uZQjUjAsDczl/207sKQJR0lGKMAWKUjARyZWx1lIwEbm90ZZSMBGhlYWSUdWKMBGJpYXOUaBIpgZR9lChoFWgZjAR0YW5olJOUaCpoGGgbSwCFlGgdh5RSlChLAUsASwFLAIeUaCWJQwCUdJRiaCxoLXVijAVzY2FsZZRoGGgbSwCFlGgdh5RSlChLAUsAhZRoJYloN3SUYowDYWN0lGgydWJoDSmBlH2UKGgQiGguSv////9oOWgYaBtLAIWUaB2HlFKUKEsBSwBLAUsCh5RoJYloN3SUYmg/aDJ1YoaUgZRoGGgbSwCFlGgdh5RSlChLAUsChZRoJYlDEGIvM/9Wt/6Cfw+pcX6k3TOUdJRiaBhoG0sAhZRoHYeUUpQoSwFLAUsBhpRoJYlDCGaJwggYFK0UlHSUYmWMAWGUaEt1jARydWxllIwcb3B0Y29uZi5yZWZlcmVuY2UucnVsZXMuY2xpcJSMCENsaXBOb3JtlJOUKYGUfZQojAVvbWVnYZRHP/HHTPA5WNKMAXCUR0AAAAAAAAAAjAV0aHJvd5SIdWKMA29wc5QoaACMBFN0ZXCUk5QpgZR9lIwFZ3JhZHOUfZQoaAddlCh9lChoEH2UKGgVaBhoG0sAhZRoHYeUUpQoSwFLAoWUaCWJQxAAAAAAAAAAAAAAAAAAAAAAlHSUYmgqTmgsTnVoLn2UKGgVTmgqaBhoG0sAhZRoHYeUUpQoSwFLAEsBSwCHlGgliWg3dJRiaCxOdWg5Tmg/TnV9lChoEE5oLk5oOU5oP051hpRoGGgbSwCFlGgdh5RSlChLAUsChZRoJYlDEJtjCgAAAHC3lFqj7+TvUT+UdJRiaBhoG0sAhZRoHYeUUpQoSwFLAUsBhpRoJYlDCISP+DF90Q1AlHSUYmVoVWgYaBtLAIWUaB2HlFKUKEsBSwKFlGgliUMQkJMDz0buar8Ina/loLpEv5R0lGJ1c2JoYSmBlH2UaGR9lChoB12UKH2UKGgQfZQoaBVoGGgbSwCFlGgdh5RSlChLAUsChZRoJYlDEAioPZp8aUM/sMGQSj1cl6yUdJRiaCpOaCxOdWgufZQoaBVOaCpoGGgbSwCFlGgdh5RSlChLAUsASwFLAIeUaCWJaDd0lGJoLE51aDlOaD9OdX2UKGgQTmguTmg5Tmg/TnWGlGgYaBtLAIWUaB2HlFKUKEsBSwKFlGgliUMQDALEXxcSBkAY9x2yOo7oP5R0lGJoGGgbSwCFlGgdh5RSlChLAUsBSwGGlGgliUMIAAAAAAAAAACUdJRiZWhVaBhoG0sAhZRoHYeUUpQoSwFLAoWUaCWJQxAAAAAAAAAAAAAAAAAAAAAAlHSUYnVzYmhhKYGUfZRoZH2UKGgHXZQofZQoaBB9lChoFWgYaBtLAIWUaB2HlFKUKEsBSwKFlGgliUMQMOdR+rdO3D8LvaxHnnCWNZR0lGJoKk5oLE51aC59lChoFU5oKmgYaBtLAIWUaB2HlFKUKEsBSwBLAUsAh5RoJYloN3SUYmgsTnVoOU5oP051fZQoaBBOaC5OaDlOaD9OdYaUaBhoG0sAhZRoHYeUUpQoSwFLAoWUaCWJQxAAAAAAAAAAAAAAAAAAAAAAlHSUYmgYaBtLAIWUaB2HlFKUKEsBSwFLAYaUaCWJQwiwueAgCWYLwJR0lGJlaFVoGGgbSwCFlGgdh5RSlChLAUsChZRoJYlDEAAAAAAAAAAAAAAAAAAAAACUdJRidXNiaGEpgZR9lGhkfZQoaAddlCh9lChoEH2UKGgVaBhoG0sAhZRoHYeUUpQoSwFLAoWUaCWJQxAAAAAAAAAAAAAAAAAAAAAAlHSUYmgqTmgsTnVoLn2UKGgVTmgqaBhoG0sAhZRoHYeUUpQoSwFLAEsBSwCHlGgliWg3dJRiaCxOdWg5Tmg/TnV9lChoEE5oLk5oOU5oP051hpRoGGgbSwCFlGgdh5RSlChLAUsChZRoJYlDEB13Sgfr/++/HXdKB+v/77+UdJRiaBhoG0sAhZRoHYeUUpQoSwFLAUsBhpRoJYlDCAAAAAAAAAAAlHSUYmVoVWgYaBtLAIWUaB2HlFKUKEsBSwKFlGgliUMQAAAAAAAAAAAAAAAAAAAAAJR0lGJ1c2J0lIwFZHR5cGWUjAdmbG9hdDY0lHViLg=='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: carried value', 'models: dict keys out of sorted order', 'models: empty array', 'models: layer with a non-trainable array', 'models: parameter three levels deep', 'models: sizes that do not divide evenly', 'models: tie across containers', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': {'dec': [({'__type__': 'Dense', 'weight': {'__type__': 'Block', 'w': np.array([-2.2671914294436823, 3.3417128799427314], dtype=np.float64), 'b': 'relu', 'note': 'head'}, 'bias': {'__type__': 'Block', 'w': "<ufunc 'tanh'>", 'b': np.array([], dtype=np.float64), 'note': 'head'}, 'scale': np.array([], dtype=np.float64), 'act': "<ufunc 'tanh'>"}, {'__type__': 'Dense', 'weight': True, 'bias': -1, 'scale': np.array([], dtype=np.float64), 'act': "<ufunc 'tanh'>"}, ), np.array([-3.0058778561353536e-294, 7.378642751787813e-59], dtype=np.float64), np.array([[4.4224700315456446e-209]], dtype=np.float64)], 'a': np.array([-3.0058778561353536e-294, 7.378642751787813e-59], dtype=np.float64)}, 'rule': {'__type__': 'ClipNorm', 'omega': 1.1111573585272265, 'p': 2.0, 'throw': True}, 'ops': ({'__type__': 'Step', 'grads': {'dec': [({'weight': {'w': np.array([0.0, 0.0], dtype=np.float64), 'b': None, 'note': None}, 'bias': {'w': None, 'b': np.array([], dtype=np.float64), 'note': None}, 'scale': None, 'act': None}, {'weight': None, 'bias': None, 'scale': None, 'act': None}, ), np.array([-1.1479437021484375e-41, 0.001094792910000618], dtype=np.float64), np.array([[3.7272895721416166]], dtype=np.float64)], 'a': np.array([-0.003287447260037664, -0.0006325994139587962], dtype=np.float64)}}, {'__type__': 'Step', 'grads': {'dec': [({'weight': {'w': np.array([0.0005924089823399212, -6.99938637086605e-94], dtype=np.float64), 'b': None, 'note': None}, 'bias': {'w': None, 'b': np.array([], dtype=np.float64), 'note': None}, 'scale': None, 'act': None}, {'weight': None, 'bias': None, 'scale': None, 'act': None}, ), np.array([2.758833645028295, 0.7673619726990379], dtype=np.float64), np.array([[0.0]], dtype=np.float64)], 'a': np.array([0.0, 0.0], dtype=np.float64)}}, {'__type__': 'Step', 'grads': {'dec': [({'weight': {'w': np.array([0.4423046059160809, 1.499415333482594e-50], dtype=np.float64), 'b': None, 'note': None}, 'bias': {'w': None, 'b': np.array([], dtype=np.float64), 'note': None}, 'scale': None, 'act': None}, {'weight': None, 'bias': None, 'scale': None, 'act': None}, ), np.array([0.0, 0.0], dtype=np.float64), np.array([[-3.4248220985966427]], dtype=np.float64)], 'a': np.array([0.0, 0.0], dtype=np.float64)}}, {'__type__': 'Step', 'grads': {'dec': [({'weight': {'w': np.array([0.0, 0.0], dtype=np.float64), 'b': None, 'note': None}, 'bias': {'w': None, 'b': np.array([], dtype=np.float64), 'note': None}, 'scale': None, 'act': None}, {'weight': None, 'bias': None, 'scale': None, 'act': None}, ), np.array([-0.99999, -0.99999], dtype=np.float64), np.array([[0.0]], dtype=np.float64)], 'a': np.array([0.0, 0.0], dtype=np.float64)}}, ), 'dtype': 'float64'}, 'model': {'dec': [[{'__type__': 'Dense', 'weight': {'__type__': 'Block', 'w': {'__array__': [-2.2671914294436823, 3.3417128799427314], 'dtype': 'float64'}, 'b': 'relu', 'note': 'head'}, 'bias': {'__type__': 'Block', 'w': "<ufunc 'tanh'>", 'b': {'__array__': [], 'dtype': 'float64'}, 'note': 'head'}, 'scale': {'__array__': [], 'dtype': 'float64'}, 'act': "<ufunc 'tanh'>"}, {'__type__': 'Dense', 'weight': True, 'bias': -1, 'scale': {'__array__': [], 'dtype': 'float64'}, 'act': "<ufunc 'tanh'>"}], {'__array__': [-3.0058778561353536e-294, 7.378642751787813e-59], 'dtype': 'float64'}, {'__array__': [[4.4224700315456446e-209]], 'dtype': 'float64'}], 'a': {'__array__': [-3.0058778561353536e-294, 7.378642751787813e-59], 'dtype': 'float64'}}, 'rule': 'ClipNorm(omega=1.1111573585272265, p=2.0, throw=True)', 'ops': [{'op': 'step', 'grads': {'dec': [[{'weight': {'w': {'__array__': [0.0, 0.0], 'dtype': 'float64'}, 'b': None, 'note': None}, 'bias': {'w': None, 'b': {'__array__': [], 'dtype': 'float64'}, 'note': None}, 'scale': None, 'act': None}, {'weight': None, 'bias': None, 'scale': None, 'act': None}], {'__array__': [-1.1479437021484375e-41, 0.001094792910000618], 'dtype': 'float64'}, {'__array__': [[3.7272895721416166]], 'dtype': 'float64'}], 'a': {'__array__': [-0.003287447260037664, -0.0006325994139587962], 'dtype': 'float64'}}}, {'op': 'step', 'grads': {'dec': [[{'weight': {'w': {'__array__': [0.0005924089823399212, -6.99938637086605e-94], 'dtype': 'float64'}, 'b': None, 'note': None}, 'bias': {'w': None, 'b': {'__array__': [], 'dtype': 'float64'}, 'note': None}, 'scale': None, 'act': None}, {'weight': None, 'bias': None, 'scale': None, 'act': None}], {'__array__': [2.758833645028295, 0.7673619726990379], 'dtype': 'float64'}, {'__array__': [[0.0]], 'dtype': 'float64'}], 'a': {'__array__': [0.0, 0.0], 'dtype': 'float64'}}}, {'op': 'step', 'grads': {'dec': [[{'weight': {'w': {'__array__': [0.4423046059160809, 1.499415333482594e-50], 'dtype': 'float64'}, 'b': None, 'note': None}, 'bias': {'w': None, 'b': {'__array__': [], 'dtype': 'float64'}, 'note': None}, 'scale': None, 'act': None}, {'weight': None, 'bias': None, 'scale': None, 'act': None}], {'__array__': [0.0, 0.0], 'dtype': 'float64'}, {'__array__': [[-3.4248220985966427]], 'dtype': 'float64'}], 'a': {'__array__': [0.0, 0.0], 'dtype': 'float64'}}}, {'op': 'step', 'grads': {'dec': [[{'weight': {'w': {'__array__': [0.0, 0.0], 'dtype': 'float64'}, 'b': None, 'note': None}, 'bias': {'w': None, 'b': {'__array__': [], 'dtype': 'float64'}, 'note': None}, 'scale': None, 'act': None}, {'weight': None, 'bias': None, 'scale': None, 'act': None}], {'__array__': [-0.99999, -0.99999], 'dtype': 'float64'}, {'__array__': [[0.0]], 'dtype': 'float64'}], 'a': {'__array__': [0.0, 0.0], 'dtype': 'float64'}}}], 'rules': ['ClipNorm(omega=1.1111573585272265, p=2.0, throw=True)'], 'path': 'foreach', 'dtype': 'float64', 'step': 4}


def run_engine():
    import math

    import torch

    inf = math.inf
    dtype = getattr(torch, DTYPE)
    params = [torch.nn.Parameter(torch.tensor(p, dtype=dtype)) for p in PARAMS]
    opt = torch.optim.SGD(params, **{'lr': 1.0, 'momentum': 0.0, 'weight_decay': 0.0, 'foreach': True})
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
            for clip in [lambda held: [torch.nn.utils.clip_grad_norm_([p], 1.1111573585272265, norm_type=2.0) for p in held]]:
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
