"""Decoders built once: both implementations agree bit for bit, a decoder equals
`postprocess`, its stages chain without glue, its parameters are checked once."""

from __future__ import annotations

import dataclasses
import pickle
import threading

import numpy as np
import pytest

import openpose
from openpose import decoders, reference, reference_accurate
from openpose.decoders import AccurateDecoder, SeedDecoder, make_decoder
from openpose.synthetic import synthetic_net_output

pytest.importorskip("cv2")  # the seed reference traces contours with cv2

IMPLEMENTATIONS = ["cpp", "python"]
# (mode, options): every algorithm and grouping; factor 8 is slow in Python.
VARIANTS = [("seed", {}), ("accurate", {}), ("accurate", {"grouping": "gpu"})]
VARIANT_IDS = ["seed", "accurate-cpu", "accurate-gpu"]


def same_bits(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def assert_same_result(got, want):
    """Two PoseResults equal bit for bit, field by field."""
    for name in ("poses", "scores", "persons"):
        assert same_bits(getattr(got, name), getattr(want, name)), name
    for name in ("keypoints", "valid_pairs"):
        g, w = getattr(got, name), getattr(want, name)
        assert len(g) == len(w) and all(same_bits(x, y) for x, y in zip(g, w)), name
    assert got.invalid_pairs == want.invalid_pairs
    assert got.layout == want.layout and got.image_size == want.image_size and got.mode == want.mode


def synthetic_cases():
    """(name, net_output, image_size, layout): crowds and empty outputs on every layout."""
    cases = [
        ("crowd5", synthetic_net_output(5, map_size=(60, 44), seed=3), (480, 352), "coco"),
        ("crowd12", synthetic_net_output(12, map_size=(82, 46), seed=5), (656, 368), "coco"),
        ("odd-size", synthetic_net_output(3, map_size=(37, 29), seed=8), (301, 233), "coco"),
        ("body_25", synthetic_net_output(4, map_size=(50, 40), layout="body_25", seed=2), (400, 320), "body_25"),
        ("mpi", synthetic_net_output(4, map_size=(50, 40), layout="mpi", seed=4), (400, 320), "mpi"),
        ("empty", np.zeros((1, 57, 20, 30), np.float32), (240, 160), "coco"),
    ]
    return cases


SYNTHETIC = synthetic_cases()


# --- both implementations, bit for bit ------------------------------------------

@pytest.mark.parametrize(("mode", "options"), VARIANTS, ids=VARIANT_IDS)
def test_implementations_agree_on_real_outputs(real_outputs, mode, options):
    cpp = make_decoder(mode, layout="coco", implementation="cpp", **options)
    python = make_decoder(mode, layout="coco", implementation="python", **options)
    people = 0
    for _, out, size in real_outputs:
        got = cpp(out, image_size=size)
        assert_same_result(got, python(out, image_size=size))
        people += len(got)
    assert people > 0


def test_implementations_agree_at_factor_8(real_outputs):
    cpp, python = (AccurateDecoder("coco", factor=8, implementation=i) for i in IMPLEMENTATIONS)
    for _, out, size in real_outputs[:2]:
        got = cpp(out, image_size=size)
        assert len(got) > 0
        assert_same_result(got, python(out, image_size=size))


@pytest.mark.parametrize(("mode", "options"), VARIANTS, ids=VARIANT_IDS)
@pytest.mark.parametrize(("name", "out", "size", "layout"), SYNTHETIC, ids=[c[0] for c in SYNTHETIC])
def test_implementations_agree_on_synthetic_outputs(name, out, size, layout, mode, options):
    cpp, python = (make_decoder(mode, layout=layout, implementation=i, **options) for i in IMPLEMENTATIONS)
    assert_same_result(cpp(out, image_size=size), python(out, image_size=size))


@pytest.mark.parametrize("mode", ["seed", "accurate"])
def test_reference_and_extension_take_the_same_arguments(mode):
    """The C++ object and the reference object: one constructor call, one call per method, same arrays out."""
    out = synthetic_net_output(4, map_size=(40, 30), seed=9)[0]
    size = (320, 240)
    lay = openpose.get_layout("coco")
    limbs = lay.limb_table(mode)
    if mode == "seed":
        flags, params = lay.seed_starts_person(), dict(threshold=0.1, n_samples=10, paf_threshold=0.1, min_fraction=0.7)
        built = [decoders._cpp_seed(limbs, flags, 18, **params), reference.SeedDecoder(limbs, flags, 18, **params)]
        peaks = [d.find_peaks(out[1], *size) for d in built]
    else:
        flags = lay.fill_only()
        params = dict(factor=1, threshold=0.05, max_peaks=127, radius=3, paf_threshold=0.05, min_above=0.95,
                      grouping="cpu", min_parts=3, min_mean_score=0.4)
        built = [decoders._cpp_accurate(limbs, flags, 18, **params),
                 reference_accurate.AccurateDecoder(limbs, flags, 18, **params)]
        peaks = [d.find_peaks(out[1]) for d in built]
    assert len(peaks[0]) > 0 and same_bits(peaks[0], peaks[1])
    decoded = [d.decode(out, *size) for d in built]
    for got, want in zip(*decoded):
        if isinstance(got, list):
            assert len(got) == len(want) and all(same_bits(np.asarray(g), np.asarray(w)) for g, w in zip(got, want))
        else:
            assert same_bits(got, want)


# --- a decoder is postprocess, built once ----------------------------------------

@pytest.mark.parametrize(("mode", "options"), [*VARIANTS, ("accurate", {"factor": 8})],
                         ids=[*VARIANT_IDS, "accurate-x8"])
def test_decoder_equals_postprocess(real_outputs, mode, options):
    decoder = make_decoder(mode, layout="coco", **options)
    for _, out, size in real_outputs:
        assert_same_result(decoder(out, image_size=size), openpose.postprocess(out, image_size=size, mode=mode,
                                                                              **options))
    out, size = real_outputs[0][1:]
    assert_same_result(decoder.decode(out, image_size=size), decoder(out, image_size=size))


def test_decoder_equals_postprocess_batch(real_outputs):
    decoder = SeedDecoder("coco")
    outs, sizes = [o for _, o, _ in real_outputs], [s for _, _, s in real_outputs]
    for got, out, size in zip(openpose.postprocess_batch(outs, image_sizes=sizes, mode="seed", threads=2), outs, sizes):
        assert_same_result(got, decoder(out, image_size=size))


def test_one_decoder_serves_many_threads(real_outputs):
    """No per-call state: 8 threads on one decoder give the serial results."""
    decoder = AccurateDecoder("coco")
    items = real_outputs[:8]
    want = [decoder(out, image_size=size) for _, out, size in items]
    got = [None] * len(items)

    def work(i):
        for _ in range(3):
            got[i] = decoder(items[i][1], image_size=items[i][2])

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(items))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for g, w in zip(got, want):
        assert_same_result(g, w)


