"""The bound decoder classes (_ext.SeedDecoder, _ext.AccurateDecoder) against the free functions.

Each method must give exactly (bit for bit) what the stage function of the
same algorithm gives with the same parameters, on the shared photos' real
network outputs and on synthetic ones; the constructor checks every parameter
once (ValueError naming it) and takes the options by keyword only.
"""

from __future__ import annotations

import threading

import numpy as np
import pytest

import openpose
from openpose import _validation
from openpose._cpp import ext
from openpose.synthetic import synthetic_net_output

COCO = openpose.get_layout("coco")

SEED_OPTIONS = [{}, {"threshold": 0.2, "n_samples": 7, "paf_threshold": 0.05, "min_fraction": 0.5}]
ACCURATE_OPTIONS = [
    {},
    {"grouping": "gpu"},
    {"factor": 8},
    {"factor": 4, "grouping": "gpu", "threshold": 0.1, "max_peaks": 20, "radius": 2, "paf_threshold": 0.1,
     "min_above": 0.8, "min_parts": 2, "min_mean_score": 0.2},
]
ACCURATE_DEFAULTS = {"factor": 1, "threshold": 0.05, "max_peaks": 127, "radius": 3, "paf_threshold": 0.05,
                     "min_above": 0.95, "grouping": "cpu", "min_parts": 3, "min_mean_score": 0.4}
SEED_DEFAULTS = {"threshold": 0.1, "n_samples": 10, "paf_threshold": 0.1, "min_fraction": 0.7}


def same(a, b, where="result"):
    """a and b hold the same arrays (dtype, shape and bytes) in the same structure."""
    if isinstance(a, (list, tuple)):
        assert isinstance(b, (list, tuple)) and len(a) == len(b), f"{where}: {len(a)} items != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            same(x, y, f"{where}[{i}]")
    elif isinstance(a, np.ndarray):
        assert isinstance(b, np.ndarray), f"{where}: {type(b)} is not an array"
        assert (a.dtype, a.shape) == (b.dtype, b.shape), f"{where}: {a.dtype}{a.shape} != {b.dtype}{b.shape}"
        assert a.tobytes() == b.tobytes(), f"{where}: values differ"
    else:
        assert a == b, f"{where}: {a!r} != {b!r}"


def seed_tables():
    return COCO.limb_table("seed"), COCO.seed_starts_person(), COCO.n_parts


def accurate_tables():
    return COCO.limb_table("accurate"), COCO.fill_only(), COCO.n_parts


def synthetic_outputs():
    """(name, (C, h, w) float32, (width, height)): crowds, a large image, a tiny map."""
    cases = [(1, 0, (62, 46), (496, 368)), (6, 1, (54, 46), (640, 480)), (15, 2, (82, 46), (1312, 736)),
             (3, 3, (41, 23), (2600, 1460)), (2, 4, (8, 6), (64, 48))]
    return [(f"synthetic{n}_{seed}", synthetic_net_output(n, map_size=size, seed=seed)[0], image)
            for n, seed, size, image in cases]


def outputs(real_outputs=None):
    items = synthetic_outputs()
    if real_outputs is not None:
        items += [(name, out[0], size) for name, out, size in real_outputs]
    return items


def check_seed(net, width, height, options):
    limbs, starts, n_parts = seed_tables()
    p = {**SEED_DEFAULTS, **options}
    decoder = ext().SeedDecoder(limbs, starts, n_parts, **options)
    want = ext().seed_postprocess(net, width, height, n_parts, limbs, starts, p["threshold"], p["n_samples"],
                                  p["paf_threshold"], p["min_fraction"])
    got = decoder.decode(net, width, height)
    same(got, want, "decode")
    keypoints, valid_pairs = got[0], got[1]
    for part in range(n_parts):
        same(decoder.find_peaks(net[part], width, height),
             ext().seed_find_peaks(net[part], width, height, p["threshold"]), f"find_peaks[{part}]")
    for k, (a, b, cx, cy) in enumerate(limbs):
        if len(keypoints[a]) and len(keypoints[b]):
            got_pairs = decoder.score_limb(net[cx], net[cy], keypoints[a], keypoints[b], width, height)
            want_pairs = ext().seed_score_limb(net[cx], net[cy], keypoints[a], keypoints[b], width, height,
                                               p["n_samples"], p["paf_threshold"], p["min_fraction"])
            same(got_pairs, want_pairs, f"score_limb[{k}]")
            same(got_pairs, valid_pairs[k], f"score_limb[{k}] against decode")
    same(decoder.assemble(valid_pairs), ext().seed_assemble(valid_pairs, limbs, starts, n_parts), "assemble")
    return got


