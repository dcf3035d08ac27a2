#!/usr/bin/env python
"""optconf repro: tinygrad checkpoint.checkpoint_resumes[fused] deviates from STATE-8.

the run with a checkpoint raised AssertionError: must be BUFFER Ops.COPY, but should resume as the run without it does [adapter=tinygrad, path=fused, step=4, dtype=float32]

Case seed 891026178.  Inside optconf, replay with:
    optconf replay --adapter tinygrad --property checkpoint.checkpoint_resumes --path fused --seed 891026178
"""

import sys

import numpy as np

ADAPTER = 'tinygrad'
CLAUSE = 'STATE-8'
PATH = 'fused'
DTYPE = 'float32'
REPLAY = 'optconf replay --adapter tinygrad --property checkpoint.checkpoint_resumes --path fused --seed 891026178'
RULE = {'name': 'Adam', 'eta': 0.000752175119648201, 'beta': (0.43574686440056964, 0.5, ), 'epsilon': 1e-06, 'variant': 'normative'}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([], dtype=np.float64), np.array([[[2.930434226989746, 2.145430088043213]]], dtype=np.float64), np.array([[]], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'adjust', 'changes': {'eta': 0.0017285632498610817, 'beta': (0.01885207843750503, 0.7922020785788557, )}}, {'op': 'step', 'grads': [np.array([], dtype=np.float64), np.array([[[0.0, 0.0]]], dtype=np.float64), np.array([[]], dtype=np.float64)]}, {'op': 'adjust', 'changes': {'epsilon': 0.001, 'beta': (0.8003811082025645, 0.5, )}}, {'op': 'step', 'grads': [np.array([], dtype=np.float64), np.array([[[-2.1185383796691895, -3.6625030040740967]]], dtype=np.float64), np.array([[]], dtype=np.float64)]}, {'op': 'adjust', 'changes': {'beta': (3.2307577204190165e-252, 0.8911872001139451, )}}, {'op': 'step', 'grads': [np.array([], dtype=np.float64), np.array([[[0.24198216199874878, 3.4589037895202637]]], dtype=np.float64), np.array([[]], dtype=np.float64)]}, {'op': 'adjust', 'changes': {'eta': 0.00975163986655088, 'beta': (0.9350873778282439, 0.5, )}}, {'op': 'step', 'grads': [np.array([], dtype=np.float64), np.array([[[-3.2605385780334473, 1.6487352848052979]]], dtype=np.float64), np.array([[]], dtype=np.float64)]}, {'op': 'checkpoint', 'into': 'unsharded'}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([], dtype=np.float64), np.array([[[2.930530186907332, 2.1308128807548323]]], dtype=np.float64), np.array([[]], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = None
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = None
PROGRAM_PICKLE = 'gASVyQYAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJRdlCiMFm51bXB5Ll9jb3JlLm11bHRpYXJyYXmUjAxfcmVjb25zdHJ1Y3SUk5SMBW51bXB5lIwHbmRhcnJheZSTlEsAhZRDAWKUh5RSlChLAUsASwBLAYeUaAqMBWR0eXBllJOUjAJmOJSJiIeUUpQoSwOMATyUTk5OSv////9K/////0sAdJRiiUMAlHSUYl2UKH2UKIwBd5SMHm9wdGNvbmYuY29uZm9ybWFuY2Uuc3RyYXRlZ2llc5SMBURlbnNllJOUKYGUfZQojAZ3ZWlnaHSUXZRoCowEdGFuaJSTlGGMBGJpYXOUjACUhZSMBXNjYWxllGgJaAxLAIWUaA6HlFKUKEsBKWgWiUMIAAAAQMMdD8CUdJRijANhY3SUaCZ1YowDZW5jlH2UKIwBYZRoJowDZGVjlE51aDRoHowIaWRlbnRpdHmUk5R1aAloDEsAhZRoDoeUUpQoSwFLAUsBSwKHlGgWiUMQAAAAgIdxB0AAAABA1ykBQJR0lGJoEGgJaAxLAIWUaA6HlFKUKEsBSwFLAEsBh5RoFoloGXSUYmVljARydWxllIwcb3B0Y29uZi5yZWZlcmVuY2UucnVsZXMuYWRhbZSMBEFkYW2Uk5QpgZR9lCiMA2V0YZRHP0ils8UWp/iMBGJldGGURz/b40bQ+9buRz/gAAAAAAAAhpSMB2Vwc2lsb26URz6wxvegte2NjAd2YXJpYW50lIwJbm9ybWF0aXZllHVijANvcHOUKGgAjAZBZGp1c3SUk5QpgZR9lIwHY2hhbmdlc5R9lChoSEc/XFIeqCRizmhJRz+TTfWRZyDBRz/pWbgsajiWhpR1c2JoAIwEU3RlcJSTlCmBlH2UjAVncmFkc5RdlChoCWgMSwCFlGgOh5RSlChLAUsASwBLAYeUaBaJaBl0lGJdlCh9lChoHX2UKGgjXZROYWgnToWUaCpOaDBOdWgxfZQoaDNOaDROdWg0TnVoCWgMSwCFlGgOh5RSlChLAUsBSwFLAoeUaBaJQxAAAAAAAAAAAAAAAAAAAAAAlHSUYmgJaAxLAIWUaA6HlFKUKEsBSwBLAEsBh5RoFoloGXSUYmgJaAxLAIWUaA6HlFKUKEsBSwFLAEsBh5RoFoloGXSUYmVlc2JoUCmBlH2UaFN9lChoS0c/UGJN0vGp/GhJRz/pnLjXgh68Rz/gAAAAAAAAhpR1c2JoVymBlH2UaFpdlChoCWgMSwCFlGgOh5RSlChLAUsASwBLAYeUaBaJaBl0lGJdlCh9lChoHX2UKGgjXZROYWgnToWUaCpOaDBOdWgxfZQoaDNOaDROdWg0TnVoCWgMSwCFlGgOh5RSlChLAUsBSwFLAoeUaBaJQxAAAABAxPIAwAAAAGDOTA3AlHSUYmgJaAxLAIWUaA6HlFKUKEsBSwBLAEsBh5RoFoloGXSUYmgJaAxLAIWUaA6HlFKUKEsBSwFLAEsBh5RoFoloGXSUYmVlc2JoUCmBlH2UaFN9lGhJRwu3r73y/QlpRz/shJsE401uhpRzc2JoVymBlH2UaFpdlChoCWgMSwCFlGgOh5RSlChLAUsASwBLAYeUaBaJaBl0lGJdlCh9lChoHX2UKGgjXZROYWgnToWUaCpOaDBOdWgxfZQoaDNOaDROdWg0TnVoCWgMSwCFlGgOh5RSlChLAUsBSwFLAoeUaBaJQxAAAACARfnOPwAAAMDVqwtAlHSUYmgJaAxLAIWUaA6HlFKUKEsBSwBLAEsBh5RoFoloGXSUYmgJaAxLAIWUaA6HlFKUKEsBSwFLAEsBh5RoFoloGXSUYmVlc2JoUCmBlH2UaFN9lChoSEc/g/iq8nlA6WhJRz/t7DxdVZcrRz/gAAAAAAAAhpR1c2JoVymBlH2UaFpdlChoCWgMSwCFlGgOh5RSlChLAUsASwBLAYeUaBaJaBl0lGJdlCh9lChoHX2UKGgjXZROYWgnToWUaCpOaDBOdWgxfZQoaDNOaDROdWg0TnVoCWgMSwCFlGgOh5RSlChLAUsBSwFLAoeUaBaJQxAAAABAlRUKwAAAAEA4Yfo/lHSUYmgJaAxLAIWUaA6HlFKUKEsBSwBLAEsBh5RoFoloGXSUYmgJaAxLAIWUaA6HlFKUKEsBSwFLAEsBh5RoFoloGXSUYmVlc2JoAIwKQ2hlY2twb2ludJSTlCmBlH2UjARpbnRvlIwJdW5zaGFyZGVklHNidJSMBWR0eXBllIwHZmxvYXQzMpR1Yi4='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: carried value', 'models: dict keys out of sorted order', 'models: empty array', 'models: layer with a non-trainable array', 'models: sizes that do not divide evenly', 'models: tie across containers', 'programs: adjust then step', 'programs: zero gradient'], 'program': {'__type__': 'Program', 'model': [np.array([], dtype=np.float64), [{'w': {'__type__': 'Dense', 'weight': ["<ufunc 'tanh'>"], 'bias': ('', ), 'scale': np.array(-3.8895325660705566, dtype=np.float64), 'act': "<ufunc 'tanh'>"}, 'enc': {'a': "<ufunc 'tanh'>", 'dec': None}, 'dec': '<function identity>'}, np.array([[[2.930434226989746, 2.145430088043213]]], dtype=np.float64), np.array([], dtype=np.float64), np.array([[]], dtype=np.float64)]], 'rule': {'__type__': 'Adam', 'eta': 0.000752175119648201, 'beta': (0.43574686440056964, 0.5, ), 'epsilon': 1e-06, 'variant': 'normative'}, 'ops': ({'__type__': 'Adjust', 'changes': {'eta': 0.0017285632498610817, 'beta': (0.01885207843750503, 0.7922020785788557, )}}, {'__type__': 'Step', 'grads': [np.array([], dtype=np.float64), [{'w': {'weight': [None], 'bias': (None, ), 'scale': None, 'act': None}, 'enc': {'a': None, 'dec': None}, 'dec': None}, np.array([[[0.0, 0.0]]], dtype=np.float64), np.array([], dtype=np.float64), np.array([[]], dtype=np.float64)]]}, {'__type__': 'Adjust', 'changes': {'epsilon': 0.001, 'beta': (0.8003811082025645, 0.5, )}}, {'__type__': 'Step', 'grads': [np.array([], dtype=np.float64), [{'w': {'weight': [None], 'bias': (None, ), 'scale': None, 'act': None}, 'enc': {'a': None, 'dec': None}, 'dec': None}, np.array([[[-2.1185383796691895, -3.6625030040740967]]], dtype=np.float64), np.array([], dtype=np.float64), np.array([[]], dtype=np.float64)]]}, {'__type__': 'Adjust', 'changes': {'beta': (3.2307577204190165e-252, 0.8911872001139451, )}}, {'__type__': 'Step', 'grads': [np.array([], dtype=np.float64), [{'w': {'weight': [None], 'bias': (None, ), 'scale': None, 'act': None}, 'enc': {'a': None, 'dec': None}, 'dec': None}, np.array([[[0.24198216199874878, 3.4589037895202637]]], dtype=np.float64), np.array([], dtype=np.float64), np.array([[]], dtype=np.float64)]]}, {'__type__': 'Adjust', 'changes': {'eta': 0.00975163986655088, 'beta': (0.9350873778282439, 0.5, )}}, {'__type__': 'Step', 'grads': [np.array([], dtype=np.float64), [{'w': {'weight': [None], 'bias': (None, ), 'scale': None, 'act': None}, 'enc': {'a': None, 'dec': None}, 'dec': None}, np.array([[[-3.2605385780334473, 1.6487352848052979]]], dtype=np.float64), np.array([], dtype=np.float64), np.array([[]], dtype=np.float64)]]}, {'__type__': 'Checkpoint', 'into': 'unsharded'}, ), 'dtype': 'float32'}, 'model': [{'__array__': [], 'dtype': 'float64'}, [{'w': {'__type__': 'Dense', 'weight': ["<ufunc 'tanh'>"], 'bias': [''], 'scale': {'__array__': -3.8895325660705566, 'dtype': 'float64'}, 'act': "<ufunc 'tanh'>"}, 'enc': {'a': "<ufunc 'tanh'>", 'dec': None}, 'dec': '<function identity>'}, {'__array__': [[[2.930434226989746, 2.145430088043213]]], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}, {'__array__': [[]], 'dtype': 'float64'}]], 'rule': "Adam(eta=0.000752175119648201, beta=(0.43574686440056964, 0.5), epsilon=1e-06, variant='normative')", 'ops': [{'op': 'adjust', 'changes': {'eta': 0.0017285632498610817, 'beta': [0.01885207843750503, 0.7922020785788557]}}, {'op': 'step', 'grads': [{'__array__': [], 'dtype': 'float64'}, [{'w': {'weight': [None], 'bias': [None], 'scale': None, 'act': None}, 'enc': {'a': None, 'dec': None}, 'dec': None}, {'__array__': [[[0.0, 0.0]]], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}, {'__array__': [[]], 'dtype': 'float64'}]]}, {'op': 'adjust', 'changes': {'epsilon': 0.001, 'beta': [0.8003811082025645, 0.5]}}, {'op': 'step', 'grads': [{'__array__': [], 'dtype': 'float64'}, [{'w': {'weight': [None], 'bias': [None], 'scale': None, 'act': None}, 'enc': {'a': None, 'dec': None}, 'dec': None}, {'__array__': [[[-2.1185383796691895, -3.6625030040740967]]], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}, {'__array__': [[]], 'dtype': 'float64'}]]}, {'op': 'adjust', 'changes': {'beta': [3.2307577204190165e-252, 0.8911872001139451]}}, {'op': 'step', 'grads': [{'__array__': [], 'dtype': 'float64'}, [{'w': {'weight': [None], 'bias': [None], 'scale': None, 'act': None}, 'enc': {'a': None, 'dec': None}, 'dec': None}, {'__array__': [[[0.24198216199874878, 3.4589037895202637]]], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}, {'__array__': [[]], 'dtype': 'float64'}]]}, {'op': 'adjust', 'changes': {'eta': 0.00975163986655088, 'beta': [0.9350873778282439, 0.5]}}, {'op': 'step', 'grads': [{'__array__': [], 'dtype': 'float64'}, [{'w': {'weight': [None], 'bias': [None], 'scale': None, 'act': None}, 'enc': {'a': None, 'dec': None}, 'dec': None}, {'__array__': [[[-3.2605385780334473, 1.6487352848052979]]], 'dtype': 'float64'}, {'__array__': [], 'dtype': 'float64'}, {'__array__': [[]], 'dtype': 'float64'}]]}, {'op': 'checkpoint', 'into': 'unsharded'}], 'rules': ["Adam(eta=0.000752175119648201, beta=(0.43574686440056964, 0.5), epsilon=1e-06, variant='normative')", "Adam(eta=0.0017285632498610817, beta=(0.01885207843750503, 0.7922020785788557), epsilon=1e-06, variant='normative')", "Adam(eta=0.0017285632498610817, beta=(0.8003811082025645, 0.5), epsilon=0.001, variant='normative')", "Adam(eta=0.0017285632498610817, beta=(3.2307577204190165e-252, 0.8911872001139451), epsilon=0.001, variant='normative')", "Adam(eta=0.00975163986655088, beta=(0.9350873778282439, 0.5), epsilon=0.001, variant='normative')"], 'path': 'fused', 'dtype': 'float32', 'step': 4}


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
        print("recorded deviation (STATE-8); no replayable program in this case:")
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
    print(f"max abs error {worst!r}, allowed {bound!r} (STATE-8)")
    return 0 if worst <= bound and not wrong_kind else 1


if __name__ == "__main__":
    sys.exit(main())