def test_custom_layout_travels_with_the_result():
    mine = dataclasses.replace(openpose.get_layout("coco"), name="mine")
    out = synthetic_net_output(3, map_size=(40, 30), seed=1)
    for mode in ("seed", "accurate"):
        res = make_decoder(mode, layout=mine)(out, image_size=(320, 240))
        assert res.layout is mine and res.mode == mode and len(res) > 0


# --- the stages chain without glue -------------------------------------------

def chain(decoder, out, size):
    """keypoints -> valid_pairs -> persons from the stage methods alone."""
    keypoints = []
    for part in range(decoder.n_parts):
        keypoints.append(decoder.find_peaks(out[part], image_size=size, first_id=sum(len(k) for k in keypoints)))
    pairs = [decoder.score_limb(out[cx], out[cy], keypoints[a], keypoints[b], image_size=size)
             for a, b, cx, cy in decoder.limbs]
    return keypoints, pairs, decoder.assemble(pairs, keypoints=keypoints)


@pytest.mark.parametrize("implementation", IMPLEMENTATIONS)
@pytest.mark.parametrize(("mode", "options"), VARIANTS, ids=VARIANT_IDS)
def test_stages_chain_to_the_full_result(mode, options, implementation):
    out = synthetic_net_output(5, map_size=(40, 30), seed=7)[0]
    size = (320, 240)
    decoder = make_decoder(mode, layout="coco", implementation=implementation, **options)
    full = decoder(out, image_size=size)
    keypoints, pairs, persons = chain(decoder, out, size)
    assert len(full) > 0
    for got, want in zip(keypoints, full.keypoints):
        assert same_bits(got, want)
    for got, want in zip(pairs, full.valid_pairs):
        if mode == "seed":
            assert same_bits(got, want)
        else:  # image pixels back to the working resolution: the score within 1e-6
            np.testing.assert_array_equal(got[:, :2], want[:, :2])
            np.testing.assert_allclose(got[:, 2], want[:, 2], rtol=0, atol=1e-6)
    assert same_bits(persons, full.persons)


