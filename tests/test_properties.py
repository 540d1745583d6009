"""Property-based tests (hypothesis): arbitrary arrays at the bindings and the stages.

Whatever the shape, dtype, strides, size or values, the outcome is a result
or a clear ValueError/TypeError; for valid input the C++ and Python implementations
give identical results. Example counts are modest (CI time); runs are
derandomized, so a failure reproduces.
"""

from __future__ import annotations

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

import openpose  # noqa: E402
from openpose._cpp import ext  # noqa: E402

SETTINGS = settings(max_examples=60, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
FEW = settings(SETTINGS, max_examples=25)

DTYPES = st.sampled_from([np.float32, np.float64, np.float16, np.int32, np.int64, np.uint8, np.bool_,
                          np.complex64])


@st.composite
def any_array(draw, max_dims=4, max_side=6):
    """An array of any dtype and shape, sometimes a strided or transposed view."""
    dtype = draw(DTYPES)
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=max_dims, min_side=0, max_side=max_side))
    arr = draw(hnp.arrays(dtype, shape))
    view = draw(st.sampled_from(["plain", "reversed", "transposed", "fortran"]))
    if view == "reversed" and arr.ndim:
        arr = arr[..., ::-1]
    elif view == "transposed":
        arr = arr.T
    elif view == "fortran":
        arr = np.asfortranarray(arr)
    return arr


SIZES = st.integers(min_value=-3, max_value=80) | st.sampled_from([0, 2**31 - 1, 2**31, -(2**31), 40000, 10**12])
FLOATS = st.floats(allow_nan=True, allow_infinity=True, width=32)


def outcome(fn, *args):
    """fn(*args), or the ValueError/TypeError it raised (any other exception fails the test)."""
    try:
        return fn(*args)
    except (ValueError, TypeError) as exc:
        assert str(exc), "an error must say what is wrong"  # noqa: PT017 - the error is the value under test
        return exc


# --- the bindings: never anything but a result or a ValueError/TypeError -----

def seed_decoder(limbs=None, starts_person=None, n_parts=18, **params):
    """An _ext.SeedDecoder on COCO's seed tables unless others are given (the options by keyword)."""
    coco = openpose.get_layout("coco")
    limbs = coco.limb_table("seed") if limbs is None else limbs
    starts_person = coco.seed_starts_person() if starts_person is None else starts_person
    return ext().SeedDecoder(limbs, starts_person, n_parts, **params)


@SETTINGS
@given(arr=any_array(), width=SIZES, height=SIZES, threshold=FLOATS)
def test_ext_find_peaks_any_input(arr, width, height, threshold):
    out = outcome(lambda: seed_decoder(threshold=threshold).find_peaks(arr, width, height))
    if isinstance(out, np.ndarray):
        assert out.dtype == np.float32 and out.ndim == 2 and out.shape[1] == 3
        assert ((out[:, 0] >= 0) & (out[:, 0] < width) & (out[:, 1] >= 0) & (out[:, 1] < height)).all()


@SETTINGS
@given(arr=any_array(), width=SIZES, height=SIZES)
def test_ext_image_primitives_any_input(arr, width, height):
    out = outcome(ext().resize_linear, arr, width, height)
    if isinstance(out, np.ndarray):
        assert out.shape == (height, width)
    out = outcome(ext().gaussian_blur3, arr)
    if isinstance(out, np.ndarray):
        assert out.shape == arr.shape
    out = outcome(ext().find_contours, arr)
    if isinstance(out, list):
        for c in out:
            assert c.ndim == 2 and c.shape[1] == 2
    out = outcome(ext().fill_convex_poly, arr, width, height)
    if isinstance(out, np.ndarray):
        assert out.shape == (height, width)


@SETTINGS
@given(paf=any_array(), cand_a=any_array(max_dims=3), cand_b=any_array(max_dims=3), width=SIZES, height=SIZES,
       n_samples=st.integers(-2, 30) | st.sampled_from([2**31 - 1, 10**6]), th=FLOATS, frac=FLOATS)
def test_ext_score_limb_any_input(paf, cand_a, cand_b, width, height, n_samples, th, frac):
    out = outcome(lambda: seed_decoder(n_samples=n_samples, paf_threshold=th, min_fraction=frac).score_limb(
        paf, paf, cand_a, cand_b, width, height))
    if isinstance(out, np.ndarray):
        assert out.ndim == 2 and out.shape[1] == 3


