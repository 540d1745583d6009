"""Hostile but valid maps and out-of-range values: bounded, and a clear error where a limit is hit.

Each test here is a regression test of a problem found while hardening (see
docs/robustness.md); crash inputs found by the fuzzer (fuzz/) belong here too.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import openpose
from openpose import _validation
from openpose._cpp import ext

IMPLEMENTATIONS = ["cpp", "python"]
COCO = openpose.get_layout("coco")


def seed_decoder(**params):
    """The bound C++ seed decoder on COCO (the options by keyword)."""
    return ext().SeedDecoder(COCO.limb_table("seed"), COCO.seed_starts_person(), COCO.n_parts, **params)


def accurate_decoder(**params):
    """The bound C++ accurate decoder on COCO (the options by keyword)."""
    return ext().AccurateDecoder(COCO.limb_table("accurate"), COCO.fill_only(), COCO.n_parts, **params)


def spots_output(h=46, w=82):
    """A COCO output whose heatmaps are grids of isolated spots: one peak per spot."""
    board = np.zeros((h, w), np.float32)
    board[::2, ::2] = 1.0
    net = np.zeros((57, h, w), np.float32)
    net[:19] = board
    net[19:] = 1.0
    return net


@pytest.mark.parametrize("implementation", IMPLEMENTATIONS)
def test_heatmap_of_spots_is_a_clear_error_not_a_quadratic_search(implementation):
    # Seed mode (the original has no cap): a clear error. Accurate mode keeps
    # at most `max_peaks` (127) per part, as OpenPose does: see the next test.
    # 41 x 23 = 943 > 500 candidates in part 0, which would make 19 limb
    # searches of ~10^6 pairs each (about 10 s at 4K in C++, hours in Python).
    with pytest.raises(ValueError, match=r"part 0 has \d+ keypoint candidates, more than the limit of 500"):
        openpose.postprocess(spots_output(46, 82), image_size=(656, 368), mode="seed", implementation=implementation)


def test_accurate_mode_truncates_a_heatmap_of_spots_to_max_peaks():
    res = openpose.postprocess(spots_output(46, 82), image_size=(656, 368), mode="accurate")
    assert max(len(k) for k in res.keypoints) == 127


@pytest.mark.parametrize("implementation", IMPLEMENTATIONS)
def test_just_under_the_candidate_limit_is_processed(implementation):
    # 20 x 20 isolated spots = 400 candidates per part: within the limit.
    heat = np.zeros((80, 80), np.float32)
    heat[::4, ::4] = 1.0
    net = np.zeros((57, 80, 80), np.float32)
    net[:19] = heat
    result = openpose.find_peaks(heat, mode="seed", implementation=implementation)
    assert len(result) == 400
    if implementation == "cpp":  # the Python implementation takes minutes over 19 x 400 x 400 pairs
        res = openpose.postprocess(net, image_size=(80, 80), mode="seed", implementation=implementation)
        assert [len(k) for k in res.keypoints] == [400] * 18


def test_candidate_limit_matches_between_core_and_python():
    assert _validation.MAX_PEAKS_PER_PART == 500
    cand = np.zeros((501, 4), np.float32)
    cand[:, 0] = np.arange(501)
    paf = np.zeros((4, 4), np.float32)
    for implementation, mode in itertools.product(IMPLEMENTATIONS, ("seed", "accurate")):
        with pytest.raises(ValueError, match=r"candidates_a.*501 keypoint candidates"):
            openpose.score_limb(paf, paf, cand, cand[:1], mode=mode, implementation=implementation)
    with pytest.raises(ValueError, match="501 keypoint candidates"):
        seed_decoder().score_limb(paf, paf, cand, cand[:1], 4, 4)


def test_too_many_pairs_per_limb_is_an_error():
    pairs = [np.zeros((0, 3), np.float32)] * 19
    pairs[0] = np.tile(np.float32([[0, 1, 0.5]]), (501, 1))
    for implementation in IMPLEMENTATIONS:
        with pytest.raises(ValueError, match=r"valid_pairs\[0\]. has 501 pairs"):
            openpose.assemble_persons(pairs, mode="seed", implementation=implementation)


BIG_VALUES = [("1e10", 1e10), ("2**31", 2.0**31), ("-1e20", -1e20), ("inf", np.inf), ("-inf", -np.inf)]


@pytest.mark.parametrize(("name", "value"), BIG_VALUES, ids=[b[0] for b in BIG_VALUES])
def test_ids_outside_the_int_range_are_errors_not_undefined_casts(name, value):
    # Was: a float id like 1e10 passed the "whole number" check and was cast
    # to int (undefined behaviour; UBSan: "is outside the range of
    # representable values of type 'int'").
    cand = np.float32([[value, 1, 1, 0.5]])
    paf = np.ones((4, 4), np.float32)
    with pytest.raises(ValueError, match="int range"):
        seed_decoder().score_limb(paf, paf, cand, cand, 4, 4)
    with pytest.raises(ValueError, match="int range"):
        ext().SeedDecoder(np.int32([[0, 1, 2, 3]]), np.uint8([1]), 2).assemble([np.float32([[value, 0, 1.0]])])
    with pytest.raises(ValueError, match="candidates_a"):
        openpose.score_limb(paf, paf, cand, np.float32([[1, 2, 2, 0.5]]))
    pairs = [np.zeros((0, 3), np.float32)] * 19
    pairs[0] = np.float32([[value, 1, 0.5]])
    with pytest.raises(ValueError, match=r"valid_pairs\[0\]"):
        openpose.assemble_persons(pairs)


HUGE_SIZES = [("side", 40000, 10), ("area", 9000, 9000), ("int_max", 2**31 - 1, 1)]


@pytest.mark.parametrize(("name", "width", "height"), HUGE_SIZES, ids=[s[0] for s in HUGE_SIZES])
def test_huge_sizes_at_the_bindings_are_errors_not_allocations(name, width, height):
    # Was: resize_linear / fill_convex_poly allocated width x height before
    # any check (gigabytes, or std::bad_alloc).
    src = np.ones((2, 2), np.float32)
    with pytest.raises(ValueError, match="too large"):
        ext().resize_linear(src, width, height)
    with pytest.raises(ValueError, match="too large"):
        ext().fill_convex_poly(np.int32([[0, 0], [1, 1], [0, 1]]), width, height)
    with pytest.raises(ValueError, match="too large"):
        seed_decoder().find_peaks(src, width, height)


def test_heatmap_larger_than_the_image_limit_is_an_error():
    # find_peaks without image_size works at the map's own size: the same limit applies.
    with pytest.raises(ValueError, match=r"heatmap.*too large"):
        openpose.find_peaks(np.zeros((1, 40000), np.float32))


def test_samples_and_parts_limits_at_the_bindings():
    paf = np.ones((4, 4), np.float32)
    cand = np.float32([[0, 0, 0, 1], [1, 3, 3, 1]])
    with pytest.raises(ValueError, match="`n_samples` must be between 2 and 10000"):
        seed_decoder(n_samples=2**31 - 1).score_limb(paf, paf, cand[:1], cand[1:], 4, 4)
    with pytest.raises(ValueError, match="`n_parts` must be between 1 and 1024"):
        ext().SeedDecoder(np.int32([[0, 1, 2, 3]]), np.uint8([1]), 2**31 - 1).assemble([np.float32([[0, 1, 1.0]])])


def test_float64_beyond_float32_is_named():
    net = np.zeros((57, 4, 4), np.float64)
    net[3, 1, 1] = 1e300
    with pytest.raises(ValueError, match=r"net_output. has values outside the float32 range"):
        openpose.postprocess(net, image_size=(8, 8))


@pytest.mark.parametrize("mode", ["seed", "accurate"])
@pytest.mark.parametrize("implementation", IMPLEMENTATIONS)
def test_tiny_map_to_a_large_image_and_large_map_to_a_tiny_image(implementation, mode):
    rng = np.random.default_rng(6)
    tiny = rng.random((57, 1, 1), dtype=np.float32)
    res = openpose.postprocess(tiny, image_size=(640, 480) if implementation == "cpp" else (64, 48), mode=mode,
                               implementation=implementation)
    assert res.poses.shape[1:] == (18, 3)
    big = np.zeros((57, 300, 200), np.float32)
    big[0, 150, 100] = 1.0
    res = openpose.postprocess(big, image_size=(1, 1), mode=mode, implementation=implementation)
    assert res.poses.shape == (0, 18, 3) and len(res.keypoints[0]) <= 1


@pytest.mark.parametrize("mode", ["seed", "accurate"])
def test_implementations_agree_on_a_noise_output(mode):
    net = np.random.default_rng(1).random((57, 12, 14), dtype=np.float32)
    got = openpose.postprocess(net, image_size=(56, 48), mode=mode, implementation="cpp")
    want = openpose.postprocess(net, image_size=(56, 48), mode=mode, implementation="python")
    np.testing.assert_array_equal(got.persons, want.persons)
    np.testing.assert_array_equal(got.poses, want.poses)


@pytest.mark.parametrize(("name", "value"), BIG_VALUES, ids=[b[0] for b in BIG_VALUES])
def test_accurate_ids_outside_the_int_range_are_errors(name, value):
    cand = np.float32([[value, 1.5, 1.5, 0.5]])
    paf = np.ones((4, 4), np.float32)
    with pytest.raises(ValueError, match="int range"):
        accurate_decoder().score_limb(paf, paf, cand, cand)
    with pytest.raises(ValueError, match="candidates_a"):
        openpose.score_limb(paf, paf, cand, np.float32([[1, 2, 2, 0.5]]), mode="accurate")