def check_accurate(net, width, height, options):
    limbs, fill, n_parts = accurate_tables()
    p = {**ACCURATE_DEFAULTS, **options}
    decoder = ext().AccurateDecoder(limbs, fill, n_parts, **options)
    want = ext().accurate_postprocess(net, width, height, n_parts, limbs, fill, p["factor"], p["threshold"],
                                      p["max_peaks"], p["radius"], p["paf_threshold"], p["min_above"], p["grouping"],
                                      p["min_parts"], p["min_mean_score"])
    got = decoder.decode(net, width, height)
    same(got, want, "decode")
    # The stages at the working resolution, numbered as decode numbers them.
    work, next_id = [], 0
    for part in range(n_parts):
        peaks = decoder.find_peaks(net[part])
        same(peaks, ext().accurate_find_peaks(net[part], p["factor"], p["threshold"], p["max_peaks"], p["radius"]),
             f"find_peaks[{part}]")
        ids = np.arange(next_id, next_id + len(peaks), dtype=np.float32)[:, None]
        work.append(np.ascontiguousarray(np.hstack([ids, peaks]), dtype=np.float32))
        next_id += len(peaks)
    connections = []
    for k, (a, b, cx, cy) in enumerate(limbs):
        if len(work[a]) and len(work[b]):
            pairs = decoder.score_limb(net[cx], net[cy], work[a], work[b])
            same(pairs, ext().accurate_score_limb(net[cx], net[cy], work[a], work[b], p["factor"], p["paf_threshold"],
                                                  p["min_above"], p["threshold"]), f"score_limb[{k}]")
        else:
            pairs = np.zeros((0, 3), np.float32)
        same(pairs, got[1][k], f"score_limb[{k}] against decode")
        connections.append(pairs)
    assembled = decoder.assemble(work, connections)
    same(assembled, ext().accurate_assemble(work, connections, limbs, fill, p["grouping"], p["min_parts"],
                                            p["min_mean_score"]), "assemble")
    same(assembled, (got[3], got[4]), "assemble against decode")
    return got


@pytest.mark.parametrize("options", SEED_OPTIONS, ids=str)
def test_seed_decoder_equals_the_free_functions_on_synthetic_outputs(options):
    found = 0
    for _, net, (width, height) in synthetic_outputs():
        found += len(check_seed(net, width, height, options)[3])
    assert found > 0  # the comparison covered people, not only empty results


@pytest.mark.parametrize("options", ACCURATE_OPTIONS, ids=str)
def test_accurate_decoder_equals_the_free_functions_on_synthetic_outputs(options):
    found = 0
    for _, net, (width, height) in synthetic_outputs():
        found += len(check_accurate(net, width, height, options)[3])
    assert found > 0


@pytest.mark.parametrize("options", SEED_OPTIONS[:1], ids=str)
def test_seed_decoder_equals_the_free_functions_on_real_outputs(real_outputs, options):
    found = 0
    for _, out, (width, height) in real_outputs:
        found += len(check_seed(out[0], width, height, options)[3])
    assert found > 0


@pytest.mark.parametrize("options", ACCURATE_OPTIONS[:3], ids=str)
def test_accurate_decoder_equals_the_free_functions_on_real_outputs(real_outputs, options):
    found = 0
    for _, out, (width, height) in real_outputs:
        found += len(check_accurate(out[0], width, height, options)[3])
    assert found > 0