@SETTINGS
@given(arr=any_array(), paf=any_array(), cand=any_array(max_dims=3), factor=st.integers(-1, 9),
       threshold=FLOATS, radius=st.integers(-1, 4))
def test_ext_accurate_stages_any_input(arr, paf, cand, factor, threshold, radius):
    coco = openpose.get_layout("coco")

    def decoder():
        return ext().AccurateDecoder(coco.limb_table("accurate"), coco.fill_only(), coco.n_parts, factor=factor,
                                     threshold=threshold, radius=radius)

    out = outcome(lambda: decoder().find_peaks(arr))
    if isinstance(out, np.ndarray):
        assert out.dtype == np.float32 and out.ndim == 2 and out.shape[1] == 3
        assert ((out[:, 0] >= 0) & (out[:, 0] <= arr.shape[1] * factor - 1)).all()
        assert ((out[:, 1] >= 0) & (out[:, 1] <= arr.shape[0] * factor - 1)).all()
    out = outcome(lambda: decoder().score_limb(paf, paf, cand, cand))
    if isinstance(out, np.ndarray):
        assert out.ndim == 2 and out.shape[1] == 3


CANDIDATE_VALUES = st.sampled_from([0.0, 1.0, 3.0, -1.0, 0.5, 1e10, -1e10, 2.0**31, np.inf, -np.inf, np.nan])


@SETTINGS
@given(rows=st.lists(st.tuples(CANDIDATE_VALUES, CANDIDATE_VALUES, CANDIDATE_VALUES, CANDIDATE_VALUES),
                     min_size=0, max_size=4))
def test_ext_candidates_outside_int_range_are_errors(rows):
    """Ids and coordinates are cast to int only when they fit (a wider float would be undefined behaviour)."""
    cand = np.asarray(rows, np.float32).reshape(-1, 4)
    paf = np.ones((4, 4), np.float32)
    out = outcome(seed_decoder().score_limb, paf, paf, cand, cand, 8, 8)
    fits = np.isfinite(cand).all() and (np.abs(cand[:, :3]) < 2**31).all()
    whole = np.array_equal(cand[:, :3], np.floor(cand[:, :3])) if fits else False
    inside = fits and ((cand[:, 1:3] >= 0) & (cand[:, 1:3] < 8)).all()
    assert isinstance(out, np.ndarray) == bool(fits and whole and inside), out


@SETTINGS
@given(pairs=st.lists(any_array(max_dims=3), max_size=4), n_parts=SIZES,
       limbs=hnp.arrays(np.int32, st.tuples(st.integers(0, 4), st.sampled_from([3, 4])),
                        elements=st.integers(-2, 6)),
       flags=hnp.arrays(np.uint8, st.integers(0, 4)))
def test_ext_assemble_any_input(pairs, n_parts, limbs, flags):
    out = outcome(lambda: seed_decoder(limbs, flags, n_parts).assemble(pairs))
    if isinstance(out, np.ndarray):
        assert out.ndim == 2 and out.shape[1] == n_parts and (out >= -1).all()


@FEW
@given(net=any_array(max_dims=4, max_side=5), width=SIZES, height=SIZES, n_parts=SIZES,
       limbs=hnp.arrays(np.int32, st.tuples(st.integers(0, 3), st.just(4)), elements=st.integers(-1, 5)),
       flags=hnp.arrays(np.uint8, st.integers(0, 3)), threshold=FLOATS, n_samples=st.integers(-1, 12))
def test_ext_postprocess_any_input(net, width, height, n_parts, limbs, flags, threshold, n_samples):
    out = outcome(lambda: seed_decoder(limbs, flags, n_parts, threshold=threshold, n_samples=n_samples).decode(
        net, width, height))
    if isinstance(out, tuple):
        keypoints, valid_pairs, invalid_pairs, persons = out
        assert len(keypoints) == n_parts and len(valid_pairs) == len(limbs)
        assert persons.shape[1] == n_parts


# --- the public stages: clear errors, and both implementations agree -----------------

@pytest.mark.parametrize("mode", ["seed", "accurate"])
@FEW
@given(net=any_array(max_dims=5, max_side=4), size=st.tuples(SIZES, SIZES) | st.none() | st.just((1.5, 2)))
def test_postprocess_any_input_is_a_result_or_a_clear_error(mode, net, size):
    out = outcome(lambda: openpose.postprocess(net, image_size=size, mode=mode))
    assert isinstance(out, (openpose.PoseResult, ValueError, TypeError))


