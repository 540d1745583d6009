"""Accurate mode (CMU OpenPose's algorithm): C++ equals the Python reference,
and each stage's defining facts hold on hand-made inputs whose expected
results are worked out by hand in the comments."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import openpose
from conftest import chained_candidates
from openpose.synthetic import synthetic_net_output

IMPLEMENTATIONS = ["cpp", "python"]


def assert_same_people(a, b):
    """Same candidates and people; coordinates within 1e-4 px, scores within 1e-5."""
    assert len(a.keypoints) == len(b.keypoints)
    for ka, kb in zip(a.keypoints, b.keypoints):
        np.testing.assert_array_equal(ka[:, 0], kb[:, 0])
        np.testing.assert_allclose(ka[:, 1:3], kb[:, 1:3], rtol=0, atol=1e-4)
        np.testing.assert_allclose(ka[:, 3], kb[:, 3], rtol=0, atol=1e-5)
    for pa, pb in zip(a.valid_pairs, b.valid_pairs):
        np.testing.assert_array_equal(pa[:, :2], pb[:, :2])
        np.testing.assert_allclose(pa[:, 2], pb[:, 2], rtol=0, atol=1e-5)
    assert a.invalid_pairs == b.invalid_pairs
    np.testing.assert_array_equal(a.persons, b.persons)
    np.testing.assert_allclose(a.poses[..., :2], b.poses[..., :2], rtol=0, atol=1e-4)
    np.testing.assert_allclose(a.poses[..., 2], b.poses[..., 2], rtol=0, atol=1e-5)
    np.testing.assert_allclose(a.scores, b.scores, rtol=0, atol=1e-5)


# --- equivalence -------------------------------------------------------------

@pytest.mark.parametrize("grouping", ["cpu", "gpu"])
def test_implementations_agree_on_real_outputs(real_outputs, grouping):
    found = 0
    for _name, out, size in real_outputs:
        cpp = openpose.postprocess(out, image_size=size, implementation="cpp", grouping=grouping)
        ref = openpose.postprocess(out, image_size=size, implementation="python", grouping=grouping)
        assert_same_people(cpp, ref)
        found += len(cpp)
    assert found > 20, "the shared model should find people in the shared photos"


def test_implementations_agree_on_real_outputs_upsampled_x8(real_outputs):
    found = 0
    for _name, out, size in real_outputs:
        cpp = openpose.postprocess(out, image_size=size, implementation="cpp", factor=8)
        ref = openpose.postprocess(out, image_size=size, implementation="python", factor=8)
        assert_same_people(cpp, ref)
        found += len(cpp)
    assert found > 20


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n_people=st.integers(0, 6),
    map_w=st.integers(6, 40),
    map_h=st.integers(6, 30),
    image_w=st.integers(8, 900),
    image_h=st.integers(8, 900),
    factor=st.sampled_from([1, 2, 3]),
    grouping=st.sampled_from(["cpu", "gpu"]),
    seed=st.integers(0, 2**16),
)
def test_implementations_agree_on_generated_outputs(n_people, map_w, map_h, image_w, image_h, factor, grouping, seed):
    out = synthetic_net_output(n_people, map_size=(map_w, map_h), seed=seed)
    opts = dict(image_size=(image_w, image_h), factor=factor, grouping=grouping)
    assert_same_people(openpose.postprocess(out, implementation="cpp", **opts),
                       openpose.postprocess(out, implementation="python", **opts))


def test_upsampling_is_bicubic_like_opencv():
    """Our bicubic (a = -0.75, half-pixel centres, replicated border) is cv2.INTER_CUBIC."""
    cv2 = pytest.importorskip("cv2")
    from openpose._cpp import ext

    rng = np.random.default_rng(0)
    src = rng.uniform(-1, 1, (9, 13)).astype(np.float32)
    ours = ext().accurate_upsample(src, factor=8)
    theirs = cv2.resize(src, (13 * 8, 9 * 8), interpolation=cv2.INTER_CUBIC)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-5)
    np.testing.assert_array_equal(ours, openpose.reference_accurate.upsample_cubic(src, 8))


@pytest.mark.parametrize("factor", range(1, 9))
@pytest.mark.parametrize("shape", [(1, 1), (1, 7), (5, 1), (2, 2), (3, 4), (6, 11)])
def test_upsampling_matches_the_reference_bit_for_bit(shape, factor):
    """The C++ bicubic (its row pass runs span by span over shared taps) is the reference's, also on tiny maps.

    Maps of 1 to 3 pixels a side have clamped taps that coincide at both
    borders, where a span of shared taps is easiest to get wrong.
    """
    from openpose._cpp import ext

    src = np.random.default_rng(factor * 100 + shape[0] * 10 + shape[1]).uniform(-1, 1, shape).astype(np.float32)
    ours = ext().accurate_upsample(src, factor=factor)
    assert ours.shape == (shape[0] * factor, shape[1] * factor)
    assert ours.tobytes() == np.ascontiguousarray(openpose.reference_accurate.upsample_cubic(src, factor)).tobytes()


def test_stages_compose_to_postprocess():
    out = synthetic_net_output(5, map_size=(40, 30), seed=7)
    size = (320, 240)
    full = openpose.postprocess(out, image_size=size)
    lay = openpose.get_layout("coco")
    cands = chained_candidates(out, size, "accurate", full)
    pairs = []
    for k, (a, b, cx, cy) in enumerate(lay.limbs):
        got = {be: openpose.score_limb(out[0, cx], out[0, cy], cands[a], cands[b], image_size=size, implementation=be)
               for be in IMPLEMENTATIONS}
        np.testing.assert_array_equal(got["cpp"], got["python"])
        np.testing.assert_array_equal(got["cpp"][:, :2], full.valid_pairs[k][:, :2])
        np.testing.assert_allclose(got["cpp"][:, 2], full.valid_pairs[k][:, 2], rtol=0, atol=1e-6)
        pairs.append(got["cpp"])
    for be in IMPLEMENTATIONS:
        np.testing.assert_array_equal(openpose.assemble_persons(pairs, keypoints=cands, implementation=be), full.persons)
    assert len(full) > 0


@pytest.mark.parametrize("implementation", IMPLEMENTATIONS)
def test_empty_result_keeps_its_shapes(implementation):
    res = openpose.postprocess(np.zeros((1, 57, 20, 30), np.float32), image_size=(240, 160), implementation=implementation)
    assert res.mode == "accurate"
    assert res.poses.shape == (0, 18, 3) and res.persons.shape == (0, 18) and res.scores.shape == (0,)
    assert [k.shape for k in res.keypoints] == [(0, 4)] * 18
    assert res.invalid_pairs == list(range(19))


# --- peaks -------------------------------------------------------------------

@pytest.mark.parametrize("implementation", IMPLEMENTATIONS)
def test_peak_cap_keeps_the_first_127_in_raster_order(implementation):
    # 14 x 14 isolated unit peaks at odd (x, y) in 1..27: 196 in all.
    hm = np.zeros((30, 30), np.float32)
    hm[1:28:2, 1:28:2] = 1.0
    got = openpose.find_peaks(hm, factor=1, radius=0, implementation=implementation)
    expected = [(x, y, 1.0) for y in range(1, 28, 2) for x in range(1, 28, 2)][:127]
    np.testing.assert_array_equal(got, np.array([(i, *e) for i, e in enumerate(expected)], np.float32))


@pytest.mark.parametrize("implementation", IMPLEMENTATIONS)
def test_peak_must_be_strictly_greater_than_its_8_neighbours(implementation):
    hm = np.zeros((10, 12), np.float32)
    hm[3, 3] = hm[3, 4] = 0.8          # a plateau of two: neither is a peak
    hm[6, 8], hm[7, 9] = 0.9, 0.6      # diagonal neighbours: only (8, 6) is
    hm[0, 6] = 1.0                     # on the border: never a peak
    hm[5, 1] = 0.05                    # not above the threshold 0.05
    got = openpose.find_peaks(hm, factor=1, radius=0, implementation=implementation)
    np.testing.assert_allclose(got, np.array([[0, 8, 6, 0.9]], np.float32), rtol=0, atol=1e-5)


@pytest.mark.parametrize("implementation", IMPLEMENTATIONS)
def test_peak_refinement_is_the_weighted_mean_over_7x7_of_positive_values(implementation):
    hm = np.zeros((20, 20), np.float32)
    hm[8, 10] = 1.0
    hm[8, 11] = 0.5      # inside the window of (10, 8)
    hm[8, 13] = 0.25     # dx = 3: inside; itself a peak
    hm[8, 7] = -0.5      # negative: ignored
    hm[12, 10] = 0.5     # dy = 4: outside the window of (10, 8); a peak
    got = openpose.find_peaks(hm, factor=1, implementation=implementation)
    # (10, 8): x = (10*1 + 11*0.5 + 13*0.25) / 1.75 = 18.75 / 1.75; the
    # window of (13, 8) (x 10..16) holds the same three values. (10, 12)'s
    # window (y 9..15) holds only itself.
    expected = np.array([[0, 18.75 / 1.75, 8, 1.0], [1, 18.75 / 1.75, 8, 0.25], [2, 10, 12, 0.5]], np.float32)
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-5)


@pytest.mark.parametrize("implementation", IMPLEMENTATIONS)
def test_peak_coordinates_follow_pixel_centres(implementation):
    # A symmetric blob centred on map pixel (4, 3) of a 10 x 8 map read at
    # output resolution, for a 100 x 80 image: the map pixel's centre 4.5
    # (edge coordinates) is image 45, i.e. pixel-centre coordinate 44.5.
    hm = np.zeros((8, 10), np.float32)
    hm[2:5, 3:6] = 0.3
    hm[3, 4] = 1.0
    got = openpose.find_peaks(hm, image_size=(100, 80), factor=1, implementation=implementation)
    np.testing.assert_allclose(got, [[0, 44.5, 34.5, 1.0]], rtol=0, atol=1e-5)
    # At the network's x8 (80 x 64 work pixels for the same image), work
    # pixel-centre coordinate x maps to (x + 0.5) * 100 / 80 - 0.5.
    work_x, work_y = 35.25, 20.0
    x, y = openpose.reference_accurate.to_image_coords(work_x, work_y, (80, 64), (100, 80))
    assert (float(x), float(y)) == pytest.approx(((35.75 * 1.25) - 0.5, (20.5 * 1.25) - 0.5))


# --- limb scores -------------------------------------------------------------

def _paf_row(width=120, gaps=(9, 10)):
    """x-PAF of 1 along row 2, 0 at the `gaps`; y-PAF 0."""
    px = np.zeros((5, width), np.float32)
    px[2] = 1.0
    px[2, list(gaps)] = 0.0
    return px, np.zeros_like(px)


@pytest.mark.parametrize("implementation", IMPLEMENTATIONS)
def test_sample_count_and_more_than_95_percent_rule(implementation):
    px, py_ = _paf_row()
    a = [[0, 5, 2, 1.0]]
    # dx = 80: N = round(sqrt(400)) = 20 samples at 5, 9, 13, ...: x = 9 fails,
    # 19/20 = 0.95 is not > 0.95, and the limb is long: rejected.
    got80 = openpose.score_limb(px, py_, a, [[1, 85, 2, 1.0]], factor=1, implementation=implementation)
    assert got80.shape == (0, 3)
    # dx = 100: N = round(sqrt(500)) = round(22.36) = 22 samples at
    # 5 + 100k/22 rounded: 5, 10, 14, 19, ...: x = 10 fails, 21/22 > 0.95: the
    # score is the mean of the 21 kept samples, 1.
    got100 = openpose.score_limb(px, py_, a, [[1, 105, 2, 1.0]], factor=1, implementation=implementation)
    np.testing.assert_allclose(got100, [[0, 1, 1.0]], rtol=0, atol=1e-6)
    # dx = 3: N = max(5, round(sqrt(15))) = 5, samples 5, 5.6, 6.2, 6.8, 7.4
    # -> 5, 6, 6, 7, 7 all on PAF 1: score 1.
    got3 = openpose.score_limb(px, py_, a, [[1, 8, 2, 1.0]], factor=1, implementation=implementation)
    np.testing.assert_allclose(got3, [[0, 1, 1.0]], rtol=0, atol=1e-6)


@pytest.mark.parametrize("implementation", IMPLEMENTATIONS)
def test_very_short_limbs_get_a_tiny_score(implementation):
    # 150 x 150 map: limbs shorter than sqrt(150 * 150) / 150 = 1 px with no
    # PAF support score threshold + 1e-6; longer ones are rejected.
    zero = np.zeros((150, 150), np.float32)
    a = [[0, 10, 10, 1.0]]
    short = openpose.score_limb(zero, zero, a, [[1, 10.5, 10, 1.0]], factor=1, implementation=implementation)
    np.testing.assert_allclose(short, [[0, 1, 0.05 + 1e-6]], rtol=0, atol=1e-9)
    assert openpose.score_limb(zero, zero, a, [[1, 12, 10, 1.0]], factor=1, implementation=implementation).shape == (0, 3)
    # Coincident candidates are never connected.
    assert openpose.score_limb(zero, zero, a, [[1, 10, 10, 1.0]], factor=1, implementation=implementation).shape == (0, 3)


# --- grouping ----------------------------------------------------------------

def _kps(parts, n_parts=18):
    """Candidates per part from {part: [(id, score), ...]}, at made-up positions."""
    return [np.array([[i, 10 + i, 20, s] for i, s in parts.get(p, [])], np.float32).reshape(-1, 4)
            for p in range(n_parts)]


def _pairs(conns, n_limbs=19):
    return [np.array(conns.get(k, []), np.float32).reshape(-1, 3) for k in range(n_limbs)]


@pytest.mark.parametrize("implementation", IMPLEMENTATIONS)
@pytest.mark.parametrize("grouping", ["cpu", "gpu"])
def test_min_parts_and_min_mean_score(implementation, grouping):
    # Neck 0, RShoulder 1, LShoulder 2; limb 0 = neck-RShoulder, limb 1 = neck-LShoulder.
    kps = _kps({1: [(0, 0.9)], 2: [(1, 0.8)], 5: [(2, 0.7)]})
    three = _pairs({0: [(0, 1, 0.6)], 1: [(0, 2, 0.5)]})
    row = [-1] * 18
    row[1], row[2], row[5] = 0, 1, 2
    got = openpose.assemble_persons(three, keypoints=kps, grouping=grouping, implementation=implementation)
    np.testing.assert_array_equal(got, [row])
    # Two parts only: dropped (min 3 parts).
    two = _pairs({0: [(0, 1, 0.6)]})
    assert openpose.assemble_persons(two, keypoints=kps, grouping=grouping, implementation=implementation).shape == (0, 18)
    # Scores 0.1 everywhere: total 0.5 over 3 parts = 0.167 < 0.4: dropped; kept at 0.15.
    low = _kps({1: [(0, 0.1)], 2: [(1, 0.1)], 5: [(2, 0.1)]})
    low_pairs = _pairs({0: [(0, 1, 0.1)], 1: [(0, 2, 0.1)]})
    assert openpose.assemble_persons(low_pairs, keypoints=low, grouping=grouping, implementation=implementation).shape == (0, 18)
    kept = openpose.assemble_persons(low_pairs, keypoints=low, grouping=grouping, min_mean_score=0.15,
                                     implementation=implementation)
    np.testing.assert_array_equal(kept, [row])


@pytest.mark.parametrize("implementation", IMPLEMENTATIONS)
def test_cpu_matching_is_greedy_one_to_one(implementation):
    # Necks 0, 1; RShoulders 2, 3. Best first: 0-2 (0.9) taken; 1-2 (0.85)
    # and 0-3 (0.8) reuse a taken end; 1-3 (0.3) taken. Seed mode would give
    # RShoulder 2 to both necks.
    kps = _kps({1: [(0, 0.9), (1, 0.9)], 2: [(2, 0.9), (3, 0.9)]})
    pairs = _pairs({0: [(0, 2, 0.9), (0, 3, 0.8), (1, 2, 0.85), (1, 3, 0.3)]})
    got = openpose.assemble_persons(pairs, keypoints=kps, grouping="cpu", min_parts=2, implementation=implementation)
    rows = np.full((2, 18), -1)
    rows[0, [1, 2]] = 0, 2
    rows[1, [1, 2]] = 1, 3
    np.testing.assert_array_equal(got, rows)


@pytest.mark.parametrize("implementation", IMPLEMENTATIONS)
def test_ear_shoulder_limbs_only_fill_slots(implementation):
    # A person neck 0, RShoulder 1, LShoulder 2; REar 3 joined by limb 17
    # (RShoulder-REar): the slot is filled. A lone RShoulder 4 - REar 5 pair on
    # limb 17 starts nobody (RShoulder 4 alone becomes a one-part person on
    # limb 2, whose RElbow has no candidate, and is dropped: < 3 parts).
    kps = _kps({1: [(0, 0.9)], 2: [(1, 0.8), (4, 0.8)], 5: [(2, 0.7)], 16: [(3, 0.9), (5, 0.9)]})
    pairs = _pairs({0: [(0, 1, 0.6)], 1: [(0, 2, 0.5)], 17: [(1, 3, 0.9), (4, 5, 0.95)]})
    got = openpose.assemble_persons(pairs, keypoints=kps, grouping="cpu", implementation=implementation)
    row = [-1] * 18
    row[1], row[2], row[5], row[16] = 0, 1, 2, 3
    np.testing.assert_array_equal(got, [row])
    assert openpose.get_layout("coco").fill_only().tolist() == [0] * 17 + [1, 1]


@pytest.mark.parametrize("implementation", IMPLEMENTATIONS)
def test_gpu_grouping_merges_complementary_people(implementation):
    # RShoulder 1 - RElbow 2 (limb 2, 0.9) and neck 0 - LShoulder 3 (limb 1,
    # 0.8) make two 2-part people; neck 0 - RShoulder 1 (limb 0, 0.5) joins
    # people that share no part: one 4-part person (kept with min 3 parts).
    kps = _kps({1: [(0, 0.9)], 2: [(1, 0.9)], 3: [(2, 0.9)], 5: [(3, 0.9)]})
    pairs = _pairs({0: [(0, 1, 0.5)], 1: [(0, 3, 0.8)], 2: [(1, 2, 0.9)]})
    got = openpose.assemble_persons(pairs, keypoints=kps, grouping="gpu", implementation=implementation)
    row = [-1] * 18
    row[1], row[2], row[3], row[5] = 0, 1, 2, 3
    np.testing.assert_array_equal(got, [row])


@pytest.mark.parametrize("implementation", IMPLEMENTATIONS)
def test_person_score_is_total_over_parts_plus_limbs(implementation):
    # One synthetic person, CPU grouping: every part found is joined by its
    # tree limb, so total = sum of keypoint scores + sum of the chosen
    # connection scores of limbs 0..16; the score is total / (18 + 19).
    out = synthetic_net_output(1, map_size=(60, 46), seed=3, noise=0.0)
    res = openpose.postprocess(out, image_size=(480, 368), implementation=implementation)
    assert len(res) == 1
    row = res.persons[0]
    assert (row >= 0).all()
    table = {int(r[0]): float(r[3]) for k in res.keypoints for r in k}
    conn = 0.0
    for k in range(17):
        for a, b, s in res.valid_pairs[k]:
            if int(a) in row and int(b) in row:
                conn += float(s)
    # The ears join through the eye-ear limbs (14, 16), so all 18 parts count.
    total = sum(table[int(i)] for i in row) + conn
    assert res.scores[0] == pytest.approx(total / 37, rel=1e-5)
