"""The bound decoder classes (_ext.SeedDecoder, _ext.AccurateDecoder) against the pure-Python reference.

Each method of a C++ class must give exactly (bit for bit: dtype, shape and
bytes) what the method of the same name of the reference class gives
(`reference.SeedDecoder`, `reference_accurate.AccurateDecoder`), both built
from the same tables and parameters, on synthetic network outputs and on the
shared photos' real ones; the stages must chain to what `decode` gives. The
constructor checks every parameter once (ValueError naming it) and takes the
options by keyword only.
"""

from __future__ import annotations

import threading

import numpy as np
import pytest

import openpose
from openpose import _validation, reference, reference_accurate
from openpose._cpp import ext
from openpose.synthetic import synthetic_net_output

COCO = openpose.get_layout("coco")

# The reference is slow where the maps it reads are large (seed mode resizes
# every map to the image size, accurate mode upsamples them by `factor`):
# each set of options runs on the synthetic cases it can afford (see
# synthetic_outputs), all of them at the defaults' cost.
SEED_OPTIONS = [({}, "crowd1 crowd6 crowd15 tiny"),
                ({"threshold": 0.2, "n_samples": 7, "paf_threshold": 0.05, "min_fraction": 0.5}, "crowd1 crowd6 tiny")]
ACCURATE_OPTIONS = [
    ({}, "crowd1 crowd6 crowd15 large tiny"),
    ({"grouping": "gpu"}, "crowd1 crowd6 crowd15 large tiny"),
    ({"factor": 8}, "large tiny"),
    ({"factor": 4, "grouping": "gpu", "threshold": 0.1, "max_peaks": 20, "radius": 2, "paf_threshold": 0.1,
      "min_above": 0.8, "min_parts": 2, "min_mean_score": 0.2}, "crowd1 large tiny"),
]
ACCURATE_DEFAULTS = {"factor": 1, "threshold": 0.05, "max_peaks": 127, "radius": 3, "paf_threshold": 0.05,
                     "min_above": 0.95, "grouping": "cpu", "min_parts": 3, "min_mean_score": 0.4}

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


#: Shared photos compared stage by stage (1 at factor 8); test_decoders.py,
#: test_postprocess.py and test_accurate.py compare whole results on all of them.
REAL_PHOTOS = 2


def seed_tables():
    return COCO.limb_table("seed"), COCO.seed_starts_person(), COCO.n_parts


def accurate_tables():
    return COCO.limb_table("accurate"), COCO.fill_only(), COCO.n_parts


def synthetic_outputs(names="crowd1 crowd6 crowd15 large tiny"):
    """(name, (C, h, w) float32, (width, height)): crowds, a large image, a tiny map."""
    cases = {"crowd1": (1, 0, (62, 46), (496, 368)), "crowd6": (6, 1, (54, 46), (640, 480)),
             "crowd15": (15, 2, (82, 46), (656, 368)), "large": (3, 3, (41, 23), (2600, 1460)),
             "tiny": (2, 4, (8, 6), (64, 48))}
    return [(name, synthetic_net_output(n, map_size=size, seed=seed)[0], image)
            for name, (n, seed, size, image) in cases.items() if name in names.split()]


def check_seed(net, width, height, options):
    """Every method of _ext.SeedDecoder against reference.SeedDecoder, the stages against decode."""
    limbs, starts, n_parts = seed_tables()
    decoder = ext().SeedDecoder(limbs, starts, n_parts, **options)
    ref = reference.SeedDecoder(limbs, starts, n_parts, **options)
    got = decoder.decode(net, width, height)
    same(got, ref.decode(net, width, height), "decode")
    keypoints, valid_pairs = got[0], got[1]
    for part in range(n_parts):
        peaks = decoder.find_peaks(net[part], width, height)
        same(peaks, ref.find_peaks(net[part], width, height), f"find_peaks[{part}]")
        same(peaks, keypoints[part][:, 1:], f"find_peaks[{part}] against decode")
    for k, (a, b, cx, cy) in enumerate(limbs):
        if len(keypoints[a]) and len(keypoints[b]):
            pairs = decoder.score_limb(net[cx], net[cy], keypoints[a], keypoints[b], width, height)
            same(pairs, ref.score_limb(net[cx], net[cy], keypoints[a], keypoints[b], width, height),
                 f"score_limb[{k}]")
            same(pairs, valid_pairs[k], f"score_limb[{k}] against decode")
    persons = decoder.assemble(valid_pairs)
    same(persons, ref.assemble(valid_pairs), "assemble")
    same(persons, got[3], "assemble against decode")
    return got