def maps(shape, low=-0.25, high=1.25):
    """Float32 maps that are mostly zero with bright spots: peaks and limbs actually happen."""
    values = st.one_of(st.just(0.0), st.floats(low, high, width=32))
    return hnp.arrays(np.float32, shape, elements=values)


MAP_SIDES = st.integers(1, 9)
IMAGE_SIDES = st.integers(1, 48)


@pytest.mark.parametrize("mode", ["seed", "accurate"])
@FEW
@given(data=st.data(), h=MAP_SIDES, w=MAP_SIDES, width=IMAGE_SIDES, height=IMAGE_SIDES,
       threshold=st.sampled_from([0.0, 0.05, 0.1, 0.5]))
def test_find_peaks_implementations_agree(mode, data, h, w, width, height, threshold):
    heat = data.draw(maps((h, w)))
    if data.draw(st.booleans()):
        heat = np.asfortranarray(heat)  # any strides: the stage makes it contiguous
    first_id = data.draw(st.integers(0, 10_000))
    kw = dict(image_size=(width, height), threshold=threshold, mode=mode, first_id=first_id)
    got = openpose.find_peaks(heat, implementation="cpp", **kw)
    want = openpose.find_peaks(heat, implementation="python", **kw)
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(got[:, 0], np.arange(first_id, first_id + len(got), dtype=np.float32))


@st.composite
def candidates(draw, width, height, first_id):
    n = draw(st.integers(0, 5))
    xs = draw(st.lists(st.integers(0, width - 1), min_size=n, max_size=n))
    ys = draw(st.lists(st.integers(0, height - 1), min_size=n, max_size=n))
    return np.array([[first_id + i, x, y, 1.0] for i, (x, y) in enumerate(zip(xs, ys))], np.float32).reshape(-1, 4)


@FEW
@given(data=st.data(), h=MAP_SIDES, w=MAP_SIDES, width=IMAGE_SIDES, height=IMAGE_SIDES,
       n_samples=st.integers(2, 12), paf_threshold=st.sampled_from([-0.5, 0.0, 0.1]),
       min_fraction=st.sampled_from([0.0, 0.5, 0.7, 1.0]))
def test_score_limb_implementations_agree(data, h, w, width, height, n_samples, paf_threshold, min_fraction):
    px, py = data.draw(maps((h, w), -1.0, 1.0)), data.draw(maps((h, w), -1.0, 1.0))
    cand_a = data.draw(candidates(width, height, 0))
    cand_b = data.draw(candidates(width, height, 10))
    kw = dict(mode="seed", image_size=(width, height), n_samples=n_samples, paf_threshold=paf_threshold, min_fraction=min_fraction)
    got = openpose.score_limb(px, py, cand_a, cand_b, implementation="cpp", **kw)
    want = openpose.score_limb(px, py, cand_a, cand_b, implementation="python", **kw)
    np.testing.assert_array_equal(got, want)


@FEW
@given(data=st.data())
def test_assemble_persons_implementations_agree(data):
    n_limbs = len(openpose.get_layout("coco").limb_table("seed"))
    pair = st.tuples(st.integers(0, 12), st.integers(0, 12), st.floats(0, 1, width=32))
    pairs = [np.asarray(data.draw(st.lists(pair, max_size=3)), np.float32).reshape(-1, 3) for _ in range(n_limbs)]
    got = openpose.assemble_persons(pairs, mode="seed", implementation="cpp")
    want = openpose.assemble_persons(pairs, mode="seed", implementation="python")
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("mode", ["seed", "accurate"])
@settings(FEW, max_examples=12)
@given(data=st.data(), h=st.integers(1, 7), w=st.integers(1, 7), width=st.integers(1, 40),
       height=st.integers(1, 40))
def test_postprocess_implementations_agree(mode, data, h, w, width, height):
    heat = data.draw(maps((19, h, w)))
    paf = data.draw(maps((38, h, w), -1.0, 1.0))
    net = np.concatenate([heat, paf])
    got = openpose.postprocess(net, image_size=(width, height), mode=mode, implementation="cpp")
    want = openpose.postprocess(net, image_size=(width, height), mode=mode, implementation="python")
    for a, b in zip(got.keypoints, want.keypoints):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(got.valid_pairs, want.valid_pairs):
        np.testing.assert_array_equal(a, b)
    assert got.invalid_pairs == want.invalid_pairs
    np.testing.assert_array_equal(got.persons, want.persons)
    np.testing.assert_array_equal(got.poses, want.poses)