def test_decoders_give_what_postprocess_gives():
    _, net, (width, height) = synthetic_outputs()[2]
    seed = ext().SeedDecoder(*seed_tables()).decode(net, width, height)
    res = openpose.postprocess(net, image_size=(width, height), mode="seed")
    same(list(seed[0]), res.keypoints)
    same(seed[3], res.persons)
    acc = ext().AccurateDecoder(*accurate_tables(), factor=8).decode(net, width, height)
    res = openpose.postprocess(net, image_size=(width, height), mode="accurate", factor=8)
    same(list(acc[0]), res.keypoints)
    same((acc[3], acc[4]), (res.persons, res.scores))


def test_properties_hold_the_parameters():
    seed = ext().SeedDecoder(*seed_tables(), threshold=0.25, n_samples=12, paf_threshold=0.15, min_fraction=0.6)
    assert (seed.threshold, seed.n_samples, seed.paf_threshold, seed.min_fraction, seed.n_parts) == (
        np.float32(0.25), 12, np.float32(0.15), np.float32(0.6), 18)
    acc = ext().AccurateDecoder(*accurate_tables())
    assert {name: getattr(acc, name) for name in ACCURATE_DEFAULTS} == {
        name: np.float32(v) if isinstance(v, float) else v for name, v in ACCURATE_DEFAULTS.items()}
    assert acc.n_parts == 18
    with pytest.raises(AttributeError):
        acc.factor = 8  # read-only: a decoder is built once


BAD_SEED = [("threshold", -0.1), ("threshold", float("nan")), ("n_samples", 1), ("n_samples", 10_001),
            ("paf_threshold", float("inf")), ("min_fraction", float("nan"))]
BAD_ACCURATE = [("factor", 0), ("factor", 9), ("threshold", -1.0), ("threshold", float("inf")), ("max_peaks", -1),
                ("max_peaks", 501), ("radius", -1), ("radius", 51), ("paf_threshold", float("nan")),
                ("min_above", float("-inf")), ("grouping", "fast"), ("min_parts", 0), ("min_parts", 1_000_001),
                ("min_mean_score", float("nan"))]


@pytest.mark.parametrize(("name", "value"), BAD_SEED, ids=[f"{n}={v}" for n, v in BAD_SEED])
def test_seed_decoder_rejects_a_bad_parameter_by_name(name, value):
    with pytest.raises(ValueError, match=f"`{name}`"):
        ext().SeedDecoder(*seed_tables(), **{name: value})


@pytest.mark.parametrize(("name", "value"), BAD_ACCURATE, ids=[f"{n}={v}" for n, v in BAD_ACCURATE])
def test_accurate_decoder_rejects_a_bad_parameter_by_name(name, value):
    with pytest.raises(ValueError, match=f"`{name}`"):
        ext().AccurateDecoder(*accurate_tables(), **{name: value})


def test_decoders_reject_bad_layout_tables():
    limbs, starts, _ = seed_tables()
    for cls, flags, flag_name in [(ext().SeedDecoder, starts, "starts_person"),
                                  (ext().AccurateDecoder, accurate_tables()[1], "fill_only")]:
        with pytest.raises(ValueError, match="`n_parts`"):
            cls(limbs, flags, 0)
        with pytest.raises(ValueError, match="`n_parts`"):
            cls(limbs, flags, _validation.MAX_PARTS + 1)
        with pytest.raises(ValueError, match=flag_name):
            cls(limbs, flags[:3], 18)
        bad = limbs.copy()
        bad[2, 1] = 18
        with pytest.raises(ValueError, match="part outside"):
            cls(bad, flags, 18)
        bad = limbs.copy()
        bad[0, 2] = -1
        with pytest.raises(ValueError, match="negative PAF channel"):
            cls(bad, flags, 18)
        with pytest.raises(ValueError, match="`limbs`"):
            cls(limbs[:, :3].copy(), flags, 18)