def check_accurate(net, width, height, options):
    """Every method of _ext.AccurateDecoder against reference_accurate.AccurateDecoder, the stages against decode."""
    limbs, fill, n_parts = accurate_tables()
    decoder = ext().AccurateDecoder(limbs, fill, n_parts, **options)
    ref = reference_accurate.AccurateDecoder(limbs, fill, n_parts, **options)
    got = decoder.decode(net, width, height)
    same(got, ref.decode(net, width, height), "decode")
    # The stages at the working resolution, numbered as decode numbers them.
    work, next_id = [], 0
    for part in range(n_parts):
        peaks = decoder.find_peaks(net[part])
        same(peaks, ref.find_peaks(net[part]), f"find_peaks[{part}]")
        ids = np.arange(next_id, next_id + len(peaks), dtype=np.float32)[:, None]
        work.append(np.ascontiguousarray(np.hstack([ids, peaks]), dtype=np.float32))
        same(work[-1][:, 0], got[0][part][:, 0], f"find_peaks[{part}] ids against decode")
        next_id += len(peaks)
    connections = []
    for k, (a, b, cx, cy) in enumerate(limbs):
        if len(work[a]) and len(work[b]):
            pairs = decoder.score_limb(net[cx], net[cy], work[a], work[b])
            same(pairs, ref.score_limb(net[cx], net[cy], work[a], work[b]), f"score_limb[{k}]")
        else:
            pairs = np.zeros((0, 3), np.float32)
        same(pairs, got[1][k], f"score_limb[{k}] against decode")
        connections.append(pairs)
    assembled = decoder.assemble(work, connections)
    same(assembled, ref.assemble(work, connections), "assemble")
    same(assembled, (got[3], got[4]), "assemble against decode")
    return got


@pytest.mark.parametrize(("options", "cases"), SEED_OPTIONS, ids=[str(o) for o, _ in SEED_OPTIONS])
def test_seed_decoder_equals_the_reference_on_synthetic_outputs(options, cases):
    found = 0
    for _, net, (width, height) in synthetic_outputs(cases):
        found += len(check_seed(net, width, height, options)[3])
    assert found > 0  # the comparison covered people, not only empty results


@pytest.mark.parametrize(("options", "cases"), ACCURATE_OPTIONS, ids=[str(o) for o, _ in ACCURATE_OPTIONS])
def test_accurate_decoder_equals_the_reference_on_synthetic_outputs(options, cases):
    found = 0
    for _, net, (width, height) in synthetic_outputs(cases):
        found += len(check_accurate(net, width, height, options)[3])
    assert found > 0


def test_seed_decoder_equals_the_reference_on_real_outputs(real_outputs):
    found = 0
    for _, out, (width, height) in real_outputs[:REAL_PHOTOS]:
        found += len(check_seed(out[0], width, height, {})[3])
    assert found > 0


@pytest.mark.parametrize("options", [{}, {"grouping": "gpu"}, {"factor": 8}], ids=str)
def test_accurate_decoder_equals_the_reference_on_real_outputs(real_outputs, options):
    found = 0
    for _, out, (width, height) in real_outputs[:1 if options.get("factor") else REAL_PHOTOS]:
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
    with pytest.raises(TypeError):
        ext().accurate_upsample(np.zeros((2, 2), np.float32), 8)
    assert ext().accurate_upsample(np.zeros((2, 2), np.float32), factor=8).shape == (16, 16)


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
