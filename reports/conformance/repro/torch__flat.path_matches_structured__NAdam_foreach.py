#!/usr/bin/env python
"""optconf repro: torch flat.path_matches_structured[NAdam,foreach] deviates from FLAT-6.

model.w.weight[0]=1.7771759587178797, but should be 1.7771759584619218 [adapter=torch, path=foreach, step=4, dtype=float64, observed=2.559579215244412e-10, allowed=8.297091392441234e-15]

Case seed 2833149783.  Inside optconf, replay with:
    optconf replay --adapter torch --property flat.path_matches_structured --rule NAdam --path foreach --seed 2833149783
"""

import sys

import numpy as np

ADAPTER = 'torch'
CLAUSE = 'FLAT-6'
PATH = 'foreach'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter torch --property flat.path_matches_structured --rule NAdam --path foreach --seed 2833149783'
RULE = {'name': 'NAdam', 'eta': 0.003384571033691466, 'beta': (0.7748620020162952, 0.9854544263505955, ), 'epsilon': 1e-08, 'variant': 'optax'}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array(1.7849932799591626, dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array(3.837827855218322, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(-0.0003119332671969932, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(-7.384800413564875e-301, dtype=np.float64)]}, {'op': 'step', 'grads': [np.array(0.0030496648664578904, dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array(1.7771759584619218, dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array(1.7771759587178797, dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 8.297091392441234e-15
PROGRAM_PICKLE = 'gASVrAQAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJSMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBUJsb2NrlJOUKYGUfZQojAF3lGgGjAVEZW5zZZSTlCmBlH2UKIwGd2VpZ2h0lF2UKIwWbnVtcHkuX2NvcmUubXVsdGlhcnJheZSMDF9yZWNvbnN0cnVjdJSTlIwFbnVtcHmUjAduZGFycmF5lJOUSwCFlEMBYpSHlFKUKEsBKWgVjAVkdHlwZZSTlIwCZjiUiYiHlFKUKEsDjAE8lE5OTkr/////Sv////9LAHSUYolDCOwREB1Vj/w/lHSUYmgGjAhpZGVudGl0eZSTlGWMBGJpYXOUaAgpgZR9lChoC2gGjARQYWlylJOUiGgmhpSBlIwBYpRoDSmBlH2UKGgQjACUaCdLAowFc2NhbGWUaBRoF0sAhZRoGYeUUpQoSwEpaCCJQwi48danpPEIwJR0lGKMA2FjdJRoJnVijARub3RllIwFYmxvY2uUdWJoMmgUaBdLAIWUaBmHlFKUKEsBSwKFlGggiUMQ/r9gf2Yc9b+sUf6fAIn7P5R0lGJoOGgVjAR0YW5olJOUdWJoLmgIKYGUfZQoaAtOaC5oG2g5jARoZWFklHViaDloRXVijARydWxllIwcb3B0Y29uZi5yZWZlcmVuY2UucnVsZXMuYWRhbZSMBU5BZGFtlJOUKYGUfZQojANldGGURz9rufW80nu5jARiZXRhlEc/6MurZbJWn0c/74jXuJv52IaUjAdlcHNpbG9ulEc+RXmO4jCMOowHdmFyaWFudJSMBW9wdGF4lHVijANvcHOUKGgAjARTdGVwlJOUKYGUfZSMBWdyYWRzlH2UKGgLfZQoaBBdlChoEowGc2NhbGFylJOUaCBDCAAAAAAAAAAAlIaUUpROZWgnfZQoaAtOToaUaC59lChoEE5oJ05oMk5oOE51aDlOdWgyTmg4TnVoLn2UKGgLTmguaFxoIEMIYLkuF9+zDkCUhpRSlGg5TnVoOU51c2JoVCmBlH2UaFd9lChoC32UKGgQXZQoaFxoIEMIcI1fLl9xNL+UhpRSlE5laCd9lChoC05OhpRoLn2UKGgQTmgnTmgyTmg4TnVoOU51aDJOaDhOdWgufZQoaAtOaC5oXGggQwgAAAAAAAAAAJSGlFKUaDlOdWg5TnVzYmhUKYGUfZRoV32UKGgLfZQoaBBdlChoXGggQwiKVDtIyaafgZSGlFKUTmVoJ32UKGgLTk6GlGgufZQoaBBOaCdOaDJOaDhOdWg5TnVoMk5oOE51aC59lChoC05oLmhcaCBDCAAAAAAAAAAAlIaUUpRoOU51aDlOdXNiaFQpgZR9lGhXfZQoaAt9lChoEF2UKGhcaCBDCBq3KRacM+MIlIaUUpROZWgnfZQoaAtOToaUaC59lChoEE5oJ05oMk5oOE51aDlOdWgyTmg4TnVoLn2UKGgLTmguaFxoIEMITLGvW5z7aD+UhpRSlGg5TnVoOU51c2J0lIwFZHR5cGWUjAdmbG9hdDY0lHViLg=='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: carried value', 'models: layer with a non-trainable array', 'models: parameter three levels deep', 'models: tie across containers'], 'program': {'__type__': 'Program', 'model': {'__type__': 'Block', 'w': {'__type__': 'Dense', 'weight': [np.array(1.7849932799591626, dtype=np.float64), '<function identity>'], 'bias': {'__type__': 'Block', 'w': (True, '<function identity>', ), 'b': {'__type__': 'Dense', 'weight': '', 'bias': 2, 'scale': np.array(-3.117989836928441, dtype=np.float64), 'act': '<function identity>'}, 'note': 'block'}, 'scale': np.array([-1.3194336868000387, 1.7209478616469864], dtype=np.float64), 'act': "<ufunc 'tanh'>"}, 'b': {'__type__': 'Block', 'w': None, 'b': np.array(1.7849932799591626, dtype=np.float64), 'note': 'head'}, 'note': 'head'}, 'rule': {'__type__': 'NAdam', 'eta': 0.003384571033691466, 'beta': (0.7748620020162952, 0.9854544263505955, ), 'epsilon': 1e-08, 'variant': 'optax'}, 'ops': ({'__type__': 'Step', 'grads': {'w': {'weight': [0.0, None], 'bias': {'w': (None, None, ), 'b': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'note': None}, 'scale': None, 'act': None}, 'b': {'w': None, 'b': 3.837827855218322, 'note': None}, 'note': None}}, {'__type__': 'Step', 'grads': {'w': {'weight': [-0.0003119332671969932, None], 'bias': {'w': (None, None, ), 'b': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'note': None}, 'scale': None, 'act': None}, 'b': {'w': None, 'b': 0.0, 'note': None}, 'note': None}}, {'__type__': 'Step', 'grads': {'w': {'weight': [-7.384800413564875e-301, None], 'bias': {'w': (None, None, ), 'b': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'note': None}, 'scale': None, 'act': None}, 'b': {'w': None, 'b': 0.0, 'note': None}, 'note': None}}, {'__type__': 'Step', 'grads': {'w': {'weight': [7.443741206425565e-266, None], 'bias': {'w': (None, None, ), 'b': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'note': None}, 'scale': None, 'act': None}, 'b': {'w': None, 'b': 0.0030496648664578904, 'note': None}, 'note': None}}, ), 'dtype': 'float64'}, 'model': {'__type__': 'Block', 'w': {'__type__': 'Dense', 'weight': [{'__array__': 1.7849932799591626, 'dtype': 'float64'}, '<function identity>'], 'bias': {'__type__': 'Block', 'w': [True, '<function identity>'], 'b': {'__type__': 'Dense', 'weight': '', 'bias': 2, 'scale': {'__array__': -3.117989836928441, 'dtype': 'float64'}, 'act': '<function identity>'}, 'note': 'block'}, 'scale': {'__array__': [-1.3194336868000387, 1.7209478616469864], 'dtype': 'float64'}, 'act': "<ufunc 'tanh'>"}, 'b': {'__type__': 'Block', 'w': None, 'b': {'__array__': 1.7849932799591626, 'dtype': 'float64'}, 'note': 'head'}, 'note': 'head'}, 'rule': "NAdam(eta=0.003384571033691466, beta=(0.7748620020162952, 0.9854544263505955), epsilon=1e-08, variant='optax')", 'ops': [{'op': 'step', 'grads': {'w': {'weight': [0.0, None], 'bias': {'w': [None, None], 'b': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'note': None}, 'scale': None, 'act': None}, 'b': {'w': None, 'b': 3.837827855218322, 'note': None}, 'note': None}}, {'op': 'step', 'grads': {'w': {'weight': [-0.0003119332671969932, None], 'bias': {'w': [None, None], 'b': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'note': None}, 'scale': None, 'act': None}, 'b': {'w': None, 'b': 0.0, 'note': None}, 'note': None}}, {'op': 'step', 'grads': {'w': {'weight': [-7.384800413564875e-301, None], 'bias': {'w': [None, None], 'b': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'note': None}, 'scale': None, 'act': None}, 'b': {'w': None, 'b': 0.0, 'note': None}, 'note': None}}, {'op': 'step', 'grads': {'w': {'weight': [7.443741206425565e-266, None], 'bias': {'w': [None, None], 'b': {'weight': None, 'bias': None, 'scale': None, 'act': None}, 'note': None}, 'scale': None, 'act': None}, 'b': {'w': None, 'b': 0.0030496648664578904, 'note': None}, 'note': None}}], 'rules': ["NAdam(eta=0.003384571033691466, beta=(0.7748620020162952, 0.9854544263505955), epsilon=1e-08, variant='optax')"], 'path': 'foreach', 'dtype': 'float64', 'step': 4}


def run_engine():
    import math

    import torch

    inf = math.inf
    dtype = getattr(torch, DTYPE)
    params = [torch.nn.Parameter(torch.tensor(p, dtype=dtype)) for p in PARAMS]
    opt = torch.optim.NAdam(params, **{'lr': 0.003384571033691466, 'betas': (0.7748620020162952, 0.9854544263505955), 'eps': 1e-08, 'weight_decay': 0.0, 'momentum_decay': inf, 'foreach': True})
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
            for clip in []:
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
