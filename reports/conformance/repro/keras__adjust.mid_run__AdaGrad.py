#!/usr/bin/env python
"""optconf repro: keras adjust.mid_run[AdaGrad] deviates from ADAGRAD-1.

model[0][0, 0, 0]=0.04652729242552329, but should be 0.05803895284397219 [adapter=keras, path=structured, step=2, dtype=float64, observed=0.0115116604184489, allowed=3.6609522504482485e-16]

Case seed 3180295162.  Inside optconf, replay with:
    optconf replay --adapter keras --property adjust.mid_run --rule AdaGrad --seed 3180295162
"""

import sys

import numpy as np

ADAPTER = 'keras'
CLAUSE = 'ADAGRAD-1'
PATH = 'structured'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter keras --property adjust.mid_run --rule AdaGrad --seed 3180295162'
RULE = {'name': 'AdaGrad', 'eta': 0.08740129567058498, 'epsilon': 1e-06}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([[[8.792490021172357e-20, -5.922614980433884e-260]]], dtype=np.float64), np.array(-6.581185237084154e-156, dtype=np.float64), np.array([], dtype=np.float64), np.array([[2.629377994282658, 1.9]], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [None, None, None, np.array([[-0.001530749406959873, -2.088720033999036e-242]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[[-0.0008893291862329148, 0.0028477226618425257]]], dtype=np.float64), np.array(-3.622450048228224, dtype=np.float64), np.array([], dtype=np.float64), np.array([[0.0, 0.0]], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([[[0.05803895284397219, -0.08243731595469955]]], dtype=np.float64), np.array(0.08740126821262141, dtype=np.float64), np.array([], dtype=np.float64), np.array([[2.702509369594594, 1.9]], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([[[0.04652729242552329, -0.07827988890582134]]], dtype=np.float64), np.array(0.08740128900999024, dtype=np.float64), np.array([], dtype=np.float64), np.array([[2.6935753838666114, 1.9]], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 3.6609522504482485e-16
PROGRAM_PICKLE = 'gASVkgMAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCiMFm51bXB5Ll9jb3JlLm11bHRpYXJyYXmUjAxfcmVjb25zdHJ1Y3SUk5SMBW51bXB5lIwHbmRhcnJheZSTlEsAhZRDAWKUh5RSlChLAUsBSwFLAoeUaAqMBWR0eXBllJOUjAJmOJSJiIeUUpQoSwOMATyUTk5OSv////9K/////0sAdJRiiUMQCGaw6Wrz+Ttaaofp1yMdipR0lGJdlCiMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBUJsb2NrlJOUKYGUfZQojAF3lF2UjAFilGgeKYGUfZQoaCFoEGgjaAloDEsAhZRoDoeUUpQoSwFLAYWUaBOMAmk4lImIh5RSlChLA2gXTk5OSv////9K/////0sAdJRiiUMI/v////////+UdJRijARub3RllIwEaGVhZJR1YmgwaDF1YmgJaAxLAIWUaA6HlFKUKEsBKWgWiUMI2NmbQNmWtp+UdJRiaAloDEsAhZRoDoeUUpQoSwFLAEsChpRoFolDAJR0lGJoCWgMSwCFlGgOh5RSlChLAUsBSwKGlGgWiUMQ9CByVPcIBUBmZmZmZmb+P5R0lGJlZYwEcnVsZZSMIG9wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLmFkYXB0aXZllIwHQWRhR3JhZJSTlCmBlH2UKIwDZXRhlEc/tl/uaoh/EYwHZXBzaWxvbpRHPrDG96C17Y11YowDb3BzlGgAjARTdGVwlJOUKYGUfZSMBWdyYWRzlF2UKE5dlChOTk5oCWgMSwCFlGgOh5RSlChLAUsBSwKGlGgWiUMQXngKqW0UWb+c2tQNzdPBjZR0lGJlZXNiaE0pgZR9lGhQXZQoTl2UKH2UKGghTmgjfZQoaCFoCWgMSwCFlGgOh5RSlChLAUsBSwFLAoeUaBaJQxAYgpfiOyRNvwgRbHYbVGc/lHSUYmgjTmgwTnVoME51aAeMBnNjYWxhcpSTlGgWQwhQRUQXx/oMwJSGlFKUaAloDEsAhZRoDoeUUpQoSwFLAEsChpRoFoloO3SUYmgJaAxLAIWUaA6HlFKUKEsBSwFLAoaUaBaJQxAAAAAAAAAAAAAAAAAAAAAAlHSUYmVlc2KGlIwFZHR5cGWUjAdmbG9hdDY0lHViLg=='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: 0-d array', 'models: carried value', 'models: empty array', 'models: parameter three levels deep', 'models: sizes that do not divide evenly', 'models: tie across containers', 'programs: None inside a gradient', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': [np.array([[[8.792490021172357e-20, -5.922614980433884e-260]]], dtype=np.float64), [{'__type__': 'Block', 'w': [], 'b': {'__type__': 'Block', 'w': np.array([[[8.792490021172357e-20, -5.922614980433884e-260]]], dtype=np.float64), 'b': np.array([-2], dtype=np.int64), 'note': 'head'}, 'note': 'head'}, np.array(-6.581185237084154e-156, dtype=np.float64), np.array([], dtype=np.float64), np.array([[2.629377994282658, 1.9]], dtype=np.float64)]], 'rule': {'__type__': 'AdaGrad', 'eta': 0.08740129567058498, 'epsilon': 1e-06}, 'ops': ({'__type__': 'Step', 'grads': [None, [None, None, None, np.array([[-0.001530749406959873, -2.088720033999036e-242]], dtype=np.float64)]]}, {'__type__': 'Step', 'grads': [None, [{'w': None, 'b': {'w': np.array([[[-0.0008893291862329148, 0.0028477226618425257]]], dtype=np.float64), 'b': None, 'note': None}, 'note': None}, -3.622450048228224, np.array([], dtype=np.float64), np.array([[0.0, 0.0]], dtype=np.float64)]]}, ), 'dtype': 'float64'}, 'model': [{'__array__': [[[8.792490021172357e-20, -5.922614980433884e-260]]], 'dtype': 'float64'}, [{'__type__': 'Block', 'w': [], 'b': {'__type__': 'Block', 'w': {'__array__': [[[8.792490021172357e-20, -5.922614980433884e-260]]], 'dtype': 'float64'}, 'b': {'__array__': [-2], 'dtype': 'int64'}, 'note': 'head'}, 'note': 'head'}, {'__array__': -6.581185237084154e-156, 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}, {'__array__': [[2.629377994282658, 1.9]], 'dtype': 'float64'}]], 'rule': 'AdaGrad(eta=0.08740129567058498, epsilon=1e-06)', 'ops': [{'op': 'step', 'grads': [None, [None, None, None, {'__array__': [[-0.001530749406959873, -2.088720033999036e-242]], 'dtype': 'float64'}]]}, {'op': 'step', 'grads': [None, [{'w': None, 'b': {'w': {'__array__': [[[-0.0008893291862329148, 0.0028477226618425257]]], 'dtype': 'float64'}, 'b': None, 'note': None}, 'note': None}, -3.622450048228224, {'__array__': [], 'dtype': 'float64'}, {'__array__': [[0.0, 0.0]], 'dtype': 'float64'}]]}], 'rules': ['AdaGrad(eta=0.08740129567058498, epsilon=1e-06)'], 'path': 'structured', 'dtype': 'float64', 'step': 2}


def run_engine():
    # This adapter has no repro_source hook, so the engine is driven through optconf's own
    # adapter (needs optconf installed).  The program is the exact counterexample, pickled.
    if PROGRAM_PICKLE is None:
        sys.exit("no engine-only replay for this case; use: " + REPLAY)
    import base64
    import pickle

    from optconf.adapters import load
    from optconf.reference import trainables

    program = pickle.loads(base64.b64decode(PROGRAM_PICKLE))
    GOT = trainables(load(ADAPTER).run(program, PATH).model)
    return GOT


def main():
    if EXPECTED is None:
        print("recorded deviation (ADAGRAD-1); no replayable program in this case:")
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
    print(f"max abs error {worst!r}, allowed {bound!r} (ADAGRAD-1)")
    return 0 if worst <= bound and not wrong_kind else 1


if __name__ == "__main__":
    sys.exit(main())