def test_find_peaks_numbers_from_first_id():
    out = synthetic_net_output(4, map_size=(40, 30), seed=2)[0]
    for decoder in (SeedDecoder("coco"), AccurateDecoder("coco")):
        a = decoder.find_peaks(out[2])
        b = decoder.find_peaks(out[3], first_id=len(a))
        assert len(a) > 0 and len(b) > 0 and a.shape[1] == 4 and a.dtype == np.float32
        np.testing.assert_array_equal(a[:, 0], np.arange(len(a)))
        np.testing.assert_array_equal(b[:, 0], np.arange(len(a), len(a) + len(b)))
        assert same_bits(decoder.find_peaks(out[3])[:, 1:], b[:, 1:])
        decoder.score_limb(out[31], out[32], a, b)  # goes straight in


# --- parameters, checked once ------------------------------------------------

def test_unknown_option_is_a_type_error_naming_it():
    with pytest.raises(TypeError, match=r"unknown option.*n_sample\b.*known: min_fraction, n_samples"):
        make_decoder("seed", layout="coco", n_sample=5)
    with pytest.raises(TypeError, match="factor"):
        make_decoder("seed", layout="coco", factor=8)  # an accurate-mode option
    with pytest.raises(TypeError, match="radiu"):
        AccurateDecoder("coco", radiu=2)


@pytest.mark.parametrize(("mode", "name", "value", "error"), [
    ("seed", "threshold", -1.0, ValueError),
    ("seed", "n_samples", 1, ValueError),
    ("seed", "n_samples", 2.5, TypeError),
    ("seed", "min_fraction", float("nan"), ValueError),
    ("accurate", "factor", 9, ValueError),
    ("accurate", "max_peaks", 501, ValueError),
    ("accurate", "radius", -1, ValueError),
    ("accurate", "grouping", "tpu", ValueError),
    ("accurate", "min_parts", True, TypeError),
    ("accurate", "paf_threshold", "0.1", TypeError),
])
@pytest.mark.parametrize("implementation", IMPLEMENTATIONS)
def test_bad_value_fails_at_construction_naming_it(mode, name, value, error, implementation):
    with pytest.raises(error, match=f"`{name}`"):
        make_decoder(mode, layout="coco", implementation=implementation, **{name: value})


def test_bad_mode_implementation_layout():
    with pytest.raises(ValueError, match="`mode`"):
        make_decoder("fast", layout="coco")
    with pytest.raises(ValueError, match="`implementation`"):
        SeedDecoder("coco", implementation="cuda")
    with pytest.raises(ValueError, match="`layout`"):
        AccurateDecoder("halpe")


@pytest.mark.parametrize("mode", ["seed", "accurate"])
def test_parameters_are_not_checked_again_per_call(mode, monkeypatch):
    decoder = make_decoder(mode, layout="coco", threshold=0.2)
    out = synthetic_net_output(3, map_size=(30, 20), seed=4)
    want = decoder(out, image_size=(240, 160))

    def fail(self):
        raise AssertionError("parameters checked again")

    monkeypatch.setattr(decoders.SeedParams, "checked", fail)
    monkeypatch.setattr(decoders.AccurateParams, "checked", fail)
    assert_same_result(decoder(out, image_size=(240, 160)), want)
    chain(decoder, out[0], (240, 160))
    with pytest.raises(AssertionError, match="checked again"):
        make_decoder(mode, layout="coco")