def test_options_are_keyword_only():
    with pytest.raises(TypeError):
        ext().SeedDecoder(*seed_tables(), 0.2)
    with pytest.raises(TypeError):
        ext().AccurateDecoder(*accurate_tables(), 8)
    with pytest.raises(TypeError):
        ext().SeedDecoder(*seed_tables(), treshold=0.2)  # a misspelt option is an error too


def test_array_arguments_are_checked_by_name():
    seed = ext().SeedDecoder(*seed_tables())
    acc = ext().AccurateDecoder(*accurate_tables())
    net = synthetic_outputs()[0][1]
    cand = np.zeros((1, 3), np.float32)
    for call, name in [
        (lambda: seed.decode(net[0], 64, 48), "net_output"),
        (lambda: acc.decode(np.ascontiguousarray(net[:, 0]), 64, 48), "net_output"),
        (lambda: seed.decode(net[:30], 64, 48), "channels"),
        (lambda: seed.find_peaks(net[:2], 64, 48), "heatmap"),
        (lambda: acc.find_peaks(np.zeros((0, 4), np.float32)), "heatmap"),
        (lambda: seed.score_limb(net[19], net[20][:, :5].copy(), cand, cand, 64, 48), "paf_x.*paf_y"),
        (lambda: seed.score_limb(net[19], net[20], cand, np.zeros((0, 4), np.float32), 64, 48), "candidates_a"),
        (lambda: acc.score_limb(net[19], net[20], np.zeros((0, 4), np.float32), cand), "candidates_b"),
        (lambda: seed.assemble([np.zeros((0, 3), np.float32)] * 3), "one entry per limb"),
        (lambda: acc.assemble([np.zeros((0, 4), np.float32)] * 18, [np.zeros((0, 2), np.float32)] * 19),
         "valid_pairs"),
        (lambda: acc.assemble([np.zeros((0, 4), np.float32)] * 17, [np.zeros((0, 3), np.float32)] * 19),
         "keypoints"),
        (lambda: seed.decode(net, 0, 48), "image_size"),
        (lambda: acc.decode(net, 64, _validation.MAX_IMAGE_SIDE + 1), "too large"),
    ]:
        with pytest.raises(ValueError, match=name):
            call()
    bad = net.copy()
    bad[3, 1, 1] = np.nan
    with pytest.raises(ValueError, match="infinite"):
        seed.decode(bad, 64, 48)
    with pytest.raises(ValueError, match="heatmap contains NaN"):
        acc.find_peaks(bad[3])
    with pytest.raises(TypeError):
        seed.find_peaks(net[0].astype(np.float64), 64, 48)  # never converted silently


def test_one_decoder_serves_many_threads():
    seed = ext().SeedDecoder(*seed_tables())
    acc = ext().AccurateDecoder(*accurate_tables(), factor=4)
    items = synthetic_outputs()[:4]
    want = [(seed.decode(net, w, h), acc.decode(net, w, h)) for _, net, (w, h) in items]
    got = [None] * (2 * len(items))

    def run(i):
        _, net, (w, h) = items[i % len(items)]
        got[i] = (seed.decode(net, w, h), acc.decode(net, w, h))

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(got))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i, result in enumerate(got):
        same(result, want[i % len(items)], f"thread {i}")


def test_the_limits_come_from_the_core():
    for name in _validation.LIMITS:
        assert getattr(_validation, name) == getattr(ext(), name)
    assert (ext().MAX_IMAGE_SIDE, ext().MAX_IMAGE_PIXELS, ext().MAX_PEAKS_PER_PART) == (32768, 8192 * 8192, 500)
    # The core enforces the limit it exports.
    ext().AccurateDecoder(*accurate_tables(), max_peaks=ext().MAX_PEAKS_PER_PART)
    with pytest.raises(ValueError, match=f"between 0 and {ext().MAX_PEAKS_PER_PART}"):
        ext().AccurateDecoder(*accurate_tables(), max_peaks=ext().MAX_PEAKS_PER_PART + 1)
