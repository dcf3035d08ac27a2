#!/usr/bin/env python
"""optconf repro: keras tying_transpose.transpose_tied_to_its_parent[flat_vector] deviates from TIE-5.

model['enc'][0, 0]=0.9156372978176206, but should be 0.9156374153603203 [adapter=keras, path=flat_vector, step=4, dtype=float64, observed=1.1754269968466957e-07, allowed=2.3035519415492512e-15]

Case seed 3216843437.  Inside optconf, replay with:
    optconf replay --adapter keras --property tying_transpose.transpose_tied_to_its_parent --path flat_vector --seed 3216843437
"""

import sys

import numpy as np

ADAPTER = 'keras'
CLAUSE = 'TIE-5'
PATH = 'flat_vector'
DTYPE = 'float64'
REPLAY = 'optconf replay --adapter keras --property tying_transpose.transpose_tied_to_its_parent --path flat_vector --seed 3216843437'
RULE = {'name': 'Adam', 'eta': 0.008175273085808404, 'beta': (0.556469605348407, 0.7785499489854495, ), 'epsilon': 1e-06, 'variant': 'normative'}
# parameters before the run, in reference trainables order (float64)
PARAMS = [np.array([[0.8873110820235901, 0.7026618345340587], [-0.8556009947721255, -0.4177384338648036], [-0.8264976395300445, -0.3001867275143557]], dtype=np.float64), np.array([-0.4406470440322998, -0.9083760373456218], dtype=np.float64)]
# the operations; gradients as one array (or None) per parameter
OPS = [{'op': 'step', 'grads': [np.array([[-0.08620927983440918, -1.1586744389850343], [-0.5572185396364466, -1.3981969679534338], [-0.9551163849122575, -0.6470953563327781]], dtype=np.float64), np.array([-0.15482222917942012, 0.8619873872969164], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[-1.1246913770233056, 0.20107694715419844], [0.8219290534996222, -1.070377128958775], [-0.4506381962862156, 0.4316299559218846]], dtype=np.float64), np.array([-0.33732126790277284, 0.7910251253291545], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[-0.701189167089318, -0.33462431113989033], [0.05277550941421394, -0.7096031912885448], [0.23113653533020084, -0.6851888144624458]], dtype=np.float64), np.array([0.8261615175308077, -0.47389103361717866], dtype=np.float64)]}, {'op': 'step', 'grads': [np.array([[-0.09576280908440804, 0.2991642955932654], [1.1336169120506487, -1.0692180977212449], [-0.34567211879679705, -1.5100862933178618]], dtype=np.float64), np.array([0.9777723229161108, 0.005615315095440332], dtype=np.float64)]}]
# parameters after the run as the float64 NumPy reference computed them (the oracle)
EXPECTED = [np.array([[0.9156374153603203, 0.7180222797682315], [-0.8604644182227761, -0.3865407491139957], [-0.804504487658191, -0.28065726231467136]], dtype=np.float64), np.array([-0.4359003463724783, -0.9270908715976679], dtype=np.float64)]
# what the engine gave when the failure was found
RECORDED = [np.array([[0.9156372978176206, 0.7180222670916935], [-0.860464427671741, -0.3865407640838137], [-0.8045045070194904, -0.28065728053756533]], dtype=np.float64), np.array([-0.43590041809171937, -0.9270908538486352], dtype=np.float64)]
# the tolerance model's bound at failure time (None: an exact or non-numeric clause)
ALLOWED = 2.3035519415492512e-15
PROGRAM_PICKLE = 'gASVsQUAAAAAAACMGW9wdGNvbmYuYWRhcHRlcnMucHJvdG9jb2yUjAdQcm9ncmFtlJOUKYGUfZQojAVtb2RlbJR9lCiMA2VuY5SMFm51bXB5Ll9jb3JlLm11bHRpYXJyYXmUjAxfcmVjb25zdHJ1Y3SUk5SMBW51bXB5lIwHbmRhcnJheZSTlEsAhZRDAWKUh5RSlChLAUsDSwKGlGgLjAVkdHlwZZSTlIwCZjiUiYiHlFKUKEsDjAE8lE5OTkr/////Sv////9LAHSUYolDMCBu1TXaZOw/oBPvqzR85j9EFV9WFWHrv2DS7vs5vNq/bhaALaty6r/Ug1dkQjbTv5R0lGKMBGJpYXOUaApoDUsAhZRoD4eUUpQoSwFLAoWUaBeJQxDAqMyojzPcvxzTm59qEe2/lHSUYowDZGVjlIwWb3B0Y29uZi5yZWZlcmVuY2UudHJlZZSMCVRyYW5zcG9zZZSTlCmBlH2UjAZwYXJlbnSUaBFzYnWMBHJ1bGWUjBxvcHRjb25mLnJlZmVyZW5jZS5ydWxlcy5hZGFtlIwEQWRhbZSTlCmBlH2UKIwDZXRhlEc/gL4ylFC5Y4wEYmV0YZRHP+HOmViGD9lHP+jp4ZUmPTqGlIwHZXBzaWxvbpRHPrDG96C17Y2MB3ZhcmlhbnSUjAlub3JtYXRpdmWUdWKMA29wc5QoaACMBFN0ZXCUk5QpgZR9lIwFZ3JhZHOUfZQoaAdoCmgNSwCFlGgPh5RSlChLAUsDSwKGlGgXiUMw7FqbIhrS2r94te81YRjLv0qPzIcdFua/WlMybCN/7r+4+r97DkPgv7DBzmzoTcq/lHSUYmgcaApoDUsAhZRoD4eUUpQoSwFLAoWUaBeJQxCQfIL9NtHDv9gmwJJmles/lHSUYmgjaApoDUsAhZRoD4eUUpQoSwFLAksDhpRoF4lDMLxSOzWmTdU/4Ov2OIYFwT94pMSBg5rcv8DuSB3ETe6/9NVJSsh93L/Ajs5tDkPcv5R0lGJ1c2JoOCmBlH2UaDt9lChoB2gKaA1LAIWUaA+HlFKUKEsBSwNLAoaUaBeJQzBICs3dh7DIv0Q7YuBaH+0/4pgtUlje5z/wvbQk1uTDv4xWQRUijdu/elGOaZvI6D+UdJRiaBxoCmgNSwCFlGgPh5RSlChLAUsChZRoF4lDEHzPePGrltW/8Etz7BNQ6T+UdJRiaCNoCmgNSwCFlGgPh5RSlChLAUsCSwOGlGgXiUMwQM7ZzVbR7b+g+vyyLnezP4BhbRn4oZS/igNi9CGw5r/ERTsAUkftv3h/8pJj8dW/lHSUYnVzYmg4KYGUfZRoO32UKGgHaApoDUsAhZRoD4eUUpQoSwFLA0sChpRoF4lDMOBSHmWwluq/bt1Q0s3i57+upNo+1AntP7CTrY/WvcU/6HSBlQcHwz8Q7iTinFTHv5R0lGJoHGgKaA1LAIWUaA+HlFKUKEsBSwKFlGgXiUMQCkZgR+pv6j8EONAOO1Tev5R0lGJoI2gKaA1LAIWUaA+HlFKUKEsBSwJLA4aUaBeJQzB4qP6FMJrAP1LN+/p9Weu/MIAkabQdtT/gBG+OH1vaP7Z7YmSHJOy/2jQt3+kX4L+UdJRidXNiaDgpgZR9lGg7fZQoaAdoCmgNSwCFlGgPh5RSlChLAUsDSwKGlGgXiUMwaKhIBr206z+4YuV5QRzlP/iM03A1usU/EO8YcmBruL9cy2jrHSvsv8hN/1mW3ua/lHSUYmgcaApoDUsAhZRoD4eUUpQoSwFLAoWUaBeJQxAKersu6UnvPwABEasVAHc/lHSUYmgjaApoDUsAhZRoD4eUUpQoSwFLAksDhpRoF4lDMADC7jA6xe6/hoM5nQnY7j/q6bzxXhvhP+S3XfMAE9e/iAP90Jwp77/4tn4jCnTpv5R0lGJ1c2J0lIwFZHR5cGWUjAdmbG9hdDY0lHViLg=='
# the property's whole counterexample, for reading
COUNTEREXAMPLE = {'features': ['models: dict keys out of sorted order', 'models: tie across containers'], 'program': {'__type__': 'Program', 'model': {'enc': np.array([[0.8873110820235901, 0.7026618345340587], [-0.8556009947721255, -0.4177384338648036], [-0.8264976395300445, -0.3001867275143557]], dtype=np.float64), 'bias': np.array([-0.4406470440322998, -0.9083760373456218], dtype=np.float64), 'dec': {'__type__': 'Transpose', 'parent': np.array([[0.8873110820235901, 0.7026618345340587], [-0.8556009947721255, -0.4177384338648036], [-0.8264976395300445, -0.3001867275143557]], dtype=np.float64)}}, 'rule': {'__type__': 'Adam', 'eta': 0.008175273085808404, 'beta': (0.556469605348407, 0.7785499489854495, ), 'epsilon': 1e-06, 'variant': 'normative'}, 'ops': ({'__type__': 'Step', 'grads': {'enc': np.array([[-0.41907361392570297, -0.21168151029216253], [-0.6901996280980509, -0.9530198205198801], [-0.508185617159902, -0.20550256073830786]], dtype=np.float64), 'bias': np.array([-0.15482222917942012, 0.8619873872969164], dtype=np.float64), 'dec': np.array([[0.3328643340912938, 0.13298108846160428, -0.4469307677523555], [-0.9469929286928718, -0.44517714743355374, -0.4415927955944703]], dtype=np.float64)}}, {'__type__': 'Step', 'grads': {'enc': np.array([[-0.19288729028819973, 0.91007751297898], [0.7458917241135874, -0.1554210356930379], [-0.43048908305841205, 0.7744881688727638]], dtype=np.float64), 'bias': np.array([-0.33732126790277284, 0.7910251253291545], dtype=np.float64), 'dec': np.array([[-0.9318040867351058, 0.0760373293860348, -0.02014911322780355], [-0.7090005658247815, -0.914956093265737, -0.34285821295087926]], dtype=np.float64)}}, {'__type__': 'Step', 'grads': {'enc': np.array([[-0.830894658562638, -0.746436033986283], [0.9074498393648776, 0.1698558999588875], [0.14865202713091397, -0.182269678518296]], dtype=np.float64), 'bias': np.array([0.8261615175308077, -0.47389103361717866], dtype=np.float64), 'dec': np.array([[0.12970549147332, -0.8546743299506636, 0.08248450819928688], [0.41181172284639267, -0.8794590912474323, -0.5029191359441498]], dtype=np.float64)}}, {'__type__': 'Step', 'grads': {'enc': np.array([[0.8658127901774266, 0.6596991902143463], [0.16974514016246878, -0.09538843904095651], [-0.8802632901991774, -0.7146713025817286]], dtype=np.float64), 'bias': np.array([0.9777723229161108, 0.005615315095440332], dtype=np.float64), 'dec': np.array([[-0.9615755992618347, 0.96387177188818, 0.5345911714023803], [-0.3605348946210809, -0.9738296586802884, -0.7954149907361332]], dtype=np.float64)}}, ), 'dtype': 'float64'}, 'model': {'enc': {'__array__': [[0.8873110820235901, 0.7026618345340587], [-0.8556009947721255, -0.4177384338648036], [-0.8264976395300445, -0.3001867275143557]], 'dtype': 'float64'}, 'bias': {'__array__': [-0.4406470440322998, -0.9083760373456218], 'dtype': 'float64'}, 'dec': {'__type__': 'Transpose', 'parent': {'__array__': [[0.8873110820235901, 0.7026618345340587], [-0.8556009947721255, -0.4177384338648036], [-0.8264976395300445, -0.3001867275143557]], 'dtype': 'float64'}}}, 'rule': "Adam(eta=0.008175273085808404, beta=(0.556469605348407, 0.7785499489854495), epsilon=1e-06, variant='normative')", 'ops': [{'op': 'step', 'grads': {'enc': {'__array__': [[-0.41907361392570297, -0.21168151029216253], [-0.6901996280980509, -0.9530198205198801], [-0.508185617159902, -0.20550256073830786]], 'dtype': 'float64'}, 'bias': {'__array__': [-0.15482222917942012, 0.8619873872969164], 'dtype': 'float64'}, 'dec': {'__array__': [[0.3328643340912938, 0.13298108846160428, -0.4469307677523555], [-0.9469929286928718, -0.44517714743355374, -0.4415927955944703]], 'dtype': 'float64'}}}, {'op': 'step', 'grads': {'enc': {'__array__': [[-0.19288729028819973, 0.91007751297898], [0.7458917241135874, -0.1554210356930379], [-0.43048908305841205, 0.7744881688727638]], 'dtype': 'float64'}, 'bias': {'__array__': [-0.33732126790277284, 0.7910251253291545], 'dtype': 'float64'}, 'dec': {'__array__': [[-0.9318040867351058, 0.0760373293860348, -0.02014911322780355], [-0.7090005658247815, -0.914956093265737, -0.34285821295087926]], 'dtype': 'float64'}}}, {'op': 'step', 'grads': {'enc': {'__array__': [[-0.830894658562638, -0.746436033986283], [0.9074498393648776, 0.1698558999588875], [0.14865202713091397, -0.182269678518296]], 'dtype': 'float64'}, 'bias': {'__array__': [0.8261615175308077, -0.47389103361717866], 'dtype': 'float64'}, 'dec': {'__array__': [[0.12970549147332, -0.8546743299506636, 0.08248450819928688], [0.41181172284639267, -0.8794590912474323, -0.5029191359441498]], 'dtype': 'float64'}}}, {'op': 'step', 'grads': {'enc': {'__array__': [[0.8658127901774266, 0.6596991902143463], [0.16974514016246878, -0.09538843904095651], [-0.8802632901991774, -0.7146713025817286]], 'dtype': 'float64'}, 'bias': {'__array__': [0.9777723229161108, 0.005615315095440332], 'dtype': 'float64'}, 'dec': {'__array__': [[-0.9615755992618347, 0.96387177188818, 0.5345911714023803], [-0.3605348946210809, -0.9738296586802884, -0.7954149907361332]], 'dtype': 'float64'}}}], 'rules': ["Adam(eta=0.008175273085808404, beta=(0.556469605348407, 0.7785499489854495), epsilon=1e-06, variant='normative')"], 'path': 'flat_vector', 'dtype': 'float64', 'step': 4}


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
        print("recorded deviation (TIE-5); no replayable program in this case:")
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
    print(f"max abs error {worst!r}, allowed {bound!r} (TIE-5)")
    return 0 if worst <= bound and not wrong_kind else 1


if __name__ == "__main__":
    sys.exit(main())