def test_decoder_exposes_its_settings():
    seed = SeedDecoder("coco", n_samples=12, implementation="python")
    assert (seed.mode, seed.layout.name, seed.implementation) == ("seed", "coco", "python")
    assert seed.params == openpose.SeedParams(n_samples=12) and seed.n_samples == 12 and seed.threshold == 0.1
    assert seed.options() == {"threshold": 0.1, "n_samples": 12, "paf_threshold": 0.1, "min_fraction": 0.7}
    acc = AccurateDecoder("body_25", factor=8, grouping="gpu")
    assert (acc.mode, acc.layout.name, acc.implementation, acc.factor, acc.grouping) == (
        "accurate", "body_25", "cpp", 8, "gpu")
    assert acc.params == openpose.AccurateParams(factor=8, grouping="gpu")
    np.testing.assert_array_equal(acc.limbs, acc.layout.limb_table("accurate"))
    np.testing.assert_array_equal(seed.limbs, seed.layout.limb_table("seed"))
    assert acc.limbs.dtype == np.int32 and seed.starts_person.dtype == np.uint8 and acc.fill_only.dtype == np.uint8
    with pytest.raises(ValueError, match="read-only"):
        acc.limbs[0, 0] = 5
    with pytest.raises(AttributeError):
        acc.factor = 2
    assert repr(seed) == ("SeedDecoder('coco', threshold=0.1, n_samples=12, paf_threshold=0.1, min_fraction=0.7, "
                          "implementation='python')")


@pytest.mark.parametrize("mode", ["seed", "accurate"])
def test_decoder_pickles(mode):
    decoder = make_decoder(mode, layout="mpi", threshold=0.2)
    again = pickle.loads(pickle.dumps(decoder))
    assert type(again) is type(decoder) and again.params == decoder.params and again.layout == decoder.layout
    out = synthetic_net_output(3, map_size=(30, 20), layout="mpi", seed=6)
    assert_same_result(again(out, image_size=(240, 160)), decoder(out, image_size=(240, 160)))


# --- arrays: checked per call, empty results keep their shapes ------------------

@pytest.mark.parametrize("implementation", IMPLEMENTATIONS)
@pytest.mark.parametrize("mode", ["seed", "accurate"])
def test_empty_results_keep_their_shapes(mode, implementation):
    decoder = make_decoder(mode, layout="coco", implementation=implementation)
    zeros = np.zeros((57, 20, 30), np.float32)
    res = decoder(zeros, image_size=(240, 160))
    assert res.poses.shape == (0, 18, 3) and res.poses.dtype == np.float32
    assert res.persons.shape == (0, 18) and res.persons.dtype == np.int32
    assert res.scores.shape == (0,) and res.scores.dtype == np.float32
    assert [k.shape for k in res.keypoints] == [(0, 4)] * 18
    assert [p.shape for p in res.valid_pairs] == [(0, 3)] * 19
    assert res.invalid_pairs == list(range(19))
    peaks = decoder.find_peaks(zeros[0], image_size=(240, 160), first_id=7)
    assert peaks.shape == (0, 4) and peaks.dtype == np.float32
    pairs = decoder.score_limb(zeros[19], zeros[20], peaks, peaks, image_size=(240, 160))
    assert pairs.shape == (0, 3) and pairs.dtype == np.float32
    persons = decoder.assemble([pairs] * 19, keypoints=[peaks] * 18)
    assert persons.shape == (0, 18) and persons.dtype == np.int32


@pytest.mark.parametrize("mode", ["seed", "accurate"])
def test_arrays_are_checked_per_call(mode):
    decoder = make_decoder(mode, layout="coco")
    with pytest.raises(ValueError, match="needs at least 57"):
        decoder(np.zeros((40, 8, 8), np.float32), image_size=(64, 64))
    with pytest.raises(ValueError, match="net_output"):
        decoder(np.full((57, 8, 8), np.nan, np.float32), image_size=(64, 64))
    with pytest.raises(TypeError, match="image_size"):
        decoder(np.zeros((57, 8, 8), np.float32), image_size=64)
    with pytest.raises(ValueError, match="heatmap"):
        decoder.find_peaks(np.zeros((3, 3, 3), np.float32))
    with pytest.raises(ValueError, match="first_id"):
        decoder.find_peaks(np.zeros((3, 3), np.float32), first_id=2**24 + 1)
    with pytest.raises(ValueError, match="candidates_b"):
        decoder.score_limb(np.zeros((4, 4)), np.zeros((4, 4)), [], [[0, 1, 1]])
    with pytest.raises(ValueError, match="valid_pairs"):
        decoder.assemble([np.zeros((0, 3))] * 3, keypoints=[np.zeros((0, 4))] * 18)


def test_accurate_assemble_needs_the_keypoints():
    decoder = AccurateDecoder("coco")
    with pytest.raises(ValueError, match="`keypoints` must be a sequence of 18"):
        decoder.assemble([np.zeros((0, 3))] * 19)
