#!/usr/bin/env python
"""optconf repro: jax adjust.mid_run[Adam] deviates from ADJ-2.

model[1][0, 0]=-1.101992055823096, but should be -1.1002456759915227 [adapter=jax, path=structured, step=4, dtype=float64, observed=0.0017463798315733303, allowed=8.61189236781114e-15]

Case seed 2701296967.  Inside optconf, replay with:
    optconf replay --adapter jax --property adjust.mid_run --rule Adam --seed 2701296967
"""

import sys

import numpy as np

ADAPTER = 'jax'
CLAUSE = 'ADJ-2'
PATH = 'structured'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter jax --property adjust.mid_run --rule Adam --seed 2701296967'
RULE = {'name': 'Adam', 'eta': 0.005624471101258371, 'beta': (0.5669971738354286, 0.9556502647892005, ), 'epsilon': 1e-08}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([[-1.1], [-3.93914096312675]], dtype=np.float64), np.array([[]], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([[-0.009611350373801564], [-3.789985022693797]], dtype=np.float64), np.array([[]], dtype=np.float64)]}, {'op': 'adjust', 'changes': {'beta': (1.2699054673480814e-134, 0.8263610168530395, )}}, {'op': 'step', 'grads': [np.array([[2.3573569787673403], [2.0324597666843322e-131]], dtype=np.float64), np.array([[]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[0.0037184354078752015], [0.0037184354078752015]], dtype=np.float64), np.array([[]], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[0.0], [0.0]], dtype=np.float64), np.array([[]], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([[-1.1002456759915227], [-3.933532197359396]], dtype=np.float64), np.array([[]], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([[-1.101992055823096], [-3.933537422658622]], dtype=np.float64), np.array([[]], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 8.61189236781114e-15
PROGRAM_PICKLE = 'gASVdQQAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCiMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBURlbnNllJOUKYGUfZQojAZ3ZWlnaHSUSwKFlIwEYmlhc5RdlCiMBW51bXB5lIwEdGFuaJSTlIwWbnVtcHkuX2NvcmUubXVsdGlhcnJheZSMDF9yZWNvbnN0cnVjdJSTlGgQjAduZGFycmF5lJOUSwCFlEMBYpSHlFKUKEsBSwCFlGgQjAVkdHlwZZSTlIwCaTiUiYiHlFKUKEsDjAE8lE5OTkr/////Sv////9LAHSUYolDAJR0lGJljAVzY2FsZZRoFWgXSwCFlGgZh5RSlChLAUsBhZRoHowCZjiUiYiHlFKUKEsDaCJOTk5K/////0r/////SwB0lGKJQwiQm+eRdybTP5R0lGKMA2FjdJRoEnViaBVoF0sAhZRoGYeUUpQoSwFLAksBhpRoLYlDEJqZmZmZmfG/6LRXVlyDD8CUdJRiaBVoF0sAhZRoGYeUUpQoSwFLAUsASwKHlGgtiWgkdJRiZYwEcnVsZZSMHG9wdGNvbmYucmVmZXJlbmNlLnJ1bGVzLmFkYW2UjARBZGFtlJOUKYGUfZQojANldGGURz93Ca92/sdTjARiZXRhlEc/4iTXQdGF4Uc/7pSv3TXeDoaUjAdlcHNpbG9ulEc+RXmO4jCMOnVijANvcHOUKGgAjARTdGVwlJOUKYGUfZSMBWdyYWRzlF2UKH2UKGgMToWUaA5dlChOTmVoJk5oMU51aBVoF0sAhZRoGYeUUpQoSwFLAksBhpRoLYlDEAD+NJwdr4O/vGXmquNRDsCUdJRiaBVoF0sAhZRoGYeUUpQoSwFLAUsASwKHlGgtiWgkdJRiZXNiaACMBkFkanVzdJSTlCmBlH2UjAdjaGFuZ2VzlH2UaERHJCJ12CW6pP9HP+pxjKjCVuqGlHNzYmhJKYGUfZRoTF2UKH2UKGgMToWUaA5dlChOTmVoJk5oMU51aBVoF0sAhZRoGYeUUpQoSwFLAksBhpRoLYlDELxsxvnd2wJA+KekMVrazCSUdJRiaBVoF0sAhZRoGYeUUpQoSwFLAUsASwKHlGgtiWgkdJRiZXNiaEkpgZR9lGhMXZQofZQoaAxOhZRoDl2UKE5OZWgmTmgxTnVoFWgXSwCFlGgZh5RSlChLAUsCSwGGlGgtiUMQCPgCzx92bj8I+ALPH3ZuP5R0lGJoFWgXSwCFlGgZh5RSlChLAUsBSwBLAoeUaC2JaCR0lGJlc2JoSSmBlH2UaExdlCh9lChoDE6FlGgOXZQoTk5laCZOaDFOdWgVaBdLAIWUaBmHlFKUKEsBSwJLAYaUaC2JQxAAAAAAAAAAAAAAAAAAAAAAlHSUYmgVaBdLAIWUaBmHlFKUKEsBSwFLAEsCh5RoLYloJHSUYmVzYnSUjAVkdHlwZZSMB2Zsb2F0NjSUdWIu'
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'program': {'__type__': 'Program', 'model': [{'__type__': 'Dense', 'weight': (2, ), 'bias': ["<ufunc 'tanh'>", np.array([], dtype=np.int64)], 'scale': np.array([0.2992228436327702], dtype=np.float64), 'act': "<ufunc 'tanh'>"}, np.array([[-1.1], [-3.93914096312675]], dtype=np.float64), np.array([[]], dtype=np.float64)], 'rule': {'__type__': 'Adam', 'eta': 0.005624471101258371, 'beta': (0.5669971738354286, 0.9556502647892005, ), 'epsilon': 1e-08}, 'ops': ({'__type__': 'Step', 'grads': [{'weight': (None, ), 'bias': [None, None], 'scale': None, 'act': None}, np.array([[-0.009611350373801564], [-3.789985022693797]], dtype=np.float64), np.array([[]], dtype=np.float64)]}, {'__type__': 'Adjust', 'changes': {'beta': (1.2699054673480814e-134, 0.8263610168530395, )}}, {'__type__': 'Step', 'grads': [{'weight': (None, ), 'bias': [None, None], 'scale': None, 'act': None}, np.array([[2.3573569787673403], [2.0324597666843322e-131]], dtype=np.float64), np.array([[]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [{'weight': (None, ), 'bias': [None, None], 'scale': None, 'act': None}, np.array([[0.0037184354078752015], [0.0037184354078752015]], dtype=np.float64), np.array([[]], dtype=np.float64)]}, {'__type__': 'Step', 'grads': [{'weight': (None, ), 'bias': [None, None], 'scale': None, 'act': None}, np.array([[0.0], [0.0]], dtype=np.float64), np.array([[]], dtype=np.float64)]}, ), 'dtype': 'float64'}, 'model': [{'__type__': 'Dense', 'weight': [2], 'bias': ["<ufunc 'tanh'>", {'__array__': [], 'dtype': 'int64'}], 'scale': {'__array__': [0.2992228436327702], 'dtype': 'float64'}, 'act': "<ufunc 'tanh'>"}, {'__array__': [[-1.1], [-3.93914096312675]], 'dtype': 'float64'}, {'__array__': [[]], 'dtype': 'float64'}], 'rule': 'Adam(eta=0.005624471101258371, beta=(0.5669971738354286, 0.9556502647892005), epsilon=1e-08)', 'ops': [{'op': 'step', 'grads': [{'weight': [None], 'bias': [None, None], 'scale': None, 'act': None}, {'__array__': [[-0.009611350373801564], [-3.789985022693797]], 'dtype': 'float64'}, {'__array__': [[]], 'dtype': 'float64'}]}, {'op': 'adjust', 'changes': {'beta': [1.2699054673480814e-134, 0.8263610168530395]}}, {'op': 'step', 'grads': [{'weight': [None], 'bias': [None, None], 'scale': None, 'act': None}, {'__array__': [[2.3573569787673403], [2.0324597666843322e-131]], 'dtype': 'float64'}, {'__array__': [[]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [{'weight': [None], 'bias': [None, None], 'scale': None, 'act': None}, {'__array__': [[0.0037184354078752015], [0.0037184354078752015]], 'dtype': 'float64'}, {'__array__': [[]], 'dtype': 'float64'}]}, {'op': 'step', 'grads': [{'weight': [None], 'bias': [None, None], 'scale': None, 'act': None}, {'__array__': [[0.0], [0.0]], 'dtype': 'float64'}, {'__array__': [[]], 'dtype': 'float64'}]}], 'path': 'structured', 'dtype': 'float64', 'step': 4}


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
